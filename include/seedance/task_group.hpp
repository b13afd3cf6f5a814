// Many tasks at once: submit and track N tasks with bounded concurrency and a request-rate cap.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "seedance/client.hpp"
#include "seedance/download.hpp"
#include "seedance/request.hpp"
#include "seedance/task.hpp"
#include "seedance/wait.hpp"

namespace seedance {

namespace detail {
class Engine;
}  // namespace detail

/// The outcome of one job of a TaskGroup.
struct TaskResult {
  std::size_t index = 0;  ///< The job's number: 0, 1, 2, ... in the order jobs were added.
  /// The task's id; empty when no task was created (or, after an unknown submit outcome, known).
  std::string task_id;
  std::optional<Receipt> receipt;          ///< The submit's answer, for submitted jobs.
  std::optional<Task> task;                ///< The final task (or the last status seen).
  std::optional<DownloadResult> download;  ///< When the video was downloaded.
  /// Null on success. Otherwise what the synchronous calls would have thrown: TaskFailedError,
  /// TimeoutError, SubmitOutcomeUnknownError (never resubmitted), NetworkError, CancelledError...
  std::exception_ptr error;

  /// True when the job succeeded (for throw_on_failure=false, a FAILURE task counts as done).
  bool ok() const noexcept { return !error; }
  /// Throws `error`, if any.
  void rethrow() const {
    if (error) std::rethrow_exception(error);
  }
};

/// Settings of a TaskGroup.
struct TaskGroupOptions {
  /// Tasks in flight at once (submitted or being tracked, not finished); more wait their turn.
  std::size_t max_in_flight = 16;
  /// Cap on the group's requests per second: submits, polls and retries, and the start of each
  /// download. Requests beyond it wait; the cap never makes a poll earlier.
  double max_requests_per_second = 10.0;
  /// Open connections to the service at most (the libcurl transport), and requests in flight at
  /// once. Each submit opens a fresh one (a submit must never be silently resent on a reused
  /// connection); over HTTP/2 the polls share one, as streams side by side.
  std::size_t max_connections = 8;
  /// Over HTTP/2: requests at once on one connection at most (besides the server's own cap).
  std::size_t max_streams_per_connection = 100;
  /// Polling of every task: interval and jitter (never below the 5 s floor), per-task timeout,
  /// throw_on_failure. on_progress receives every task's changes (on the group's thread);
  /// cancel stops the whole group.
  WaitOptions wait;
  /// When set, each task that succeeds is downloaded to "<download_dir>/<task_id>.mp4" (unless
  /// its job names its own path) before its result is delivered.
  std::string download_dir;
  /// Options of those downloads (resume, on_progress; called on a download thread).
  DownloadOptions download;
  /// Threads that run downloads, started at the first one. Polling never waits for downloads.
  std::size_t download_threads = 2;
  /// Called once per job as it finishes, on the group's thread: keep it short. An exception it
  /// throws is rethrown by the next wait_all() or next().
  std::function<void(const TaskResult& result)> on_result;
  /// Cap on the group's submits per second, within max_requests_per_second (which polls share):
  /// e.g. to spread the spending of a large batch. 0: no cap of its own.
  double max_submits_per_second = 0.0;

  /// Hooks on a job's steps, called on the group's thread with the job's index; the group waits
  /// for each, so keep them short (a journal write is fine, a network call is not). One that
  /// throws ends its job with that exception as TaskResult::error.
  ///
  /// before_submit: right before each submit is sent, retries included. Nothing is sent until it
  /// returns, and nothing at all when it throws: e.g. record durably that the submit is about to
  /// go, so that a crash during it is known afterwards. Not called for a job cancelled first.
  std::function<void(std::size_t index)> before_submit;
  /// on_submitted: as soon as the submit's answer names the task, before it is polled: e.g.
  /// record the task id, so that an interrupted run can track() it instead of paying again.
  std::function<void(std::size_t index, const Receipt& receipt)> on_submitted;
  /// on_polled: after each status query of the job's task ended (answered or failed), which is
  /// when the 5 s between two polls starts: e.g. record it to pass to a later run's track().
  std::function<void(std::size_t index, const std::string& task_id)> on_polled;
};

/// The connections of a TaskGroup's submits and polls so far (its libcurl multi transport), as
/// the client opens and closes them; a server sees a close later, once it reads the end of the
/// stream. Downloads run on their own threads over the Client's transport and are not counted.
/// All zeros for a Client with an injected HttpTransport, which the group cannot see into.
struct TaskGroupStats {
  std::size_t connections_open = 0;  ///< Open right now (in use or idle in the cache).
  /// The most open at once; never above TaskGroupOptions::max_connections.
  std::size_t connections_peak = 0;
  /// Opened in all: every submit opens one of its own, polls reuse the cached ones.
  std::size_t connections_opened = 0;
  /// Shared connections open right now: those the polls opened (and share, over HTTP/2 as
  /// streams side by side), without the connection each submit opens for itself.
  std::size_t shared_connections_open = 0;
  std::size_t shared_connections_peak = 0;    ///< The most shared connections open at once.
  std::size_t shared_connections_opened = 0;  ///< Shared connections opened in all.
};

/// Submits and tracks many tasks on one background thread: libcurl's multi interface drives
/// every request over a small pool of connections, and a timer queue decides when each task is
/// polled next, never two polls of a task less than 5 s apart.
///
///   seedance::TaskGroup group(client);
///   for (const auto& prompt : prompts) group.submit(seedance::VideoRequest().prompt(prompt));
///   for (const seedance::TaskResult& result : group.wait_all()) ...
///
/// Thread-safe. Destroying the group cancels what is unfinished (submits already sent are not
/// taken back) and waits for its thread; do not destroy it from its own callbacks.
class TaskGroup {
 public:
  /// Throws ValidationError for invalid options (a poll interval below 5 s, zero limits).
  explicit TaskGroup(Client client, TaskGroupOptions options = {});
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Adds a job that submits `request`, waits for the task and (with download_dir or
  /// `download_path`) downloads its video. Validates first: throws ValidationError and adds
  /// nothing when the request is invalid. Returns the job's index.
  std::size_t submit(const VideoRequest& request, std::string download_path = {});
  /// submit() for each request, added at once. All are validated before any is added.
  std::vector<std::size_t> submit_all(const std::vector<VideoRequest>& requests);
  /// Adds a job that tracks an existing task (e.g. one submitted by an earlier run).
  /// `last_polled`, when an earlier process polled the task, keeps the 5 s floor across
  /// processes: the first poll waits until 5 s after it.
  std::size_t track(std::string task_id, std::string download_path = {},
                    std::optional<std::chrono::system_clock::time_point> last_polled = {});

  /// Blocks until another job finishes and returns its result; std::nullopt once every job
  /// added so far has been returned (by next() or wait_all()).
  std::optional<TaskResult> next();
  /// Blocks until every job added so far finished; returns the results next() has not
  /// returned, in index order.
  std::vector<TaskResult> wait_all();

  /// Cancels one job: its result carries CancelledError (unknown or finished jobs: nothing).
  void cancel(std::size_t index);
  /// Cancels every unfinished job.
  void cancel_all();

  /// Jobs added and not finished yet.
  std::size_t unfinished() const;
  /// Connection counts so far, for monitoring and tests.
  TaskGroupStats stats() const;

  struct State;  ///< Shared with the engine's callbacks (internal).

 private:
  std::shared_ptr<State> state_;
  std::shared_ptr<detail::Engine> engine_;
};

}  // namespace seedance
