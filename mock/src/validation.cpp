#include "validation.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <initializer_list>

namespace seedance::mock::detail {
namespace {

using nlohmann::json;

SubmitError err(std::string code, std::string param, std::string message) {
  return SubmitError{std::move(code), std::move(message), std::move(param)};
}

SubmitError wrong_type(const std::string& param, const char* expected) {
  return err("invalid_type", param, param + " must be " + expected);
}

bool one_of(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return true;
  }
  return false;
}

std::string list(std::initializer_list<const char*> allowed) {
  std::string out;
  for (const char* a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

std::optional<SubmitError> check_enum(const json& obj, const char* key, const std::string& param,
                                      std::initializer_list<const char*> allowed) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return wrong_type(param, "a string");
  const auto value = it->get<std::string>();
  if (!one_of(value, allowed)) {
    return err("invalid_value", param,
               param + " must be one of " + list(allowed) + " (got '" + value + "')");
  }
  return std::nullopt;
}

// duration / metadata.duration: an integer in 4..15, or -1.
std::optional<SubmitError> check_duration(const json& obj, const char* key,
                                          const std::string& param) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) return wrong_type(param, "an integer (4..15, or -1)");
  const bool ok = it->is_number_unsigned()
                      ? (it->get<std::uint64_t>() >= 4 && it->get<std::uint64_t>() <= 15)
                      : (it->get<std::int64_t>() == -1 ||
                         (it->get<std::int64_t>() >= 4 && it->get<std::int64_t>() <= 15));
  if (!ok) {
    return err(
        "invalid_value", param,
        param + " must be an integer in 4..15, or -1 for automatic (got " + it->dump() + ")");
  }
  return std::nullopt;
}

std::optional<SubmitError> check_bool(const json& obj, const char* key, const std::string& param) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null() || it->is_boolean()) return std::nullopt;
  return wrong_type(param, "a boolean");
}

bool non_empty_string(const json& v) { return v.is_string() && !v.get<std::string>().empty(); }

std::optional<SubmitError> check_content(const json& content, Submission& out, bool& visual,
                                         bool& has_text) {
  const std::string base = "metadata.content";
  if (!content.is_array()) return wrong_type(base, "an array of objects");
  int images = 0;
  for (const auto& item : content) {
    if (item.is_object() && item.value("type", json()) == "image_url") ++images;
  }
  for (std::size_t i = 0; i < content.size(); ++i) {
    const json& item = content[i];
    const std::string at = base + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return wrong_type(at, "an object");
    auto type_it = item.find("type");
    if (type_it == item.end() || type_it->is_null()) {
      return err("missing_required_parameter", at + ".type", at + ".type is required");
    }
    if (auto e = check_enum(item, "type", at + ".type",
                            {"text", "image_url", "video_url", "audio_url"})) {
      return e;
    }
    if (auto e = check_enum(item, "role", at + ".role",
                            {"first_frame", "last_frame", "reference_image"})) {
      return e;
    }
    const auto type = type_it->get<std::string>();
    if (type == "text") {
      auto text = item.find("text");
      if (text == item.end() || !text->is_string()) return wrong_type(at + ".text", "a string");
      if (!text->get<std::string>().empty()) {
        has_text = true;
        out.text += "\n" + text->get<std::string>();
      }
      continue;
    }
    // image_url, video_url, audio_url: {"<type>": {"url": "..."}}
    const std::string url_param = at + "." + type + ".url";
    auto obj = item.find(type);
    if (obj == item.end() || !obj->is_object()) {
      return err("missing_required_parameter", url_param, url_param + " is required");
    }
    auto url = obj->find("url");
    if (url == obj->end() || !non_empty_string(*url)) {
      return err("missing_required_parameter", url_param, url_param + " is required");
    }
    if (type == "image_url") {
      visual = true;
      if (images > 1 && item.find("role") == item.end()) {
        return err("missing_required_parameter", at + ".role",
                   at + ".role is required when several images are given");
      }
    } else if (type == "video_url") {
      visual = true;
    }
  }
  return std::nullopt;
}

std::optional<SubmitError> check_metadata(const json& meta, Submission& out, bool& visual,
                                          bool& has_text, std::string& resolution) {
  if (!meta.is_object()) return wrong_type("metadata", "an object");
  if (auto e = check_enum(meta, "resolution", "metadata.resolution", {"480p", "720p", "1080p"})) {
    return e;
  }
  if (auto it = meta.find("resolution"); it != meta.end() && it->is_string()) {
    resolution = it->get<std::string>();
  }
  if (auto e = check_enum(meta, "ratio", "metadata.ratio",
                          {"16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"})) {
    return e;
  }
  if (auto e = check_duration(meta, "duration", "metadata.duration")) return e;
  if (auto it = meta.find("seed"); it != meta.end() && !it->is_null()) {
    if (!it->is_number_integer()) return wrong_type("metadata.seed", "an integer");
    const bool ok = it->is_number_unsigned() ? it->get<std::uint64_t>() <= 0xFFFFFFFFULL
                                             : it->get<std::int64_t>() >= -1;
    if (!ok) {
      return err("invalid_value", "metadata.seed",
                 "metadata.seed must be in -1..4294967295 (got " + it->dump() + ")");
    }
  }
  for (const char* key : {"watermark", "generate_audio", "return_last_frame"}) {
    if (auto e = check_bool(meta, key, std::string("metadata.") + key)) return e;
  }
  if (auto it = meta.find("return_last_frame"); it != meta.end() && it->is_boolean()) {
    out.return_last_frame = it->get<bool>();
  }
  if (auto e = check_enum(meta, "service_tier", "metadata.service_tier",
                          {"auto", "default", "priority"})) {
    return e;
  }
  if (auto it = meta.find("execution_expires_after"); it != meta.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return wrong_type("metadata.execution_expires_after", "an integer");
    }
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
      return err("invalid_value", "metadata.execution_expires_after",
                 "metadata.execution_expires_after must be a positive number of seconds");
    }
  }
  if (auto it = meta.find("callback_url"); it != meta.end() && !it->is_null()) {
    if (!it->is_string()) return wrong_type("metadata.callback_url", "a string");
  }
  // Accepted for forward compatibility, without effect.
  for (const char* key : {"frames", "camera_fixed", "draft"}) {
    auto it = meta.find(key);
    if (it != meta.end() && !it->is_null() && !it->is_number_integer() && !it->is_boolean()) {
      return wrong_type(std::string("metadata.") + key, "an integer or a boolean");
    }
  }
  if (auto it = meta.find("content"); it != meta.end() && !it->is_null()) {
    if (auto e = check_content(*it, out, visual, has_text)) return e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SubmitError> validate_submit(const std::string& body, Submission& out) {
  out = Submission{};
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return err("invalid_json", "", "The request body is not valid JSON.");
  }
  if (!doc.is_object()) {
    return err("invalid_request", "", "The request body must be a JSON object.");
  }

  auto model = doc.find("model");
  if (model == doc.end() || model->is_null()) {
    return err("missing_required_parameter", "model", "model is required");
  }
  if (!model->is_string()) return wrong_type("model", "a string");
  out.model = model->get<std::string>();
  if (out.model != "seedance-2.0" && out.model != "seedance-2.0-fast") {
    return err("model_not_found", "model",
               "model '" + out.model + "' does not exist; use seedance-2.0 or seedance-2.0-fast");
  }

  bool has_text = false;
  bool visual = false;
  if (auto it = doc.find("prompt"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return wrong_type("prompt", "a string");
    out.text = it->get<std::string>();
    has_text = !out.text.empty();
  }
  if (auto it = doc.find("image"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return wrong_type("image", "a string (URL or base64)");
    visual = visual || !it->get<std::string>().empty();
  }
  if (auto it = doc.find("images"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return wrong_type("images", "an array of strings");
    for (std::size_t i = 0; i < it->size(); ++i) {
      if (!non_empty_string((*it)[i])) {
        return wrong_type("images[" + std::to_string(i) + "]", "a non-empty string");
      }
    }
    visual = visual || !it->empty();
  }
  if (auto e = check_duration(doc, "duration", "duration")) return e;
  if (auto it = doc.find("seconds"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return wrong_type("seconds", "a string of digits");
    const auto s = it->get<std::string>();
    bool digits = !s.empty() && s.size() <= 3;
    for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits || std::stoi(s) < 4 || std::stoi(s) > 15) {
      return err("invalid_value", "seconds",
                 "seconds must be a string of digits in 4..15 (got '" + s + "')");
    }
  }
  std::string resolution;
  if (auto it = doc.find("metadata"); it != doc.end() && !it->is_null()) {
    if (auto e = check_metadata(*it, out, visual, has_text, resolution)) return e;
  }
  if (!has_text && !visual) {
    return err("missing_required_parameter", "prompt",
               "prompt is required unless a visual input is given (image, images or "
               "metadata.content)");
  }
  if (out.model == "seedance-2.0-fast" && resolution == "1080p") {
    return err("unsupported_resolution", "metadata.resolution",
               "metadata.resolution 1080p is not supported by seedance-2.0-fast; use 480p or "
               "720p");
  }
  return std::nullopt;
}

}  // namespace seedance::mock::detail
