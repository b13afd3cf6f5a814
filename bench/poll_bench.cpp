// N tasks submitted and tracked to completion by one TaskGroup against the mock server (each task
// finishes on its third poll), in real time. Reports the SDK's threads, the peak of open
// connections (TaskGroup::stats(): the SDK's sockets, counted as libcurl opens and closes them),
// the engine thread's CPU time in all and per request, peak RSS, the wall time against the
// minimum the 5 s floor and the rate cap allow, and the smallest gap between two polls of a task.
//
// The service is one of:
//   (default)             the in-process mock (MockServer): its threads and request log share the
//                         process, so the RSS is the SDK's and the mock's together; the poll gaps
//                         are measured where the mock received the polls;
//   --mock-server PATH    the seedance-mock-server program, started as a child process: the peak
//                         RSS is the SDK's own (the mock's is printed beside it);
//   --base-url URL        a service already running (e.g. the mock behind scripts/nginx-tls-front),
//                         with --api-key KEY (default test-key) and --ca-bundle FILE for TLS.
// Without the in-process mock, poll gaps are measured on the client: between the answers of two
// polls of a task (each poll is sent at least 5 s after the previous answer).
//
//   poll_bench [--tasks N] [--rate R] [--connections C] [--interval-ms MS] [--mock-threads T]
//              [--mock-server PATH | --base-url URL [--api-key KEY] [--ca-bundle FILE]]
//              [--http1.1] [--cancel-token] [--max-shared-connections N]
//
// --cancel-token gives the group a CancellationToken (TaskGroupOptions::wait.cancel), which every
// job then watches; it is never cancelled.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "seedance/mock/mock_server.hpp"
#include "seedance/seedance.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPolls = 3;

struct ThreadInfo {
  std::string name;
  double cpu_seconds = 0;
};

/// utime + stime of a /proc/.../stat line, in seconds.
double stat_cpu_seconds(const std::string& stat) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  // Fields after the ")" of the name: state is field 3, utime 14, stime 15.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  if (values.size() <= 12) return 0;
  return (std::stod(values[11]) + std::stod(values[12])) / ticks;
}

/// Every thread of this process: its name and CPU time so far.
std::map<int, ThreadInfo> threads() {
  std::map<int, ThreadInfo> result;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return result;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string base = std::string("/proc/self/task/") + entry->d_name;
    ThreadInfo info;
    std::getline(std::ifstream(base + "/comm"), info.name);
    std::string stat;
    std::getline(std::ifstream(base + "/stat"), stat);
    info.cpu_seconds = stat_cpu_seconds(stat);
    result[std::atoi(entry->d_name)] = info;
  }
  ::closedir(dir);
  return result;
}

/// VmHWM of a process ("self" or a pid), in KiB.
long peak_rss_kib(const std::string& process) {
  std::ifstream status("/proc/" + process + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

long arg(int argc, char** argv, const std::string& flag, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return std::atol(argv[i + 1]);
  }
  return fallback;
}

std::string text_arg(int argc, char** argv, const std::string& flag, std::string fallback = {}) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return argv[i + 1];
  }
  return fallback;
}

bool has_flag(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == flag) return true;
  }
  return false;
}

/// The seedance-mock-server program as a child process, stopped with SIGTERM when destroyed.
class MockProcess {
 public:
  explicit MockProcess(const std::vector<std::string>& command) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> args;
      for (const std::string& part : command) args.push_back(const_cast<char*>(part.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::perror(args[0]);
      ::_exit(127);
    }
    ::close(out[1]);
    // It prints its URL once it accepts connections.
    for (char c = 0; ::read(out[0], &c, 1) == 1 && c != '\n';) url_ += c;
    ::close(out[0]);
    if (url_.rfind("http", 0) != 0) {
      stop();
      throw std::runtime_error("the mock server did not start");
    }
  }
  ~MockProcess() { stop(); }
  MockProcess(const MockProcess&) = delete;
  MockProcess& operator=(const MockProcess&) = delete;

  const std::string& url() const { return url_; }
  std::string pid() const { return std::to_string(pid_); }
  double cpu_seconds() const {
    std::string stat;
    std::getline(std::ifstream("/proc/" + pid() + "/stat"), stat);
    return stat.empty() ? 0 : stat_cpu_seconds(stat);
  }

 private:
  void stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

  pid_t pid_ = -1;
  std::string url_;
};

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : " ") + part;
  return text;
}

int run(int argc, char** argv) {
  const long tasks = arg(argc, argv, "--tasks", 1000);
  const long rate = arg(argc, argv, "--rate", 2000);
  const long connections = arg(argc, argv, "--connections", 8);
  // The most connections the polls may share (the submits' own not counted); 0: not judged.
  const long max_shared = arg(argc, argv, "--max-shared-connections", 0);
  const long interval_ms = arg(argc, argv, "--interval-ms", 5000);
  const long mock_threads = arg(argc, argv, "--mock-threads", 8);
  const std::string mock_program = text_arg(argc, argv, "--mock-server");
  const std::string base_url = text_arg(argc, argv, "--base-url");

  std::vector<std::string> command(argv, argv + argc);
  std::printf("command                     %s\n", joined(command).c_str());

  std::unique_ptr<seedance::mock::MockServer> server;
  std::unique_ptr<MockProcess> mock_process;
  seedance::ClientOptions client_options;
  client_options.api_key = text_arg(argc, argv, "--api-key", "test-key");
  if (!base_url.empty()) {
    client_options.base_url = base_url;
  } else if (!mock_program.empty()) {
    const std::vector<std::string> mock_command = {
        mock_program, "--polls",   std::to_string(kPolls),      "--video-size",
        "1024",       "--threads", std::to_string(mock_threads)};
    std::printf("mock server (own process)   %s\n", joined(mock_command).c_str());
    mock_process = std::make_unique<MockProcess>(mock_command);
    client_options.base_url = mock_process->url();
  } else {
    seedance::mock::MockServerOptions mock_options;
    mock_options.polls_to_complete = kPolls;
    mock_options.video_size = 1024;
    mock_options.threads = static_cast<std::size_t>(mock_threads);
    server = std::make_unique<seedance::mock::MockServer>(mock_options);
    server->start();
    client_options.base_url = server->base_url();
    client_options.api_key = server->api_key();
  }
  client_options.transport_options.ca_bundle = text_arg(argc, argv, "--ca-bundle");
  if (has_flag(argc, argv, "--http1.1")) {
    client_options.transport_options.http_version = seedance::HttpVersion::Http1_1;
  }
  const seedance::Client client(client_options);

  // Counted on the group's thread, read once the group is gone.
  std::size_t submits = 0;
  Clock::time_point last_submit_answer{};
  Clock::time_point last_first_poll_answer{};
  std::size_t polls_answered = 0;
  std::vector<Clock::time_point> last_answer(static_cast<std::size_t>(tasks));
  double client_smallest_gap = 1e9;
  double client_largest_gap = 0;
  std::size_t client_gaps_below_floor = 0;

  seedance::TaskGroupOptions options;
  options.max_in_flight = static_cast<std::size_t>(tasks);
  options.max_requests_per_second = static_cast<double>(rate);
  options.max_connections = static_cast<std::size_t>(connections);
  options.wait.poll_interval = std::chrono::milliseconds(interval_ms);
  options.wait.poll_jitter = std::chrono::milliseconds(0);
  // A group stopped from another thread: every job watches the caller's token.
  if (has_flag(argc, argv, "--cancel-token")) options.wait.cancel = seedance::CancellationToken();
  options.before_submit = [&](std::size_t) { ++submits; };
  options.on_submitted = [&](std::size_t, const seedance::Receipt&) {
    last_submit_answer = Clock::now();
  };
  options.on_polled = [&](std::size_t index, const std::string&) {
    const Clock::time_point now = Clock::now();
    ++polls_answered;
    if (last_answer[index] == Clock::time_point{}) last_first_poll_answer = now;
    if (last_answer[index] != Clock::time_point{}) {
      const double gap = std::chrono::duration<double>(now - last_answer[index]).count();
      client_smallest_gap = std::min(client_smallest_gap, gap);
      client_largest_gap = std::max(client_largest_gap, gap);
      client_gaps_below_floor += gap < 5.0;
    }
    last_answer[index] = now;
  };

  std::vector<seedance::VideoRequest> requests;
  for (long i = 0; i < tasks; ++i) {
    requests.push_back(seedance::VideoRequest().prompt("benchmark clip " + std::to_string(i)));
  }

  const auto before = threads();
  const long rss_before = peak_rss_kib("self");
  const double mock_cpu_before = mock_process ? mock_process->cpu_seconds() : 0;
  std::atomic<bool> sampling{true};
  std::atomic<int> peak_sdk_threads{0};
  std::thread sampler([&] {  // the benchmark's own thread: not counted as the SDK's
    while (sampling) {
      int sdk = 0;
      for (const auto& [tid, info] : threads()) sdk += info.name.rfind("seedance-", 0) == 0;
      peak_sdk_threads = std::max(peak_sdk_threads.load(), sdk);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });

  const auto started = Clock::now();
  std::vector<seedance::TaskResult> results;
  std::map<int, ThreadInfo> during;
  seedance::TaskGroupStats sockets;
  {
    seedance::TaskGroup group(client, options);
    group.submit_all(requests);
    results = group.wait_all();
    during = threads();  // before the group's thread ends
    sockets = group.stats();
  }
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  sampling = false;
  sampler.join();

  std::size_t ok = 0;
  for (const auto& result : results) ok += result.ok();

  double engine_cpu = 0;
  double caller_cpu = 0;
  const int main_tid = static_cast<int>(::getpid());
  for (const auto& [tid, info] : during) {
    if (info.name.rfind("seedance-", 0) == 0) engine_cpu += info.cpu_seconds;
    if (tid == main_tid) caller_cpu = info.cpu_seconds - before.at(main_tid).cpu_seconds;
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double process_cpu =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const std::size_t requests_sent = submits + polls_answered;

  // The fastest any client can go: the first poll right after the submit, then one interval
  // (never below the 5 s floor) before each of the others; and no faster than the rate cap lets
  // every request through (its bucket starts full: one second's worth).
  const double floor_minimum =
      (kPolls - 1) * std::max(5.0, static_cast<double>(interval_ms) / 1000.0);
  const double rate_minimum =
      std::max(0.0, static_cast<double>(requests_sent) - static_cast<double>(rate)) /
      static_cast<double>(rate);
  const double minimum = std::max(floor_minimum, rate_minimum);

  std::printf("tasks                       %ld (%zu succeeded, %zu submits, %zu polls)\n", tasks,
              ok, submits, polls_answered);
  std::printf("SDK threads (peak)          %d named seedance-* + the caller blocked in wait_all\n",
              peak_sdk_threads.load());
  std::printf("peak open connections       %zu (SDK sockets; %zu opened in all)\n",
              sockets.connections_peak, sockets.connections_opened);
  // Each submit opens a connection of its own; the polls share the others (one over HTTP/2).
  std::printf("  carrying polls (shared)   %zu at most (%zu opened in all)\n",
              sockets.shared_connections_peak, sockets.shared_connections_opened);
  if (server) {
    std::printf("  as the mock counted them  %zu (%zu accepted; it sees a close late)\n",
                server->peak_open_connections(), server->connections_opened());
  }
  std::printf("engine CPU                  %.2f s, %.1f us a request (%zu requests)\n", engine_cpu,
              engine_cpu * 1e6 / static_cast<double>(std::max<std::size_t>(1, requests_sent)),
              requests_sent);
  if (server) {
    std::printf("CPU seconds                 caller %.2f, process %.2f (mock included)\n",
                caller_cpu, process_cpu);
    std::printf("peak RSS                    %.1f MiB (process, mock included; %.1f MiB before)\n",
                mib(peak_rss_kib("self")), mib(rss_before));
  } else {
    std::printf("CPU seconds                 caller %.2f, process %.2f (the SDK's process)\n",
                caller_cpu, process_cpu);
    std::printf("peak RSS                    %.1f MiB (the SDK's process; %.1f MiB before)\n",
                mib(peak_rss_kib("self")), mib(rss_before));
  }
  if (mock_process) {
    std::printf("mock process                CPU %.2f s, peak RSS %.1f MiB\n",
                mock_process->cpu_seconds() - mock_cpu_before,
                mib(peak_rss_kib(mock_process->pid())));
  }
  std::printf(
      "wall time                   %.2f s; minimum %.1f s (floor %.1f s, rate cap %.1f s); "
      "ratio %.3f\n",
      wall, minimum, floor_minimum, rate_minimum, wall / minimum);
  // No task ends before 10 s after its first poll, and the last first poll comes after about two
  // requests a task (its submit and first poll): beyond the floor, the wall time is their pace.
  const auto since_start = [&](Clock::time_point at) {
    return std::chrono::duration<double>(at - started).count();
  };
  std::printf("last submit answered        %.2f s after the start; last first poll %.2f s\n",
              since_start(last_submit_answer), since_start(last_first_poll_answer));

  std::size_t gaps_below_floor = client_gaps_below_floor;
  if (server) {
    // Gaps between consecutive polls of each task, as the mock received them.
    std::map<std::string, std::vector<Clock::time_point>> polls;
    for (const auto& request : server->requests()) {
      if (request.method != "GET") continue;
      polls[request.path.substr(std::string("/v1/videos/").size())].push_back(request.received_at);
    }
    double smallest_gap = 1e9;
    gaps_below_floor = 0;
    for (const auto& [task, times] : polls) {
      for (std::size_t i = 1; i < times.size(); ++i) {
        const double gap = std::chrono::duration<double>(times[i] - times[i - 1]).count();
        smallest_gap = std::min(smallest_gap, gap);
        gaps_below_floor += gap < 5.0;
      }
    }
    std::printf(
        "smallest gap between polls  %.3f s (%zu gaps below 5 s), as the mock received "
        "them\n",
        smallest_gap, gaps_below_floor);
  } else {
    std::printf(
        "smallest gap between polls  %.3f s (%zu gaps below 5 s), between the answers the "
        "SDK received\n",
        client_smallest_gap, client_gaps_below_floor);
  }
  // Past 5 s, a poll went out late: the engine or the service fell behind the schedule.
  std::printf("largest gap between polls   %.3f s, between the answers the SDK received\n",
              client_largest_gap);
  const bool pass =
      ok == static_cast<std::size_t>(tasks) && gaps_below_floor == 0 &&
      sockets.connections_peak <= static_cast<std::size_t>(connections) &&
      (max_shared == 0 || sockets.shared_connections_peak <= static_cast<std::size_t>(max_shared));
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "poll_bench: %s\n", error.what());
    return 2;
  }
}
