// Client::wait: the poll loop. Every status query it sends, retries included, is at least
// kMinPollInterval after the previous one's answer; the clock is injectable so tests never sleep.
#include "client/poller.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "http/url.hpp"
#include "text.hpp"

namespace seedance {
namespace detail {

using std::chrono::milliseconds;

void check_wait_options(const WaitOptions& options) {
  std::vector<std::string> problems;
  if (options.poll_interval < kMinPollInterval) {
    problems.push_back(
        "poll_interval: must be at least 5000 ms (the service asks for polls no "
        "closer than 5 s apart), got " +
        std::to_string(options.poll_interval.count()) + " ms");
  }
  if (options.poll_jitter < milliseconds(0)) {
    problems.push_back("poll_jitter: must not be negative");
  }
  if (options.timeout < milliseconds(0)) {
    problems.push_back("timeout: must not be negative (0 waits for ever)");
  }
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

PollTracker::PollTracker(const Client::Impl& impl, std::string task_id, const WaitOptions& options)
    : impl_(impl), task_id_(std::move(task_id)), options_(options), context_("wait " + task_id_) {}

PollTracker::Next PollTracker::on_answer(const HttpRequest& request, const HttpResponse& response,
                                         milliseconds duration, bool cancelled) {
  const bool failed = response.error != TransportError::None || response.status >= 300;
  if (!failed) {
    impl_.succeeded(request, response, consecutive_failures_ + 1, duration);
    consecutive_failures_ = 0;
    return on_task(response);
  }
  // A retry is a poll too: it keeps the floor, and a Retry-After only makes the wait longer.
  const RetryDecision next =
      impl_.decide({response, consecutive_failures_ + 1, Idempotency::Idempotent, cancelled,
                    OnCancel::EndAlways, kMinPollInterval});
  impl_.log(request, response, consecutive_failures_ + 1, duration, next.text);
  switch (next.action) {
    case RetryDecision::Action::Cancelled:
      throw CancelledError(context_ + ": cancelled");
    case RetryDecision::Action::GiveUp:
      throw_for_response(response, context_);
    case RetryDecision::Action::Retry:
      break;
  }
  ++consecutive_failures_;
  return {false, next.delay};
}

PollTracker::Next PollTracker::on_task(const HttpResponse& response) {
  Task task = task_from_response(response, task_id_);
  const bool changed = !last_task_ || last_task_->status != task.status ||
                       last_task_->status_text != task.status_text ||
                       last_task_->progress != task.progress;
  last_task_ = std::move(task);
  if (changed && options_.on_progress) options_.on_progress(*last_task_);
  if (last_task_->status == TaskStatus::Success) return {true, milliseconds(0)};
  if (last_task_->status == TaskStatus::Failure) {
    if (options_.throw_on_failure) throw TaskFailedError(*last_task_);
    return {true, milliseconds(0)};
  }
  const auto jitter = milliseconds(static_cast<long long>(
      static_cast<double>(options_.poll_jitter.count()) * impl_.jitter.unit()));
  auto delay = options_.poll_interval + jitter;
  // A Retry-After on a progress answer (as long-running-operation APIs send) only lengthens.
  if (const auto requested = requested_delay(response, impl_.retry.max_retry_after)) {
    delay = std::max(delay, *requested);
  }
  return {false, std::max<milliseconds>(delay, kMinPollInterval)};
}

TimeoutError PollTracker::timeout_error() const {
  return {context_ + ": not finished after " + duration_text(options_.timeout) +
              (last_task_ ? " (last status " + last_task_->status_text + ")" : ""),
          task_id_, last_task_};
}

}  // namespace detail

Task Client::wait(std::string_view task_id, const WaitOptions& options) const {
  detail::check_wait_options(options);
  const Impl& impl = *impl_;
  Clock& clock = *impl.clock;
  const CancellationToken cancel = options.cancel.value_or(CancellationToken());
  HttpRequest request = impl.make_request("GET", impl.task_url(task_id));
  request.cancel = cancel;
  detail::PollTracker tracker(impl, std::string(task_id), options);
  const std::string& context = tracker.context();

  const auto started = clock.now();
  const auto deadline = options.timeout > std::chrono::milliseconds(0) ? started + options.timeout
                                                                       : Clock::time_point::max();
  // An earlier wait, get() or thread may have polled this task moments ago: keep 5 s from it.
  auto next_poll = std::max(started, impl.poll_floor.earliest(task_id));

  for (;;) {
    if (next_poll > deadline) {
      if (!clock.sleep_until(deadline, cancel)) throw CancelledError(context + ": cancelled");
      throw tracker.timeout_error();
    }
    if (!clock.sleep_until(next_poll, cancel)) throw CancelledError(context + ": cancelled");

    const auto sent_at = clock.now();
    // A poll never runs past the wait's deadline: the timeout fires on time.
    if (deadline != Clock::time_point::max()) {
      const auto remaining =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - sent_at);
      request.timeout = std::max(remaining, std::chrono::milliseconds(1));
      if (impl.request_timeout.count() > 0) {
        request.timeout = std::min(request.timeout, impl.request_timeout);
      }
    }
    const HttpResponse response = impl.send_once(request, tracker.attempt());
    // Intervals count from the answer, which the service sent after it received this poll: so
    // the gap it sees between two polls is never shorter than the interval, whatever the latency.
    const auto answered_at = clock.now();
    impl.poll_floor.record(task_id, answered_at);
    const auto duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(answered_at - sent_at);
    if (response.error != TransportError::None && answered_at >= deadline && !cancel.cancelled()) {
      impl.log(request, response, tracker.attempt(), duration, "give up: the wait timed out");
      throw tracker.timeout_error();
    }
    const detail::PollTracker::Next next =
        tracker.on_answer(request, response, duration, cancel.cancelled());
    if (next.finished) return tracker.take_task();
    next_poll = std::max(answered_at + next.delay, impl.poll_floor.earliest(task_id));
  }
}

}  // namespace seedance
