// Client::wait: the poll loop. Every status query it sends, retries included, is at least
// kMinPollInterval after the previous one; the clock is injectable so tests never sleep.
#include <algorithm>
#include <string>

#include "client_impl.hpp"
#include "url.hpp"

namespace seedance {
namespace {

using std::chrono::milliseconds;

void check_wait_options(const WaitOptions& options) {
  std::vector<std::string> problems;
  if (options.poll_interval < kMinPollInterval) {
    problems.push_back("poll_interval: must be at least 5000 ms (the service asks for polls no "
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

}  // namespace

Task Client::wait(std::string_view task_id, const WaitOptions& options) const {
  check_wait_options(options);
  const Impl& impl = *impl_;
  Clock& clock = *impl.clock;
  const CancellationToken cancel = options.cancel.value_or(CancellationToken());
  HttpRequest request = impl.make_request("GET", impl.task_url(task_id));
  request.cancel = cancel;
  const std::string context = "wait " + std::string(task_id);

  const auto started = clock.now();
  const auto deadline =
      options.timeout > milliseconds(0) ? started + options.timeout : Clock::time_point::max();
  auto next_poll = started;
  std::optional<Task> last_task;
  int consecutive_failures = 0;

  for (;;) {
    if (next_poll > deadline) {
      if (!clock.sleep_until(deadline, cancel)) throw CancelledError(context + ": cancelled");
      throw TimeoutError(context + ": not finished after " +
                             std::to_string(options.timeout.count()) + " ms" +
                             (last_task ? " (last status " + last_task->status_text + ")" : ""),
                         std::string(task_id), last_task);
    }
    if (!clock.sleep_until(next_poll, cancel)) throw CancelledError(context + ": cancelled");

    const auto sent_at = clock.now();
    const HttpResponse response = impl.send_once(request, consecutive_failures + 1);
    // Intervals count from the answer, which the service sent after it received this poll: so
    // the gap it sees between two polls is never shorter than the interval, whatever the latency.
    const auto answered_at = clock.now();
    const auto duration = std::chrono::duration_cast<milliseconds>(answered_at - sent_at);
    const bool failed = response.error != TransportError::None || response.status >= 300;

    if (!failed) {
      impl.budget.refund();
      impl.log(request, response, consecutive_failures + 1, duration, "done");
      consecutive_failures = 0;
      Task task = parse_task(response.body, response.status);
      if (task.task_id.empty()) task.task_id = std::string(task_id);
      const bool changed = !last_task || last_task->status != task.status ||
                           last_task->status_text != task.status_text ||
                           last_task->progress != task.progress;
      last_task = task;
      if (changed && options.on_progress) options.on_progress(task);
      if (task.status == TaskStatus::Success) return task;
      if (task.status == TaskStatus::Failure) {
        if (options.throw_on_failure) throw TaskFailedError(std::move(task));
        return task;
      }
      const auto jitter = milliseconds(static_cast<long long>(
          static_cast<double>(options.poll_jitter.count()) * impl.jitter.unit()));
      next_poll = answered_at + options.poll_interval + jitter;
      continue;
    }

    if (response.error == TransportError::Cancelled || cancel.cancelled()) {
      impl.log(request, response, consecutive_failures + 1, duration, "cancelled");
      throw CancelledError(context + ": cancelled");
    }
    ++consecutive_failures;
    if (!detail::should_retry(response, detail::Idempotency::Idempotent) ||
        consecutive_failures >= impl.retry.max_attempts || !impl.budget.try_spend(response.error)) {
      impl.log(request, response, consecutive_failures, duration,
               "give up: " + detail::describe_failure(response));
      detail::throw_for_response(response, context);
    }
    // A retry is a poll too: it keeps the floor, and a Retry-After only makes the wait longer.
    const auto delay = std::max<milliseconds>(impl.retry_delay(response, consecutive_failures),
                                              kMinPollInterval);
    impl.log(request, response, consecutive_failures, duration,
             "retry in " + std::to_string(delay.count()) + " ms (" +
                 detail::describe_failure(response) + ")");
    next_poll = answered_at + delay;
  }
}

}  // namespace seedance
