#include "redacting_stream.hpp"

#include <algorithm>
#include <utility>

#include "exit_codes.hpp"

namespace seedance::cli {

RedactingStreamBuffer::RedactingStreamBuffer(std::ostream& target, std::string secret)
    : target_(target), secret_(std::move(secret)) {}

RedactingStreamBuffer::~RedactingStreamBuffer() {
  const std::lock_guard<std::mutex> lock(mutex_);
  forward_locked(true);
}

RedactingStreamBuffer::int_type RedactingStreamBuffer::overflow(int_type character) {
  if (traits_type::eq_int_type(character, traits_type::eof())) return traits_type::not_eof(0);
  const char byte = traits_type::to_char_type(character);
  xsputn(&byte, 1);
  return character;
}

std::streamsize RedactingStreamBuffer::xsputn(const char* text, std::streamsize count) {
  const std::lock_guard<std::mutex> lock(mutex_);
  pending_.append(text, static_cast<std::size_t>(count));
  forward_locked(false);
  return count;
}

int RedactingStreamBuffer::sync() {
  const std::lock_guard<std::mutex> lock(mutex_);
  forward_locked(true);
  target_.flush();
  return target_ ? 0 : -1;
}

void RedactingStreamBuffer::forward_locked(bool everything) {
  if (pending_.empty()) return;
  pending_ = redact(std::move(pending_), secret_);
  std::size_t held = 0;
  // Hold back the longest tail that is a proper prefix of the secret (redact() ignores short ones).
  if (!everything && secret_.size() >= kMinRedactedLength) {
    for (std::size_t length = std::min(pending_.size(), secret_.size() - 1); length > 0; --length) {
      if (pending_.compare(pending_.size() - length, length, secret_, 0, length) == 0) {
        held = length;
        break;
      }
    }
  }
  target_.write(pending_.data(), static_cast<std::streamsize>(pending_.size() - held));
  pending_.erase(0, pending_.size() - held);
}

}  // namespace seedance::cli
