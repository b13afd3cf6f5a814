// libFuzzer harness: the error read from an arbitrary response body in any shape
// (api_error_from_error_body, which every failed call goes through) and the body excerpt quoted
// in error messages. Any crash, sanitizer report or broken invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/json_codec.hpp"
#include "seedance/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first two bytes choose the HTTP status (100..599), the rest is the body.
  int status = 200;
  if (size >= 2) {
    status = 100 + (data[0] * 256 + data[1]) % 500;
    data += 2;
    size -= 2;
  }
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const seedance::ApiError error = seedance::detail::api_error_from_error_body(body, status);
    if (error.http_status() != status) std::abort();
    const std::string_view message = error.what();
    if (message.empty()) std::abort();
  } catch (const seedance::Error&) {
    // Documented as always returning an error, never throwing one.
    std::abort();
  }
  // Excerpts are single-line and bounded: they go into exception messages and logs.
  const std::string excerpt = seedance::detail::body_excerpt(body);
  if (excerpt.find_first_of("\r\n") != std::string::npos) std::abort();
  if (excerpt.size() > 4 * 120 + 16) std::abort();
  return 0;
}
