// The decisions of one wait, shared by Client::wait and the engine behind TaskGroup and the
// *_async calls: what an answered poll means and how long to wait before the next one.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "client/client_impl.hpp"

namespace seedance::detail {

/// Throws ValidationError for a poll interval below kMinPollInterval, a negative jitter or a
/// negative timeout.
void check_wait_options(const WaitOptions& options);

/// Follows one task through its polls.
class PollTracker {
 public:
  PollTracker(const Client::Impl& impl, std::string task_id, const WaitOptions& options);

  /// What to do after an answered poll.
  struct Next {
    bool finished = false;            ///< take_task() is the final task.
    std::chrono::milliseconds delay;  ///< Until the next poll, counted from the answer; >= 5 s.
  };

  /// Interprets one poll's response (logging it) and decides. Throws what ends the wait:
  /// TaskFailedError, ApiError, NetworkError, ResponseError, CancelledError.
  Next on_answer(const HttpRequest& request, const HttpResponse& response,
                 std::chrono::milliseconds duration, bool cancelled);

  /// The TimeoutError for a wait that reached its deadline.
  TimeoutError timeout_error() const;

  const std::optional<Task>& last_task() const noexcept { return last_task_; }
  Task take_task() { return std::move(*last_task_); }
  const std::string& context() const noexcept { return context_; }
  /// Attempt number of the next poll (1 + failures since the last success), for the log.
  int attempt() const noexcept { return consecutive_failures_ + 1; }

 private:
  /// A successful answer: the task, and whether the wait is over.
  Next on_task(const HttpResponse& response);

  const Client::Impl& impl_;
  std::string task_id_;
  const WaitOptions& options_;
  std::string context_;
  std::optional<Task> last_task_;
  int consecutive_failures_ = 0;
};

}  // namespace seedance::detail
