// What the CLI shows on stderr while it waits and downloads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "seedance/cancellation.hpp"
#include "seedance/download.hpp"
#include "seedance/task.hpp"

namespace seedance::cli {

/// "IN_PROGRESS 50%": the status word as the service sent it, and the progress.
std::string format_status(const Task& task);

/// "45s", "2m05s", "1h02m03s".
std::string format_elapsed(std::chrono::seconds elapsed);

/// "512 B", "1.5 KiB", "12.3 MiB", "1.2 GiB" (powers of 1024, so IEC units).
std::string format_bytes(std::uint64_t bytes);

/// "[##########----------] 50%": a 20-column bar of `done` out of `total`.
std::string format_bar(std::uint64_t done, std::uint64_t total);

/// Reports the progress of one task on stderr. With `live` (stderr is a terminal) a single line is
/// redrawn in place, elapsed time included; otherwise one line is written per change, so logs stay
/// readable. Safe to call from several threads.
class ProgressReporter {
 public:
  ProgressReporter(std::ostream& err, bool live);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  bool live() const noexcept { return live_; }

  /// A task's status or progress changed.
  void task_changed(const Task& task);
  /// Download bytes arrived (live mode only shows them; a log would drown in them).
  void download_progressed(const DownloadProgress& progress);
  /// Replaces the live line by `text` (live mode only), e.g. a batch's counts.
  void status(const std::string& text);
  /// A one-off message, e.g. "submitted task_1"; it does not disturb the live line.
  void message(const std::string& text);
  /// Redraws the live line so the elapsed time moves on.
  void tick();
  /// Ends the live line so that whatever follows starts on a fresh line. Idempotent.
  void finish();

 private:
  std::string elapsed_text() const;
  void draw_locked();

  std::mutex mutex_;
  std::ostream& err_;
  const bool live_;
  const std::chrono::steady_clock::time_point start_;
  std::string current_;  // The live line without its elapsed time.
  bool line_open_ = false;
};

/// Calls `action` every `period` on its own thread until destroyed.
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> action);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  CancellationToken stop_;
  std::thread thread_;
};

}  // namespace seedance::cli
