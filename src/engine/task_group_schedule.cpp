#include "engine/task_group_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace seedance::detail {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)) {}

void RateLimiter::refill(TimePoint now) const {
  if (refilled_at_ && now > *refilled_at_) {
    const double seconds = std::chrono::duration<double>(now - *refilled_at_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * per_second_);
  }
  if (!refilled_at_ || now > *refilled_at_) refilled_at_ = now;
}

bool RateLimiter::try_take(TimePoint now) {
  if (per_second_ <= 0) return true;
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

TimePoint RateLimiter::next_token(TimePoint now) const {
  if (per_second_ <= 0) return now;
  refill(now);
  if (tokens_ >= 1.0) return now;
  const double seconds = (1.0 - tokens_) / per_second_;
  // Rounded up, so that at the returned time the token is really there.
  return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) +
         Clock::duration(1);
}

Scheduler::Scheduler(ScheduleLimits limits)
    : limits_(limits),
      rate_(limits.requests_per_second, limits.requests_per_second),
      // A burst of one: submits are spaced from the first on.
      submit_rate_(limits.submits_per_second, 1.0) {
  limits_.max_in_flight = std::max<std::size_t>(1, limits_.max_in_flight);
  limits_.max_concurrent_requests = std::max<std::size_t>(1, limits_.max_concurrent_requests);
}

void Scheduler::add(JobId job, ActionKind first, TimePoint at) {
  JobState& state = jobs_[job];
  state.pending = first;
  state.pending_at = at;
  state.has_pending = true;
  waiting_for_slot_.push_back(job);
  grant_slots();
}

TimePoint Scheduler::earliest_poll(JobId job) const {
  const auto found = jobs_.find(job);
  if (found == jobs_.end() || !found->second.last_poll_answer) return TimePoint::min();
  return *found->second.last_poll_answer + limits_.poll_floor;
}

void Scheduler::schedule(JobId job, ActionKind kind, TimePoint at) {
  const auto found = jobs_.find(job);
  if (found == jobs_.end()) return;
  JobState& state = found->second;
  // The floor lives here, below every caller: no option or code path can make a poll earlier.
  if (kind == ActionKind::Poll) at = std::max(at, earliest_poll(job));
  state.pending = kind;
  state.pending_at = at;
  state.has_pending = true;
  ++state.generation;
  if (state.has_slot) push(job, state);
}

void Scheduler::set_deadline(JobId job, TimePoint deadline) {
  const auto found = jobs_.find(job);
  if (found == jobs_.end()) return;
  found->second.deadline = deadline;
  deadlines_.push(Timer{deadline, sequence_++, job, 0});
}

void Scheduler::answered(JobId job, ActionKind kind, TimePoint at) {
  if (kind != ActionKind::Download && requests_in_flight_ > 0) --requests_in_flight_;
  const auto found = jobs_.find(job);
  if (found == jobs_.end()) return;
  if (kind == ActionKind::Poll) found->second.last_poll_answer = at;
}

void Scheduler::finish(JobId job) {
  const auto found = jobs_.find(job);
  if (found == jobs_.end()) return;
  if (found->second.has_slot) --slots_taken_;
  jobs_.erase(found);
  grant_slots();
}

void Scheduler::push(JobId job, JobState& state) {
  actions_.push(Timer{state.pending_at, sequence_++, job, state.generation});
}

void Scheduler::grant_slots() {
  while (slots_taken_ < limits_.max_in_flight && !waiting_for_slot_.empty()) {
    const JobId job = waiting_for_slot_.front();
    waiting_for_slot_.pop_front();
    const auto found = jobs_.find(job);
    if (found == jobs_.end()) continue;  // finished (cancelled) while waiting
    found->second.has_slot = true;
    ++slots_taken_;
    if (found->second.has_pending) push(job, found->second);
  }
}

bool Scheduler::stale(const Timer& timer) const {
  const auto found = jobs_.find(timer.job);
  return found == jobs_.end() || !found->second.has_pending ||
         found->second.generation != timer.generation;
}

bool Scheduler::deadline_stale(const Timer& timer) const {
  const auto found = jobs_.find(timer.job);
  return found == jobs_.end() || !found->second.deadline || *found->second.deadline != timer.at;
}

void Scheduler::drop_stale(TimerQueue& queue) const {
  const bool deadlines = &queue == &deadlines_;
  while (!queue.empty() && (deadlines ? deadline_stale(queue.top()) : stale(queue.top()))) {
    queue.pop();
  }
}

std::vector<Action> Scheduler::take_due(TimePoint now) {
  std::vector<Action> due;
  for (drop_stale(deadlines_); !deadlines_.empty() && deadlines_.top().at <= now;
       drop_stale(deadlines_)) {
    const JobId job = deadlines_.top().job;
    deadlines_.pop();
    jobs_[job].deadline.reset();
    due.push_back({job, ActionKind::Deadline});
  }
  grant_slots();
  for (drop_stale(actions_); !actions_.empty(); drop_stale(actions_)) {
    const Timer& timer = actions_.top();
    if (timer.at > now) break;
    JobState& state = jobs_[timer.job];
    const bool needs_request = state.pending != ActionKind::Download;
    if (needs_request && requests_in_flight_ >= limits_.max_concurrent_requests) break;
    const JobId job = timer.job;
    if (state.pending == ActionKind::Submit && submit_rate_.next_token(now) > now) {
      // Not yet: the submit waits for its token, the other jobs' actions go on.
      actions_.pop();
      state.pending_at = submit_rate_.next_token(now);
      push(job, state);
      continue;
    }
    if (!rate_.try_take(now)) break;
    if (state.pending == ActionKind::Submit) submit_rate_.try_take(now);
    actions_.pop();
    state.has_pending = false;
    if (needs_request) ++requests_in_flight_;
    due.push_back({job, state.pending});
  }
  return due;
}

std::optional<TimePoint> Scheduler::next_wakeup(TimePoint now) const {
  std::optional<TimePoint> wakeup;
  drop_stale(deadlines_);
  if (!deadlines_.empty()) wakeup = deadlines_.top().at;
  drop_stale(actions_);
  if (!actions_.empty()) {
    const Timer& timer = actions_.top();
    std::optional<TimePoint> at = timer.at;
    if (timer.at <= now) {
      const bool needs_request = jobs_.at(timer.job).pending != ActionKind::Download;
      if (needs_request && requests_in_flight_ >= limits_.max_concurrent_requests) {
        at.reset();  // an answer frees a slot and wakes the engine
      } else {
        at = std::max(now, rate_.next_token(now));
      }
    }
    if (at && (!wakeup || *at < *wakeup)) wakeup = at;
  }
  return wakeup;
}

}  // namespace seedance::detail
