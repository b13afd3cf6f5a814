// Options and results of downloading a task's video.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "seedance/cancellation.hpp"

namespace seedance {

struct DownloadProgress {
  std::uint64_t bytes_done = 0;              ///< Bytes of the file now on disk, resumed ones included.
  std::optional<std::uint64_t> bytes_total;  ///< When the server announced it.
  double bytes_per_second = 0;               ///< Rate of this transfer so far.
};

struct DownloadOptions {
  /// Continue a previous interrupted download from "<path>.part" (with Range and If-Range).
  bool resume = true;
  /// Called as bytes arrive (at most a few times a second).
  std::function<void(const DownloadProgress& progress)> on_progress;
  std::optional<CancellationToken> cancel;
};

struct DownloadResult {
  std::string path;                 ///< The finished file.
  std::uint64_t bytes = 0;          ///< Its size.
  std::uint64_t bytes_transferred = 0;  ///< Bytes received in this call (less than `bytes` on resume).
  bool resumed = false;             ///< True when an earlier partial download was continued.
};

}  // namespace seedance
