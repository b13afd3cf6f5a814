#include "seedance/request.hpp"

#include <array>
#include <charconv>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "model/json_codec.hpp"
#include "model/request_words.hpp"
#include "seedance/error.hpp"
#include "text.hpp"

namespace seedance {
namespace {

using detail::ends_with_ignoring_case;
using detail::is_ascii_space;
using detail::starts_with_ignoring_case;
using nlohmann::json;

// Indexed by the enumerators, which are declared in this order.
constexpr std::string_view kResolutionWords[] = {"480p", "720p", "1080p"};
constexpr std::string_view kRatioWords[] = {"16:9", "4:3",  "1:1",     "3:4",
                                            "9:16", "21:9", "adaptive"};
constexpr std::string_view kServiceTierWords[] = {"auto", "default", "priority"};
constexpr std::string_view kContentTypeWords[] = {"text", "image_url", "video_url", "audio_url"};
constexpr std::string_view kImageRoleWords[] = {"first_frame", "last_frame", "reference_image"};

template <typename Enum, std::size_t N>
std::string_view word_of(Enum value, const std::string_view (&words)[N]) noexcept {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? words[index] : std::string_view();
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse_word(std::string_view text, const std::string_view (&words)[N]) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (words[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr int kMinDuration = 4;
constexpr int kMaxDuration = 15;
constexpr std::int64_t kMinSeed = -1;
constexpr std::int64_t kMaxSeed = 4294967295;  // 2^32 - 1

// ---- Checks. None of them allocates; messages are built only for problems. ----

bool is_blank(std::string_view text) noexcept {
  for (const char c : text) {
    if (!is_ascii_space(c)) return false;
  }
  return true;
}

// An absolute http:// or https:// URL with a host and no spaces or control characters.
bool is_http_url(std::string_view url) noexcept {
  std::size_t host_start = 0;
  if (starts_with_ignoring_case(url, "https://")) {
    host_start = 8;
  } else if (starts_with_ignoring_case(url, "http://")) {
    host_start = 7;
  } else {
    return false;
  }
  if (host_start == url.size()) return false;
  const char first = url[host_start];
  if (first == '/' || first == '?' || first == '#') return false;
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return false;
  }
  return detail::is_valid_utf8(url);
}

constexpr std::array<bool, 256> kBase64Alphabet = [] {
  std::array<bool, 256> table{};
  for (char c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = true;
  table[static_cast<unsigned char>('+')] = true;
  table[static_cast<unsigned char>('/')] = true;
  return table;
}();

// Standard base64, padding optional; a length no encoder produces (a lone last character, or
// padding that does not fill the last group of four) is refused.
bool is_base64(std::string_view text) noexcept {
  std::size_t end = text.size();
  for (int padding = 0; padding < 2 && end > 0 && text[end - 1] == '='; ++padding) --end;
  if (end == 0 || end % 4 == 1) return false;
  if (end != text.size() && text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < end; ++i) {
    if (!kBase64Alphabet[static_cast<unsigned char>(text[i])]) return false;
  }
  return true;
}

bool is_mime_token(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '+' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

enum class DataUri { None, Image, Malformed };

// Classifies `uri`: not a data: URI, a data:image/<type>[;params];base64,<data> URI, or anything
// else starting with "data:".
DataUri classify_data_uri(std::string_view uri) noexcept {
  if (!starts_with_ignoring_case(uri, "data:")) return DataUri::None;
  constexpr std::string_view kImagePrefix = "data:image/";
  if (!starts_with_ignoring_case(uri, kImagePrefix)) return DataUri::Malformed;
  const std::size_t comma = uri.find(',');
  if (comma == std::string_view::npos) return DataUri::Malformed;
  const std::string_view header = uri.substr(kImagePrefix.size(), comma - kImagePrefix.size());
  if (!ends_with_ignoring_case(header, ";base64")) return DataUri::Malformed;
  if (!is_mime_token(header.substr(0, header.find(';')))) return DataUri::Malformed;
  if (!is_base64(uri.substr(comma + 1))) return DataUri::Malformed;
  return DataUri::Image;
}

std::string quoted_excerpt(std::string_view value) {
  std::string text = "\"";
  text += detail::body_excerpt(value, 60);
  text += '"';
  return text;
}

// `field` is a callable producing the field's name; it runs only when there is a problem.
template <typename FieldName>
void check_image_url(std::string_view url, const FieldName& field,
                     std::vector<std::string>& problems) {
  if (is_http_url(url) || is_base64(url)) return;
  switch (classify_data_uri(url)) {
    case DataUri::Image:
      return;
    case DataUri::Malformed:
      problems.push_back(field() +
                         ": a data: URI must have the form data:image/<type>;base64,<base64 data>, "
                         "got " +
                         quoted_excerpt(url));
      return;
    case DataUri::None:
      problems.push_back(field() +
                         ": must be an http(s) URL, a data:image/...;base64, URI or bare base64 "
                         "(image_file() reads a local file), got " +
                         quoted_excerpt(url));
      return;
  }
}

template <typename FieldName>
void check_media_url(std::string_view url, const FieldName& field,
                     std::vector<std::string>& problems) {
  if (is_http_url(url)) return;
  problems.push_back(field() +
                     ": must be an http(s) URL; only images take inline data (data: URIs or local "
                     "files), got " +
                     quoted_excerpt(url));
}

template <typename FieldName>
void check_text(std::string_view text, const FieldName& field, std::vector<std::string>& problems) {
  if (is_blank(text)) {
    problems.push_back(field() + ": must not be empty or only whitespace");
  } else if (!detail::is_valid_utf8(text)) {
    problems.push_back(field() + ": must be valid UTF-8");
  }
}

// The images of the request outside metadata.content: image() and add_image().
std::size_t top_level_images(const VideoRequest& request) noexcept {
  return (request.image() ? 1 : 0) + request.images().size();
}

std::size_t image_count(const VideoRequest& request) noexcept {
  std::size_t images = top_level_images(request);
  for (const auto& item : request.content()) {
    if (item.type == ContentType::ImageUrl) ++images;
  }
  return images;
}

// `images` counts every image of the request: the API's "role required for each image in
// multi-image inputs" applies to all of them, and to_json() gives the top-level ones a role.
void check_content(const std::vector<ContentItem>& content, std::size_t images,
                   std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < content.size(); ++i) {
    const ContentItem& item = content[i];
    const auto field = [i](const char* member) {
      return "metadata.content[" + std::to_string(i) + "]" + member;
    };
    switch (item.type) {
      case ContentType::Text:
        check_text(
            item.value, [&] { return field(".text"); }, problems);
        break;
      case ContentType::ImageUrl:
        check_image_url(
            item.value, [&] { return field(".image_url.url"); }, problems);
        if (!item.role && images > 1) {
          problems.push_back(field(".role") +
                             ": required on every image when the request has more than one "
                             "image (first_frame, last_frame or reference_image)");
        }
        break;
      case ContentType::VideoUrl:
        check_media_url(
            item.value, [&] { return field(".video_url.url"); }, problems);
        break;
      case ContentType::AudioUrl:
        check_media_url(
            item.value, [&] { return field(".audio_url.url"); }, problems);
        break;
      default:
        problems.push_back(field(".type") + ": not a known content type");
        continue;
    }
    if (!item.role) continue;
    if (to_string(*item.role).empty()) {
      problems.push_back(field(".role") + ": not a known role");
    } else if (item.type != ContentType::ImageUrl) {
      problems.push_back(field(".role") + ": only image_url items take a role, got " +
                         std::string(to_string(*item.role)) + " on a " +
                         std::string(to_string(item.type)) + " item");
    }
  }
}

bool is_image_with_role(const ContentItem& item, ImageRole role) noexcept {
  return item.type == ContentType::ImageUrl && item.role == role;
}

// At most one first frame and one last frame among all the images, image() being the first
// frame. The message names every field that claims the role.
void check_frame_roles(const VideoRequest& request, std::vector<std::string>& problems) {
  for (const ImageRole role : {ImageRole::FirstFrame, ImageRole::LastFrame}) {
    const bool top_level = role == ImageRole::FirstFrame && request.image();
    std::size_t count = top_level ? 1 : 0;
    for (const auto& item : request.content()) count += is_image_with_role(item, role) ? 1 : 0;
    if (count < 2) continue;
    std::string fields = top_level ? "image" : "";
    for (std::size_t i = 0; i < request.content().size(); ++i) {
      if (!is_image_with_role(request.content()[i], role)) continue;
      fields += fields.empty() ? "" : ", ";
      fields += "metadata.content[" + std::to_string(i) + "]";
    }
    problems.push_back(fields + ": at most one image may have role " +
                       std::string(to_string(role)) + ", got " + std::to_string(count) +
                       (top_level ? " (the top-level image is the first frame)" : ""));
  }
}

// ---- Serialization: written straight into one string, keys in the order nlohmann::json uses
// (sorted), so the body is deterministic and identical to a dump() of the same document. ----

void append_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void append_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

void append_int_or_bool(std::string& out, const IntOrBool& value) {
  if (const bool* on = std::get_if<bool>(&value)) {
    append_bool(out, *on);
  } else {
    append_integer(out, std::get<int>(value));
  }
}

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void close() { out_ += '}'; }

  // Writes the separator and `"name":`, then returns the output for the value.
  std::string& key(std::string_view name) {
    out_ += first_ ? "\"" : ",\"";
    first_ = false;
    out_ += name;
    out_ += "\":";
    return out_;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void write_url_object(std::string& out, std::string_view url) {
  ObjectWriter object(out);
  detail::append_json_string(object.key("url"), url);
  object.close();
}

void write_image_item(std::string& out, std::string_view url, std::optional<ImageRole> role) {
  ObjectWriter object(out);
  write_url_object(object.key("image_url"), url);
  if (role) {
    object.key("role") += '"';
    out += to_string(*role);
    out += '"';
  }
  object.key("type") += "\"image_url\"";
  object.close();
}

void write_content_item(std::string& out, const ContentItem& item) {
  if (item.type == ContentType::ImageUrl) {
    write_image_item(out, item.value, item.role);
    return;
  }
  ObjectWriter object(out);
  switch (item.type) {
    case ContentType::Text:
      detail::append_json_string(object.key("text"), item.value);
      object.key("type") += "\"text\"";
      break;
    case ContentType::ImageUrl:
      break;  // Written above.
    case ContentType::VideoUrl:
      object.key("type") += "\"video_url\"";
      write_url_object(object.key("video_url"), item.value);
      break;
    case ContentType::AudioUrl:
      write_url_object(object.key("audio_url"), item.value);
      object.key("type") += "\"audio_url\"";
      break;
  }
  object.close();
}

void write_word(std::string& out, std::string_view word) {
  out += '"';
  out += word;
  out += '"';
}

// Where to_json() sends the images, and why, is described on VideoRequest in request.hpp.
bool images_go_into_content(const VideoRequest& request) noexcept {
  const std::size_t top_level = top_level_images(request);
  return top_level > 1 || (top_level == 1 && !request.content().empty());
}

bool has_metadata(const VideoRequest& request) noexcept {
  return request.resolution() || request.ratio() || request.seed() || request.watermark() ||
         request.generate_audio() || request.service_tier() || request.execution_expires_after() ||
         request.return_last_frame() || request.callback_url() || request.frames() ||
         request.camera_fixed() || request.draft() || !request.content().empty() ||
         images_go_into_content(request);
}

// metadata.content: the top-level images with their roles when they go there, then the items.
void write_content(std::string& out, const VideoRequest& request) {
  out += '[';
  bool first = true;
  const auto next = [&out, &first]() -> std::string& {
    if (!first) out += ',';
    first = false;
    return out;
  };
  if (images_go_into_content(request)) {
    if (const auto& url = request.image()) write_image_item(next(), *url, ImageRole::FirstFrame);
    for (const auto& url : request.images()) {
      write_image_item(next(), url, ImageRole::ReferenceImage);
    }
  }
  for (const ContentItem& item : request.content()) write_content_item(next(), item);
  out += ']';
}

void write_metadata(std::string& out, const VideoRequest& request) {
  ObjectWriter metadata(out);
  if (const auto& url = request.callback_url()) {
    detail::append_json_string(metadata.key("callback_url"), *url);
  }
  if (const auto& on = request.camera_fixed()) {
    append_int_or_bool(metadata.key("camera_fixed"), *on);
  }
  if (!request.content().empty() || images_go_into_content(request)) {
    write_content(metadata.key("content"), request);
  }
  if (const auto& on = request.draft()) append_int_or_bool(metadata.key("draft"), *on);
  if (const auto& seconds = request.execution_expires_after()) {
    append_integer(metadata.key("execution_expires_after"), *seconds);
  }
  if (const auto& frames = request.frames()) append_int_or_bool(metadata.key("frames"), *frames);
  if (const auto& on = request.generate_audio()) append_bool(metadata.key("generate_audio"), *on);
  if (const auto& ratio = request.ratio()) write_word(metadata.key("ratio"), to_string(*ratio));
  if (const auto& resolution = request.resolution()) {
    write_word(metadata.key("resolution"), to_string(*resolution));
  }
  if (const auto& on = request.return_last_frame()) {
    append_bool(metadata.key("return_last_frame"), *on);
  }
  if (const auto& seed = request.seed()) append_integer(metadata.key("seed"), *seed);
  if (const auto& tier = request.service_tier()) {
    write_word(metadata.key("service_tier"), to_string(*tier));
  }
  if (const auto& on = request.watermark()) append_bool(metadata.key("watermark"), *on);
  metadata.close();
}

std::size_t estimated_body_size(const VideoRequest& request) noexcept {
  std::size_t size = 384 + request.model().size();
  if (request.prompt()) size += request.prompt()->size();
  if (request.image()) size += request.image()->size();
  for (const auto& url : request.images()) size += url.size() + 3;
  if (request.callback_url()) size += request.callback_url()->size();
  for (const auto& item : request.content()) size += item.value.size() + 64;
  return size;
}

void write_body(std::string& out, const VideoRequest& request) {
  ObjectWriter body(out);
  // The duration goes once, top level: the API gives it precedence over metadata.duration, and
  // `seconds` is only its string form.
  if (const auto& seconds = request.duration()) append_integer(body.key("duration"), *seconds);
  const bool images_at_top_level = !images_go_into_content(request);
  if (const auto& url = request.image(); url && images_at_top_level) {
    detail::append_json_string(body.key("image"), *url);
  }
  if (!request.images().empty() && images_at_top_level) {
    body.key("images") += '[';
    bool first = true;
    for (const auto& url : request.images()) {
      if (!first) out += ',';
      first = false;
      detail::append_json_string(out, url);
    }
    out += ']';
  }
  if (has_metadata(request)) write_metadata(body.key("metadata"), request);
  detail::append_json_string(body.key("model"), request.model());
  if (const auto& text = request.prompt()) detail::append_json_string(body.key("prompt"), *text);
  body.close();
}

// Extra fields override what the SDK would send. A value replaces the SDK's value under the same
// key, except that an object given where the SDK sends an object is applied to it as a JSON Merge
// Patch (RFC 7386): its members replace the SDK's and a null member removes one. So
// extra_field("metadata", R"({"seed":null,"new_option":1})") edits metadata, not replaces it.
// Top-level values, null included, are sent as given.
std::string apply_extra_fields(const std::string& sdk_body,
                               const std::vector<std::pair<std::string, std::string>>& extras) {
  json body = json::parse(sdk_body);
  for (const auto& [key, value_text] : extras) {
    json value = json::parse(value_text);  // validate() has accepted it
    const auto found = body.find(key);
    if (found != body.end() && found->is_object() && value.is_object()) {
      found->merge_patch(value);
    } else {
      body[key] = std::move(value);
    }
  }
  return body.dump();
}

// ---- Reading a body back (from_json): the typed fields are typed, anything else is kept as an
// extra field, and every problem names its field, like validate(). ----

using Problems = std::vector<std::string>;

// "a, b or c", for the messages of the word-valued fields.
template <std::size_t N>
std::string one_of(const std::string_view (&words)[N]) {
  std::string text;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) text += i + 1 == N ? " or " : ", ";
    text += words[i];
  }
  return text;
}

template <typename T>
constexpr const char* expected_type() {
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  if constexpr (std::is_same_v<T, IntOrBool>) return "an integer or a boolean";
  return "an integer";
}

// Member `key` of `object` as T (null or absent: nothing); a wrong type is a problem naming
// `field`.
template <typename T>
std::optional<T> read_member(const json& object, const std::string& key, const std::string& field,
                             Problems& problems) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  bool type_ok = false;
  if constexpr (std::is_same_v<T, std::string>) {
    type_ok = found->is_string();
  } else if constexpr (std::is_same_v<T, bool>) {
    type_ok = found->is_boolean();
  } else if constexpr (std::is_same_v<T, IntOrBool>) {
    if (found->is_boolean()) return IntOrBool(found->get<bool>());
    type_ok = found->is_number_integer() && found->get<std::int64_t>() >= INT32_MIN &&
              found->get<std::int64_t>() <= INT32_MAX;
  } else {
    type_ok = found->is_number_integer();
  }
  if (!type_ok) {
    problems.push_back(field + ": must be " + expected_type<T>() + ", got " + found->type_name());
    return std::nullopt;
  }
  if constexpr (std::is_same_v<T, IntOrBool>) {
    return IntOrBool(found->get<int>());
  } else {
    return found->get<T>();
  }
}

template <typename Enum, std::size_t N>
std::optional<Enum> read_word(const json& object, const std::string& key, const std::string& field,
                              const std::string_view (&words)[N], Problems& problems) {
  const auto word = read_member<std::string>(object, key, field, problems);
  if (!word) return std::nullopt;
  if (auto parsed = parse_word<Enum>(*word, words)) return parsed;
  problems.push_back(field + ": must be " + one_of(words) + ", got \"" + *word + "\"");
  return std::nullopt;
}

void read_content_item(const json& item, const std::string& field, VideoRequest& request,
                       Problems& problems) {
  const auto type = read_member<std::string>(item, "type", field + ".type", problems);
  const auto role_word = read_member<std::string>(item, "role", field + ".role", problems);
  std::optional<ImageRole> role;
  if (role_word) {
    role = parse_image_role(*role_word);
    if (!role) problems.push_back(field + ".role: must be " + one_of(kImageRoleWords));
  }
  const auto url_of = [&](const std::string& key) -> std::optional<std::string> {
    const auto object = item.find(key);
    if (object == item.end() || !object->is_object()) {
      problems.push_back(field + "." + key + ": must be an object with a url");
      return std::nullopt;
    }
    return read_member<std::string>(*object, "url", field + "." + key + ".url", problems);
  };
  const auto parsed_type = type ? parse_word<ContentType>(*type, kContentTypeWords) : std::nullopt;
  if (!type) {
    problems.push_back(field + ".type: required (" + one_of(kContentTypeWords) + ")");
  } else if (!parsed_type) {
    problems.push_back(field + ".type: must be " + one_of(kContentTypeWords) + ", got \"" + *type +
                       "\"");
  } else if (*parsed_type == ContentType::Text) {
    if (auto text = read_member<std::string>(item, "text", field + ".text", problems)) {
      request.add_content(ContentItem::text(*text));
    }
  } else if (auto url = url_of(*type)) {
    // Only images carry a role; one given on another item is not sent.
    const bool image = *parsed_type == ContentType::ImageUrl;
    request.add_content(ContentItem{*parsed_type, std::move(*url), image ? role : std::nullopt});
  }
}

void read_content(const json& content, VideoRequest& request, Problems& problems) {
  if (!content.is_array()) {
    problems.push_back(std::string("metadata.content: must be an array, got ") +
                       content.type_name());
    return;
  }
  for (std::size_t i = 0; i < content.size(); ++i) {
    const std::string field = "metadata.content[" + std::to_string(i) + "]";
    if (content[i].is_object()) {
      read_content_item(content[i], field, request, problems);
    } else {
      problems.push_back(field + ": must be an object, got " + content[i].type_name());
    }
  }
}

// Reads metadata.<key> when the SDK types it; false for a key it does not know.
bool read_metadata_member(const json& metadata, const std::string& key, VideoRequest& request,
                          Problems& problems) {
  const std::string field = "metadata." + key;
  const auto typed = [&](auto parsed, auto set) {
    if (parsed) set(*parsed);
  };
  const auto int_or_bool = [&](auto set) {
    typed(read_member<IntOrBool>(metadata, key, field, problems),
          [&](const IntOrBool& value) { std::visit(set, value); });
  };
  if (key == "resolution") {
    typed(read_word<Resolution>(metadata, key, field, kResolutionWords, problems),
          [&](Resolution value) { request.resolution(value); });
  } else if (key == "ratio") {
    typed(read_word<Ratio>(metadata, key, field, kRatioWords, problems),
          [&](Ratio value) { request.ratio(value); });
  } else if (key == "service_tier") {
    typed(read_word<ServiceTier>(metadata, key, field, kServiceTierWords, problems),
          [&](ServiceTier value) { request.service_tier(value); });
  } else if (key == "seed") {
    typed(read_member<std::int64_t>(metadata, key, field, problems),
          [&](std::int64_t value) { request.seed(value); });
  } else if (key == "execution_expires_after") {
    typed(read_member<std::int64_t>(metadata, key, field, problems),
          [&](std::int64_t value) { request.execution_expires_after(value); });
  } else if (key == "watermark") {
    typed(read_member<bool>(metadata, key, field, problems),
          [&](bool on) { request.watermark(on); });
  } else if (key == "generate_audio") {
    typed(read_member<bool>(metadata, key, field, problems),
          [&](bool on) { request.generate_audio(on); });
  } else if (key == "return_last_frame") {
    typed(read_member<bool>(metadata, key, field, problems),
          [&](bool on) { request.return_last_frame(on); });
  } else if (key == "callback_url") {
    typed(read_member<std::string>(metadata, key, field, problems),
          [&](const std::string& url) { request.callback_url(url); });
  } else if (key == "frames") {
    int_or_bool([&](auto value) { request.frames(value); });
  } else if (key == "camera_fixed") {
    int_or_bool([&](auto value) { request.camera_fixed(value); });
  } else if (key == "draft") {
    int_or_bool([&](auto value) { request.draft(value); });
  } else if (key == "content") {
    read_content(metadata.at(key), request, problems);
  } else {
    return false;
  }
  return true;
}

void read_metadata(const json& metadata, VideoRequest& request, Problems& problems) {
  if (!metadata.is_object()) {
    problems.push_back(std::string("metadata: must be an object, got ") + metadata.type_name());
    return;
  }
  json passed_through = json::object();
  for (const auto& [key, value] : metadata.items()) {
    // metadata.duration and fields newer than the SDK go as they came.
    if (!read_metadata_member(metadata, key, request, problems)) passed_through[key] = value;
  }
  if (!passed_through.empty()) request.extra_field("metadata", passed_through.dump());
}

void read_images(const json& images, VideoRequest& request, Problems& problems) {
  if (!images.is_array()) {
    problems.push_back(std::string("images: must be an array of strings, got ") +
                       images.type_name());
    return;
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].is_string()) {
      request.add_image(images[i].get<std::string>());
    } else {
      problems.push_back("images[" + std::to_string(i) + "]: must be a string");
    }
  }
}

void read_body_member(const json& body, const std::string& key, VideoRequest& request,
                      Problems& problems) {
  const auto text = [&]() { return read_member<std::string>(body, key, key, problems); };
  if (key == "model") {
    if (auto model = text()) request.model(*model);
  } else if (key == "prompt") {
    if (auto prompt = text()) request.prompt(*prompt);
  } else if (key == "image") {
    if (auto url = text()) request.image(*url);
  } else if (key == "images") {
    read_images(body.at(key), request, problems);
  } else if (key == "duration") {
    if (auto seconds = read_member<int>(body, key, key, problems)) request.duration(*seconds);
  } else if (key == "metadata") {
    read_metadata(body.at(key), request, problems);
  } else {
    request.extra_field(key, body.at(key).dump());  // "seconds", fields newer than the SDK.
  }
}

}  // namespace

std::string_view to_string(Resolution value) noexcept { return word_of(value, kResolutionWords); }
std::string_view to_string(Ratio value) noexcept { return word_of(value, kRatioWords); }
std::string_view to_string(ServiceTier value) noexcept { return word_of(value, kServiceTierWords); }
std::string_view to_string(ContentType value) noexcept { return word_of(value, kContentTypeWords); }
std::string_view to_string(ImageRole value) noexcept { return word_of(value, kImageRoleWords); }

std::optional<Resolution> parse_resolution(std::string_view text) noexcept {
  return parse_word<Resolution>(text, kResolutionWords);
}
std::optional<Ratio> parse_ratio(std::string_view text) noexcept {
  return parse_word<Ratio>(text, kRatioWords);
}
std::optional<ServiceTier> parse_service_tier(std::string_view text) noexcept {
  return parse_word<ServiceTier>(text, kServiceTierWords);
}
std::optional<ImageRole> parse_image_role(std::string_view text) noexcept {
  return parse_word<ImageRole>(text, kImageRoleWords);
}

namespace detail {

std::vector<std::string_view> resolution_words() {
  return {std::begin(kResolutionWords), std::end(kResolutionWords)};
}
std::vector<std::string_view> ratio_words() {
  return {std::begin(kRatioWords), std::end(kRatioWords)};
}
std::vector<std::string_view> service_tier_words() {
  return {std::begin(kServiceTierWords), std::end(kServiceTierWords)};
}
std::vector<std::string_view> known_models() {
  return {models::kSeedance2, models::kSeedance2Fast};
}

}  // namespace detail

ContentItem ContentItem::text(std::string text) {
  return ContentItem{ContentType::Text, std::move(text), std::nullopt};
}
ContentItem ContentItem::image(std::string url, std::optional<ImageRole> role) {
  return ContentItem{ContentType::ImageUrl, std::move(url), role};
}
ContentItem ContentItem::video(std::string url) {
  return ContentItem{ContentType::VideoUrl, std::move(url), std::nullopt};
}
ContentItem ContentItem::audio(std::string url) {
  return ContentItem{ContentType::AudioUrl, std::move(url), std::nullopt};
}

VideoRequest::VideoRequest(std::string model) : model_(std::move(model)) {}

VideoRequest& VideoRequest::model(std::string model) {
  model_ = std::move(model);
  return *this;
}
VideoRequest& VideoRequest::prompt(std::string text) {
  prompt_ = std::move(text);
  return *this;
}
VideoRequest& VideoRequest::image(std::string url) {
  image_ = std::move(url);
  return *this;
}
VideoRequest& VideoRequest::add_image(std::string url) {
  images_.push_back(std::move(url));
  return *this;
}
VideoRequest& VideoRequest::duration(int seconds) {
  duration_ = seconds;
  return *this;
}
VideoRequest& VideoRequest::resolution(Resolution value) {
  resolution_ = value;
  return *this;
}
VideoRequest& VideoRequest::ratio(Ratio value) {
  ratio_ = value;
  return *this;
}
VideoRequest& VideoRequest::seed(std::int64_t value) {
  seed_ = value;
  return *this;
}
VideoRequest& VideoRequest::watermark(bool on) {
  watermark_ = on;
  return *this;
}
VideoRequest& VideoRequest::generate_audio(bool on) {
  generate_audio_ = on;
  return *this;
}
VideoRequest& VideoRequest::service_tier(ServiceTier value) {
  service_tier_ = value;
  return *this;
}
VideoRequest& VideoRequest::execution_expires_after(std::int64_t seconds) {
  execution_expires_after_ = seconds;
  return *this;
}
VideoRequest& VideoRequest::return_last_frame(bool on) {
  return_last_frame_ = on;
  return *this;
}
VideoRequest& VideoRequest::callback_url(std::string url) {
  callback_url_ = std::move(url);
  return *this;
}
// frames, camera_fixed and draft are sent as given; the seedance-2.0 series ignores them.
VideoRequest& VideoRequest::frames(int value) {
  frames_ = value;
  return *this;
}
VideoRequest& VideoRequest::frames(bool value) {
  frames_ = value;
  return *this;
}
VideoRequest& VideoRequest::camera_fixed(bool on) {
  camera_fixed_ = on;
  return *this;
}
VideoRequest& VideoRequest::camera_fixed(int value) {
  camera_fixed_ = value;
  return *this;
}
VideoRequest& VideoRequest::draft(bool on) {
  draft_ = on;
  return *this;
}
VideoRequest& VideoRequest::draft(int value) {
  draft_ = value;
  return *this;
}
VideoRequest& VideoRequest::add_content(ContentItem item) {
  content_.push_back(std::move(item));
  return *this;
}
VideoRequest& VideoRequest::first_frame(std::string url) {
  return add_content(ContentItem::image(std::move(url), ImageRole::FirstFrame));
}
VideoRequest& VideoRequest::last_frame(std::string url) {
  return add_content(ContentItem::image(std::move(url), ImageRole::LastFrame));
}
VideoRequest& VideoRequest::reference_image(std::string url) {
  return add_content(ContentItem::image(std::move(url), ImageRole::ReferenceImage));
}
VideoRequest& VideoRequest::video(std::string url) {
  return add_content(ContentItem::video(std::move(url)));
}
VideoRequest& VideoRequest::audio(std::string url) {
  return add_content(ContentItem::audio(std::move(url)));
}
VideoRequest& VideoRequest::extra_field(std::string key, std::string json_value) {
  extra_fields_.emplace_back(std::move(key), std::move(json_value));
  return *this;
}

std::vector<std::string> VideoRequest::validate() const {
  std::vector<std::string> problems;

  if (is_blank(model_)) {
    problems.emplace_back("model: must not be empty");
  } else if (!detail::is_valid_utf8(model_)) {
    problems.emplace_back("model: must be valid UTF-8");
  }

  if (prompt_)
    check_text(
        *prompt_, [] { return std::string("prompt"); }, problems);
  // The reference: "at least one of prompt or a visual input is required", visual input being
  // image, images or metadata.content. An audio track alone is not visual; a text item is prompt.
  bool has_visual_input = image_.has_value() || !images_.empty();
  bool has_text_item = false;
  for (const ContentItem& item : content_) {
    if (item.type == ContentType::ImageUrl || item.type == ContentType::VideoUrl) {
      has_visual_input = true;
    }
    if (item.type == ContentType::Text) has_text_item = true;
  }
  if (!prompt_ && !has_visual_input && !has_text_item) {
    problems.emplace_back(
        "prompt: required when there is no visual input (image, images, or an image_url or "
        "video_url item in metadata.content)");
  }

  if (resolution_ == Resolution::P1080 && model_ == models::kSeedance2Fast) {
    problems.emplace_back(
        "resolution: seedance-2.0-fast does not support 1080p (use 480p or 720p, or the "
        "seedance-2.0 model)");
  }
  if (duration_ && *duration_ != kAutoDuration &&
      (*duration_ < kMinDuration || *duration_ > kMaxDuration)) {
    problems.push_back("duration: must be 4..15 seconds or -1 (automatic), got " +
                       std::to_string(*duration_));
  }
  if (seed_ && (*seed_ < kMinSeed || *seed_ > kMaxSeed)) {
    problems.push_back("seed: must be -1..4294967295 (-1 means random), got " +
                       std::to_string(*seed_));
  }
  if (execution_expires_after_ && *execution_expires_after_ <= 0) {
    problems.push_back("execution_expires_after: must be a positive number of seconds, got " +
                       std::to_string(*execution_expires_after_));
  }
  if (callback_url_ && !is_http_url(*callback_url_)) {
    problems.push_back("callback_url: must be an http(s) URL, got " +
                       quoted_excerpt(*callback_url_));
  }

  if (image_)
    check_image_url(
        *image_, [] { return std::string("image"); }, problems);
  for (std::size_t i = 0; i < images_.size(); ++i) {
    check_image_url(
        images_[i], [i] { return "images[" + std::to_string(i) + "]"; }, problems);
  }
  check_content(content_, image_count(*this), problems);
  check_frame_roles(*this, problems);

  for (const auto& [key, value] : extra_fields_) {
    if (key.empty()) {
      problems.emplace_back("extra_field: the key must not be empty");
    } else if (!detail::is_valid_utf8(key)) {
      problems.emplace_back("extra_field: the key must be valid UTF-8");
    }
    if (const auto problem = detail::json_limit_problem(value)) {
      problems.push_back("extra_field " + quoted_excerpt(key) + ": the value " + *problem);
    } else if (!json::accept(value)) {
      problems.push_back("extra_field " + quoted_excerpt(key) +
                         ": the value must be valid JSON, got " + quoted_excerpt(value));
    }
  }
  return problems;
}

std::string VideoRequest::to_json() const {
  std::vector<std::string> problems = validate();
  if (!problems.empty()) throw ValidationError(std::move(problems));
  std::string body;
  body.reserve(estimated_body_size(*this));
  write_body(body, *this);
  if (extra_fields_.empty()) return body;
  return apply_extra_fields(body, extra_fields_);
}

VideoRequest VideoRequest::from_json(std::string_view json_text) {
  VideoRequest request;
  Problems problems;
  const auto beyond_limits = detail::json_limit_problem(json_text);
  const json body = beyond_limits ? json(json::value_t::discarded)
                                  : json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (beyond_limits) {
    problems.push_back(*beyond_limits);
  } else if (body.is_discarded()) {
    problems.emplace_back("not valid JSON");
  } else if (!body.is_object()) {
    problems.push_back(std::string("must be a JSON object (a request body), got ") +
                       body.type_name());
  } else {
    for (const auto& member : body.items()) read_body_member(body, member.key(), request, problems);
    for (auto& problem : request.validate()) problems.push_back(std::move(problem));
  }
  if (!problems.empty()) throw ValidationError(std::move(problems));
  return request;
}

}  // namespace seedance
