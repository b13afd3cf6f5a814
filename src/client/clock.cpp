#include "seedance/clock.hpp"

namespace seedance {
namespace {

class SystemClock final : public Clock {
 public:
  time_point now() override { return std::chrono::steady_clock::now(); }

  bool sleep_until(time_point deadline, const CancellationToken& cancel) override {
    const auto remaining = deadline - now();
    if (remaining <= duration::zero()) return !cancel.cancelled();
    return !cancel.wait_for(remaining);
  }
};

}  // namespace

std::shared_ptr<Clock> Clock::system() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace seedance
