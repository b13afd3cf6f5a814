// The I/O under the engine: requests started now and completed later, driven by one thread.
// Two implementations: libcurl's multi interface (the default) and, for a Client with an
// injected HttpTransport, one that calls HttpTransport::send() on the engine's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "seedance/cancellation.hpp"
#include "seedance/clock.hpp"
#include "seedance/transport.hpp"

namespace seedance::detail {

/// Names one request's owner to the engine above (a TaskGroup job).
using JobId = std::uint64_t;
using TimePoint = Clock::time_point;

/// A finished request (answered, failed or cancelled).
struct Completion {
  JobId job = 0;
  HttpResponse response;
  std::chrono::milliseconds duration{0};
};

/// The connections of one AsyncHttp, as the client opens and closes them.
struct ConnectionCounts {
  std::size_t open = 0;    ///< open right now
  std::size_t peak = 0;    ///< the most open at once
  std::size_t opened = 0;  ///< in all
  /// The same for the shared connections only: those opened by a transfer that may share its
  /// connection (polls, downloads), not the one a submit opens for itself.
  std::size_t shared_open = 0;
  std::size_t shared_peak = 0;
  std::size_t shared_opened = 0;
};

/// Counts sockets as libcurl opens and closes them (its open/close socket callbacks): exact,
/// where a server sees a close only once it reads the end of the stream. Any thread.
class ConnectionGauge {
 public:
  /// What a handle passes as its socket callbacks' data: the gauge, and which kind of
  /// connection its transfer opens. libcurl calls the close callback with the data of the
  /// transfer that opened the connection, so each connection is counted as the kind it began.
  struct Tag {
    ConnectionGauge* gauge;
    bool shared;
  };

  ConnectionGauge() = default;
  ConnectionGauge(const ConnectionGauge&) = delete;
  ConnectionGauge& operator=(const ConnectionGauge&) = delete;

  void on_open(bool shared);
  void on_close(bool shared);
  ConnectionCounts read() const;
  /// The callbacks' data for a transfer that opens a connection of its own (`shared` false)
  /// or one that others may use too.
  Tag* tag(bool shared) { return shared ? &shared_tag_ : &fresh_tag_; }

 private:
  struct Counter {
    std::atomic<std::size_t> open{0};
    std::atomic<std::size_t> peak{0};
    std::atomic<std::size_t> opened{0};
    void on_open();
  };
  Counter all_;
  Counter shared_;
  Tag fresh_tag_{this, false};
  Tag shared_tag_{this, true};
};

class AsyncHttp {
 public:
  virtual ~AsyncHttp() = default;
  /// Starts the request of `job` (one at a time per job). Only on the engine's thread.
  virtual void start(JobId job, HttpRequest request) = 0;
  /// Ends the job's request, if any: its completion says TransportError::Cancelled.
  virtual void cancel(JobId job) = 0;
  /// Moves the transfers on and appends what completed. Waits while nothing did, until
  /// `wake_at` (on the engine's clock) or wakeup(); with no `wake_at`, until one of the others.
  virtual void run(std::optional<TimePoint> wake_at, std::vector<Completion>& completed) = 0;
  /// Makes a run() in progress (or the next one) return at once. Any thread.
  virtual void wakeup() = 0;
  /// Requests started and not completed.
  virtual std::size_t in_flight() const = 0;
  /// Its connections so far; zeros for a transport that does not know them. Any thread.
  virtual ConnectionCounts connections() const { return {}; }
};

/// Sleeps on a Clock until a time or a wakeup, whichever comes first; wakeups are never lost.
class ClockWaiter {
 public:
  void wakeup();
  void wait(Clock& clock, std::optional<TimePoint> until);

 private:
  std::mutex mutex_;
  std::condition_variable woken_;
  bool pending_ = false;
  CancellationToken token_;
};

/// libcurl's multi interface: at most `max_connections` connections, reused across requests;
/// over HTTP/2, requests other than fresh_connection ones multiplex on a shared connection, at
/// most `max_streams_per_connection` at once on each.
std::unique_ptr<AsyncHttp> make_curl_multi_http(const TransportOptions& options,
                                                std::size_t max_connections,
                                                std::size_t max_streams_per_connection,
                                                std::shared_ptr<Clock> clock);

/// Calls `transport`->send() for each started request, in order, on the engine's thread.
std::unique_ptr<AsyncHttp> make_blocking_http(std::shared_ptr<HttpTransport> transport,
                                              std::shared_ptr<Clock> clock);

}  // namespace seedance::detail
