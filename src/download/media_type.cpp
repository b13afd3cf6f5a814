#include "download/media_type.hpp"

#include "text.hpp"

namespace seedance::detail {

std::string_view describe(Media media) noexcept {
  return media == Media::Image ? "an image" : "a video";
}

std::string media_type_of(std::string_view content_type) {
  return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}

bool accepts_content_type(Media media, std::string_view content_type) {
  const std::string type = media_type_of(content_type);
  // Storage services often label every object with an octet type, and some send none at all.
  if (type.empty() || type == "application/octet-stream" || type == "binary/octet-stream") {
    return true;
  }
  const std::string_view wanted = media == Media::Image ? "image/" : "video/";
  return type.size() > wanted.size() && type.compare(0, wanted.size(), wanted) == 0 &&
         type.find_first_of(" \t/", wanted.size()) == std::string::npos;
}

}  // namespace seedance::detail
