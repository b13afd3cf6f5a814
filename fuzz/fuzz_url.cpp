// libFuzzer harness: what the client does with URLs and ids that come from the server: a
// redirect's Location resolved against the request URL, the origin that decides whether the API
// key goes along, and the task-id check a receipt's id passes before it enters a path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/url.hpp"
#include "seedance/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  namespace d = seedance::detail;

  const std::string from = "https://api.example.com/v1/videos/task_1/content";
  const std::string resolved = d::resolve_location(from, input);
  const std::string origin = d::origin_of(resolved);
  // A relative Location stays on the request's origin (and so keeps the key); an origin is
  // either empty or scheme://authority with nothing after it.
  if (!input.empty() && input.front() == '/' && (input.size() < 2 || input[1] != '/') &&
      origin != "https://api.example.com") {
    std::abort();
  }
  if (!origin.empty() && origin.find_first_of("/?#", origin.find("://") + 3) != std::string::npos) {
    std::abort();
  }
  (void)d::path_of(resolved);

  try {
    d::check_task_id(input);
    // Accepted ids cannot leave the path segment they are put in.
    if (input.find_first_of("/?#%\\") != std::string_view::npos || input == "." || input == "..")
      std::abort();
    for (const char c : input) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
  } catch (const seedance::ValidationError& error) {
    const std::string_view message = error.what();
    if (message.size() > 512) std::abort();
  }
  try {
    (void)d::normalize_base_url(input);
  } catch (const seedance::ValidationError&) {
  }
  return 0;
}
