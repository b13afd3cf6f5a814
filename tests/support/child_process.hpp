// Runs a program as a child process with its stdout and stderr captured through pipes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seedance::testing {

struct ProcessResult {
  int exit_code = -1;  ///< -1 when the process was ended by a signal.
  int signal = 0;      ///< The signal that ended it, 0 when it exited.
  std::string out;
  std::string err;
};

/// A running child: started with posix_spawn (stdin from /dev/null, exactly `environment` as its
/// environment), its output collected by a reader thread. The destructor kills it if still running.
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
               const std::vector<std::string>& environment);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Blocks until `ready(out, err)` holds for the output so far, or until the child closed its
  /// output or `limit` passed (a safety net against a hung child, not a delay). Returns ready's
  /// final answer.
  bool wait_for_output(
      const std::function<bool(const std::string& out, const std::string& err)>& ready,
      std::chrono::milliseconds limit = std::chrono::seconds(60));

  /// The first line of stdout without its newline, once it arrived; empty if it never did.
  std::string first_stdout_line(std::chrono::milliseconds limit = std::chrono::seconds(60));

  void send_signal(int signal_number);

  /// Waits for the child to close its output and exit; returns everything it wrote.
  ProcessResult finish();

 private:
  void read_output(int out_fd, int err_fd);

  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_;
  std::string err_;
  bool output_closed_ = false;
  bool finished_ = false;
  ProcessResult result_;
};

/// Runs the program to completion.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& arguments,
                          const std::vector<std::string>& environment);

/// The sanitizer settings of this process ("ASAN_OPTIONS=..."), for passing to children.
std::vector<std::string> sanitizer_environment();

}  // namespace seedance::testing
