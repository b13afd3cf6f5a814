// When each task was last polled, remembered across invocations, so that the service's 5 s floor
// between status queries holds for `seedance status` in a shell loop too.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace seedance::cli {

/// A small file of "MS_SINCE_EPOCH BASE_URL TASK_ID" lines, DIRECTORY/last-polls. It only ever
/// makes a command wait, never fail: a missing, damaged or unwritable cache is ignored.
class PollCache {
 public:
  using WallTime = std::chrono::system_clock::time_point;

  /// At most this many tasks are remembered (the most recently polled ones).
  static constexpr std::size_t kMaxEntries = 256;
  /// Entries older than this are dropped: far past the 5 s floor, kept only for clocks that
  /// jumped.
  static constexpr std::chrono::minutes kForgetAfter{10};

  /// `directory` empty: a cache that remembers nothing.
  explicit PollCache(std::string directory) : directory_(std::move(directory)) {}

  /// $XDG_CACHE_HOME/seedance when XDG_CACHE_HOME is set (and absolute), else
  /// $HOME/.cache/seedance; empty when neither variable is set.
  static std::string default_directory();

  /// When the task of the service at `base_url` was last polled, if the cache knows.
  std::optional<WallTime> last_poll(const std::string& base_url, const std::string& task_id) const;

  /// Remembers a poll at `at`, pruning as it goes. Under a lock, and written to a temporary file
  /// renamed over the old one, so concurrent invocations neither tear the file nor lose each
  /// other's entries.
  void record(const std::string& base_url, const std::string& task_id, WallTime at) const;

  /// The cache file's path; empty for a cache that remembers nothing.
  std::string path() const;

 private:
  std::string directory_;
};

}  // namespace seedance::cli
