// Cooperative cancellation of waits, back-offs and downloads.
#pragma once

#include <chrono>
#include <memory>

namespace seedance {

/// A cancellation flag shared by copies: cancel() on any copy, from any thread, is seen by all.
///
/// Pass one in WaitOptions or DownloadOptions; calling cancel() from another thread makes the
/// operation stop promptly with CancelledError. A default-constructed token can be cancelled too.
class CancellationToken {
 public:
  CancellationToken();

  /// Requests cancellation. Thread-safe and idempotent.
  void cancel() const;

  /// True once cancel() was called on this token or a copy of it.
  bool cancelled() const noexcept;

  /// Blocks for at most `timeout`, returning early when cancelled. Returns cancelled().
  bool wait_for(std::chrono::nanoseconds timeout) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace seedance
