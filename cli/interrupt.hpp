// Turning Ctrl-C into cooperative cancellation.
#pragma once

#include <atomic>
#include <memory>

#include "seedance/cancellation.hpp"

namespace seedance::cli {

/// While alive, SIGINT and SIGTERM (on Windows: Ctrl-C, Ctrl-Break and closing the console) cancel
/// `token` instead of killing the process at once, so a wait or a download stops cleanly (a
/// partial download stays resumable, the task id is printed); the program then ends by that
/// signal (interrupting_signal(), end_by_signal()). On POSIX the handler only writes a byte to a
/// pipe - async-signal-safe - and a watcher thread does the cancelling; on Windows the console
/// handler runs on a thread of its own and cancels. After the first signal a second Ctrl-C kills
/// the process as usual. Only one InterruptGuard may exist at a time (interrupt_posix.cpp,
/// interrupt_windows.cpp).
class InterruptGuard {
 public:
  explicit InterruptGuard(CancellationToken token);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// True once a signal cancelled the token.
  bool interrupted() const noexcept { return interrupted_.load(); }

 private:
  struct Watch;  // what the system needs: handlers, a pipe and its thread
  std::atomic<bool> interrupted_{false};
  std::unique_ptr<Watch> watch_;
};

/// The first SIGINT or SIGTERM an InterruptGuard caught in this process (SIGINT for Ctrl-C and
/// Ctrl-Break on Windows, SIGTERM for the console closing); 0 when none did.
int interrupting_signal() noexcept;

/// Ends the process by `signal` with its default action, after the cleanup it interrupted: the
/// parent sees a child killed by the signal (status 130 for SIGINT in a shell), and a shell loop
/// or script stops, as it does for any well-behaved program. An exit code would not stop it.
[[noreturn]] void end_by_signal(int signal);

}  // namespace seedance::cli
