#include "batch_jobs.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <variant>

namespace seedance::cli {
namespace {

using nlohmann::json;

std::string describe_type(const json& value) { return value.type_name(); }

// Reads member `key` of `object` as T; a wrong type is a problem naming the field.
template <typename T>
std::optional<T> member(const json& object, const std::string& key, const std::string& field,
                        std::vector<std::string>& problems) {
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
    const char* expected = std::is_same_v<T, std::string> ? "a string"
                           : std::is_same_v<T, bool>      ? "a boolean"
                           : std::is_same_v<T, IntOrBool> ? "an integer or a boolean"
                                                          : "an integer";
    problems.push_back(field + ": must be " + expected + ", got " + describe_type(*found));
    return std::nullopt;
  }
  if constexpr (std::is_same_v<T, IntOrBool>) {
    return IntOrBool(found->get<int>());
  } else {
    return found->get<T>();
  }
}

void parse_content(const json& content, VideoRequest& request, std::vector<std::string>& problems) {
  if (!content.is_array()) {
    problems.push_back("metadata.content: must be an array, got " + describe_type(content));
    return;
  }
  for (std::size_t i = 0; i < content.size(); ++i) {
    const std::string field = "metadata.content[" + std::to_string(i) + "]";
    const json& item = content[i];
    if (!item.is_object()) {
      problems.push_back(field + ": must be an object, got " + describe_type(item));
      continue;
    }
    const auto type = member<std::string>(item, "type", field + ".type", problems);
    const auto role_word = member<std::string>(item, "role", field + ".role", problems);
    std::optional<ImageRole> role;
    if (role_word) {
      role = parse_image_role(*role_word);
      if (!role) {
        problems.push_back(field + ".role: must be first_frame, last_frame or reference_image");
      }
    }
    const auto url_of = [&](const std::string& key) -> std::optional<std::string> {
      const auto object = item.find(key);
      if (object == item.end() || !object->is_object()) {
        problems.push_back(field + "." + key + ": must be an object with a url");
        return std::nullopt;
      }
      return member<std::string>(*object, "url", field + "." + key + ".url", problems);
    };
    if (!type) {
      problems.push_back(field + ".type: required (text, image_url, video_url or audio_url)");
    } else if (*type == "text") {
      if (auto text = member<std::string>(item, "text", field + ".text", problems)) {
        request.add_content(ContentItem::text(*text));
      }
    } else if (*type == "image_url") {
      if (auto url = url_of("image_url")) request.add_content(ContentItem::image(*url, role));
    } else if (*type == "video_url") {
      if (auto url = url_of("video_url")) request.add_content(ContentItem::video(*url));
    } else if (*type == "audio_url") {
      if (auto url = url_of("audio_url")) request.add_content(ContentItem::audio(*url));
    } else {
      problems.push_back(field + ".type: must be text, image_url, video_url or audio_url, got \"" +
                         *type + "\"");
    }
  }
}

void parse_metadata(const json& metadata, VideoRequest& request,
                    std::vector<std::string>& problems) {
  if (!metadata.is_object()) {
    problems.push_back("metadata: must be an object, got " + describe_type(metadata));
    return;
  }
  json passed_through = json::object();
  for (const auto& [key, value] : metadata.items()) {
    const std::string field = "metadata." + key;
    if (key == "resolution") {
      if (auto word = member<std::string>(metadata, key, field, problems)) {
        if (auto parsed = parse_resolution(*word)) {
          request.resolution(*parsed);
        } else {
          problems.push_back(field + ": must be 480p, 720p or 1080p, got \"" + *word + "\"");
        }
      }
    } else if (key == "ratio") {
      if (auto word = member<std::string>(metadata, key, field, problems)) {
        if (auto parsed = parse_ratio(*word)) {
          request.ratio(*parsed);
        } else {
          problems.push_back(field +
                             ": must be 16:9, 4:3, 1:1, 3:4, 9:16, 21:9 or adaptive, got \"" +
                             *word + "\"");
        }
      }
    } else if (key == "service_tier") {
      if (auto word = member<std::string>(metadata, key, field, problems)) {
        if (auto parsed = parse_service_tier(*word)) {
          request.service_tier(*parsed);
        } else {
          problems.push_back(field + ": must be auto, default or priority, got \"" + *word + "\"");
        }
      }
    } else if (key == "seed") {
      if (auto value_ = member<std::int64_t>(metadata, key, field, problems)) request.seed(*value_);
    } else if (key == "execution_expires_after") {
      if (auto value_ = member<std::int64_t>(metadata, key, field, problems)) {
        request.execution_expires_after(*value_);
      }
    } else if (key == "frames") {
      if (auto value_ = member<IntOrBool>(metadata, key, field, problems)) {
        std::visit([&](auto given) { request.frames(given); }, *value_);
      }
    } else if (key == "watermark") {
      if (auto on = member<bool>(metadata, key, field, problems)) request.watermark(*on);
    } else if (key == "generate_audio") {
      if (auto on = member<bool>(metadata, key, field, problems)) request.generate_audio(*on);
    } else if (key == "return_last_frame") {
      if (auto on = member<bool>(metadata, key, field, problems)) request.return_last_frame(*on);
    } else if (key == "camera_fixed") {
      if (auto value_ = member<IntOrBool>(metadata, key, field, problems)) {
        std::visit([&](auto given) { request.camera_fixed(given); }, *value_);
      }
    } else if (key == "draft") {
      if (auto value_ = member<IntOrBool>(metadata, key, field, problems)) {
        std::visit([&](auto given) { request.draft(given); }, *value_);
      }
    } else if (key == "callback_url") {
      if (auto url = member<std::string>(metadata, key, field, problems))
        request.callback_url(*url);
    } else if (key == "content") {
      parse_content(value, request, problems);
    } else {
      passed_through[key] = value;  // metadata.duration, fields newer than the SDK.
    }
  }
  if (!passed_through.empty()) request.extra_field("metadata", passed_through.dump());
}

bool is_file_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::optional<std::string> name_problem(const std::string& name) {
  if (name.empty()) return "name: must not be empty";
  if (name.size() > 200) return "name: at most 200 characters";
  if (name.front() == '.') return "name: must not start with '.'";
  for (char c : name) {
    if (!is_file_name_character(c)) {
      return "name: only letters, digits, '-', '_' and '.' are allowed (it names the output file), "
             "got \"" +
             name + "\"";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string content_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

VideoRequest parse_job_body(std::string_view json_text, std::string& name,
                            std::vector<std::string>& problems) {
  VideoRequest request;
  const json body = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    problems.emplace_back("not valid JSON");
    return request;
  }
  if (!body.is_object()) {
    problems.push_back("must be a JSON object (a request body), got " + describe_type(body));
    return request;
  }
  for (const auto& [key, value] : body.items()) {
    if (key == "name") {
      if (auto text = member<std::string>(body, key, key, problems)) {
        name = *text;
        if (auto problem = name_problem(name)) problems.push_back(*problem);
      }
    } else if (key == "model") {
      if (auto text = member<std::string>(body, key, key, problems)) request.model(*text);
    } else if (key == "prompt") {
      if (auto text = member<std::string>(body, key, key, problems)) request.prompt(*text);
    } else if (key == "image") {
      if (auto text = member<std::string>(body, key, key, problems)) request.image(*text);
    } else if (key == "images") {
      if (!value.is_array()) {
        problems.push_back("images: must be an array of strings, got " + describe_type(value));
        continue;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i].is_string()) {
          request.add_image(value[i].get<std::string>());
        } else {
          problems.push_back("images[" + std::to_string(i) + "]: must be a string");
        }
      }
    } else if (key == "duration") {
      if (auto seconds = member<int>(body, key, key, problems)) request.duration(*seconds);
    } else if (key == "metadata") {
      parse_metadata(value, request, problems);
    } else {
      request.extra_field(key, value.dump());  // "seconds", fields newer than the SDK.
    }
  }
  for (auto& problem : request.validate()) problems.push_back(std::move(problem));
  return request;
}

ParsedJobs parse_job_file(std::string_view text) {
  ParsedJobs parsed;
  std::map<std::string, int> line_of_name;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;

    BatchJob job;
    job.line = line_number;
    job.content_hash = content_hash(line);
    std::vector<std::string> problems;
    job.request = parse_job_body(line, job.name, problems);
    if (!job.name.empty()) {
      const auto [previous, inserted] = line_of_name.emplace(job.name, line_number);
      if (!inserted) {
        problems.push_back("name: \"" + job.name + "\" is already used on line " +
                           std::to_string(previous->second) + " (names must be unique)");
      }
    }
    for (const auto& problem : problems) {
      parsed.problems.push_back("line " + std::to_string(line_number) + ": " + problem);
    }
    if (problems.empty()) parsed.jobs.push_back(std::move(job));
  }
  if (parsed.jobs.empty() && parsed.problems.empty()) {
    parsed.problems.emplace_back("the job file has no jobs (one JSON request body per line)");
  }
  return parsed;
}

}  // namespace seedance::cli
