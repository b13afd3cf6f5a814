// URL handling for the client: the base URL, task ids in paths, and origins.
#pragma once

#include <string>
#include <string_view>

namespace seedance::detail {

/// "https://api.example.com/v1/" -> "https://api.example.com". Throws ValidationError when the URL
/// is not http(s) or has a query, fragment or user info.
std::string normalize_base_url(std::string_view url);

/// Throws ValidationError unless `task_id` is safe inside a URL path: non-empty, at most 256
/// characters, letters, digits and "-_." only, and not "." or "..".
void check_task_id(std::string_view task_id);

/// "https://host:443/path?q" -> "https://host:443"; scheme and host lower-cased, default port
/// dropped. Empty for anything that is not an absolute http(s) URL.
std::string origin_of(std::string_view url);

/// The path of an absolute URL, without query: "https://h/v1/x?y" -> "/v1/x".
std::string path_of(std::string_view url);

/// Resolves a redirect's Location (absolute, or absolute-path) against the URL it came from.
std::string resolve_location(std::string_view from_url, std::string_view location);

}  // namespace seedance::detail
