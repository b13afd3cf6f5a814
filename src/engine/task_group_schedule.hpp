// The pure scheduling logic behind TaskGroup and the *_async calls: which job may send what and
// when. No I/O and no clock: every decision takes `now`, so tests drive it with plain numbers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "http/curl/curl_multi.hpp"
#include "seedance/clock.hpp"

namespace seedance::detail {

/// A token bucket: `per_second` tokens a second, at most `burst` saved up. A rate <= 0 is no cap.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);
  /// Takes one token if there is one.
  bool try_take(TimePoint now);
  /// When the next token is there (now when one is).
  TimePoint next_token(TimePoint now) const;

 private:
  void refill(TimePoint now) const;
  double per_second_;
  double burst_;
  mutable double tokens_;
  mutable std::optional<TimePoint> refilled_at_;
};

struct ScheduleLimits {
  std::size_t max_in_flight = 16;           ///< Jobs holding a slot (started, not finished).
  std::size_t max_concurrent_requests = 8;  ///< Requests on the wire at once.
  double requests_per_second = 10.0;        ///< Request starts; <= 0: no cap.
  double submits_per_second = 0.0;          ///< Submit starts, on top of the above; <= 0: no cap.
  std::chrono::milliseconds poll_floor{std::chrono::seconds(5)};  ///< Between a job's polls.
};

/// What a job is to do next.
enum class ActionKind { Submit, Poll, Download, Deadline };

struct Action {
  JobId job = 0;
  ActionKind kind = ActionKind::Poll;
};

/// The timer queue of every job. A job has at most one pending action (and one deadline). Jobs
/// enter through add(), wait for one of max_in_flight slots, then each action waits for its
/// time, a request slot and a rate token; polls are never released less than poll_floor after
/// the previous poll of the job was answered, whatever was asked.
class Scheduler {
 public:
  explicit Scheduler(ScheduleLimits limits);

  /// A new job whose first action is `first` (Submit, or Poll for a tracked task), due `at`.
  void add(JobId job, ActionKind first, TimePoint at);
  /// The job's next action (its previous request was answered). A Poll is moved to the floor.
  void schedule(JobId job, ActionKind kind, TimePoint at);
  /// The job times out at `deadline` unless it finished before (a Deadline action).
  void set_deadline(JobId job, TimePoint deadline);
  /// A request of the job was answered (or failed) at `at`; frees its request slot. For a poll,
  /// `at` starts the floor.
  void answered(JobId job, ActionKind kind, TimePoint at);
  /// The job is finished (or cancelled): its slot goes to the next waiting job.
  void finish(JobId job);

  /// Takes every action that may start now, in due order. Deadline actions come regardless of
  /// limits; the others each take a request slot (Download excepted) and a rate token.
  std::vector<Action> take_due(TimePoint now);
  /// The earliest time take_due() may return something new without an answer or an add()
  /// arriving first; nullopt when only those can unblock it.
  std::optional<TimePoint> next_wakeup(TimePoint now) const;

  /// The earliest time a poll of the job may be sent (the floor after its last answered poll).
  TimePoint earliest_poll(JobId job) const;
  std::size_t jobs() const noexcept { return jobs_.size(); }
  std::size_t requests_in_flight() const noexcept { return requests_in_flight_; }
  std::size_t jobs_holding_slots() const noexcept { return slots_taken_; }

 private:
  struct Timer {
    TimePoint at;
    std::uint64_t sequence;  // FIFO among equal times
    JobId job;
    std::uint64_t generation;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  struct JobState {
    bool has_slot = false;
    ActionKind pending = ActionKind::Submit;
    bool has_pending = false;
    TimePoint pending_at{};
    std::uint64_t generation = 0;  // bumps invalidate queued timers
    std::optional<TimePoint> last_poll_answer;
    std::optional<TimePoint> deadline;
  };
  using TimerQueue = std::priority_queue<Timer, std::vector<Timer>, std::greater<>>;

  void push(JobId job, JobState& state);
  void grant_slots();
  void drop_stale(TimerQueue& queue) const;
  bool stale(const Timer& timer) const;
  bool deadline_stale(const Timer& timer) const;

  ScheduleLimits limits_;
  RateLimiter rate_;
  RateLimiter submit_rate_;
  std::unordered_map<JobId, JobState> jobs_;
  std::deque<JobId> waiting_for_slot_;
  mutable TimerQueue actions_;
  mutable TimerQueue deadlines_;
  std::uint64_t sequence_ = 0;
  std::size_t slots_taken_ = 0;
  std::size_t requests_in_flight_ = 0;
};

}  // namespace seedance::detail
