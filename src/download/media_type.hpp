// What a download accepts as its content: the Content-Type of a 200/206 answer decides, before a
// byte is stored, whether the body is the video (or image) asked for or, say, an error page.
#pragma once

#include <string>
#include <string_view>

namespace seedance::detail {

/// What a download is for.
enum class Media {
  Video,  ///< video/*, the octet types, or no Content-Type.
  Image,  ///< image/*, the octet types, or no Content-Type (a last frame).
};

/// "a video" / "an image", for messages.
std::string_view describe(Media media) noexcept;

/// The media type of a Content-Type value, lower-cased, without parameters or surrounding
/// spaces: "Video/MP4; codecs=x" gives "video/mp4". Empty for an empty value.
std::string media_type_of(std::string_view content_type);

/// True when a body with this Content-Type value (empty: none was sent) may be stored as `media`.
bool accepts_content_type(Media media, std::string_view content_type);

}  // namespace seedance::detail
