#include "delivery.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "generated_body.hpp"
#include "http_server.hpp"
#include "video_bytes.hpp"

namespace seedance::mock::detail {
namespace {

using Clock = StopSignal::Clock;

constexpr std::size_t kChunk = 256 * 1024;  // per write of a streamed body

// Delivery damage of a fault, applied while a body is streamed.
struct Pacing {
  std::optional<std::uint64_t> close_after;
  std::uint64_t rate = 0;
  std::uint64_t stall_after = 0;
  std::chrono::milliseconds stall{0};

  bool active() const { return close_after.has_value() || rate > 0 || stall.count() > 0; }
};

using Fill = std::function<void(std::uint64_t offset, char* out, std::size_t n)>;

struct StreamState {
  std::vector<char> buffer;
  bool stalled = false;
  bool started = false;
  Clock::time_point start;
};

/// How many bytes the next write may carry from `offset` on, given the damage still to come.
std::size_t next_chunk(const Pacing& pacing, const StreamState& state, std::size_t offset,
                       std::size_t length) {
  std::size_t n = std::min(length, kChunk);
  if (pacing.close_after) {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *pacing.close_after - offset));
  }
  if (pacing.stall.count() > 0 && !state.stalled) {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, pacing.stall_after - offset));
  }
  if (pacing.rate > 0) n = std::min<std::size_t>(n, std::max<std::uint64_t>(1, pacing.rate / 20));
  return n;
}

/// Waits until the throttled stream may send byte `offset`; false when interrupted.
bool throttle(const Pacing& pacing, StreamState& state, std::size_t offset, const Connection* conn,
              const StopSignal& stop) {
  if (!state.started) {
    state.started = true;
    state.start = Clock::now();
  }
  const auto due =
      state.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        static_cast<double>(offset) / static_cast<double>(pacing.rate)));
  return stop.pause_until(due, conn);
}

httplib::ContentProvider make_provider(Fill fill, Pacing pacing, const StopSignal& stop) {
  auto state = std::make_shared<StreamState>();
  // `offset` counts the body bytes already sent in this response.
  return [&stop, fill = std::move(fill), pacing, state](std::size_t offset, std::size_t length,
                                                        httplib::DataSink& sink) -> bool {
    if (stop.stopping()) return false;
    const Connection* conn = current_connection();
    if (pacing.stall.count() > 0 && !state->stalled && offset >= pacing.stall_after) {
      state->stalled = true;
      if (!stop.pause(pacing.stall, conn)) return false;
    }
    // Returning false makes cpp-httplib give up the response; the connection is then closed.
    if (pacing.close_after && offset >= *pacing.close_after) return false;
    const std::size_t n = next_chunk(pacing, *state, offset, length);
    if (pacing.rate > 0 && !throttle(pacing, *state, offset, conn, stop)) return false;
    state->buffer.resize(n);
    fill(offset, state->buffer.data(), n);
    return sink.write(state->buffer.data(), n);
  };
}

Pacing pacing_of(const Reply& reply, const FaultRule* fault, Connection* conn) {
  Pacing pacing;
  if (fault) {
    pacing.close_after = fault->close_after_bytes;
    pacing.rate = fault->bytes_per_second;
    pacing.stall_after = fault->stall_after_bytes;
    pacing.stall = fault->stall;
  }
  if (reply.cut_after && !pacing.close_after) pacing.close_after = reply.cut_after;
  // A cut body must end its connection: the client cannot find where the next response starts.
  if (pacing.close_after && conn) conn->close_after_response = true;
  return pacing;
}

}  // namespace

void StopSignal::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = false;
}

void StopSignal::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool StopSignal::pause_until(Clock::time_point deadline, const Connection* conn) const {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const auto now = Clock::now();
    if (now >= deadline) return true;
    auto slice = deadline - now;
    // Wake now and then to notice a client that gave up, so its thread is freed.
    if (conn) slice = std::min<Clock::duration>(slice, std::chrono::milliseconds(20));
    cv_.wait_for(lock, slice);
    if (conn && !conn->peer_alive()) return false;
  }
  return false;
}

bool StopSignal::pause(std::chrono::milliseconds d, const Connection* conn) const {
  return pause_until(Clock::now() + d, conn);
}

void deliver(const Reply& reply, const FaultRule* fault, httplib::Response& res, Connection* conn,
             const StopSignal& stop) {
  res.status = reply.status;
  for (const auto& h : reply.headers) res.set_header(h.first, h.second);
  const Pacing pacing = pacing_of(reply, fault, conn);
  if (reply.video && reply.length > 0) {
    auto gen = std::make_shared<const VideoGenerator>(reply.task_id, reply.video_size);
    const std::uint64_t base = reply.offset;
    res.set_content_provider(
        static_cast<std::size_t>(reply.length), reply.content_type,
        make_provider([gen, base](std::uint64_t offset, char* out,
                                  std::size_t n) { gen->fill(base + offset, out, n); },
                      pacing, stop));
  } else if (reply.generated) {
    auto generated = reply.generated;
    res.set_content_provider(
        static_cast<std::size_t>(generated->size()), reply.content_type,
        make_provider([generated](std::uint64_t offset, char* out,
                                  std::size_t n) { generated->fill(offset, out, n); },
                      pacing, stop));
  } else if (pacing.active() && !reply.body.empty()) {
    auto body = std::make_shared<const std::string>(reply.body);
    res.set_content_provider(
        body->size(), reply.content_type,
        make_provider([body](std::uint64_t offset, char* out,
                             std::size_t n) { std::memcpy(out, body->data() + offset, n); },
                      pacing, stop));
  } else {
    res.set_content(reply.body, reply.content_type);
  }
}

}  // namespace seedance::mock::detail
