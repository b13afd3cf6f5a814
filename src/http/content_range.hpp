// Parsing of the Content-Range response header (RFC 9110, section 14.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace seedance::detail {

struct ByteRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  ///< Inclusive.
};

struct ContentRange {
  std::optional<ByteRange> first;      ///< Absent for "bytes */total" (a 416's answer).
  std::optional<std::uint64_t> total;  ///< Absent for "bytes a-b/*".
};

/// "bytes 0-99/1000", "bytes 0-99/*" or "bytes */1000"; nullopt for anything malformed
/// (end before start, end past total, overflow, trailing garbage).
std::optional<ContentRange> parse_content_range(std::string_view value);

}  // namespace seedance::detail
