// InterruptGuard with a console control handler, which Windows runs on a thread of its own: it
// may take a lock and cancel directly.
#include "interrupt.hpp"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <optional>

namespace seedance::cli {
namespace {

std::atomic<int> first_signal{0};

// The guard alive, if any, as the handler reaches it.
std::mutex guard_mutex;
std::atomic<bool>* guard_interrupted = nullptr;
std::optional<CancellationToken> guard_token;

BOOL WINAPI on_console_event(DWORD event) {
  const int signal = event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT ? SIGINT : SIGTERM;
  int none = 0;
  // A second event after the first gets the default action: the process ends at once.
  if (!first_signal.compare_exchange_strong(none, signal)) return FALSE;
  const std::lock_guard<std::mutex> lock(guard_mutex);
  if (guard_interrupted == nullptr) return FALSE;
  guard_interrupted->store(true);
  guard_token->cancel();
  return TRUE;
}

}  // namespace

struct InterruptGuard::Watch {};

InterruptGuard::InterruptGuard(CancellationToken token) {
  {
    const std::lock_guard<std::mutex> lock(guard_mutex);
    guard_interrupted = &interrupted_;
    guard_token = std::move(token);
  }
  ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

InterruptGuard::~InterruptGuard() {
  ::SetConsoleCtrlHandler(on_console_event, FALSE);
  const std::lock_guard<std::mutex> lock(guard_mutex);
  guard_interrupted = nullptr;
  guard_token.reset();
}

int interrupting_signal() noexcept { return first_signal.load(); }

void end_by_signal(int signal) {
  // What a console program killed by Ctrl-C reports (STATUS_CONTROL_C_EXIT), so that a batch
  // file or a parent sees the interruption rather than an ordinary failure.
  std::_Exit(signal == SIGINT ? static_cast<int>(0xC000013A) : 128 + signal);
}

}  // namespace seedance::cli
