// Client integration tests against the in-process mock server over loopback: a real libcurl
// transport, real sockets, and (where time matters) a fake clock that records every sleep.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "seedance/client.hpp"
#include "seedance/mock/mock_server.hpp"

namespace seedance::testing {

/// Time that moves only when the code under test sleeps; every sleep is recorded. Thread-safe.
class RecordingClock : public Clock {
 public:
  time_point now() override { return time_.now(); }
  bool sleep_until(time_point deadline, const CancellationToken& cancel) override {
    std::function<void(std::chrono::milliseconds)> hook;
    std::chrono::milliseconds length{0};
    {
      // Held while reading the time too, so sleeps are recorded in the order they were measured.
      std::lock_guard<std::mutex> lock(mutex_);
      length = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - time_.now());
      if (length.count() < 0) length = std::chrono::milliseconds(0);
      sleeps_.push_back(length);
      hook = on_sleep_;
    }
    if (hook) hook(length);
    return time_.sleep_until(deadline, cancel);
  }
  /// Every sleep asked for so far, in order.
  std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sleeps_;
  }
  /// Called (outside the lock) at the start of each sleep with its length.
  void on_sleep(std::function<void(std::chrono::milliseconds)> hook) {
    std::lock_guard<std::mutex> lock(mutex_);
    on_sleep_ = std::move(hook);
  }

 private:
  FakeClock time_;
  std::mutex mutex_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::function<void(std::chrono::milliseconds)> on_sleep_;
};

/// Collects RequestEvents from any thread.
class EventLog {
 public:
  RequestLogger logger() {
    return [this](const RequestEvent& event) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(event);
    };
  }
  std::vector<RequestEvent> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<RequestEvent> events_;
};

inline mock::MockServerOptions small_mock_options() {
  mock::MockServerOptions options;
  options.video_size = 64 * 1024;
  return options;
}

/// A started mock server and a recording clock; clients made by client() talk to the server
/// through the real libcurl transport.
class MockClientTest : public ::testing::Test {
 protected:
  MockClientTest() : server_(small_mock_options()), clock_(std::make_shared<RecordingClock>()) {
    server_.start();
  }

  ClientOptions options(RetryPolicy retry = {}) {
    ClientOptions options;
    options.base_url = server_.base_url();
    options.api_key = server_.api_key();
    options.retry = retry;
    options.clock = clock_;
    options.logger = log_.logger();
    options.request_timeout = std::chrono::seconds(10);
    return options;
  }
  Client client(RetryPolicy retry = {}) { return Client(options(retry)); }

  std::string in_progress_task() {
    mock::TaskOptions task;
    task.state = mock::TaskState::InProgress;
    return server_.create_task(task);
  }

  static VideoRequest video_request() { return VideoRequest().prompt("a paper boat on a river"); }

  mock::MockServer server_;
  std::shared_ptr<RecordingClock> clock_;
  EventLog log_;
};

}  // namespace seedance::testing
