// Where the service URL and the API key come from: flags, then the environment, then an
// optional config file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seedance::cli {

/// What a config file sets; empty strings for what it does not.
struct ConfigFile {
  std::string path;  ///< The file read; empty when none was.
  std::string base_url;
  std::string api_key;
  bool alias_routes = false;  ///< alias_routes = true: submit and poll through the alias route.
  /// Worth a warning, e.g. that a file holding the key is readable by other users.
  std::vector<std::string> warnings;
  std::string ca_bundle;  ///< PEM file of the CAs to trust.
  std::string proxy;      ///< Proxy URL, used when no proxy variable is set.
  /// http_version: "auto", "1.1" or "2-prior-knowledge" (as --http1.1 and
  /// --http2-prior-knowledge); empty when not set.
  std::string http_version;
};

/// $XDG_CONFIG_HOME/seedance/config when XDG_CONFIG_HOME is set (and absolute), else
/// $HOME/.config/seedance/config; empty when neither variable is set.
std::string default_config_path();

/// Parses `key = value` lines: keys base_url, api_key, alias_routes (true or false), ca_bundle,
/// proxy and http_version (auto, 1.1 or 2-prior-knowledge); blank lines and lines starting with '#'
/// are ignored; a value may be wrapped in double quotes. Problems are appended as "PATH:LINE: ..."
/// and never quote a value (it may be the key).
ConfigFile parse_config(std::string_view text, const std::string& path,
                        std::vector<std::string>& problems);

/// Reads `explicit_path` (--config), which must exist, or else the default path when that file
/// exists. Problems are appended. A file holding the key that other users may access gets a
/// warning, as ssh gives for a private key.
ConfigFile load_config(const std::string& explicit_path, std::vector<std::string>& problems);

/// The first non-empty of: the flag, the environment variable, the config file's value.
std::string resolve_setting(const std::string& flag, const char* environment_variable,
                            const std::string& config_value);

/// The proxy to configure: the flag, else nothing when one of the standard proxy variables is set
/// (libcurl reads them itself), else the config file's value.
std::string resolve_proxy(const std::string& flag, const std::string& config_value);

}  // namespace seedance::cli
