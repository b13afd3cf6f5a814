// The 5 s floor across calls: when each task was last polled by this Client (and its copies).
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "seedance/clock.hpp"
#include "seedance/wait.hpp"

namespace seedance::detail {

/// Remembers when each task's last status query was answered, so that a second wait on the same
/// task (after a cancellation, a timeout, a get(), or from another thread) still keeps 5 s from
/// the previous poll. Thread-safe; entries older than the floor are forgotten, by scans that
/// cost O(1) a record, amortised.
class PollFloor {
 public:
  /// The earliest time the task may be polled again (time_point::min() when it may now).
  Clock::time_point earliest(std::string_view task_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = answered_.find(std::string(task_id));
    return found == answered_.end() ? Clock::time_point::min() : found->second + kMinPollInterval;
  }

  /// Tasks remembered, forgotten ones excluded.
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return answered_.size();
  }

  /// A status query of the task was answered (or ended) at `at`.
  void record(std::string_view task_id, Clock::time_point at) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (answered_.size() >= prune_above_) {
      for (auto it = answered_.begin(); it != answered_.end();) {
        it = it->second + kMinPollInterval < at ? answered_.erase(it) : std::next(it);
      }
      // With more tasks within the floor than kPruneAbove (a TaskGroup of 10,000), the next scan
      // waits until the map has doubled: a scan per record would cost O(tasks) a poll.
      prune_above_ = std::max(kPruneAbove, 2 * answered_.size());
    }
    auto& entry = answered_[std::string(task_id)];
    if (entry < at) entry = at;
  }

 private:
  static constexpr std::size_t kPruneAbove = 4096;
  mutable std::mutex mutex_;
  std::size_t prune_above_ = kPruneAbove;
  std::unordered_map<std::string, Clock::time_point> answered_;
};

}  // namespace seedance::detail
