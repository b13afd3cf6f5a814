// A typed builder for the whole submit schema of POST /v1/videos.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace seedance {

/// Model ids the SDK knows. Any other string is accepted too, for models newer than the SDK.
namespace models {
inline constexpr std::string_view kSeedance2 = "seedance-2.0";  ///< Quality first.
inline constexpr std::string_view kSeedance2Fast =
    "seedance-2.0-fast";  ///< Lower latency; no 1080p.
}  // namespace models

/// Output resolution: "480p", "720p", "1080p" (seedance-2.0-fast goes up to 720p).
enum class Resolution { P480, P720, P1080 };
/// Aspect ratio: "16:9", "4:3", "1:1", "3:4", "9:16", "21:9", or "adaptive" (follow the input
/// image).
enum class Ratio { R16x9, R4x3, R1x1, R3x4, R9x16, R21x9, Adaptive };
/// Scheduling tier of the task: "auto", "default" or "priority".
enum class ServiceTier { Auto, Default, Priority };
/// Type of a metadata.content[] item: "text", "image_url", "video_url", "audio_url".
enum class ContentType { Text, ImageUrl, VideoUrl, AudioUrl };
/// Role of an image content item: "first_frame", "last_frame", "reference_image".
enum class ImageRole { FirstFrame, LastFrame, ReferenceImage };

/// The API's words: "720p", "16:9", "priority", "image_url", "first_frame".
///@{
std::string_view to_string(Resolution value) noexcept;
std::string_view to_string(Ratio value) noexcept;
std::string_view to_string(ServiceTier value) noexcept;
std::string_view to_string(ContentType value) noexcept;
std::string_view to_string(ImageRole value) noexcept;
///@}

/// Parse the API's words; std::nullopt for anything else.
///@{
std::optional<Resolution> parse_resolution(std::string_view text) noexcept;
std::optional<Ratio> parse_ratio(std::string_view text) noexcept;
std::optional<ServiceTier> parse_service_tier(std::string_view text) noexcept;
std::optional<ImageRole> parse_image_role(std::string_view text) noexcept;
///@}

/// Duration value that lets the model choose the length.
inline constexpr int kAutoDuration = -1;

/// A field the API types "integer | boolean" (metadata.frames, camera_fixed, draft): whichever
/// alternative holds is sent as is, so frames(121) sends 121 and frames(true) sends true. The
/// setters take an int or a bool; cast other integer types to int (a long would be ambiguous).
using IntOrBool = std::variant<int, bool>;

/// One entry of metadata.content[]: text, an image (with an optional role), a source video
/// (video continuation) or an audio track (audio-driven video).
struct ContentItem {
  ContentType type = ContentType::Text;  ///< What the item is.
  /// The text for Text; the URL otherwise (images also take a data: URI or bare base64).
  std::string value;
  std::optional<ImageRole> role;  ///< For images only; none: the service decides.

  /// A text item (a prompt).
  static ContentItem text(std::string text);
  /// An image item: an http(s) URL, a data: URI or bare base64, with an optional role.
  static ContentItem image(std::string url, std::optional<ImageRole> role = std::nullopt);
  /// A source video to continue (type video_url).
  static ContentItem video(std::string url);
  /// An audio track that drives the video (type audio_url).
  static ContentItem audio(std::string url);
};

/// A video-generation request. Setters return *this so calls chain; nothing is checked until
/// validate() (called by Client::submit before anything is sent).
///
/// Where images are sent is decided by to_json(), not by the setters (the getters report what was
/// set). One image alone - only image(), or a single add_image() - goes top level as `image`
/// (`images`). Otherwise every image goes into metadata.content with its role: image() as
/// first_frame, each add_image() as reference_image, before the add_content() items. The reason:
/// the API wants a role on each image of a multi-image input, and the gateway replaces its
/// top-level images by metadata.content whenever that is sent, so a top-level image next to a
/// metadata.content (even one holding only a video or an audio track) would be lost. The prompt
/// always stays the top-level `prompt`.
///
///   auto request = seedance::VideoRequest()
///                      .prompt("A paper boat drifting down a rainy street")
///                      .duration(5)
///                      .resolution(seedance::Resolution::P720);
class VideoRequest {
 public:
  /// An empty request for `model` (see seedance::models).
  explicit VideoRequest(std::string model = std::string(models::kSeedance2));

  /// The model id, e.g. models::kSeedance2Fast.
  VideoRequest& model(std::string model);
  /// The text prompt: what the video shows.
  VideoRequest& prompt(std::string text);
  /// The first-frame image: an http(s) URL, a data: URI or bare base64 (see image_file()). Sent as
  /// the top-level `image` when it is the only image, else as a first_frame content item.
  VideoRequest& image(std::string url);
  /// Appends a reference image (URL, data: URI or bare base64). Sent in the top-level `images`
  /// when it is the only image, else as a reference_image content item.
  VideoRequest& add_image(std::string url);
  /// 4..15 seconds, or kAutoDuration. Sent once, as the top-level `duration`.
  VideoRequest& duration(int seconds);
  /// Output resolution (default: the service's, 720p).
  VideoRequest& resolution(Resolution value);
  /// Aspect ratio (default: the service's).
  VideoRequest& ratio(Ratio value);
  /// -1 (random) .. 2^32-1.
  VideoRequest& seed(std::int64_t value);
  /// Whether the video carries a watermark.
  VideoRequest& watermark(bool on);
  /// Whether to generate a synchronised audio track.
  VideoRequest& generate_audio(bool on);
  /// Scheduling tier of the task.
  VideoRequest& service_tier(ServiceTier value);
  /// Task expiry in seconds (> 0), e.g. 172800.
  VideoRequest& execution_expires_after(std::int64_t seconds);
  /// Ask for the last frame as an image too (GET /v1/videos/{id}/last_frame).
  VideoRequest& return_last_frame(bool on);
  /// http(s) URL called when the task finishes; see parse_task() for what it receives.
  VideoRequest& callback_url(std::string url);
  /// Forward-compatibility fields, typed "integer | boolean" by the API and sent as given (see
  /// IntOrBool); no effect on the seedance-2.0 series.
  ///@{
  VideoRequest& frames(int value);
  VideoRequest& frames(bool value);
  VideoRequest& camera_fixed(bool on);
  VideoRequest& camera_fixed(int value);
  VideoRequest& draft(bool on);
  VideoRequest& draft(int value);
  ///@}

  /// Appends an item to metadata.content[].
  VideoRequest& add_content(ContentItem item);
  /// Shorthands for add_content(): images with a role, a source video, an audio track. Images
  /// take an http(s) URL, a data: URI or bare base64; video and audio an http(s) URL.
  VideoRequest& first_frame(std::string url);
  VideoRequest& last_frame(std::string url);       ///< An image with role last_frame.
  VideoRequest& reference_image(std::string url);  ///< An image with role reference_image.
  VideoRequest& video(std::string url);            ///< A source video to continue.
  VideoRequest& audio(std::string url);            ///< An audio track driving the video.

  /// Escape hatch for API features newer than the SDK: `json_value` (any JSON text) is set at the
  /// top level of the body under `key`, replacing what the SDK would send there; an object given
  /// where the SDK sends an object (e.g. "metadata") is merged into it as a JSON merge patch
  /// (RFC 7386: null removes a member). Invalid JSON is reported by validate().
  VideoRequest& extra_field(std::string key, std::string json_value);

  /// What the setter of the same name set; std::nullopt (or empty) when it was not called, so
  /// the API's default applies. Images are reported where they were set, not where to_json()
  /// sends them.
  ///@{
  const std::string& model() const noexcept { return model_; }
  const std::optional<std::string>& prompt() const noexcept { return prompt_; }
  const std::optional<std::string>& image() const noexcept { return image_; }
  const std::vector<std::string>& images() const noexcept { return images_; }
  const std::optional<int>& duration() const noexcept { return duration_; }
  const std::optional<Resolution>& resolution() const noexcept { return resolution_; }
  const std::optional<Ratio>& ratio() const noexcept { return ratio_; }
  const std::optional<std::int64_t>& seed() const noexcept { return seed_; }
  const std::optional<bool>& watermark() const noexcept { return watermark_; }
  const std::optional<bool>& generate_audio() const noexcept { return generate_audio_; }
  const std::optional<ServiceTier>& service_tier() const noexcept { return service_tier_; }
  const std::optional<std::int64_t>& execution_expires_after() const noexcept {
    return execution_expires_after_;
  }
  const std::optional<bool>& return_last_frame() const noexcept { return return_last_frame_; }
  const std::optional<std::string>& callback_url() const noexcept { return callback_url_; }
  const std::optional<IntOrBool>& frames() const noexcept { return frames_; }
  const std::optional<IntOrBool>& camera_fixed() const noexcept { return camera_fixed_; }
  const std::optional<IntOrBool>& draft() const noexcept { return draft_; }
  const std::vector<ContentItem>& content() const noexcept { return content_; }
  const std::vector<std::pair<std::string, std::string>>& extra_fields() const noexcept {
    return extra_fields_;
  }
  ///@}

  /// Every problem with the request, each naming the field and the rule; empty when valid.
  std::vector<std::string> validate() const;

  /// The exact JSON body Client::submit sends (images placed as described above). Throws
  /// ValidationError listing every problem.
  std::string to_json() const;

  /// The inverse of to_json(): reads a submit body (any JSON object of the submit schema) into a
  /// request. The documented fields, metadata and metadata.content[] included, become typed
  /// fields; any other member (top level or in metadata) is kept with extra_field() and sent as
  /// it came. Throws ValidationError listing every problem, each naming its field (wrong types,
  /// unknown words, and what validate() finds), e.g. "metadata.resolution: must be 480p, 720p or
  /// 1080p, got \"4k\"". For any valid request r, from_json(r.to_json()).to_json() ==
  /// r.to_json().
  static VideoRequest from_json(std::string_view json_text);

 private:
  std::string model_;
  std::optional<std::string> prompt_;
  std::optional<std::string> image_;
  std::vector<std::string> images_;
  std::optional<int> duration_;
  std::optional<Resolution> resolution_;
  std::optional<Ratio> ratio_;
  std::optional<std::int64_t> seed_;
  std::optional<bool> watermark_;
  std::optional<bool> generate_audio_;
  std::optional<ServiceTier> service_tier_;
  std::optional<std::int64_t> execution_expires_after_;
  std::optional<bool> return_last_frame_;
  std::optional<std::string> callback_url_;
  std::optional<IntOrBool> frames_;
  std::optional<IntOrBool> camera_fixed_;
  std::optional<IntOrBool> draft_;
  std::vector<ContentItem> content_;
  std::vector<std::pair<std::string, std::string>> extra_fields_;
};

/// Reads a local image (PNG, JPEG, WebP or GIF, detected from its bytes, at most max_bytes) and
/// returns it as a base64 data: URI for image(), add_image() or the image roles. Throws
/// ValidationError naming the path when the file is unreadable, empty, too large or not an image.
std::string image_file(const std::string& path, std::size_t max_bytes = 30 * 1024 * 1024);

}  // namespace seedance
