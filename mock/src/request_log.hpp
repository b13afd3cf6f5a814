// The request log: every request as the server saw it (one lock), the observer told of each
// finished one, and the connection counters.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "seedance/mock/mock_server.hpp"

namespace httplib {
struct Request;
}

namespace seedance::mock::detail {

class Connection;

/// What the log keeps of a request cpp-httplib parsed (`conn` may be null).
RecordedRequest recorded(const httplib::Request& req, const Connection* conn);

class RequestLog {
 public:
  using Observer = std::function<void(const RecordedRequest&)>;

  /// Appends the request with the next sequence number, which it returns.
  std::uint64_t record(RecordedRequest r);
  void mark_fault(std::uint64_t sequence, const std::string& rule);
  /// Sets the response status and tells the observer (outside the lock).
  void finish(std::uint64_t sequence, int status);

  std::vector<RecordedRequest> entries() const;
  std::size_t count(const std::string& method, const std::string& path_prefix) const;
  std::size_t connections_opened() const;
  void clear();  ///< Sequence numbers keep counting.
  void set_observer(Observer observer);

  /// +1 when a connection is accepted, -1 once it is closed.
  void connection_changed(int delta);
  std::size_t open_connections() const;
  std::size_t peak_open_connections() const;
  void reset_peak_open_connections();

 private:
  RecordedRequest* find_locked(std::uint64_t sequence);

  mutable std::mutex mutex_;
  std::vector<RecordedRequest> log_;
  std::uint64_t next_sequence_ = 1;
  Observer observer_;
  // Atomics, not the lock: connections come and go on threads that log nothing.
  std::atomic<std::int64_t> open_{0};
  std::atomic<std::int64_t> peak_{0};
};

}  // namespace seedance::mock::detail
