#include "download/sha256.hpp"

#include <openssl/evp.h>

#include <vector>

#include "platform/platform.hpp"
#include "seedance/error.hpp"

namespace seedance::detail {

struct Sha256::State {
  EVP_MD_CTX* context = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->context = EVP_MD_CTX_new();
  if (state_->context == nullptr ||
      EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(state_->context);
    throw Error("SHA-256: libcrypto could not be initialised");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->context); }

void Sha256::update(const char* data, std::size_t size) {
  if (size > 0 && EVP_DigestUpdate(state_->context, data, size) != 1) {
    throw Error("SHA-256: libcrypto failed");
  }
}

std::string Sha256::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->context, digest, &length) != 1) {
    throw Error("SHA-256: libcrypto failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 0x0f];
  }
  return text;
}

std::string sha256_of_file(const std::string& path) {
  std::error_code error;
  platform::File file = platform::File::open_read(path, error);
  if (!file.is_open()) throw Error("cannot read " + path + ": " + error.message());
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (true) {
    const std::optional<std::size_t> got = file.read(buffer.data(), buffer.size(), error);
    if (!got) throw Error("cannot read " + path + ": " + error.message());
    if (*got == 0) break;
    hash.update(buffer.data(), *got);
  }
  return hash.hex_digest();
}

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace seedance::detail
