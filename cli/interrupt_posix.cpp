// InterruptGuard with POSIX signals: the handler writes a byte to a pipe, a thread cancels.
#include "interrupt.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>
#include <thread>

namespace seedance::cli {
namespace {

// A signal handler can reach nothing but globals, so the pipe's write end has to live in one.
// It is set only while an InterruptGuard exists. Lock-free, hence safe to read in the handler.
std::atomic<int> signal_pipe_write_end{-1};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free atomic");

// The first signal that arrived while a guard was alive, for end_by_signal() once the command
// has cleaned up.
std::atomic<int> first_signal{0};

constexpr char kInterrupted = 'i';
constexpr char kStop = 's';

extern "C" void forward_signal_to_pipe(int signal) {
  const int saved_errno = errno;
  int none = 0;
  first_signal.compare_exchange_strong(none, signal);
  const int fd = signal_pipe_write_end.load();
  if (fd >= 0) {
    const char byte = kInterrupted;
    // Nothing useful can be done if the pipe is full: a byte is already waiting to be read.
    [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

// sigaction() fails only for an invalid signal number or action, neither possible here.
void install(int signal, struct sigaction& previous) {
  struct sigaction action {};
  action.sa_handler = forward_signal_to_pipe;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: a second Ctrl-C gets the default action and ends the process at once.
  // SA_RESTART: system calls in progress (in libcurl, say) resume instead of failing with EINTR.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  ::sigaction(signal, &action, &previous);
}

}  // namespace

struct InterruptGuard::Watch {
  int pipe[2] = {-1, -1};
  struct sigaction previous_interrupt {};
  struct sigaction previous_terminate {};
  std::thread watcher;
};

InterruptGuard::InterruptGuard(CancellationToken token) : watch_(std::make_unique<Watch>()) {
  int* const pipe = watch_->pipe;
  if (::pipe(pipe) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  for (int i = 0; i < 2; ++i) ::fcntl(pipe[i], F_SETFD, FD_CLOEXEC);
  // The handler must never block, even if the watcher is slow to drain the pipe.
  ::fcntl(pipe[1], F_SETFL, ::fcntl(pipe[1], F_GETFL) | O_NONBLOCK);
  watch_->watcher = std::thread([this, token, read_end = pipe[0]]() mutable {
    for (;;) {
      char byte = 0;
      const auto got = ::read(read_end, &byte, 1);
      if (got < 0 && errno == EINTR) continue;
      if (got != 1 || byte == kStop) return;
      interrupted_.store(true);
      token.cancel();
    }
  });
  signal_pipe_write_end.store(pipe[1]);
  install(SIGINT, watch_->previous_interrupt);
  install(SIGTERM, watch_->previous_terminate);
}

InterruptGuard::~InterruptGuard() {
  ::sigaction(SIGINT, &watch_->previous_interrupt, nullptr);
  ::sigaction(SIGTERM, &watch_->previous_terminate, nullptr);
  signal_pipe_write_end.store(-1);
  const char byte = kStop;
  while (::write(watch_->pipe[1], &byte, 1) < 0 && errno == EINTR) {
  }
  watch_->watcher.join();
  ::close(watch_->pipe[0]);
  ::close(watch_->pipe[1]);
}

int interrupting_signal() noexcept { return first_signal.load(); }

void end_by_signal(int signal) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  ::sigaction(signal, &action, nullptr);
  sigset_t unblocked;
  sigemptyset(&unblocked);
  sigaddset(&unblocked, signal);
  ::pthread_sigmask(SIG_UNBLOCK, &unblocked, nullptr);
  ::raise(signal);
  // Not reached: the default action of SIGINT and SIGTERM ends the process. Were it reached, the
  // exit code is the one a shell reports for such a death.
  std::_Exit(128 + signal);
}

}  // namespace seedance::cli
