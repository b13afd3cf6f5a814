#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "model/json_codec.hpp"
#include "platform/platform.hpp"
#include "seedance/error.hpp"
#include "seedance/request.hpp"

namespace seedance {
namespace {

// The MIME type named by the file's magic bytes; empty when it is none of the supported formats.
std::string_view detect_image_type(std::string_view bytes) noexcept {
  using namespace std::string_view_literals;
  const auto starts_with = [bytes](std::string_view magic) {
    return bytes.substr(0, magic.size()) == magic;
  };
  if (starts_with("\x89PNG\r\n\x1a\n"sv)) return "image/png";
  if (starts_with("\xFF\xD8\xFF"sv)) return "image/jpeg";
  if (starts_with("GIF87a"sv) || starts_with("GIF89a"sv)) return "image/gif";
  if (starts_with("RIFF"sv) && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP"sv) {
    return "image/webp";
  }
  return {};
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::size_t start = out.size();
  out.resize(start + 4 * ((bytes.size() + 2) / 3));
  char* dst = &out[start];
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t whole_groups_end = bytes.size() - bytes.size() % 3;
  for (std::size_t i = 0; i < whole_groups_end; i += 3) {
    const std::uint32_t group = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8) |
                                std::uint32_t{src[i + 2]};
    dst[0] = kAlphabet[group >> 18];
    dst[1] = kAlphabet[(group >> 12) & 0x3F];
    dst[2] = kAlphabet[(group >> 6) & 0x3F];
    dst[3] = kAlphabet[group & 0x3F];
    dst += 4;
  }
  const std::size_t rest = bytes.size() - whole_groups_end;
  if (rest == 0) return;
  std::uint32_t group = std::uint32_t{src[whole_groups_end]} << 16;
  if (rest == 2) group |= std::uint32_t{src[whole_groups_end + 1]} << 8;
  dst[0] = kAlphabet[group >> 18];
  dst[1] = kAlphabet[(group >> 12) & 0x3F];
  dst[2] = rest == 2 ? kAlphabet[(group >> 6) & 0x3F] : '=';
  dst[3] = '=';
}

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw ValidationError({"image_file \"" + detail::body_excerpt(path, 200) + "\": " + reason});
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

std::string read_at_most(const std::string& path, std::size_t max_bytes) {
  const std::unique_ptr<std::FILE, FileCloser> file(detail::platform::open_c_file(path, "rb"));
  if (!file) fail(path, "cannot open: " + std::generic_category().message(errno));
  const std::string too_large =
      "is larger than the limit of " + std::to_string(max_bytes) + " bytes";

  std::string bytes;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(detail::platform::to_path(path), size_error);
  if (!size_error) {
    if (size > max_bytes) fail(path, too_large);
    bytes.reserve(static_cast<std::size_t>(size));
  }
  // Read in chunks rather than trusting the size: pipes have none and files can grow.
  constexpr std::size_t kChunk = 64 * 1024;
  for (;;) {
    const std::size_t used = bytes.size();
    bytes.resize(used + kChunk);
    const std::size_t got = std::fread(&bytes[used], 1, kChunk, file.get());
    bytes.resize(used + got);
    if (bytes.size() > max_bytes) fail(path, too_large);
    if (got < kChunk) {
      if (std::ferror(file.get())) {
        fail(path, "cannot read: " + std::generic_category().message(errno));
      }
      return bytes;
    }
  }
}

}  // namespace

std::string image_file(const std::string& path, std::size_t max_bytes) {
  const std::string bytes = read_at_most(path, max_bytes);
  if (bytes.empty()) fail(path, "is empty");
  const std::string_view mime = detect_image_type(bytes);
  if (mime.empty()) fail(path, "is not a PNG, JPEG, WebP or GIF image");

  constexpr std::string_view kScheme = "data:";
  constexpr std::string_view kEncoding = ";base64,";
  std::string uri;
  uri.reserve(kScheme.size() + mime.size() + kEncoding.size() + 4 * ((bytes.size() + 2) / 3));
  uri += kScheme;
  uri += mime;
  uri += kEncoding;
  append_base64(uri, bytes);
  return uri;
}

}  // namespace seedance
