// Options and results of downloading a task's video, to a file, a stream or a callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "seedance/cancellation.hpp"

namespace seedance {

/// Receives the bytes of a download or a ranged read, in order, as they arrive: each call continues
/// where the previous one ended. Throwing stops the transfer; the exception reaches the caller.
using ByteSink = std::function<void(std::string_view bytes)>;

/// How far a download or ranged read has come (DownloadOptions::on_progress).
struct DownloadProgress {
  std::uint64_t bytes_done = 0;  ///< Bytes of the file now on disk, resumed ones included.
  std::optional<std::uint64_t> bytes_total;  ///< When the server announced it.
  double bytes_per_second = 0;               ///< Rate of this transfer so far.
};

/// How Client::download and Client::read_range proceed.
struct DownloadOptions {
  /// File downloads: continue a previous interrupted download from "<path>.part" (with Range and
  /// If-Range, when "<path>.part.meta" remembers the server's validator). False starts over.
  bool resume = true;
  /// File downloads: what to do with an existing file at the path. True (the default): the
  /// finished, checked download replaces it (until then it is untouched). False: an existing file
  /// is refused with ValidationError before anything is sent, and one that appears during the
  /// download is not replaced (Error; the part is kept). A path naming a directory, a FIFO, a
  /// device or a socket is always refused with ValidationError, before anything is sent.
  bool replace_existing = true;
  /// File downloads: fetch the video over this many parallel Range requests, each written in
  /// place and each resumable. 1 (the default) is one sequential stream, which already reaches
  /// the link's speed on most networks; more helps on links that limit each connection. Falls
  /// back to one stream when the server does not answer ranges or the video is small.
  int segments = 1;
  /// When set, a video of another size is an error (and is not renamed into place).
  std::optional<std::uint64_t> expected_size;
  /// When not empty, the SHA-256 of the video (64 hex digits, either case) it must have; a
  /// mismatch is an error and the file is not renamed into place.
  std::string expected_sha256;
  /// Called as bytes arrive (at most ten times a second, and once at the end), on the calling
  /// thread.
  std::function<void(const DownloadProgress& progress)> on_progress;
  /// Cancelling it from any thread stops the transfer promptly with CancelledError; a file's
  /// part is kept for resuming.
  std::optional<CancellationToken> cancel;
  /// The longest the whole call may take, every retry and resume included; past it the call
  /// throws TimeoutError and a file's part is kept for resuming. Zero (the default) sets none: a
  /// transfer slower than TransportOptions::low_speed_limit for low_speed_time is resumed, and
  /// after RetryPolicy::max_attempts such stalls in a row fails with NetworkError; one that keeps
  /// above that rate runs to its end.
  std::chrono::milliseconds timeout{0};
};

/// What a download or ranged read produced.
struct DownloadResult {
  std::string path;         ///< The finished file; empty for a stream, a callback or a range.
  std::uint64_t bytes = 0;  ///< Bytes of the result: the file's size, or the bytes delivered.
  /// Body bytes received in this call: less than `bytes` after a resume, more when a broken
  /// connection or a server that ignored a range made some come twice.
  std::uint64_t bytes_transferred = 0;
  bool resumed = false;  ///< True when an earlier partial download of the file was continued.
  /// Size of the whole video, when the server announced it.
  std::optional<std::uint64_t> total_size;
};

}  // namespace seedance
