// A clock that runs `factor` times faster than real time, for integration tests against the
// mock server: the SDK's 5 s floor becomes 50 ms of real time at factor 100, and every rule
// the SDK enforces on its clock can be checked in the mock's (real-time) request log.
#pragma once

#include <chrono>

#include "seedance/clock.hpp"

namespace seedance::testing {

class ScaledClock : public Clock {
 public:
  explicit ScaledClock(double factor)
      : factor_(factor), origin_(std::chrono::steady_clock::now()) {}

  time_point now() override {
    const auto real = std::chrono::steady_clock::now() - origin_;
    return origin_ + std::chrono::duration_cast<duration>(real * factor_);
  }

  bool sleep_until(time_point deadline, const CancellationToken& cancel) override {
    const auto remaining = deadline - now();
    if (remaining <= duration::zero()) return !cancel.cancelled();
    return !cancel.wait_for(std::chrono::duration_cast<duration>(remaining / factor_) +
                            std::chrono::microseconds(1));
  }

  /// Real time for a duration of this clock.
  template <class Duration>
  std::chrono::steady_clock::duration real(Duration scaled) const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(scaled / factor_);
  }

 private:
  double factor_;
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace seedance::testing
