// Options for waiting on a task: the poller.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "seedance/cancellation.hpp"
#include "seedance/task.hpp"

namespace seedance {

/// The service asks for polls every 10-15 s and never closer than 5 s apart.
inline constexpr std::chrono::seconds kMinPollInterval{5};

/// How Client::wait polls a task: interval, jitter, deadline, progress callback, cancellation.
struct WaitOptions {
  /// Time between polls of the task. Values below kMinPollInterval are refused with
  /// ValidationError, never used.
  std::chrono::milliseconds poll_interval{std::chrono::seconds(10)};
  /// A random extra 0..poll_jitter is added to each interval so many clients do not poll in step.
  std::chrono::milliseconds poll_jitter{std::chrono::seconds(5)};
  /// Overall deadline for the wait; zero means wait for ever. Default: one hour.
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  /// Called with the task whenever its status or progress changed.
  std::function<void(const Task& task)> on_progress;
  /// cancel() on this token from another thread stops the wait with CancelledError.
  std::optional<CancellationToken> cancel;
  /// When true (the default) a task ending in FAILURE throws TaskFailedError; when false it is
  /// returned like a success and the caller checks Task::status.
  bool throw_on_failure = true;
};

}  // namespace seedance
