#include "request_flags.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "download/download_file.hpp"
#include "model/json_codec.hpp"
#include "platform/platform.hpp"
#include "seedance/error.hpp"

namespace seedance::cli {
namespace {

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

std::optional<double> parse_seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* stop = nullptr;
  const double value = std::strtod(text.c_str(), &stop);
  if (stop != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// The API types frames, camera_fixed and draft "integer | boolean"; the value is sent as typed.
std::optional<IntOrBool> parse_int_or_bool(const std::string& flag, const std::string& text,
                                           std::vector<std::string>& problems) {
  if (text == "true") return IntOrBool(true);
  if (text == "false") return IntOrBool(false);
  const auto number = parse_integer(text);
  if (number && *number >= std::numeric_limits<int>::min() &&
      *number <= std::numeric_limits<int>::max()) {
    return IntOrBool(static_cast<int>(*number));
  }
  problems.push_back(flag + ": " + quoted(text) + " is not a whole number, true or false");
  return std::nullopt;
}

// Sets a forward-compatibility field through `set` (an overloaded setter of VideoRequest).
template <typename Setter>
void set_int_or_bool(const std::string& flag, const std::optional<std::string>& text,
                     std::vector<std::string>& problems, const Setter& set) {
  if (!text) return;
  if (const auto value = parse_int_or_bool(flag, *text, problems)) std::visit(set, *value);
}

// Whether `argument`, as typed without '@', names an existing local file. Such an argument is
// surely meant as that file, and would otherwise go to the service as its name (bare base64 or a
// URL it cannot fetch).
bool names_local_file(const std::string& argument) {
  if (argument.empty() || argument.front() == '@' || argument.find("://") != std::string::npos ||
      argument.compare(0, 5, "data:") == 0) {
    return false;
  }
  std::error_code error;
  return std::filesystem::is_regular_file(detail::platform::to_path(argument), error);
}

// Resolves one image flag's argument, recording a problem (and returning nullopt) on failure.
std::optional<std::string> image_argument(const std::string& flag, const std::string& argument,
                                          std::vector<std::string>& problems) {
  if (names_local_file(argument)) {
    problems.push_back(flag + ": " + quoted(argument) +
                       " is a local file; to send a local file, write @" + argument);
    return std::nullopt;
  }
  try {
    return resolve_image_argument(argument);
  } catch (const ValidationError& error) {
    for (const auto& problem : error.problems()) problems.push_back(flag + ": " + problem);
    if (error.problems().empty()) problems.push_back(flag + ": " + error.what());
  }
  return std::nullopt;
}

// A --video or --audio argument, or nullopt and a problem for a local file: the API takes those
// only by URL, so '@' would not help either.
std::optional<std::string> media_url(const std::string& flag, const std::string& argument,
                                     std::vector<std::string>& problems) {
  if (!names_local_file(argument)) return argument;
  problems.push_back(flag + ": " + quoted(argument) +
                     " is a local file; the API takes video and audio only by http(s) URL, so "
                     "upload it where the service can fetch it and pass that URL");
  return std::nullopt;
}

std::chrono::milliseconds to_milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

// The image flags; VideoRequest::to_json() decides where each image is sent.
void add_images(const RequestFlags& flags, VideoRequest& request,
                std::vector<std::string>& problems) {
  if (flags.image) {
    if (auto url = image_argument("--image", *flags.image, problems)) request.image(*url);
  }
  for (const auto& image : flags.images) {
    if (auto url = image_argument("--images", image, problems)) request.add_image(*url);
  }
  if (flags.first_frame) {
    if (auto url = image_argument("--first-frame", *flags.first_frame, problems)) {
      request.first_frame(*url);
    }
  }
  if (flags.last_frame) {
    if (auto url = image_argument("--last-frame", *flags.last_frame, problems)) {
      request.last_frame(*url);
    }
  }
  for (const auto& image : flags.reference_images) {
    if (auto url = image_argument("--reference-image", image, problems)) {
      request.reference_image(*url);
    }
  }
}

// Files are read whole; a prompt this long is surely the wrong file.
constexpr std::size_t kMaxPromptFileBytes = 1024 * 1024;

// --prompt-file's text ("-": standard input) without its final line breaks, or a problem naming
// the file.
std::optional<std::string> read_prompt_file(const std::string& path,
                                            std::vector<std::string>& problems) {
  const bool from_stdin = path == "-";
  const std::string name = from_stdin ? std::string("standard input") : quoted(path);
  std::FILE* file = from_stdin ? stdin : detail::platform::open_c_file(path, "rb");
  if (file == nullptr) {
    problems.push_back("--prompt-file: cannot read " + name + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  std::size_t got = 0;
  while (text.size() <= kMaxPromptFileBytes &&
         (got = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text.append(buffer, got);
  }
  const int read_error = std::ferror(file) != 0 ? errno : 0;
  if (!from_stdin) std::fclose(file);
  std::string problem;
  if (read_error != 0) {
    problem = "cannot read " + name + ": " + std::strerror(read_error);
  } else if (text.size() > kMaxPromptFileBytes) {
    problem = name + " is larger than 1 MiB; is it the right file?";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (problem.empty() && text.empty()) problem = name + " is empty";
  if (problem.empty()) return text;
  problems.push_back("--prompt-file: " + problem);
  return std::nullopt;
}

// The body's fields that a flag sets, with that flag: --set may not set them behind its back.
constexpr std::pair<std::string_view, std::string_view> kFieldsWithFlags[] = {
    {"model", "--model"},
    {"prompt", "--prompt"},
    {"image", "--image"},
    {"images", "--images"},
    {"duration", "--duration"},
    {"metadata.callback_url", "--callback-url"},
    {"metadata.camera_fixed", "--camera-fixed"},
    {"metadata.content", "--first-frame, --last-frame, --reference-image, --video, --audio"},
    {"metadata.draft", "--draft"},
    {"metadata.execution_expires_after", "--expires-after"},
    {"metadata.frames", "--frames"},
    {"metadata.generate_audio", "--generate-audio"},
    {"metadata.ratio", "--ratio"},
    {"metadata.resolution", "--resolution"},
    {"metadata.return_last_frame", "--return-last-frame"},
    {"metadata.seed", "--seed"},
    {"metadata.service_tier", "--service-tier"},
    {"metadata.watermark", "--watermark"},
};

// "--set KEY=JSON": KEY is a top-level field or metadata.FIELD; the value goes into the body as
// an extra field (a metadata one merged into the metadata object).
void add_set_field(const std::string& argument, VideoRequest& request,
                   std::vector<std::string>& problems) {
  const auto equals = argument.find('=');
  const std::string key = argument.substr(0, equals);
  const std::string problem_prefix = "--set " + quoted(argument) + ": ";
  constexpr std::string_view kMetadata = "metadata.";
  const bool in_metadata = key.compare(0, kMetadata.size(), kMetadata) == 0;
  const std::string name = in_metadata ? key.substr(kMetadata.size()) : key;
  if (equals == std::string::npos || name.empty() || name.find('.') != std::string::npos ||
      key == "metadata") {
    problems.push_back(problem_prefix + "give KEY=JSON, where KEY is a field or metadata.FIELD");
    return;
  }
  for (const auto& [field, flag] : kFieldsWithFlags) {
    if (key == field) {
      problems.push_back(problem_prefix + key + " has a flag: use " + std::string(flag));
      return;
    }
  }
  const std::string value_text = argument.substr(equals + 1);
  nlohmann::json value = detail::parse_json_bounded(value_text);
  if (value.is_discarded()) {
    problems.push_back(problem_prefix + quoted(value_text) +
                       " is not JSON (a string needs its quotes: '\"text\"')");
    return;
  }
  if (in_metadata) {
    request.extra_field("metadata", nlohmann::json{{name, value}}.dump());
  } else {
    request.extra_field(key, value.dump());
  }
}

}  // namespace

std::string resolve_image_argument(const std::string& argument) {
  if (!argument.empty() && argument.front() == '@') return image_file(argument.substr(1));
  return argument;
}

VideoRequest build_video_request(const RequestFlags& flags, std::vector<std::string>& problems) {
  VideoRequest request(flags.model);
  if (flags.prompt) request.prompt(*flags.prompt);
  if (flags.prompt_file) {
    if (auto prompt = read_prompt_file(*flags.prompt_file, problems)) request.prompt(*prompt);
  }

  add_images(flags, request, problems);
  if (flags.video) {
    if (auto url = media_url("--video", *flags.video, problems)) request.video(*url);
  }
  if (flags.audio) {
    if (auto url = media_url("--audio", *flags.audio, problems)) request.audio(*url);
  }

  if (flags.duration) {
    const auto seconds = parse_integer(*flags.duration);
    if (*flags.duration == "auto") {
      request.duration(kAutoDuration);
    } else if (seconds && *seconds >= std::numeric_limits<int>::min() &&
               *seconds <= std::numeric_limits<int>::max()) {
      request.duration(static_cast<int>(*seconds));
    } else {
      problems.push_back("--duration: " + quoted(*flags.duration) +
                         " is not a whole number of seconds (4-15) or 'auto'");
    }
  }
  if (flags.resolution) {
    if (auto value = parse_resolution(*flags.resolution)) {
      request.resolution(*value);
    } else {
      problems.push_back("--resolution: " + quoted(*flags.resolution) +
                         " is not one of 480p, 720p, 1080p");
    }
  }
  if (flags.ratio) {
    if (auto value = parse_ratio(*flags.ratio)) {
      request.ratio(*value);
    } else {
      problems.push_back("--ratio: " + quoted(*flags.ratio) +
                         " is not one of 16:9, 4:3, 1:1, 3:4, 9:16, 21:9, adaptive");
    }
  }
  if (flags.seed) {
    if (auto value = parse_integer(*flags.seed)) {
      request.seed(*value);
    } else {
      problems.push_back("--seed: " + quoted(*flags.seed) + " is not a whole number");
    }
  }
  if (flags.watermark) request.watermark(*flags.watermark);
  if (flags.generate_audio) request.generate_audio(*flags.generate_audio);
  if (flags.service_tier) {
    if (auto value = parse_service_tier(*flags.service_tier)) {
      request.service_tier(*value);
    } else {
      problems.push_back("--service-tier: " + quoted(*flags.service_tier) +
                         " is not one of auto, default, priority");
    }
  }
  if (flags.expires_after) {
    if (auto value = parse_integer(*flags.expires_after)) {
      request.execution_expires_after(*value);
    } else {
      problems.push_back("--expires-after: " + quoted(*flags.expires_after) +
                         " is not a whole number of seconds");
    }
  }
  if (flags.return_last_frame) request.return_last_frame(*flags.return_last_frame);
  if (flags.callback_url) request.callback_url(*flags.callback_url);
  set_int_or_bool("--frames", flags.frames, problems,
                  [&request](auto value) { request.frames(value); });
  set_int_or_bool("--camera-fixed", flags.camera_fixed, problems,
                  [&request](auto value) { request.camera_fixed(value); });
  set_int_or_bool("--draft", flags.draft, problems,
                  [&request](auto value) { request.draft(value); });
  for (const std::string& field : flags.set_fields) add_set_field(field, request, problems);

  for (auto& problem : request.validate()) problems.push_back(std::move(problem));
  return request;
}

WaitOptions build_wait_options(const WaitFlags& flags, std::vector<std::string>& problems) {
  WaitOptions options;
  if (flags.poll_interval) {
    const auto seconds = parse_seconds(*flags.poll_interval);
    const auto minimum = std::chrono::duration<double>(kMinPollInterval).count();
    if (!seconds) {
      problems.push_back("--poll-interval: " + quoted(*flags.poll_interval) +
                         " is not a number of seconds");
    } else if (*seconds < minimum) {
      problems.push_back(
          "--poll-interval: " + quoted(*flags.poll_interval) +
          " is below the minimum of 5 seconds between polls that the service allows");
    } else {
      options.poll_interval = to_milliseconds(*seconds);
    }
  }
  if (flags.timeout) {
    if (const auto timeout = parse_timeout_flag(*flags.timeout, "waits for ever", problems)) {
      options.timeout = *timeout;
    }
  }
  return options;
}

std::optional<std::chrono::milliseconds> parse_timeout_flag(const std::string& text,
                                                            const std::string& zero_means,
                                                            std::vector<std::string>& problems) {
  const auto seconds = parse_seconds(text);
  if (!seconds || *seconds < 0) {
    problems.push_back("--timeout: " + quoted(text) + " is not a number of seconds (0 " +
                       zero_means + ")");
    return std::nullopt;
  }
  return to_milliseconds(*seconds);
}

void check_output_path(const std::string& output_path, bool overwrite,
                       std::vector<std::string>& problems) {
  if (output_path.empty()) {
    problems.push_back("-o: the output file name is empty");
    return;
  }
  for (const std::string& file : {output_path, output_path + ".part", output_path + ".part.meta"}) {
    if (const auto problem = detail::special_file_problem(file)) {
      problems.push_back("-o: " + *problem);
      return;
    }
  }
  namespace fs = std::filesystem;
  const fs::path path = detail::platform::to_path(output_path);
  std::error_code error;
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(directory, error)) {
    problems.push_back("-o: the directory " + quoted(directory.u8string()) + " does not exist");
  } else if (!overwrite && fs::exists(path, error)) {
    problems.push_back("-o: " + quoted(output_path) +
                       " already exists; pass --overwrite to replace it");
  }
}

std::optional<std::chrono::seconds> parse_stall_timeout(const std::string& text,
                                                        std::vector<std::string>& problems) {
  const auto seconds = parse_seconds(text);
  // libcurl measures the window in whole seconds.
  if (!seconds || *seconds < 1 || *seconds > 86400 || std::floor(*seconds) != *seconds) {
    problems.push_back("--stall-timeout: " + quoted(text) +
                       " is not a whole number of seconds from 1 to 86400");
    return std::nullopt;
  }
  return std::chrono::seconds(static_cast<long>(*seconds));
}

void throw_if_any(const std::vector<std::string>& problems) {
  if (!problems.empty()) throw ValidationError(problems);
}

}  // namespace seedance::cli
