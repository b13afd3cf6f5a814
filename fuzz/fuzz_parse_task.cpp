// libFuzzer harness: parse_task() on arbitrary bytes. Anything but a seedance::Error escaping,
// or a broken invariant, is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "seedance/error.hpp"
#include "seedance/task.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const seedance::Task task = seedance::parse_task(body, 200);
    if (task.progress < 0 || task.progress > 100) std::abort();
    if (task.raw_json != body) std::abort();
  } catch (const seedance::ResponseError& error) {
    // Messages quote only a short, single-line excerpt of the body.
    const std::string_view message = error.what();
    if (message.find('\n') != std::string_view::npos || message.size() > 512) std::abort();
  } catch (const seedance::ApiError&) {
  }
  return 0;
}
