// The deterministic content the mock serves: task videos and the last-frame PNG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seedance::mock::detail {

/// Generates any part of a task's video without holding it in memory: an MP4 `ftyp` box, an
/// `mdat` box header, then pseudo-random bytes derived from the task id.
class VideoGenerator {
 public:
  VideoGenerator(const std::string& task_id, std::uint64_t size);

  std::uint64_t size() const noexcept { return size_; }
  /// Writes the bytes [offset, offset + n) into out; the range must lie within the video.
  void fill(std::uint64_t offset, char* out, std::size_t n) const;

 private:
  std::uint64_t word(std::uint64_t index) const noexcept;

  std::uint64_t size_;
  std::uint64_t seed_;
  std::string header_;
  // Words repeat with this period, each period XORed with its own value: one table look-up and
  // one XOR per 8 bytes keeps a 1 GiB download from being limited by the generator.
  std::vector<std::uint64_t> table_;
};

/// A small valid PNG (2x2 pixels).
const std::string& last_frame_png();

std::uint64_t fnv1a64(const std::string& text) noexcept;

/// splitmix64's finaliser: a cheap, well distributed bijection of 64-bit words (video bytes,
/// task ids).
std::uint64_t mix64(std::uint64_t x) noexcept;

}  // namespace seedance::mock::detail
