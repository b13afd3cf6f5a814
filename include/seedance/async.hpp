// The handle an asynchronous call returns: a std::future with cancel().
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <utility>

namespace seedance {

/// The pending result of Client::submit_async, wait_async or generate_async (and the like).
///
/// The work runs on the Client's background engine: one thread drives every asynchronous call
/// of a Client and its copies, however many are in flight. get() returns the value or throws the
/// seedance::Error the synchronous call would have thrown. The handle keeps what it needs alive:
/// the Client may be destroyed before the result arrives.
template <class T>
class AsyncResult {
 public:
  /// An empty handle: valid() is false.
  AsyncResult() = default;
  /// Made by the SDK: the future to read and the function that cancels the work.
  AsyncResult(std::future<T> future, std::function<void()> cancel)
      : future_(std::move(future)), cancel_(std::move(cancel)) {}

  /// Blocks until the result is there and returns it, or throws its error. Once only.
  T get() { return future_.get(); }
  /// Blocks until the result is there.
  void wait() const { future_.wait(); }
  /// Blocks for at most `timeout`; std::future_status::ready once the result is there.
  template <class Rep, class Period>
  std::future_status wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return future_.wait_for(timeout);
  }
  /// True once the result (value or error) is there.
  bool ready() const {
    return future_.valid() &&
           future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  /// False for a default-constructed handle and after get().
  bool valid() const noexcept { return future_.valid(); }
  /// Stops the work from any thread: get() then throws CancelledError, unless the result was
  /// already there. A submit already sent is not taken back (the task may exist).
  void cancel() const {
    if (cancel_) cancel_();
  }
  /// The underlying future, e.g. to move it into code that takes a std::future.
  std::future<T>& future() noexcept { return future_; }

 private:
  std::future<T> future_;
  std::function<void()> cancel_;
};

}  // namespace seedance
