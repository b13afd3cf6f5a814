#include "http/url.hpp"

#include <algorithm>
#include <cctype>

#include "seedance/error.hpp"
#include "text.hpp"

namespace seedance::detail {
namespace {

struct SplitUrl {
  std::string scheme;     // lower-case, "http" or "https"
  std::string authority;  // host[:port], lower-case
  std::string rest;       // path, query, fragment
};

bool split(std::string_view url, SplitUrl& out) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  out.scheme = to_lower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return false;
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  out.authority = to_lower(url.substr(authority_start, authority_end - authority_start));
  out.rest = authority_end == std::string_view::npos ? "" : std::string(url.substr(authority_end));
  return !out.authority.empty();
}

}  // namespace

std::string normalize_base_url(std::string_view url) {
  SplitUrl parts;
  const auto fail = [&](const std::string& rule) {
    throw ValidationError({"base_url: " + rule + ", got \"" + std::string(url) + "\""});
  };
  if (!split(url, parts)) fail("must be an http:// or https:// URL with a host");
  if (parts.authority.find('@') != std::string::npos) fail("must not contain user info");
  if (parts.rest.find_first_of("?#") != std::string::npos)
    fail("must not have a query or fragment");
  std::string path = parts.rest;
  while (!path.empty() && path.back() == '/') path.pop_back();
  // The routes all start with /v1; accept a base URL that already names it without doubling it.
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0)
    path.resize(path.size() - 3);
  return parts.scheme + "://" + parts.authority + path;
}

void check_task_id(std::string_view task_id) {
  const bool safe_chars = std::all_of(task_id.begin(), task_id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
  if (task_id.empty() || task_id.size() > 256 || !safe_chars || task_id == "." || task_id == "..") {
    throw ValidationError({"task_id: must be 1-256 letters, digits, '-', '_' or '.', got \"" +
                           std::string(task_id.substr(0, 64)) + "\""});
  }
}

std::string origin_of(std::string_view url) {
  SplitUrl parts;
  if (!split(url, parts)) return {};
  std::string authority = parts.authority;
  const auto at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  const std::string default_port = parts.scheme == "https" ? ":443" : ":80";
  if (authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(),
                        default_port) == 0) {
    authority.resize(authority.size() - default_port.size());
  }
  return parts.scheme + "://" + authority;
}

std::string path_of(std::string_view url) {
  SplitUrl parts;
  if (!split(url, parts)) return std::string(url);
  std::string path = parts.rest.substr(0, parts.rest.find_first_of("?#"));
  return path.empty() ? "/" : path;
}

namespace {

/// True when `location` starts with "scheme://" (RFC 3986: ALPHA *( ALPHA / DIGIT / + - . )).
bool is_absolute_url(std::string_view location) {
  const auto separator = location.find("://");
  if (separator == std::string_view::npos || separator == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(location.front()))) return false;
  return std::all_of(
      location.begin(), location.begin() + static_cast<std::ptrdiff_t>(separator),
      [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; });
}

}  // namespace

std::string resolve_location(std::string_view from_url, std::string_view location) {
  // Only a leading "scheme://" makes it absolute: "/next?u=http://x" is a path on this origin.
  if (is_absolute_url(location)) return std::string(location);
  SplitUrl parts;
  if (!split(from_url, parts)) return std::string(location);
  if (location.substr(0, 2) == "//") return parts.scheme + ":" + std::string(location);
  if (!location.empty() && location.front() == '/') {
    return parts.scheme + "://" + parts.authority + std::string(location);
  }
  std::string base = parts.scheme + "://" + parts.authority + path_of(from_url);
  return base.substr(0, base.rfind('/') + 1) + std::string(location);
}

}  // namespace seedance::detail
