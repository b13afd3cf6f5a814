// libFuzzer harness: the Content-Type a download's answer carries, which decides whether the body
// is stored as the video (or image) or refused as an error page.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "download/media_type.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content_type(reinterpret_cast<const char*>(data), size);
  const std::string type = seedance::detail::media_type_of(content_type);
  // The media type never keeps parameters, surrounding spaces or upper case.
  if (type.find(';') != std::string::npos) std::abort();
  if (!type.empty() && (type.front() == ' ' || type.back() == ' ')) std::abort();
  for (const char c : type) {
    if (c >= 'A' && c <= 'Z') std::abort();
  }
  using seedance::detail::Media;
  const bool video = seedance::detail::accepts_content_type(Media::Video, content_type);
  const bool image = seedance::detail::accepts_content_type(Media::Image, content_type);
  // Only the octet types (or none) are accepted as both; a video type is never an image.
  const bool octet =
      type.empty() || type == "application/octet-stream" || type == "binary/octet-stream";
  if (video && image && !octet) std::abort();
  return 0;
}
