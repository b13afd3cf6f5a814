#include "engine/task_group_engine.hpp"

#include <algorithm>
#include <utility>

#include "http/url.hpp"
#include "platform/platform.hpp"

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;

/// How often a caller's CancellationToken is looked at (it has no way to wake the engine).
constexpr milliseconds kWatchInterval{50};

std::exception_ptr with_task_id(std::exception_ptr error, const std::string& task_id) {
  if (!error || task_id.empty()) return error;
  try {
    std::rethrow_exception(error);
  } catch (Error& failure) {
    if (failure.task_id().empty()) failure.set_task_id(task_id);
  } catch (...) {
  }
  return error;
}

}  // namespace

Engine::Engine(const Client::Impl& impl, EngineOptions options)
    : impl_(impl),
      options_(options),
      clock_(*impl.clock),
      scheduler_(options_.limits),
      io_(impl.default_transport
              ? make_curl_multi_http(impl.transport_options, options_.max_connections,
                                     options_.max_streams_per_connection, impl.clock)
              : make_blocking_http(impl.transport, impl.clock)) {
  thread_ = std::thread([this] { run(); });
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  io_->wakeup();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // destroyed from its own callback: documented as not allowed
    } else {
      thread_.join();
    }
  }
}

std::vector<JobId> Engine::add(std::vector<JobSpec> specs) {
  std::vector<JobId> ids;
  std::vector<std::unique_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (JobSpec& spec : specs) {
      auto job = std::make_unique<Job>();
      job->id = next_id_++;
      job->spec = std::move(spec);
      ids.push_back(job->id);
      jobs.push_back(std::move(job));
    }
    auto shared = std::make_shared<std::vector<std::unique_ptr<Job>>>(std::move(jobs));
    commands_.push_back([this, shared] {
      const TimePoint now = clock_.now();
      for (auto& job : *shared) {
        const JobId id = job->id;
        Job& added = *job;
        if (added.spec.submit_body) {
          added.phase = Phase::Submit;
        } else {
          added.phase = Phase::Poll;
          added.task_id = added.spec.task_id;
          added.tracker =
              std::make_unique<PollTracker>(impl_, added.task_id, added.spec.wait_options);
        }
        jobs_.emplace(id, std::move(job));
        // A tracked task may have been polled moments ago (by wait(), get(), another job).
        const TimePoint first = added.phase == Phase::Submit
                                    ? now
                                    : std::max(now, impl_.poll_floor.earliest(added.task_id));
        scheduler_.add(id, added.phase == Phase::Submit ? ActionKind::Submit : ActionKind::Poll,
                       first);
        if (added.phase == Phase::Poll && added.spec.wait_options.timeout.count() > 0) {
          added.deadline = now + added.spec.wait_options.timeout;
          scheduler_.set_deadline(id, *added.deadline);
        }
        if (added.spec.wait_options.cancel) {
          // Cancelled already: ended now rather than at the next look at every watched job.
          if (added.spec.wait_options.cancel->cancelled()) {
            request_cancel(id);
          } else {
            watched_.push_back(id);
          }
        }
      }
    });
  }
  io_->wakeup();
  return ids;
}

void Engine::cancel(JobId job) {
  post([this, job] { request_cancel(job); });
}

void Engine::cancel_all() {
  post([this] {
    std::vector<JobId> ids;
    for (const auto& entry : jobs_) ids.push_back(entry.first);
    for (const JobId id : ids) request_cancel(id);
  });
}

void Engine::post(std::function<void()> command) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(std::move(command));
  }
  io_->wakeup();
}

void Engine::absorb_commands() {
  std::vector<std::function<void()>> commands;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands.swap(commands_);
  }
  for (auto& command : commands) command();
}

void Engine::run() {
  platform::name_this_thread("seedance-engine");
  std::vector<Completion> completed;
  for (;;) {
    absorb_commands();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
    }
    // Once an interval, not once a turn: with a token on each of 10,000 jobs, a look at every
    // job after each answer would cost O(jobs) a request.
    if (!watched_.empty() && clock_.now() >= next_watch_) {
      next_watch_ = clock_.now() + kWatchInterval;
      watched_.erase(std::remove_if(watched_.begin(), watched_.end(),
                                    [this](JobId id) {
                                      const auto found = jobs_.find(id);
                                      if (found == jobs_.end()) return true;
                                      if (!found->second->spec.wait_options.cancel->cancelled()) {
                                        return false;
                                      }
                                      request_cancel(id);
                                      return true;
                                    }),
                     watched_.end());
    }
    for (const Action& action : scheduler_.take_due(clock_.now())) act(action);

    const TimePoint now = clock_.now();
    std::optional<TimePoint> wake_at = scheduler_.next_wakeup(now);
    if (!watched_.empty() && (!wake_at || *wake_at > next_watch_)) {
      wake_at = std::max(now, next_watch_);
    }
    completed.clear();
    io_->run(wake_at, completed);
    for (Completion& completion : completed) on_completion(std::move(completion));
    finished_.clear();
  }
  shutdown_jobs();
}

void Engine::shutdown_jobs() {
  for (auto& entry : jobs_) {
    Job& job = *entry.second;
    job.cancel.cancel();
    if (job.in_flight) io_->cancel(job.id);
  }
  std::vector<Completion> completed;
  io_->run(clock_.now(), completed);  // collects the cancelled transfers
  {
    std::lock_guard<std::mutex> lock(download_mutex_);
    downloads_stopping_ = true;
  }
  download_ready_.notify_all();
  for (std::thread& thread : download_threads_) thread.join();
  download_threads_.clear();
  absorb_commands();  // results of downloads that ended meanwhile
  while (!jobs_.empty()) {
    Job& job = *jobs_.begin()->second;
    std::exception_ptr error;
    if (job.phase == Phase::Submit && job.in_flight) {
      error = std::make_exception_ptr(SubmitOutcomeUnknownError(
          "submit: stopped while the request was on the wire; a task may have been created"));
    } else {
      error = std::make_exception_ptr(CancelledError("stopped: the engine shut down"));
    }
    finish(job, error);
  }
  finished_.clear();
}

void Engine::act(const Action& action) {
  const auto found = jobs_.find(action.job);
  if (found == jobs_.end()) return;
  Job& job = *found->second;
  switch (action.kind) {
    case ActionKind::Submit:
      start_submit(job);
      break;
    case ActionKind::Poll:
      start_poll(job);
      break;
    case ActionKind::Download:
      start_download(job);
      break;
    case ActionKind::Deadline:
      if (job.phase != Phase::Poll) break;
      if (job.in_flight) {
        job.timed_out = true;
        io_->cancel(job.id);
      } else {
        finish(job, std::make_exception_ptr(job.tracker->timeout_error()));
      }
      break;
  }
}

void Engine::start_submit(Job& job) {
  // The hook may record the submit durably first: when it throws, nothing is sent.
  if (job.spec.before_submit && !run_hook(job, job.spec.before_submit)) {
    scheduler_.answered(job.id, ActionKind::Submit, clock_.now());
    return;
  }
  HttpRequest request = impl_.make_request("POST", impl_.collection_url());
  request.body = *job.spec.submit_body;
  request.headers.emplace_back("Content-Type", "application/json");
  request.fresh_connection = true;
  ++job.submit_attempts;
  job.in_flight = true;
  job.in_flight_kind = ActionKind::Submit;
  job.request = request;
  io_->start(job.id, std::move(request));
}

void Engine::start_poll(Job& job) {
  HttpRequest request;
  try {
    request = impl_.make_request("GET", impl_.task_url(job.task_id));
  } catch (...) {
    scheduler_.answered(job.id, ActionKind::Poll, clock_.now());
    finish(job, std::current_exception());
    return;
  }
  request.cancel = job.cancel;
  if (job.deadline) {
    const auto remaining = std::chrono::duration_cast<milliseconds>(*job.deadline - clock_.now());
    request.timeout = std::max(remaining, milliseconds(1));
    if (impl_.request_timeout.count() > 0) {
      request.timeout = std::min(request.timeout, impl_.request_timeout);
    }
  }
  job.in_flight = true;
  job.in_flight_kind = ActionKind::Poll;
  job.request = request;
  io_->start(job.id, std::move(request));
}

void Engine::start_download(Job& job) {
  DownloadOptions download = job.spec.download_options;
  download.cancel = job.cancel;
  const JobId id = job.id;
  std::string task_id = job.task_id;
  std::string path = job.spec.download_path
                         ? *job.spec.download_path
                         : platform::join_path(job.spec.download_dir, job.task_id + ".mp4");
  {
    std::lock_guard<std::mutex> lock(download_mutex_);
    if (download_threads_.size() < std::max<std::size_t>(1, options_.download_threads) &&
        download_queue_.size() >= download_threads_.size()) {
      download_threads_.emplace_back([this] { download_worker(); });
    }
    download_queue_.push_back([this, id, task_id = std::move(task_id), path = std::move(path),
                               download = std::move(download)] {
      // A Client that does not own the shared state: the engine's owner keeps it alive.
      const Client client(
          std::shared_ptr<const Client::Impl>(std::shared_ptr<const Client::Impl>(), &impl_));
      std::optional<DownloadResult> result;
      std::exception_ptr error;
      try {
        result = client.download(task_id, path, download);
      } catch (...) {
        error = std::current_exception();
      }
      post([this, id, result = std::move(result), error] {
        const auto found = jobs_.find(id);
        if (found == jobs_.end()) return;
        found->second->download_result = result;
        finish(*found->second, error);
      });
    });
  }
  download_ready_.notify_one();
}

void Engine::download_worker() {
  platform::name_this_thread("seedance-dl");
  std::unique_lock<std::mutex> lock(download_mutex_);
  for (;;) {
    download_ready_.wait(lock, [this] { return downloads_stopping_ || !download_queue_.empty(); });
    if (download_queue_.empty()) return;  // stopping, nothing left
    std::function<void()> download = std::move(download_queue_.front());
    download_queue_.pop_front();
    if (downloads_stopping_) continue;  // never started: the job ends cancelled
    lock.unlock();
    download();
    lock.lock();
  }
}

void Engine::on_completion(Completion completion) {
  const auto found = jobs_.find(completion.job);
  if (found == jobs_.end()) {
    scheduler_.answered(completion.job, ActionKind::Poll, clock_.now());
    return;
  }
  Job& job = *found->second;
  job.in_flight = false;
  const TimePoint now = clock_.now();
  scheduler_.answered(job.id, job.in_flight_kind, now);
  if (job.in_flight_kind == ActionKind::Poll) {
    impl_.poll_floor.record(job.task_id, now);
    if (job.spec.on_polled && !run_hook(job, [&job] { job.spec.on_polled(job.task_id); })) {
      return;
    }
  }
  if (job.in_flight_kind == ActionKind::Submit) {
    on_submit_answer(job, completion);
  } else {
    on_poll_answer(job, completion);
  }
}

void Engine::on_submit_answer(Job& job, Completion& completion) {
  const HttpResponse& response = completion.response;
  if (response.error == TransportError::None && response.status < 400) {
    impl_.succeeded(job.request, response, job.submit_attempts, completion.duration);
  } else {
    // Only a submit that cannot have reached the service (or was turned away with 429) is
    // retried; a cancelled job's submit is not, but its answer is still read for the task id.
    const RetryDecision next =
        impl_.decide({response, job.submit_attempts, Idempotency::NotIdempotent,
                      job.cancel_requested, OnCancel::GiveUp});
    impl_.log(job.request, response, job.submit_attempts, completion.duration, next.text);
    if (next.action == RetryDecision::Action::Retry) {
      scheduler_.schedule(job.id, ActionKind::Submit, clock_.now() + next.delay);
      return;
    }
  }
  try {
    job.receipt = receipt_from_submit_response(response);
  } catch (...) {
    finish(job, std::current_exception());
    return;
  }
  job.task_id = job.receipt->task_id;
  if (job.spec.on_submitted && !run_hook(job, [&job] { job.spec.on_submitted(*job.receipt); })) {
    return;
  }
  if (job.cancel_requested) {
    finish(job, std::make_exception_ptr(CancelledError("cancelled after the submit")));
    return;
  }
  if (!job.spec.wait) {
    finish(job, nullptr);
    return;
  }
  try {
    check_task_id(job.task_id);
  } catch (...) {
    finish(job, std::current_exception());
    return;
  }
  job.phase = Phase::Poll;
  job.tracker = std::make_unique<PollTracker>(impl_, job.task_id, job.spec.wait_options);
  const TimePoint now = clock_.now();
  if (job.spec.wait_options.timeout.count() > 0) {
    job.deadline = now + job.spec.wait_options.timeout;
    scheduler_.set_deadline(job.id, *job.deadline);
  }
  // Like generate(): poll at once (the task is new, so no earlier poll holds it back).
  scheduler_.schedule(job.id, ActionKind::Poll, now);
}

void Engine::on_poll_answer(Job& job, Completion& completion) {
  if (job.timed_out) {
    impl_.log(job.request, completion.response, job.tracker->attempt(), completion.duration,
              "give up: the wait timed out");
    finish(job, std::make_exception_ptr(job.tracker->timeout_error()));
    return;
  }
  PollTracker::Next next;
  try {
    next = job.tracker->on_answer(job.request, completion.response, completion.duration,
                                  job.cancel.cancelled());
  } catch (...) {
    finish(job, std::current_exception());
    return;
  }
  if (!next.finished) {
    scheduler_.schedule(
        job.id, ActionKind::Poll,
        std::max(clock_.now() + next.delay, impl_.poll_floor.earliest(job.task_id)));
    return;
  }
  const bool download = job.spec.download_path || !job.spec.download_dir.empty();
  if (download && job.tracker->last_task()->status == TaskStatus::Success) {
    job.phase = Phase::Download;
    scheduler_.schedule(job.id, ActionKind::Download, clock_.now());
    return;
  }
  finish(job, nullptr);
}

void Engine::request_cancel(JobId id) {
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return;
  Job& job = *found->second;
  job.cancel_requested = true;
  job.cancel.cancel();
  if (job.in_flight) {
    // A submit on the wire is let finish: if it created a task, its id is reported.
    if (job.in_flight_kind != ActionKind::Submit) io_->cancel(job.id);
    return;
  }
  if (job.phase == Phase::Download) return;  // the download sees the token and ends
  finish(job,
         std::make_exception_ptr(CancelledError(
             (job.task_id.empty() ? std::string("job") : "wait " + job.task_id) + ": cancelled")));
}

bool Engine::run_hook(Job& job, const std::function<void()>& hook) {
  try {
    hook();
    return true;
  } catch (...) {
    finish(job, std::current_exception());
    return false;
  }
}

void Engine::finish(Job& job, std::exception_ptr error) {
  const auto found = jobs_.find(job.id);
  if (found == jobs_.end()) return;
  std::unique_ptr<Job> owned = std::move(found->second);
  jobs_.erase(found);
  scheduler_.finish(owned->id);
  JobOutcome outcome;
  outcome.task_id = owned->task_id;
  outcome.receipt = owned->receipt;
  if (owned->tracker && owned->tracker->last_task()) outcome.task = owned->tracker->last_task();
  outcome.download = owned->download_result;
  outcome.error = with_task_id(std::move(error), owned->task_id);
  if (owned->spec.on_done) owned->spec.on_done(std::move(outcome));
  finished_.push_back(std::move(owned));
}

}  // namespace seedance::detail
