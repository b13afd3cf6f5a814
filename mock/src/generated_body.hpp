// Bodies generated piece by piece as they are sent, so a fault can answer with hundreds of
// megabytes (or a document nested 100,000 deep) without holding it in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seedance::mock::detail {

/// A body made of pieces, each a text repeated a number of times.
class GeneratedBody {
 public:
  void append(std::string text, std::uint64_t times = 1);
  std::uint64_t size() const noexcept { return size_; }
  /// Writes the `n` bytes from `offset` on to `out`.
  void fill(std::uint64_t offset, char* out, std::size_t n) const;

 private:
  struct Piece {
    std::string text;
    std::uint64_t start = 0;  ///< Offset of its first byte in the body.
    std::uint64_t size = 0;   ///< text.size() * times
  };
  std::vector<Piece> pieces_;
  std::uint64_t size_ = 0;
};

/// A task detail padded with one long string member to `size` bytes (or its natural size, when
/// larger): valid JSON that a client without a limit would parse whole.
GeneratedBody huge_task_detail(std::uint64_t size);

/// A task detail of `size` bytes (or its natural size, when larger) whose member is an array of
/// empty arrays: valid JSON of about size / 3 values.
GeneratedBody wide_task_detail(std::uint64_t size);

/// A task detail with a member nested `depth` arrays deep: valid JSON.
GeneratedBody nested_task_detail(std::uint64_t depth);

}  // namespace seedance::mock::detail
