// The files beside a download in progress: "<path>.part" (the bytes) and "<path>.part.meta" (what
// they are: source URL, validators, total size and, for segmented downloads, each segment's
// progress), so that any later call can resume them safely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "download/download_fetch.hpp"

namespace seedance::detail {

struct PartSegment {
  std::uint64_t start = 0;
  std::uint64_t end = 0;   ///< One past the last byte.
  std::uint64_t done = 0;  ///< Bytes from `start` on disk.
};

struct PartMeta {
  std::string source;  ///< The URL the bytes came from.
  ResourceIdentity identity;
  /// Empty for a sequential part (its size is its progress); else the part is preallocated to the
  /// total and these cover it.
  std::vector<PartSegment> segments;
};

/// nullopt when absent or unreadable (a torn or foreign file is never trusted).
std::optional<PartMeta> read_part_meta(const std::string& path);

/// Writes atomically (a temporary file renamed over `path`). Throws Error.
void write_part_meta(const std::string& path, const PartMeta& meta);

/// Splits [0, total) into up to `count` segments of at least `min_bytes` each.
std::vector<PartSegment> plan_segments(std::uint64_t total, int count, std::uint64_t min_bytes);

}  // namespace seedance::detail
