// TaskGroup and the Client's *_async calls: thin layers over detail::Engine.
#include "seedance/task_group.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>

#include "client/client_poll_floor.hpp"
#include "download/download_file.hpp"
#include "engine/task_group_engine.hpp"
#include "http/url.hpp"

namespace seedance {
namespace {

using detail::Engine;
using detail::EngineOptions;
using detail::JobId;
using detail::JobOutcome;
using detail::JobSpec;

void check_group_options(const TaskGroupOptions& options) {
  std::vector<std::string> problems;
  try {
    detail::check_wait_options(options.wait);
  } catch (const ValidationError& error) {
    problems = error.problems();
  }
  if (options.max_in_flight == 0) problems.push_back("max_in_flight: must be at least 1");
  if (options.max_connections == 0) problems.push_back("max_connections: must be at least 1");
  if (options.max_streams_per_connection == 0) {
    problems.push_back("max_streams_per_connection: must be at least 1");
  }
  if (!(options.max_requests_per_second > 0)) {
    problems.push_back("max_requests_per_second: must be positive");
  }
  if (options.download_threads == 0) problems.push_back("download_threads: must be at least 1");
  if (!(options.max_submits_per_second >= 0)) {
    problems.push_back("max_submits_per_second: must be 0 (no cap) or positive");
  }
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

}  // namespace

struct TaskGroup::State {
  explicit State(Client client_in, TaskGroupOptions options_in)
      : client(std::move(client_in)), options(std::move(options_in)) {}

  Client client;
  const TaskGroupOptions options;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<JobId> job_ids;                  // by index; 0 while the engine is receiving the job
  std::vector<std::size_t> cancel_on_arrival;  // indices cancelled while still 0 above
  std::deque<TaskResult> ready;                // finished, not yet returned
  std::size_t unfinished = 0;
  std::exception_ptr callback_error;
  std::mutex add_mutex;  // keeps indices in the order the engine receives the jobs

  void deliver(TaskResult result) {
    if (options.on_result) {
      try {
        options.on_result(result);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!callback_error) callback_error = std::current_exception();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      ready.push_back(std::move(result));
      --unfinished;
    }
    changed.notify_all();
  }

  void rethrow_callback_error_locked() {
    if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
  }
};

TaskGroup::TaskGroup(Client client, TaskGroupOptions options) {
  check_group_options(options);
  state_ = std::make_shared<State>(std::move(client), std::move(options));
  EngineOptions engine_options;
  engine_options.limits.max_in_flight = state_->options.max_in_flight;
  engine_options.limits.max_concurrent_requests = state_->options.max_connections;
  engine_options.limits.requests_per_second = state_->options.max_requests_per_second;
  engine_options.limits.submits_per_second = state_->options.max_submits_per_second;
  engine_options.max_connections = state_->options.max_connections;
  engine_options.max_streams_per_connection = state_->options.max_streams_per_connection;
  engine_options.download_threads = state_->options.download_threads;
  engine_ = std::make_shared<Engine>(*state_->client.impl_, engine_options);
}

TaskGroup::~TaskGroup() {
  engine_.reset();  // cancels what is left and joins the thread while the Client is alive
}

namespace {

JobSpec make_spec(const TaskGroupOptions& options, std::string download_path) {
  JobSpec spec;
  spec.wait_options = options.wait;
  spec.download_options = options.download;
  if (!download_path.empty()) spec.download_path = std::move(download_path);
  spec.download_dir = options.download_dir;
  return spec;
}

// The group's hooks, told which job they are called for.
void bind_hooks(const TaskGroupOptions& options, std::size_t index, JobSpec& spec) {
  if (const auto& hook = options.before_submit) {
    spec.before_submit = [hook, index] { hook(index); };
  }
  if (const auto& hook = options.on_submitted) {
    spec.on_submitted = [hook, index](const Receipt& receipt) { hook(index, receipt); };
  }
  if (const auto& hook = options.on_polled) {
    spec.on_polled = [hook, index](const std::string& task_id) { hook(index, task_id); };
  }
}

std::vector<std::size_t> add_jobs(const std::shared_ptr<TaskGroup::State>& state, Engine& engine,
                                  std::vector<JobSpec> specs) {
  std::lock_guard<std::mutex> add_lock(state->add_mutex);
  std::vector<std::size_t> indices;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    std::size_t index = state->job_ids.size();
    for (JobSpec& spec : specs) {
      indices.push_back(index);
      spec.on_done = [state, index](JobOutcome outcome) {
        TaskResult result;
        result.index = index;
        result.task_id = std::move(outcome.task_id);
        result.receipt = std::move(outcome.receipt);
        result.task = std::move(outcome.task);
        result.download = std::move(outcome.download);
        result.error = outcome.error;
        state->deliver(std::move(result));
      };
      bind_hooks(state->options, index, spec);
      ++index;
    }
    state->unfinished += specs.size();
    state->job_ids.resize(index);
  }
  const std::vector<JobId> ids = engine.add(std::move(specs));
  std::vector<JobId> cancelled;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    for (std::size_t i = 0; i < ids.size(); ++i) state->job_ids[indices[i]] = ids[i];
    for (const std::size_t index : state->cancel_on_arrival) {
      cancelled.push_back(state->job_ids[index]);
    }
    state->cancel_on_arrival.clear();
  }
  for (const JobId id : cancelled) engine.cancel(id);
  return indices;
}

}  // namespace

std::vector<std::size_t> TaskGroup::submit_all(const std::vector<VideoRequest>& requests) {
  std::vector<JobSpec> specs;
  for (const VideoRequest& request : requests) {
    JobSpec spec = make_spec(state_->options, {});
    spec.submit_body = request.to_json();  // throws ValidationError: nothing is added
    specs.push_back(std::move(spec));
  }
  return add_jobs(state_, *engine_, std::move(specs));
}

std::size_t TaskGroup::submit(const VideoRequest& request, std::string download_path) {
  JobSpec spec = make_spec(state_->options, std::move(download_path));
  spec.submit_body = request.to_json();
  std::vector<JobSpec> specs;
  specs.push_back(std::move(spec));
  return add_jobs(state_, *engine_, std::move(specs)).front();
}

std::size_t TaskGroup::track(std::string task_id, std::string download_path,
                             std::optional<std::chrono::system_clock::time_point> last_polled) {
  detail::check_task_id(task_id);
  if (last_polled) detail::ClientPollFloor::record(state_->client, task_id, *last_polled);
  JobSpec spec = make_spec(state_->options, std::move(download_path));
  spec.task_id = std::move(task_id);
  std::vector<JobSpec> specs;
  specs.push_back(std::move(spec));
  return add_jobs(state_, *engine_, std::move(specs)).front();
}

std::optional<TaskResult> TaskGroup::next() {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->changed.wait(lock, [this] { return !state_->ready.empty() || state_->unfinished == 0; });
  state_->rethrow_callback_error_locked();
  if (state_->ready.empty()) return std::nullopt;
  TaskResult result = std::move(state_->ready.front());
  state_->ready.pop_front();
  return result;
}

std::vector<TaskResult> TaskGroup::wait_all() {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->changed.wait(lock, [this] { return state_->unfinished == 0; });
  state_->rethrow_callback_error_locked();
  std::vector<TaskResult> results(std::make_move_iterator(state_->ready.begin()),
                                  std::make_move_iterator(state_->ready.end()));
  state_->ready.clear();
  std::sort(results.begin(), results.end(),
            [](const TaskResult& a, const TaskResult& b) { return a.index < b.index; });
  return results;
}

void TaskGroup::cancel(std::size_t index) {
  JobId id = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (index >= state_->job_ids.size()) return;
    id = state_->job_ids[index];
    // Another thread is still handing the job to the engine: it cancels it once it has.
    if (id == 0) state_->cancel_on_arrival.push_back(index);
  }
  if (id != 0) engine_->cancel(id);
}

void TaskGroup::cancel_all() { engine_->cancel_all(); }

std::size_t TaskGroup::unfinished() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->unfinished;
}

TaskGroupStats TaskGroup::stats() const {
  const detail::ConnectionCounts counts = engine_->connections();
  TaskGroupStats stats;
  stats.connections_open = counts.open;
  stats.connections_peak = counts.peak;
  stats.connections_opened = counts.opened;
  stats.shared_connections_open = counts.shared_open;
  stats.shared_connections_peak = counts.shared_peak;
  stats.shared_connections_opened = counts.shared_opened;
  return stats;
}

// --- Client's asynchronous calls --------------------------------------------------------------

namespace {

Engine& async_engine(const Client::Impl& impl) {
  std::lock_guard<std::mutex> lock(impl.async_engine_mutex);
  if (!impl.async_engine) {
    EngineOptions options;
    options.limits.max_in_flight = std::numeric_limits<std::size_t>::max();
    options.limits.max_concurrent_requests = 8;
    options.limits.requests_per_second = 20.0;
    options.max_connections = 8;
    options.download_threads = 2;
    impl.async_engine = std::make_shared<Engine>(impl, options);
  }
  return *impl.async_engine;
}

template <class T>
AsyncResult<T> start_async(const Client& client, const Client::Impl& impl, JobSpec spec,
                           std::function<T(JobOutcome&)> value) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  spec.on_done = [promise, value = std::move(value)](JobOutcome outcome) {
    if (outcome.error) {
      promise->set_exception(outcome.error);
      return;
    }
    try {
      promise->set_value(value(outcome));
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  };
  Engine& engine = async_engine(impl);
  const JobId id = engine.add(std::move(spec));
  // The handle keeps a Client copy: the engine lives as long as any result may be pending.
  return AsyncResult<T>(std::move(future), [client, &engine, id] { engine.cancel(id); });
}

}  // namespace

AsyncResult<Receipt> Client::submit_async(const VideoRequest& request) const {
  JobSpec spec;
  spec.submit_body = request.to_json();
  spec.wait = false;
  return start_async<Receipt>(*this, *impl_, std::move(spec),
                              [](JobOutcome& outcome) { return std::move(*outcome.receipt); });
}

AsyncResult<Task> Client::wait_async(std::string_view task_id, const WaitOptions& options) const {
  detail::check_wait_options(options);
  detail::check_task_id(task_id);
  JobSpec spec;
  spec.task_id = std::string(task_id);
  spec.wait_options = options;
  return start_async<Task>(*this, *impl_, std::move(spec),
                           [](JobOutcome& outcome) { return std::move(*outcome.task); });
}

AsyncResult<Task> Client::generate_async(const VideoRequest& request, std::string path,
                                         const WaitOptions& wait_options,
                                         const DownloadOptions& download_options) const {
  detail::check_wait_options(wait_options);
  detail::check_download_target(path, download_options);
  JobSpec spec;
  spec.submit_body = request.to_json();
  spec.wait_options = wait_options;
  spec.download_path = std::move(path);
  spec.download_options = download_options;
  return start_async<Task>(*this, *impl_, std::move(spec),
                           [](JobOutcome& outcome) { return std::move(*outcome.task); });
}

}  // namespace seedance
