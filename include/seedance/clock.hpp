// The source of time used by the poller and the retry back-off; injectable for tests.
#pragma once

#include <chrono>
#include <memory>

#include "seedance/cancellation.hpp"

namespace seedance {

/// Time as the SDK sees it. The default is the steady clock and real sleeping; tests supply a fake
/// one whose sleep_until() simply advances time, so no unit test ever sleeps.
class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;      ///< Steady-clock ticks.
  using time_point = std::chrono::steady_clock::time_point;  ///< A steady-clock instant.

  virtual ~Clock() = default;

  /// The current time.
  virtual time_point now() = 0;

  /// Blocks until `deadline`, or returns early when `cancel` is cancelled.
  /// Returns false when it returned because of cancellation.
  virtual bool sleep_until(time_point deadline, const CancellationToken& cancel) = 0;

  /// The real clock: std::chrono::steady_clock, sleeping on the token.
  static std::shared_ptr<Clock> system();
};

}  // namespace seedance
