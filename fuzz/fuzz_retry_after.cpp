// libFuzzer harness: Retry-After (delta-seconds or an HTTP date) and retry-after-ms as a server
// may send them. The delay must never be negative and requested_delay() must honour its cap.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/retry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // A fixed "now" (2025-01-01T00:00:00Z) keeps runs reproducible.
  const auto now = std::chrono::system_clock::from_time_t(1735689600);

  const auto delay = seedance::detail::parse_retry_after(input, now);
  if (delay && delay->count() < 0) std::abort();

  // The input split at the first newline: retry-after-ms, then Retry-After.
  const auto newline = input.find('\n');
  seedance::HttpResponse response;
  response.status = 503;
  response.headers.emplace_back("retry-after-ms", std::string(input.substr(0, newline)));
  if (newline != std::string_view::npos) {
    response.headers.emplace_back("Retry-After", std::string(input.substr(newline + 1)));
  }
  const std::chrono::milliseconds cap{120000};
  const auto requested = seedance::detail::requested_delay(response, cap);
  if (requested && (requested->count() < 0 || *requested > cap)) std::abort();
  return 0;
}
