// The exact poll schedule of Client::wait, on a fake clock: never two polls of a task less than
// 5 s apart (after retries, 429s, transient errors and latency too), timeouts on time,
// cancellation at once, and no real sleeping anywhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "fakes.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

std::string detail_body(const std::string& status, int progress = 0) {
  std::string body = R"({"task_id":"task_1","status":")" + status + R"(","progress":")" +
                     std::to_string(progress) + R"(%")";
  if (status == "SUCCESS") body += R"(,"result_url":"/v1/videos/task_1/content")";
  return body + "}";
}

class PollScheduleTest : public ::testing::Test {
 protected:
  PollScheduleTest()
      : clock_(std::make_shared<FakeClock>()),
        transport_(std::make_shared<FakeTransport>(clock_)) {}

  Client make_client(RetryPolicy retry = fast_retries()) {
    ClientOptions options;
    options.base_url = "https://api.example.com";
    options.api_key = "sk-test";
    options.transport = transport_;
    options.clock = clock_;
    options.retry = retry;
    return Client(options);
  }

  /// Back-off far below the floor, so every retry delay the tests see is the floor's doing.
  static RetryPolicy fast_retries() {
    RetryPolicy retry;
    retry.initial_backoff = std::chrono::milliseconds(100);
    retry.max_attempts = 10;
    return retry;
  }

  static WaitOptions every(std::chrono::milliseconds interval) {
    WaitOptions options;
    options.poll_interval = interval;
    options.poll_jitter = std::chrono::milliseconds(0);
    return options;
  }

  void queued(int count) {
    for (int i = 0; i < count; ++i) transport_->reply(200, detail_body("QUEUED"));
  }
  void success() { transport_->reply(200, detail_body("SUCCESS", 100)); }

  /// Replies `status` after the request took `latency` of fake time.
  void slow_reply(std::chrono::milliseconds latency, int status, std::string body) {
    transport_->handle([this, latency, status, body](const HttpRequest&) {
      clock_->advance(latency);
      HttpResponse response;
      response.status = status;
      response.body = body;
      return response;
    });
  }

  std::vector<double> times() {
    std::vector<double> result;
    for (const auto& sent : transport_->sent()) result.push_back(sent.at_seconds);
    return result;
  }

  static void expect_floor(const std::vector<double>& times) {
    for (std::size_t i = 1; i < times.size(); ++i) {
      // Fake times are exact ticks; the tolerance only absorbs their conversion to double.
      EXPECT_GE(times[i] - times[i - 1], 5.0 - 1e-9) << "polls " << i - 1 << " and " << i;
    }
  }

  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<FakeTransport> transport_;
};

TEST_F(PollScheduleTest, DefaultsPollInsideTenToFifteenSeconds) {
  const WaitOptions defaults;
  EXPECT_EQ(defaults.poll_interval, std::chrono::seconds(10));
  EXPECT_EQ(defaults.poll_jitter, std::chrono::seconds(5));
  EXPECT_EQ(kMinPollInterval, std::chrono::seconds(5));
  const Client client = make_client();
  queued(40);
  success();
  client.wait("task_1");
  const auto sent = times();
  ASSERT_EQ(sent.size(), 41u);
  EXPECT_EQ(sent[0], 0.0);  // the first poll goes at once
  double smallest = 100;
  double largest = 0;
  for (std::size_t i = 1; i < sent.size(); ++i) {
    smallest = std::min(smallest, sent[i] - sent[i - 1]);
    largest = std::max(largest, sent[i] - sent[i - 1]);
  }
  EXPECT_GE(smallest, 10.0);
  EXPECT_LE(largest, 15.0);
  EXPECT_GT(largest - smallest, 0.5);  // jittered, not in lock-step
}

TEST_F(PollScheduleTest, NoOptionLowersTheFloor) {
  const Client client = make_client();
  for (const auto interval : {std::chrono::milliseconds(0), std::chrono::milliseconds(1000),
                              std::chrono::milliseconds(4999)}) {
    WaitOptions options = every(interval);
    EXPECT_THROW(client.wait("task_1", options), ValidationError) << interval.count();
  }
  WaitOptions negative_jitter = every(std::chrono::seconds(5));
  negative_jitter.poll_jitter = std::chrono::milliseconds(-3000);  // would make it 2 s
  EXPECT_THROW(client.wait("task_1", negative_jitter), ValidationError);
  EXPECT_EQ(transport_->count(), 0u);

  queued(2);
  success();
  client.wait("task_1", every(std::chrono::seconds(5)));  // exactly the floor is fine
  EXPECT_EQ(times(), (std::vector<double>{0, 5, 10}));
}

TEST_F(PollScheduleTest, ExactScheduleAtAFixedInterval) {
  const Client client = make_client();
  queued(3);
  success();
  client.wait("task_1", every(std::chrono::seconds(12)));
  EXPECT_EQ(times(), (std::vector<double>{0, 12, 24, 36}));
}

TEST_F(PollScheduleTest, RetriesOfTransientFailuresKeepTheFloor) {
  const Client client = make_client();
  queued(1);
  transport_->reply(503, "unavailable");
  transport_->fail(TransportError::ConnectionLost);
  transport_->fail(TransportError::Timeout);
  transport_->reply(500, "oops");
  transport_->reply(502, "<html>bad gateway</html>");
  success();
  client.wait("task_1", every(std::chrono::seconds(10)));
  // 0: QUEUED, then 10 s; each failure is retried after the floor, not the 0.1 s back-off.
  EXPECT_EQ(times(), (std::vector<double>{0, 10, 15, 20, 25, 30, 35}));
}

TEST_F(PollScheduleTest, RetryAfterLengthensTheWaitButNeverShortensTheFloor) {
  const Client client = make_client();
  queued(1);
  transport_->reply(429, R"({"error":{"message":"slow down","type":"rate_limit","code":"429"}})",
                    {{"Retry-After", "17"}});
  transport_->reply(429, "slow down", {{"Retry-After", "1"}});       // below the floor
  transport_->reply(429, "slow down", {{"retry-after-ms", "200"}});  // below the floor
  transport_->reply(503, "busy", {{"retry-after-ms", "8500"}});
  transport_->reply(429, "slow down");  // no header: the floor
  success();
  client.wait("task_1", every(std::chrono::seconds(6)));
  EXPECT_EQ(times(), (std::vector<double>{0, 6, 23, 28, 33, 41.5, 46.5}));
}

TEST_F(PollScheduleTest, RetryAfterOnAProgressAnswerOnlyLengthens) {
  const Client client = make_client();
  transport_->reply(200, detail_body("IN_PROGRESS", 10), {{"Retry-After", "30"}});
  transport_->reply(200, detail_body("IN_PROGRESS", 20), {{"Retry-After", "2"}});
  success();
  client.wait("task_1", every(std::chrono::seconds(10)));
  EXPECT_EQ(times(), (std::vector<double>{0, 30, 40}));
}

TEST_F(PollScheduleTest, IntervalsCountFromTheAnswerSoLatencyNeverShrinksTheGap) {
  const Client client = make_client();
  slow_reply(std::chrono::seconds(3), 200, detail_body("QUEUED"));
  slow_reply(std::chrono::milliseconds(4500), 503, "busy");
  slow_reply(std::chrono::seconds(1), 200, detail_body("IN_PROGRESS", 50));
  success();
  client.wait("task_1", every(std::chrono::seconds(5)));
  // Sent 0 (answered 3), 8 (503 at 12.5), 17.5 (answered 18.5), 23.5.
  EXPECT_EQ(times(), (std::vector<double>{0, 8, 17.5, 23.5}));
}

TEST_F(PollScheduleTest, TimeoutFiresOnTimeDuringARetryBackOff) {
  const Client client = make_client();
  queued(1);
  transport_->reply(429, "slow down", {{"Retry-After", "60"}});
  WaitOptions options = every(std::chrono::seconds(10));
  options.timeout = std::chrono::seconds(30);
  try {
    client.wait("task_1", options);
    FAIL() << "expected TimeoutError";
  } catch (const TimeoutError& error) {
    ASSERT_TRUE(error.last_task().has_value());
    EXPECT_EQ(error.last_task()->status, TaskStatus::Queued);
  }
  EXPECT_EQ(times(), (std::vector<double>{0, 10}));
  EXPECT_EQ(clock_->seconds(), 30.0);  // not 70
}

TEST_F(PollScheduleTest, APollNeverOutlivesTheDeadline) {
  const Client client = make_client();
  std::vector<long long> timeouts;
  for (int i = 0; i < 3; ++i) {
    transport_->handle([&](const HttpRequest& request) {
      timeouts.push_back(request.timeout.count());
      HttpResponse response;
      response.status = 200;
      response.body = detail_body("IN_PROGRESS", 30);
      return response;
    });
  }
  // The last poll hangs until its (clamped) request timeout, which is the wait's deadline.
  transport_->handle([&](const HttpRequest& request) {
    timeouts.push_back(request.timeout.count());
    clock_->advance(request.timeout);
    HttpResponse response;
    response.error = TransportError::Timeout;
    return response;
  });
  WaitOptions options = every(std::chrono::seconds(10));
  options.timeout = std::chrono::seconds(35);
  EXPECT_THROW(client.wait("task_1", options), TimeoutError);  // not a NetworkError, no retry
  EXPECT_EQ(timeouts, (std::vector<long long>{35000, 25000, 15000, 5000}));
  EXPECT_EQ(clock_->seconds(), 35.0);
  EXPECT_EQ(transport_->count(), 4u);
}

TEST_F(PollScheduleTest, CancellationDuringTheSleepStopsAtOnce) {
  const Client client = make_client();
  queued(5);
  CancellationToken cancel;
  WaitOptions options = every(std::chrono::seconds(10));
  options.cancel = cancel;
  clock_->on_sleep = [&](Clock::time_point deadline) {
    if (deadline == Clock::time_point() + std::chrono::seconds(20)) cancel.cancel();
  };
  EXPECT_THROW(client.wait("task_1", options), CancelledError);
  EXPECT_EQ(times(), (std::vector<double>{0, 10}));
  EXPECT_EQ(clock_->seconds(), 10.0);  // the 20 s sleep never happened
}

TEST_F(PollScheduleTest, CancellationDuringARetryBackOffSendsNothingMore) {
  const Client client = make_client();
  queued(1);
  transport_->reply(503, "busy");
  CancellationToken cancel;
  WaitOptions options = every(std::chrono::seconds(10));
  options.cancel = cancel;
  clock_->on_sleep = [&](Clock::time_point deadline) {
    if (deadline == Clock::time_point() + std::chrono::seconds(15)) cancel.cancel();  // the retry
  };
  EXPECT_THROW(client.wait("task_1", options), CancelledError);
  EXPECT_EQ(times(), (std::vector<double>{0, 10}));
}

TEST_F(PollScheduleTest, CancellationOfAPollInFlightIsNotRetried) {
  const Client client = make_client();
  queued(1);
  CancellationToken cancel;
  transport_->handle([&](const HttpRequest& request) {
    EXPECT_TRUE(request.cancel.has_value());
    cancel.cancel();  // as another thread would, while the poll is on the wire
    HttpResponse response;
    response.error = TransportError::Cancelled;
    return response;
  });
  WaitOptions options = every(std::chrono::seconds(10));
  options.cancel = cancel;
  EXPECT_THROW(client.wait("task_1", options), CancelledError);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(PollScheduleTest, AlreadyCancelledSendsNothing) {
  const Client client = make_client();
  CancellationToken cancel;
  cancel.cancel();
  WaitOptions options = every(std::chrono::seconds(10));
  options.cancel = cancel;
  EXPECT_THROW(client.wait("task_1", options), CancelledError);
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(PollScheduleTest, AWaitAfterACancelledOneKeepsTheFloor) {
  const Client client = make_client();
  queued(2);
  success();
  CancellationToken cancel;
  WaitOptions options = every(std::chrono::seconds(10));
  options.cancel = cancel;
  clock_->on_sleep = [&](Clock::time_point deadline) {
    if (deadline == Clock::time_point() + std::chrono::seconds(10)) cancel.cancel();
  };
  EXPECT_THROW(client.wait("task_1", options), CancelledError);  // polled at 0, cancelled
  clock_->on_sleep = nullptr;
  clock_->advance(std::chrono::seconds(2));
  client.wait("task_1", every(std::chrono::seconds(10)));  // at 2 s: must not poll before 5 s
  EXPECT_EQ(times(), (std::vector<double>{0, 5, 15}));
}

TEST_F(PollScheduleTest, AWaitRightAfterAGetKeepsTheFloor) {
  const Client client = make_client();
  transport_->reply(200, detail_body("IN_PROGRESS", 50));
  success();
  EXPECT_EQ(client.get("task_1").progress, 50);
  clock_->advance(std::chrono::seconds(1));
  client.wait("task_1", every(std::chrono::seconds(10)));
  EXPECT_EQ(times(), (std::vector<double>{0, 5}));
}

TEST_F(PollScheduleTest, ARandomMixOfAnswersNeverBreaksTheFloor) {
  std::minstd_rand random(20261201);
  RetryPolicy retry = fast_retries();
  retry.max_attempts = 1000;
  retry.budget_tokens = 0;
  const Client client = make_client(retry);
  for (int i = 0; i < 300; ++i) {
    switch (random() % 6) {
      case 0:
        transport_->reply(429, "slow", {{"retry-after-ms", std::to_string(random() % 9000)}});
        break;
      case 1:
        transport_->reply(503, "busy");
        break;
      case 2:
        transport_->fail(TransportError::ConnectionLost);
        break;
      case 3:
        slow_reply(std::chrono::milliseconds(random() % 4000), 200, detail_body("IN_PROGRESS", 5));
        break;
      default:
        transport_->reply(200, detail_body("QUEUED"),
                          {{"Retry-After", std::to_string(random() % 7)}});
    }
  }
  success();
  WaitOptions options = every(std::chrono::seconds(5));
  options.poll_jitter = std::chrono::seconds(3);
  options.timeout = std::chrono::milliseconds(0);  // for ever
  const auto real_start = std::chrono::steady_clock::now();
  client.wait("task_1", options);
  const auto real_elapsed = std::chrono::steady_clock::now() - real_start;
  const auto sent = times();
  ASSERT_EQ(sent.size(), 301u);
  expect_floor(sent);
  EXPECT_GT(clock_->seconds(), 1500.0);              // ~half an hour of fake time...
  EXPECT_LT(real_elapsed, std::chrono::seconds(2));  // ...and no real sleeping
}

}  // namespace
}  // namespace seedance
