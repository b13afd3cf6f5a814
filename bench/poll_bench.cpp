// 1,000 tasks submitted and tracked to completion by one TaskGroup against the in-process mock
// server (each task finishes on its third poll), in real time. Reports the SDK's threads, the
// peak of open connections (TaskGroup::stats(): the SDK's sockets, counted as libcurl opens and
// closes them; beside it the mock's own count, which sees a close only once a worker reads it),
// CPU time, peak RSS, the wall time against the minimum the 5 s floor allows, and the smallest
// gap between two polls of a task (from the mock's request log).
//
//   poll_bench [--tasks N] [--rate R] [--connections C] [--interval-ms MS]
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "seedance/mock/mock_server.hpp"
#include "seedance/seedance.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct ThreadInfo {
  std::string name;
  double cpu_seconds = 0;
};

/// Every thread of this process: its name and CPU time so far.
std::map<int, ThreadInfo> threads() {
  std::map<int, ThreadInfo> result;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return result;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string base = std::string("/proc/self/task/") + entry->d_name;
    ThreadInfo info;
    std::getline(std::ifstream(base + "/comm"), info.name);
    std::string stat;
    std::getline(std::ifstream(base + "/stat"), stat);
    // Fields after the ")" of the name: state is field 3, utime 14, stime 15.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::vector<std::string> values;
    for (std::string value; fields >> value;) values.push_back(value);
    if (values.size() > 12)
      info.cpu_seconds = (std::stod(values[11]) + std::stod(values[12])) / ticks;
    result[std::atoi(entry->d_name)] = info;
  }
  ::closedir(dir);
  return result;
}

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

long arg(int argc, char** argv, const std::string& flag, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == flag) return std::atol(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const long tasks = arg(argc, argv, "--tasks", 1000);
  const long rate = arg(argc, argv, "--rate", 2000);
  const long connections = arg(argc, argv, "--connections", 8);
  const long interval_ms = arg(argc, argv, "--interval-ms", 5000);
  constexpr int kPolls = 3;

  seedance::mock::MockServerOptions mock_options;
  mock_options.polls_to_complete = kPolls;
  mock_options.video_size = 1024;
  mock_options.threads = 4;
  seedance::mock::MockServer server(mock_options);
  server.start();

  seedance::ClientOptions client_options;
  client_options.base_url = server.base_url();
  client_options.api_key = server.api_key();
  const seedance::Client client(client_options);

  seedance::TaskGroupOptions options;
  options.max_in_flight = static_cast<std::size_t>(tasks);
  options.max_requests_per_second = static_cast<double>(rate);
  options.max_connections = static_cast<std::size_t>(connections);
  options.wait.poll_interval = std::chrono::milliseconds(interval_ms);
  options.wait.poll_jitter = std::chrono::milliseconds(0);

  std::vector<seedance::VideoRequest> requests;
  for (long i = 0; i < tasks; ++i) {
    requests.push_back(seedance::VideoRequest().prompt("benchmark clip " + std::to_string(i)));
  }

  const auto before = threads();
  const long rss_before = peak_rss_kib();
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

  // Gaps between consecutive polls of each task, as the mock received them.
  std::map<std::string, std::vector<Clock::time_point>> polls;
  std::size_t posts = 0;
  for (const auto& request : server.requests()) {
    if (request.method == "POST") ++posts;
    if (request.method != "GET") continue;
    polls[request.path.substr(std::string("/v1/videos/").size())].push_back(request.received_at);
  }
  double smallest_gap = 1e9;
  std::size_t polls_total = 0;
  std::size_t gaps_below_floor = 0;
  for (const auto& [task, times] : polls) {
    polls_total += times.size();
    for (std::size_t i = 1; i < times.size(); ++i) {
      const double gap = std::chrono::duration<double>(times[i] - times[i - 1]).count();
      smallest_gap = std::min(smallest_gap, gap);
      gaps_below_floor += gap < 5.0;
    }
  }
  // The fastest any client can go: the first poll right after the submit, then one interval
  // (never below the 5 s floor) before each of the others.
  const double floor_minimum =
      (kPolls - 1) * std::max(5.0, static_cast<double>(interval_ms) / 1000.0);

  std::printf("tasks                       %ld (%zu succeeded, %zu submits, %zu polls)\n", tasks,
              ok, posts, polls_total);
  std::printf("SDK threads (peak)          %d named seedance-* + the caller blocked in wait_all\n",
              peak_sdk_threads.load());
  std::printf("peak open connections       %zu (SDK sockets; %zu opened in all)\n",
              sockets.connections_peak, sockets.connections_opened);
  std::printf("  as the mock counted them  %zu (%zu accepted; it sees a close late)\n",
              server.peak_open_connections(), server.connections_opened());
  std::printf(
      "CPU seconds                 engine thread %.2f, caller %.2f, process %.2f (mock "
      "included)\n",
      engine_cpu, caller_cpu, process_cpu);
  std::printf("peak RSS                    %.1f MiB (process, mock included; %.1f MiB before)\n",
              static_cast<double>(peak_rss_kib()) / 1024.0,
              static_cast<double>(rss_before) / 1024.0);
  std::printf("wall time                   %.2f s; minimum %.1f s; ratio %.3f\n", wall,
              floor_minimum, wall / floor_minimum);
  std::printf("smallest gap between polls  %.3f s (%zu gaps below 5 s)\n", smallest_gap,
              gaps_below_floor);
  const bool pass = ok == static_cast<std::size_t>(tasks) && gaps_below_floor == 0 &&
                    sockets.connections_peak <= static_cast<std::size_t>(connections);
  return pass ? 0 : 1;
}
