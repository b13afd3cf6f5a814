// Turning Ctrl-C into cooperative cancellation.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include "seedance/cancellation.hpp"

namespace seedance::cli {

/// While alive, SIGINT and SIGTERM cancel `token` instead of killing the process at once, so a wait
/// or a download stops cleanly (a partial download stays resumable, the task id is printed); the
/// program then ends by that signal (interrupting_signal(), end_by_signal()). The handler only
/// writes a byte to a pipe - async-signal-safe - and a watcher thread does the cancelling. The
/// handler resets itself after the first signal, so a second Ctrl-C kills the process as usual.
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

/// The first SIGINT or SIGTERM an InterruptGuard caught in this process; 0 when none did.
int interrupting_signal() noexcept;

/// Ends the process by `signal` with its default action, after the cleanup it interrupted: the
/// parent sees a child killed by the signal (status 130 for SIGINT in a shell), and a shell loop
/// or script stops, as it does for any well-behaved program. An exit code would not stop it.
[[noreturn]] void end_by_signal(int signal);

}  // namespace seedance::cli
