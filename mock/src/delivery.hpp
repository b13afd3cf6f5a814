// Sending a reply: the body (or a stretch of a video) streamed in chunks, with a fault's
// delivery damage (cut, throttled, stalled), and every wait cut short by stop().
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "reply.hpp"
#include "seedance/mock/mock_server.hpp"

namespace seedance::mock::detail {

class Connection;

/// The server's stop flag, which interrupts every pause of a request in progress.
class StopSignal {
 public:
  using Clock = std::chrono::steady_clock;

  void reset();
  void stop();
  bool stopping() const;
  /// Sleeps until `deadline`; false when stop() interrupted it or, with `conn`, the client left.
  bool pause_until(Clock::time_point deadline, const Connection* conn) const;
  bool pause(std::chrono::milliseconds d, const Connection* conn) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
};

/// Puts `reply` into `res`, damaged as `fault` (may be null) says.
void deliver(const Reply& reply, const FaultRule* fault, httplib::Response& res, Connection* conn,
             const StopSignal& stop);

}  // namespace seedance::mock::detail
