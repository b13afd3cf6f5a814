#include "commands/support.hpp"

#include <cstdlib>
#include <string_view>

#include "config.hpp"
#include "exit_codes.hpp"
#include "model/json_codec.hpp"
#include "platform/platform.hpp"
#include "request_flags.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;

// The server's JSON as such, or as a string when it is not JSON or nests too deep to print
// (dump() recurses once per level).
json parsed_or_string(const std::string& text) {
  json parsed = detail::parse_json_bounded(text);
  return parsed.is_discarded() ? json(text) : parsed;
}

// One shape for every dialect: the SDK's reading (status in the reference's words, the
// service's own word in status_raw) and, under "response", the body as the service sent it.
json status_json(const std::string& task_id, TaskStatus status, const std::string& status_text,
                 int progress, const std::string& request_id, const std::string& raw_json) {
  json object = {{"task_id", task_id},
                 {"status", std::string(to_string(status))},
                 {"status_raw", status_text},
                 {"progress", progress}};
  if (!request_id.empty()) object["request_id"] = request_id;
  object["response"] = parsed_or_string(raw_json);
  return object;
}

// The flag, else the config file's http_version, else HTTP/2 where the server offers it.
HttpVersion http_version(const CommandLine& command_line, const ConfigFile& config) {
  if (command_line.http1_1) return HttpVersion::Http1_1;
  if (command_line.http2_prior_knowledge) return HttpVersion::Http2PriorKnowledge;
  if (config.http_version == "1.1") return HttpVersion::Http1_1;
  if (config.http_version == "2-prior-knowledge") return HttpVersion::Http2PriorKnowledge;
  return HttpVersion::Automatic;
}

}  // namespace

ClientOptions client_options(const CommandLine& command_line, const RunSettings& settings,
                             Console& console, std::vector<std::string>& problems) {
  std::vector<std::string> config_problems;
  const ConfigFile config = load_config(command_line.config_path, config_problems);
  // A bad config line stops the command with that error alone: what it leads to (no API key, say)
  // would only hide the line to fix.
  throw_if_any(config_problems);
  ClientOptions options;
  options.base_url = resolve_setting(command_line.base_url, "SEEDANCE_BASE_URL", config.base_url);
  options.api_key = resolve_setting(command_line.api_key, "SEEDANCE_API_KEY", config.api_key);
  options.use_alias_routes = command_line.alias_routes || config.alias_routes;
  options.transport_options.ca_bundle =
      command_line.ca_bundle.empty() ? config.ca_bundle : command_line.ca_bundle;
  options.transport_options.proxy = resolve_proxy(command_line.proxy, config.proxy);
  options.transport_options.http_version = http_version(command_line, config);
  options.transport = settings.transport;
  options.logger = console.logger(options.api_key);
  options.on_warning = [&console](const std::string& warning) { console.warning(warning); };
  for (const std::string& warning : config.warnings) console.warning(warning);
  if (options.base_url.empty()) {
    problems.push_back(
        "no service URL: pass --base-url URL, set SEEDANCE_BASE_URL or put base_url in the "
        "config file");
  }
  if (options.api_key.empty()) {
    problems.push_back(
        "no API key: set SEEDANCE_API_KEY, pass --api-key KEY or put api_key in the config file");
  }
  return options;
}

void apply_stall_timeout(const CommandLine& command_line, ClientOptions& options,
                         std::vector<std::string>& problems) {
  if (!command_line.stall_timeout) return;
  if (const auto window = parse_stall_timeout(*command_line.stall_timeout, problems)) {
    options.transport_options.low_speed_time = *window;
  }
}

std::string effective_api_key(const CommandLine& command_line) {
  std::vector<std::string> ignored;
  return resolve_setting(command_line.api_key, "SEEDANCE_API_KEY",
                         load_config(command_line.config_path, ignored).api_key);
}

std::string api_key_source(const CommandLine& command_line) {
  if (!command_line.api_key.empty()) return "--api-key";
  const char* environment = std::getenv("SEEDANCE_API_KEY");
  if (environment != nullptr && environment[0] != '\0') return "SEEDANCE_API_KEY";
  std::vector<std::string> ignored;
  const ConfigFile config = load_config(command_line.config_path, ignored);
  return config.api_key.empty() ? std::string() : "the config file " + config.path;
}

json receipt_json(const Receipt& receipt) {
  return status_json(receipt.task_id, receipt.status, receipt.status_text, receipt.progress,
                     receipt.request_id, receipt.raw_json);
}

json task_json(const Task& task) {
  json object = status_json(task.task_id, task.status, task.status_text, task.progress,
                            task.request_id, task.raw_json);
  if (task.fail_reason) object["fail_reason"] = *task.fail_reason;
  if (task.error) {
    object["error"] = {
        {"message", task.error->message}, {"code", task.error->code}, {"type", task.error->type}};
  }
  if (task.result_url) object["result_url"] = *task.result_url;
  if (task.last_frame_url) object["last_frame_url"] = *task.last_frame_url;
  return object;
}

std::string dump_line(const json& object) {
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool video_to_stdout(const CommandLine& command_line, std::vector<std::string>& problems) {
  if (command_line.output_path != kStdoutPath) return false;
  if (command_line.json) {
    problems.push_back(
        "-o -: with --json, stdout carries the JSON result; save the video to a file, or leave "
        "out --json");
  }
  return true;
}

ByteSink stdout_sink() {
  return [](std::string_view bytes) {
    // The system's write itself: no stdio buffer to flush, and no text conversion of the bytes.
    std::error_code error;
    if (!detail::platform::write_stdout(bytes.data(), bytes.size(), error)) {
      throw Error("cannot write the video to stdout: " + error.message());
    }
  };
}

std::string downloaded_path(const DownloadResult& result, const std::string& requested) {
  return result.path.empty() ? requested : result.path;
}

}  // namespace seedance::cli
