// Matching of fault rules against requests (shared by the server and its tests via FaultRule).
#pragma once

#include <string>

namespace seedance::mock::detail {

/// Glob match of a whole path: "*" matches any characters (including '/'), "{name}" one
/// non-empty path segment, everything else itself.
bool path_matches(const std::string& pattern, const std::string& path);

/// "*" matches any method; otherwise a case-insensitive comparison.
bool method_matches(const std::string& pattern, const std::string& method);

}  // namespace seedance::mock::detail
