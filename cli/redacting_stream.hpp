// An output stream that removes the API key from everything written through it.
#pragma once

#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>

namespace seedance::cli {

/// Forwards what is written to `target` with every occurrence of `secret` replaced by "***" (see
/// redact()), whichever text it is part of: a server's message, a raw response in --json output,
/// a batch report. A tail that could be the start of the secret is held back until the next write
/// or flush shows what follows, so a secret written in two pieces is caught too. Thread-safe.
class RedactingStreamBuffer : public std::streambuf {
 public:
  RedactingStreamBuffer(std::ostream& target, std::string secret);
  ~RedactingStreamBuffer() override;
  RedactingStreamBuffer(const RedactingStreamBuffer&) = delete;
  RedactingStreamBuffer& operator=(const RedactingStreamBuffer&) = delete;

 protected:
  int_type overflow(int_type character) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;

 private:
  void forward_locked(bool everything);

  std::ostream& target_;
  const std::string secret_;
  std::mutex mutex_;
  std::string pending_;
};

/// A std::ostream over a RedactingStreamBuffer.
class RedactingStream : public std::ostream {
 public:
  RedactingStream(std::ostream& target, std::string secret)
      : std::ostream(nullptr), buffer_(target, std::move(secret)) {
    rdbuf(&buffer_);
  }
  ~RedactingStream() override { flush(); }

 private:
  RedactingStreamBuffer buffer_;
};

}  // namespace seedance::cli
