#include "seedance/cancellation.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace seedance {

struct CancellationToken::State {
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::condition_variable changed;
};

CancellationToken::CancellationToken() : state_(std::make_shared<State>()) {}

void CancellationToken::cancel() const {
  {
    // Taking the lock orders the store before a waiter's predicate check, so no wake-up is lost.
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->cancelled.store(true);
  }
  state_->changed.notify_all();
}

bool CancellationToken::cancelled() const noexcept { return state_->cancelled.load(); }

bool CancellationToken::wait_for(std::chrono::nanoseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [this] { return state_->cancelled.load(); });
}

}  // namespace seedance
