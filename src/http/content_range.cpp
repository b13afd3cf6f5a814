#include "http/content_range.hpp"

#include <limits>

namespace seedance::detail {
namespace {

/// Reads a non-empty run of digits; false on overflow or when none is there.
bool read_number(std::string_view& text, std::uint64_t& value) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::size_t digits = 0;
  value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const auto digit = static_cast<std::uint64_t>(text[digits] - '0');
    if (value > (kMax - digit) / 10) return false;
    value = value * 10 + digit;
    ++digits;
  }
  text.remove_prefix(digits);
  return digits > 0;
}

bool consume(std::string_view& text, char expected) {
  if (text.empty() || text.front() != expected) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kUnit = "bytes ";
  if (value.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  value.remove_prefix(kUnit.size());

  ContentRange range;
  if (consume(value, '*')) {
    if (!consume(value, '/')) return std::nullopt;
  } else {
    ByteRange bytes;
    if (!read_number(value, bytes.start) || !consume(value, '-') ||
        !read_number(value, bytes.end) || bytes.end < bytes.start || !consume(value, '/')) {
      return std::nullopt;
    }
    range.first = bytes;
  }
  if (consume(value, '*')) {
    if (!range.first) return std::nullopt;  // "bytes */*" says nothing
  } else {
    std::uint64_t total = 0;
    if (!read_number(value, total)) return std::nullopt;
    if (range.first && range.first->end >= total) return std::nullopt;
    range.total = total;
  }
  if (!value.empty()) return std::nullopt;
  return range;
}

}  // namespace seedance::detail
