// A token bucket shared by the batch workers: at most `rate` requests per second on average,
// bursts of up to `burst`.
#pragma once

#include <memory>
#include <mutex>

#include "seedance/cancellation.hpp"
#include "seedance/clock.hpp"

namespace seedance::cli {

class RateLimiter {
 public:
  /// `per_second` > 0; `burst` >= 1 tokens are available at once (the bucket starts full).
  /// The clock is injectable so that tests never sleep.
  RateLimiter(double per_second, double burst, std::shared_ptr<Clock> clock = Clock::system());

  /// Takes one token, sleeping until one is available. Returns false (without a token) when
  /// `cancel` was cancelled first. Thread-safe; waiters are served in no particular order.
  bool acquire(const CancellationToken& cancel);

 private:
  const double per_second_;
  const double burst_;
  const std::shared_ptr<Clock> clock_;
  std::mutex mutex_;
  double tokens_;
  Clock::time_point refilled_at_;
};

}  // namespace seedance::cli
