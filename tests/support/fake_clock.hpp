// A fake clock for code that takes a seedance::Clock, so tests never really sleep.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "seedance/clock.hpp"

namespace seedance::testing {

/// Time that only moves when the code under test sleeps (or a test advances it).
class FakeClock : public Clock {
 public:
  time_point now() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }
  bool sleep_until(time_point deadline, const CancellationToken& cancel) override {
    if (on_sleep) on_sleep(deadline);
    if (cancel.cancelled()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (deadline > now_) now_ = deadline;
    return true;
  }
  void advance(duration by) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += by;
  }
  /// Seconds since the clock's start, for readable assertions.
  double seconds() { return std::chrono::duration<double>(now() - time_point()).count(); }
  /// Called at the start of each sleep (e.g. to cancel from "another thread").
  std::function<void(time_point deadline)> on_sleep;

 private:
  std::mutex mutex_;
  time_point now_{};
};

}  // namespace seedance::testing
