// Turning Ctrl-C into cooperative cancellation.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include "seedance/cancellation.hpp"

namespace seedance::cli {

/// While alive, SIGINT and SIGTERM cancel `token` instead of killing the process, so a wait or a
/// download stops cleanly (a partial download stays resumable). The handler only writes a byte to
/// a pipe - async-signal-safe - and a watcher thread does the cancelling. The handler resets itself
/// after the first signal, so a second Ctrl-C kills the process as usual.
/// Only one InterruptGuard may exist at a time.
class InterruptGuard {
 public:
  explicit InterruptGuard(CancellationToken token);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// True once a signal cancelled the token.
  bool interrupted() const noexcept { return interrupted_.load(); }

 private:
  void watch(CancellationToken token);

  int pipe_[2] = {-1, -1};
  std::atomic<bool> interrupted_{false};
  struct sigaction previous_interrupt_ {};
  struct sigaction previous_terminate_ {};
  std::thread watcher_;
};

}  // namespace seedance::cli
