#include "video_bytes.hpp"

#include <algorithm>
#include <cstring>

namespace seedance::mock::detail {
namespace {

constexpr std::size_t kTableWords = 8192;  // 64 KiB period

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
  }
}

std::string make_header(std::uint64_t size) {
  std::string h;
  // ftyp: size 32, major brand isom, minor version 0x200, compatible brands.
  append_be32(h, 32);
  h += "ftypisom";
  append_be32(h, 0x200);
  h += "isomiso2avc1mp41";
  const std::uint64_t payload = size > 32 ? size - 32 : 0;
  if (payload <= 0xFFFFFFFFULL) {
    append_be32(h, static_cast<std::uint32_t>(payload));
    h += "mdat";
  } else {
    // size 1 means a 64-bit "largesize" follows the type.
    append_be32(h, 1);
    h += "mdat";
    append_be32(h, static_cast<std::uint32_t>(payload >> 32));
    append_be32(h, static_cast<std::uint32_t>(payload & 0xFFFFFFFFULL));
  }
  return h;
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a64(const std::string& text) noexcept {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

VideoGenerator::VideoGenerator(const std::string& task_id, std::uint64_t size)
    : size_(size), seed_(fnv1a64(task_id)), header_(make_header(size)), table_(kTableWords) {
  for (std::size_t i = 0; i < kTableWords; ++i) table_[i] = mix64(seed_ + i);
}

std::uint64_t VideoGenerator::word(std::uint64_t index) const noexcept {
  return table_[index % kTableWords] ^ mix64(seed_ ^ ~(index / kTableWords));
}

void VideoGenerator::fill(std::uint64_t offset, char* out, std::size_t n) const {
  // The header occupies the first bytes.
  while (n > 0 && offset < header_.size()) {
    *out++ = header_[static_cast<std::size_t>(offset++)];
    --n;
  }
  // Leading bytes up to a word boundary.
  while (n > 0 && offset % 8 != 0) {
    *out++ = static_cast<char>((word(offset / 8) >> (8 * (offset % 8))) & 0xFF);
    ++offset;
    --n;
  }
  // Whole words, one period at a time.
  while (n >= 8) {
    const std::uint64_t first = offset / 8;
    const std::uint64_t period_mask = mix64(seed_ ^ ~(first / kTableWords));
    std::size_t i = static_cast<std::size_t>(first % kTableWords);
    const std::size_t words = std::min<std::size_t>(n / 8, kTableWords - i);
    for (std::size_t k = 0; k < words; ++k, ++i) {
      const std::uint64_t w = table_[i] ^ period_mask;
      unsigned char bytes[8];
      for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(w >> (8 * b));
      std::memcpy(out, bytes, 8);
      out += 8;
    }
    offset += 8 * words;
    n -= 8 * words;
  }
  // Trailing bytes.
  while (n > 0) {
    *out++ = static_cast<char>((word(offset / 8) >> (8 * (offset % 8))) & 0xFF);
    ++offset;
    --n;
  }
}

const std::string& last_frame_png() {
  static const unsigned char bytes[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00,
      0x00, 0xfd, 0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78,
      0xda, 0x63, 0x10, 0x50, 0x30, 0x70, 0x08, 0x48, 0x60, 0x28, 0x68, 0x98, 0xb0, 0x60,
      0xc3, 0x01, 0x00, 0x18, 0x1e, 0x04, 0xe1, 0xce, 0xa1, 0xba, 0x83, 0x00, 0x00, 0x00,
      0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  static const std::string png(reinterpret_cast<const char*>(bytes), sizeof(bytes));
  return png;
}

}  // namespace seedance::mock::detail
