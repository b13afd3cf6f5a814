#include "rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace seedance::cli {

RateLimiter::RateLimiter(double per_second, double burst, std::shared_ptr<Clock> clock)
    : per_second_(per_second),
      burst_(std::max(1.0, burst)),
      clock_(std::move(clock)),
      tokens_(burst_),
      refilled_at_(clock_->now()) {}

bool RateLimiter::acquire(const CancellationToken& cancel) {
  for (;;) {
    if (cancel.cancelled()) return false;
    Clock::time_point ready_at;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const Clock::time_point now = clock_->now();
      const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
      refilled_at_ = now;
      if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return true;
      }
      // Sleep outside the lock until the missing fraction of a token has accrued.
      ready_at = now + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>((1.0 - tokens_) / per_second_));
    }
    if (!clock_->sleep_until(ready_at, cancel)) return false;
  }
}

}  // namespace seedance::cli
