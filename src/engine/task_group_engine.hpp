// The engine behind TaskGroup and the *_async calls: one thread, a Scheduler deciding when each
// job sends what, an AsyncHttp carrying the requests, and a few download threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/client_impl.hpp"
#include "client/poller.hpp"
#include "engine/task_group_schedule.hpp"
#include "http/curl/curl_multi.hpp"

namespace seedance::detail {

/// How a job ended.
struct JobOutcome {
  std::string task_id;
  std::optional<Receipt> receipt;
  std::optional<Task> task;
  std::optional<DownloadResult> download;
  std::exception_ptr error;
};

/// What a job does: submit (a body already validated) and/or wait on a task, then maybe download.
struct JobSpec {
  std::optional<std::string> submit_body;  ///< Set: submit this; else track `task_id`.
  std::string task_id;
  bool wait = true;  ///< False: the job ends with the receipt.
  WaitOptions wait_options;
  std::optional<std::string> download_path;  ///< Download the video of a SUCCESS here,
  std::string download_dir;                  ///< else to "<download_dir>/<task_id>.mp4" if set.
  DownloadOptions download_options;
  /// Called once on the engine's thread (or a download thread) when the job ends.
  std::function<void(JobOutcome outcome)> on_done;
  /// TaskGroupOptions' hooks, bound to the job; called on the engine's thread. One that throws
  /// ends the job with its exception.
  std::function<void()> before_submit;                        ///< Before each submit is sent.
  std::function<void(const Receipt& receipt)> on_submitted;   ///< The task exists.
  std::function<void(const std::string& task_id)> on_polled;  ///< A poll of it ended.
};

struct EngineOptions {
  ScheduleLimits limits;
  std::size_t max_connections = 8;
  std::size_t max_streams_per_connection = 100;
  std::size_t download_threads = 2;
};

class Engine {
 public:
  /// Starts the engine's thread. `impl` must outlive the engine.
  Engine(const Client::Impl& impl, EngineOptions options);
  /// Cancels every job (each ends with CancelledError, or SubmitOutcomeUnknownError for a submit
  /// on the wire) and joins the threads.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Adds jobs (all at once); thread-safe. Returns their ids.
  std::vector<JobId> add(std::vector<JobSpec> specs);
  JobId add(JobSpec spec) { return add(std::vector<JobSpec>{std::move(spec)}).front(); }
  /// Ends a job with CancelledError (a submit on the wire is let finish, so the task id of a
  /// created task is known). Thread-safe; unknown or finished ids are ignored.
  void cancel(JobId job);
  void cancel_all();
  /// The connections of its transport so far. Thread-safe.
  ConnectionCounts connections() const { return io_->connections(); }

 private:
  enum class Phase { Submit, Poll, Download };
  struct Job {
    JobId id = 0;
    JobSpec spec;
    Phase phase = Phase::Submit;
    std::optional<Receipt> receipt;
    std::string task_id;
    std::unique_ptr<PollTracker> tracker;
    CancellationToken cancel;  // ends its downloads and blocking transfers
    bool in_flight = false;
    ActionKind in_flight_kind = ActionKind::Submit;
    HttpRequest request;  // the request in flight, for the log
    int submit_attempts = 0;
    bool cancel_requested = false;
    bool timed_out = false;
    std::optional<TimePoint> deadline;
    std::optional<DownloadResult> download_result;
  };

  void run();
  void absorb_commands();
  void post(std::function<void()> command);
  void act(const Action& action);
  void start_submit(Job& job);
  void start_poll(Job& job);
  void start_download(Job& job);
  void on_completion(Completion completion);
  void on_submit_answer(Job& job, Completion& completion);
  void on_poll_answer(Job& job, Completion& completion);
  void request_cancel(JobId id);
  void finish(Job& job, std::exception_ptr error);
  /// Runs a hook of the job; false (the job is finished with its exception) when it threw.
  bool run_hook(Job& job, const std::function<void()>& hook);
  void shutdown_jobs();
  void download_worker();

  const Client::Impl& impl_;
  const EngineOptions options_;
  Clock& clock_;
  Scheduler scheduler_;
  std::unique_ptr<AsyncHttp> io_;
  std::unordered_map<JobId, std::unique_ptr<Job>> jobs_;
  std::vector<JobId> watched_;                  // jobs with a caller's CancellationToken to look at
  TimePoint next_watch_ = TimePoint::min();     // when watched_ is looked at next
  std::vector<std::unique_ptr<Job>> finished_;  // destroyed at the end of a loop turn

  std::mutex mutex_;  // guards the members below
  std::vector<std::function<void()>> commands_;
  JobId next_id_ = 1;
  bool stopping_ = false;

  std::mutex download_mutex_;  // guards the download queue and threads
  std::condition_variable download_ready_;
  std::deque<std::function<void()>> download_queue_;
  std::vector<std::thread> download_threads_;
  bool downloads_stopping_ = false;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace seedance::detail
