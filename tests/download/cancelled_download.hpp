// Interrupting a download part-way, as a user pressing Ctrl-C would, to leave a part to resume.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "seedance/client.hpp"

namespace seedance::testing {

/// Calls `download(options)` with `options` plus a token that another thread cancels once
/// `bytes` arrived, and expects the download to end in CancelledError.
template <typename Download>
void download_cancelled_after(std::uint64_t bytes, DownloadOptions options, Download download) {
  CancellationToken cancel;
  std::mutex mutex;
  std::condition_variable progressed;
  std::uint64_t done = 0;
  options.cancel = cancel;
  options.on_progress = [&](const DownloadProgress& progress) {
    const std::lock_guard<std::mutex> lock(mutex);
    done = progress.bytes_done;
    progressed.notify_all();
  };
  std::thread canceller([&] {
    std::unique_lock<std::mutex> lock(mutex);
    progressed.wait(lock, [&] { return done >= bytes; });
    cancel.cancel();
  });
  EXPECT_THROW(download(options), CancelledError);
  canceller.join();
}

}  // namespace seedance::testing
