// SHA-256 for download integrity checks (OpenSSL's libcrypto, kept out of the public headers).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace seedance::detail {

/// An incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const char* data, std::size_t size);
  /// The digest as 64 lower-case hex digits; ends the computation.
  std::string hex_digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The SHA-256 of a file's content, as 64 lower-case hex digits. Throws Error when it cannot be
/// read.
std::string sha256_of_file(const std::string& path);

/// True when `text` is 64 hex digits (either case).
bool is_sha256_hex(const std::string& text);

}  // namespace seedance::detail
