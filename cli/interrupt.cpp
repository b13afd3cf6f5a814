#include "interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <pthread.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

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

InterruptGuard::InterruptGuard(CancellationToken token) {
  if (::pipe(pipe_) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  for (const int fd : pipe_) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  // The handler must never block, even if the watcher is slow to drain the pipe.
  ::fcntl(pipe_[1], F_SETFL, ::fcntl(pipe_[1], F_GETFL) | O_NONBLOCK);
  watcher_ = std::thread([this, token] { watch(token); });
  signal_pipe_write_end.store(pipe_[1]);
  install(SIGINT, previous_interrupt_);
  install(SIGTERM, previous_terminate_);
}

InterruptGuard::~InterruptGuard() {
  ::sigaction(SIGINT, &previous_interrupt_, nullptr);
  ::sigaction(SIGTERM, &previous_terminate_, nullptr);
  signal_pipe_write_end.store(-1);
  const char byte = kStop;
  while (::write(pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void InterruptGuard::watch(CancellationToken token) {
  for (;;) {
    char byte = 0;
    const auto got = ::read(pipe_[0], &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got != 1 || byte == kStop) return;
    interrupted_.store(true);
    token.cancel();
  }
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
