// The scripted faults: the rules not used up yet (one lock), which rule a request takes, the
// replacement replies and the headers a rule adds.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reply.hpp"
#include "seedance/mock/mock_server.hpp"

namespace seedance::mock::detail {

/// Glob match of a whole path: "*" matches any characters (including '/'), "{name}" one
/// non-empty path segment, everything else itself.
bool path_matches(const std::string& pattern, const std::string& path);

/// "*" matches any method; otherwise a case-insensitive comparison.
bool method_matches(const std::string& pattern, const std::string& method);

class FaultBook {
 public:
  /// Appends a rule (ignored when times is 0); throws std::invalid_argument on a bad status.
  void add(FaultRule rule);
  void clear();
  std::size_t pending() const;
  /// The first rule matching the request, used once (removed when used up).
  std::optional<FaultRule> take(const std::string& method, const std::string& path);
  /// Whether the rule take() would give closes before responding (without using it).
  bool next_closes(const std::string& method, const std::string& path) const;

 private:
  /// Index of the first matching rule; rules_.size() when none matches.
  std::size_t match_locked(const std::string& method, const std::string& path) const;

  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
};

/// The replacement response of a rule that replaces_response().
Reply fault_reply(const FaultRule& f);
/// The headers the rule adds to whatever response is sent, and its Content-Range override.
void add_fault_headers(const FaultRule& f, Reply& reply);

}  // namespace seedance::mock::detail
