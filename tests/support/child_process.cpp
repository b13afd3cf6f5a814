#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace seedance::testing {
namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
                           const std::vector<std::string>& environment) {
  int out_pipe[2];
  int err_pipe[2];
  make_pipe(out_pipe);
  make_pipe(err_pipe);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

  // The child starts with default signal handling, whatever the test runner set up.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(environment);
  const int spawned =
      ::posix_spawn(&pid_, program.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    errno = spawned;
    fail(("posix_spawn " + program).c_str());
  }
  reader_ = std::thread(
      [this, out_fd = out_pipe[0], err_fd = err_pipe[0]] { read_output(out_fd, err_fd); });
}

ChildProcess::~ChildProcess() {
  if (!finished_) {
    ::kill(pid_, SIGKILL);
    finish();
  }
}

void ChildProcess::read_output(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_count = 2;
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (auto& entry : fds) {
      if (entry.fd < 0 || entry.revents == 0) continue;
      char buffer[4096];
      const auto got = ::read(entry.fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(entry.fd);
        entry.fd = -1;
        --open_count;
        continue;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      (entry.fd == out_fd ? out_ : err_).append(buffer, static_cast<std::size_t>(got));
      changed_.notify_all();
    }
  }
  for (const auto& entry : fds) {
    if (entry.fd >= 0) ::close(entry.fd);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  output_closed_ = true;
  changed_.notify_all();
}

bool ChildProcess::wait_for_output(
    const std::function<bool(const std::string& out, const std::string& err)>& ready,
    std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, limit, [&] { return output_closed_ || ready(out_, err_); });
  return ready(out_, err_);
}

std::string ChildProcess::first_stdout_line(std::chrono::milliseconds limit) {
  const auto has_line = [](const std::string& out, const std::string&) {
    return out.find('\n') != std::string::npos;
  };
  if (!wait_for_output(has_line, limit)) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  return out_.substr(0, out_.find('\n'));
}

void ChildProcess::send_signal(int signal_number) { ::kill(pid_, signal_number); }

ProcessResult ChildProcess::finish() {
  if (finished_) return result_;
  finished_ = true;
  reader_.join();
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  result_.out = out_;
  result_.err = err_;
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  return result_;
}

ProcessResult run_process(const std::string& program, const std::vector<std::string>& arguments,
                          const std::vector<std::string>& environment) {
  ChildProcess child(program, arguments, environment);
  return child.finish();
}

std::vector<std::string> sanitizer_environment() {
  std::vector<std::string> environment;
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name))
      environment.push_back(std::string(name) + "=" + value);
  }
  return environment;
}

}  // namespace seedance::testing
