// libFuzzer harness: parse_receipt() on arbitrary bytes. Anything but a seedance::Error escaping,
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
    const seedance::Receipt receipt = seedance::parse_receipt(body, 200);
    if (receipt.progress < 0 || receipt.progress > 100) std::abort();
    if (receipt.raw_json != body || receipt.task_id.empty()) std::abort();
  } catch (const seedance::ResponseError& error) {
    // Messages quote only a short, single-line excerpt of the body.
    const std::string_view message = error.what();
    if (message.find('\n') != std::string_view::npos || message.size() > 512) std::abort();
  } catch (const seedance::ApiError&) {
  }
  return 0;
}
