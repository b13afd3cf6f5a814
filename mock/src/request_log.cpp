#include "request_log.hpp"

#include <httplib.h>

#include <algorithm>
#include <set>

#include "faults.hpp"
#include "http_server.hpp"
#include "text.hpp"

namespace seedance::mock {

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& h : headers) {
    if (detail::iequals(h.first, name)) return h.second;
  }
  return std::string();
}

namespace detail {

RecordedRequest recorded(const httplib::Request& req, const Connection* conn) {
  RecordedRequest r;
  r.method = req.method;
  r.path = req.path;
  r.target = req.target;
  for (const auto& h : req.headers) {
    // cpp-httplib adds these pseudo headers itself; they were not sent by the client.
    if (h.first == "REMOTE_ADDR" || h.first == "REMOTE_PORT" || h.first == "LOCAL_ADDR" ||
        h.first == "LOCAL_PORT") {
      continue;
    }
    r.headers.emplace_back(h.first, h.second);
  }
  r.body = req.body;
  r.received_at = std::chrono::steady_clock::now();
  r.remote_addr = conn ? conn->remote_addr() : req.remote_addr;
  r.remote_port = conn ? conn->remote_port() : req.remote_port;
  r.connection_id = conn ? conn->id() : 0;
  return r;
}

std::uint64_t RequestLog::record(RecordedRequest r) {
  std::lock_guard<std::mutex> lock(mutex_);
  r.sequence = next_sequence_++;
  log_.push_back(std::move(r));
  return log_.back().sequence;
}

RecordedRequest* RequestLog::find_locked(std::uint64_t sequence) {
  // Entries are in sequence order; recent ones are at the end.
  for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
    if (it->sequence == sequence) return &*it;
    if (it->sequence < sequence) break;
  }
  return nullptr;
}

void RequestLog::mark_fault(std::uint64_t sequence, const std::string& rule) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (RecordedRequest* r = find_locked(sequence)) {
    r->fault_applied = true;
    r->fault = rule;
  }
}

void RequestLog::finish(std::uint64_t sequence, int status) {
  Observer notify;
  RecordedRequest copy;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    RecordedRequest* r = find_locked(sequence);
    if (!r) return;
    r->status = status;
    if (observer_) {
      notify = observer_;
      copy = *r;
    }
  }
  if (notify) notify(copy);
}

std::vector<RecordedRequest> RequestLog::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return log_;
}

std::size_t RequestLog::count(const std::string& method, const std::string& path_prefix) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(log_.begin(), log_.end(), [&](const RecordedRequest& r) {
        return method_matches(method, r.method) && starts_with(r.path, path_prefix);
      }));
}

std::size_t RequestLog::connections_opened() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::set<std::uint64_t> ids;
  for (const auto& r : log_) ids.insert(r.connection_id);
  return ids.size();
}

void RequestLog::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.clear();
}

void RequestLog::set_observer(Observer observer) {
  std::lock_guard<std::mutex> lock(mutex_);
  observer_ = std::move(observer);
}

void RequestLog::connection_changed(int delta) {
  const std::int64_t now = open_.fetch_add(delta) + delta;
  std::int64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

std::size_t RequestLog::open_connections() const {
  return static_cast<std::size_t>(std::max<std::int64_t>(0, open_.load()));
}

std::size_t RequestLog::peak_open_connections() const {
  return static_cast<std::size_t>(peak_.load());
}

void RequestLog::reset_peak_open_connections() { peak_.store(open_.load()); }

}  // namespace detail
}  // namespace seedance::mock
