// libFuzzer harness: the Content-Range parser (downloads resume on what it says). A parsed range
// must be consistent, and printing it back must parse to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/content_range.hpp"

namespace {

std::string format(const seedance::detail::ContentRange& range) {
  std::string text = "bytes ";
  text += range.first ? std::to_string(range.first->start) + "-" + std::to_string(range.first->end)
                      : std::string("*");
  text += "/";
  text += range.total ? std::to_string(*range.total) : std::string("*");
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const auto range = seedance::detail::parse_content_range(value);
  if (!range) return 0;
  if (!range->first && !range->total) std::abort();  // "bytes */*" is refused
  if (range->first) {
    if (range->first->end < range->first->start) std::abort();
    if (range->total && range->first->end >= *range->total) std::abort();
  }
  const auto again = seedance::detail::parse_content_range(format(*range));
  if (!again || again->total != range->total ||
      again->first.has_value() != range->first.has_value())
    std::abort();
  if (range->first &&
      (again->first->start != range->first->start || again->first->end != range->first->end)) {
    std::abort();
  }
  return 0;
}
