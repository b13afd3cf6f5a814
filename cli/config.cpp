#include "config.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/platform.hpp"
#include "text.hpp"

namespace seedance::cli {
using detail::trim;

std::string default_config_path() {
  const std::string user_config = detail::platform::user_config_directory();
  if (user_config.empty()) return {};
  return detail::platform::join_path(detail::platform::join_path(user_config, "seedance"),
                                     "config");
}

ConfigFile parse_config(std::string_view text, const std::string& path,
                        std::vector<std::string>& problems) {
  ConfigFile config;
  config.path = path;
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      problems.push_back(where + "expected `key = value`");
      continue;
    }
    const std::string key(trim(line.substr(0, equals)));
    std::string_view value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "base_url") {
      config.base_url = value;
    } else if (key == "api_key") {
      config.api_key = value;
    } else if (key == "alias_routes" && (value == "true" || value == "false")) {
      config.alias_routes = value == "true";
    } else if (key == "alias_routes") {
      problems.push_back(where + "alias_routes must be true or false");
    } else if (key == "ca_bundle") {
      config.ca_bundle = value;
    } else if (key == "proxy") {
      config.proxy = value;
    } else if (key == "http_version" &&
               (value == "auto" || value == "1.1" || value == "2-prior-knowledge")) {
      config.http_version = value;
    } else if (key == "http_version") {
      problems.push_back(where + "http_version must be auto, 1.1 or 2-prior-knowledge");
    } else {
      problems.push_back(where + "unknown key \"" + key +
                         "\" (known: base_url, api_key, alias_routes, ca_bundle, proxy, "
                         "http_version)");
    }
  }
  return config;
}

ConfigFile load_config(const std::string& explicit_path, std::vector<std::string>& problems) {
  const std::string path = explicit_path.empty() ? default_config_path() : explicit_path;
  if (path.empty()) return {};
  std::error_code error;
  if (!std::filesystem::is_regular_file(detail::platform::to_path(path), error)) {
    if (!explicit_path.empty()) {
      problems.push_back("--config: " + path + " does not exist or is not a file");
    }
    return {};
  }
  std::ifstream file(detail::platform::to_path(path), std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) {
    problems.push_back("config file " + path + ": cannot be read");
    return {};
  }
  ConfigFile config = parse_config(text.str(), path, problems);
  const std::optional<unsigned> bits =
      config.api_key.empty() ? std::nullopt : detail::platform::permission_bits(path);
  if (bits && (*bits & 077) != 0) {
    char mode[16];  // room for any unsigned in octal, though permission bits take four digits
    std::snprintf(mode, sizeof(mode), "%04o", *bits & 07777U);
    config.warnings.push_back("config file " + path +
                              " holds the API key and other users may read it (mode " + mode +
                              "); run `chmod 600 " + path + "`");
  }
  return config;
}

std::string resolve_setting(const std::string& flag, const char* environment_variable,
                            const std::string& config_value) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(environment_variable);
  if (value != nullptr && value[0] != '\0') return value;
  return config_value;
}

std::string resolve_proxy(const std::string& flag, const std::string& config_value) {
  if (!flag.empty()) return flag;
  // The variables libcurl reads (it ignores an upper-case HTTP_PROXY, as curl does).
  for (const char* variable :
       {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && value[0] != '\0') return {};
  }
  return config_value;
}

}  // namespace seedance::cli
