// Client logic against a fake transport and a fake clock: no network, no sleeping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "fakes.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using testing::FakeClock;
using testing::FakeTransport;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "sk-secret-key-123";
constexpr const char* kReceipt =
    R"({"id":"task_1","task_id":"task_1","object":"video","model":"seedance-2.0",)"
    R"("status":"QUEUED","progress":0,"created_at":1700000000})";

std::string task_body(const std::string& status, const std::string& progress) {
  std::string body =
      R"({"task_id":"task_1","status":")" + status + R"(","progress":")" + progress + R"(")";
  if (status == "SUCCESS") body += R"(,"result_url":"/v1/videos/task_1/content")";
  if (status == "FAILURE") body += R"(,"fail_reason":"content policy")";
  return body + "}";
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest()
      : clock_(std::make_shared<FakeClock>()),
        transport_(std::make_shared<FakeTransport>(clock_)) {}

  Client make_client(RetryPolicy retry = {}) {
    ClientOptions options;
    options.base_url = "https://api.example.com/v1/";
    options.api_key = kKey;
    options.transport = transport_;
    options.clock = clock_;
    options.retry = retry;
    options.logger = [this](const RequestEvent& event) { events_.push_back(event); };
    return Client(options);
  }

  static VideoRequest request() { return VideoRequest().prompt("a paper boat on a river"); }

  static WaitOptions exact_polls(std::chrono::seconds interval = std::chrono::seconds(10)) {
    WaitOptions options;
    options.poll_interval = interval;
    options.poll_jitter = std::chrono::milliseconds(0);
    return options;
  }

  std::vector<double> send_times() {
    std::vector<double> times;
    for (const auto& sent : transport_->sent()) times.push_back(sent.at_seconds);
    return times;
  }

  void expect_no_secret(const std::string& text) { EXPECT_THAT(text, Not(HasSubstr(kKey))); }

  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<FakeTransport> transport_;
  std::vector<RequestEvent> events_;
};

TEST_F(ClientTest, NormalisesBaseUrlAndSendsBearerAuth) {
  const Client client = make_client();
  EXPECT_EQ(client.base_url(), "https://api.example.com");
  transport_->reply(200, kReceipt);
  const Receipt receipt = client.submit(request());
  EXPECT_EQ(receipt.task_id, "task_1");
  EXPECT_EQ(receipt.status, TaskStatus::Queued);
  const auto sent = transport_->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].request.method, "POST");
  EXPECT_EQ(sent[0].request.url, "https://api.example.com/v1/videos");
  EXPECT_EQ(find_header(sent[0].request.headers, "authorization"),
            std::optional<std::string>(std::string("Bearer ") + kKey));
  EXPECT_THAT(find_header(sent[0].request.headers, "user-agent").value_or(""),
              HasSubstr("seedance-cpp/"));
  EXPECT_TRUE(sent[0].request.fresh_connection);
}

TEST_F(ClientTest, AliasRoutesUseVideoGenerations) {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:9";
  options.api_key = kKey;
  options.transport = transport_;
  options.clock = clock_;
  options.use_alias_routes = true;
  const Client client(options);
  transport_->reply(200, kReceipt);
  transport_->reply(200, task_body("QUEUED", "0%"));
  client.submit(request());
  client.get("task_1");
  const auto sent = transport_->sent();
  EXPECT_EQ(sent[0].request.url, "http://127.0.0.1:9/v1/video/generations");
  EXPECT_EQ(sent[1].request.url, "http://127.0.0.1:9/v1/video/generations/task_1");
  // The alias has no /content: downloads always take the main route.
  transport_->reply(200, "video bytes", {{"Content-Type", "video/mp4"}});
  std::ostringstream video;
  client.download("task_1", video);
  EXPECT_EQ(transport_->sent().back().request.url, "http://127.0.0.1:9/v1/videos/task_1/content");
  EXPECT_EQ(video.str(), "video bytes");
}

TEST_F(ClientTest, ReadsBaseUrlAndKeyFromEnvironment) {
  ::setenv("SEEDANCE_BASE_URL", "https://env.example.com/", 1);
  ::setenv("SEEDANCE_API_KEY", "env-key", 1);
  ClientOptions options;
  options.transport = transport_;
  const Client client(options);
  ::unsetenv("SEEDANCE_BASE_URL");
  ::unsetenv("SEEDANCE_API_KEY");
  EXPECT_EQ(client.base_url(), "https://env.example.com");
  transport_->reply(200, task_body("QUEUED", "0%"));
  client.get("task_1");
  EXPECT_EQ(find_header(transport_->sent()[0].request.headers, "authorization"),
            std::optional<std::string>("Bearer env-key"));
}

TEST_F(ClientTest, MissingConfigurationIsAValidationError) {
  ::unsetenv("SEEDANCE_BASE_URL");
  ::unsetenv("SEEDANCE_API_KEY");
  ClientOptions options;
  options.transport = transport_;
  try {
    Client client(options);
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& error) {
    EXPECT_EQ(error.problems().size(), 2u);
    EXPECT_THAT(error.what(), HasSubstr("SEEDANCE_API_KEY"));
  }
  options.base_url = "ftp://example.com";
  options.api_key = kKey;
  EXPECT_THROW(Client client(options), ValidationError);
}

TEST_F(ClientTest, InvalidRequestIsRefusedBeforeSending) {
  const Client client = make_client();
  EXPECT_THROW(client.submit(VideoRequest()), ValidationError);  // no prompt, no image
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(ClientTest, ErrorObjectWithHttp200IsAnApiError) {
  const Client client = make_client();
  transport_->reply(
      200,
      R"({"error":{"message":"model not found","type":"invalid_request_error","code":"model"}})");
  try {
    client.submit(request());
    FAIL() << "expected ApiError";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 200);
    EXPECT_EQ(error.type(), "invalid_request_error");
    EXPECT_EQ(error.code(), "model");
    EXPECT_THAT(error.what(), HasSubstr("model not found"));
  }
  EXPECT_EQ(transport_->count(), 1u);
}

// The gateway names every exchange; support needs the id above all when a submit's outcome is
// unknown.
TEST_F(ClientTest, TheServicesRequestIdIsKeptOnTasksReceiptsAndErrors) {
  const Client client = make_client();
  transport_->reply(200, kReceipt, {{"X-Oneapi-Request-Id", "rid-receipt"}});
  EXPECT_EQ(client.submit(request()).request_id, "rid-receipt");
  transport_->reply(200, task_body("QUEUED", "0%"), {{"X-Request-Id", "rid-task"}});
  EXPECT_EQ(client.get("task_1").request_id, "rid-task");
  transport_->reply(400, R"({"code":"task_not_exist","message":"task_not_exist","data":null})",
                    {{"X-Oneapi-Request-Id", "rid-400"}});
  try {
    client.get("task_1");
    FAIL() << "expected ApiError";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.request_id(), "rid-400");
    EXPECT_EQ(error.code(), "task_not_exist");
    EXPECT_STREQ(error.what(), "get task_1: task_not_exist (HTTP 400)");
  }
  transport_->reply(502,
                    R"json({"error":{"message":"upstream error (request id: rid-in-text)"}})json");
  try {
    client.submit(request());
    FAIL() << "expected SubmitOutcomeUnknownError";
  } catch (const SubmitOutcomeUnknownError& error) {
    EXPECT_EQ(error.request_id(), "rid-in-text");
    EXPECT_THAT(error.what(), HasSubstr("upstream error"));
    EXPECT_THAT(error.what(), Not(HasSubstr("{")));
  }
}

// A failed task reported the gateway's way: HTTP 200, an error object inside the detail.
TEST_F(ClientTest, AFailedTaskWithAnErrorObjectIsATaskFailure) {
  const Client client = make_client();
  transport_->reply(
      200,
      R"({"id":"task_1","status":"failed","progress":100,"error":{"message":"sensitive","code":"OutputSensitive"}})");
  try {
    client.wait("task_1", exact_polls());
    FAIL() << "expected TaskFailedError";
  } catch (const TaskFailedError& error) {
    EXPECT_EQ(error.code(), "OutputSensitive");
    EXPECT_EQ(error.task().fail_reason.value_or(""), "sensitive");
    EXPECT_THAT(error.what(), HasSubstr("sensitive"));
  }
}

// Only a body that is nothing but an error refuses a submit; one the SDK cannot read and that
// names no task is "outcome unknown", never a refusal.
TEST_F(ClientTest, SubmitAnswersAreRefusalsOnlyWhenTheyAreErrors) {
  const Client client = make_client();
  transport_->reply(200, R"({"code":"quota_exceeded","message":"no quota left","data":null})");
  EXPECT_THROW(client.submit(request()), ApiError);
  transport_->reply(200, R"({"code":"success","data":{"task_id":"task_w","status":"queued"}})");
  EXPECT_EQ(client.submit(request()).task_id, "task_w");
  transport_->reply(200, R"({"ok":true})");
  EXPECT_THROW(client.submit(request()), SubmitOutcomeUnknownError);
  transport_->reply(200, R"({"task_id":"task_odd","progress":"N/A","created_at":"soon"})");
  EXPECT_EQ(client.submit(request()).task_id, "task_odd");
}

TEST_F(ClientTest, SubmitIsNeverResentAfterTheConnectionBroke) {
  const Client client = make_client();
  for (auto error : {TransportError::ConnectionLost, TransportError::Timeout,
                     TransportError::Stalled, TransportError::Other}) {
    transport_->fail(error);
    const auto before = transport_->count();
    EXPECT_THROW(client.submit(request()), SubmitOutcomeUnknownError) << to_string(error);
    EXPECT_EQ(transport_->count(), before + 1) << to_string(error);
  }
}

TEST_F(ClientTest, SubmitWithGatewayErrorIsOutcomeUnknownAndNotResent) {
  const Client client = make_client();
  transport_->reply(502, "<html>Bad Gateway</html>");
  try {
    client.submit(request());
    FAIL() << "expected SubmitOutcomeUnknownError";
  } catch (const SubmitOutcomeUnknownError& error) {
    EXPECT_EQ(error.http_status(), 502);
    EXPECT_THAT(error.what(), HasSubstr("may have been created"));
  }
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(ClientTest, SubmitWithUnreadableReceiptIsOutcomeUnknown) {
  const Client client = make_client();
  transport_->reply(200, "<html>proxy page</html>");
  EXPECT_THROW(client.submit(request()), SubmitOutcomeUnknownError);
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(ClientTest, SubmitRetriesWhenNothingCanHaveBeenSent) {
  const Client client = make_client();
  transport_->fail(TransportError::Connect);
  transport_->fail(TransportError::NameResolution);
  transport_->reply(429, R"({"error":{"message":"slow down","type":"rate_limit","code":"429"}})",
                    {{"Retry-After", "7"}});
  transport_->reply(200, kReceipt);
  EXPECT_EQ(client.submit(request()).task_id, "task_1");
  const auto times = send_times();
  ASSERT_EQ(times.size(), 4u);
  // Retry-After honoured; the times are doubles, so exactly 7 s may read as 6.999999999.
  EXPECT_GE(times[3] - times[2], 7.0 - 1e-9);
}

TEST_F(ClientTest, SubmitGivesUpAfterMaxAttempts) {
  RetryPolicy retry;
  retry.max_attempts = 2;
  const Client client = make_client(retry);
  transport_->fail(TransportError::Connect);
  transport_->fail(TransportError::Connect);
  EXPECT_THROW(client.submit(request()), NetworkError);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(ClientTest, GetRetriesTransientFailures) {
  const Client client = make_client();
  transport_->reply(503, "unavailable");
  transport_->fail(TransportError::ConnectionLost);
  transport_->reply(200, task_body("IN_PROGRESS", "50%"));
  const Task task = client.get("task_1");
  EXPECT_EQ(task.status, TaskStatus::InProgress);
  EXPECT_EQ(task.progress, 50);
  EXPECT_EQ(transport_->count(), 3u);
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_THAT(events_[0].decision, HasSubstr("retry in"));
  EXPECT_EQ(events_[2].decision, "done");
}

TEST_F(ClientTest, GetDoesNotRetryClientErrors) {
  const Client client = make_client();
  transport_->reply(
      404, R"({"error":{"message":"no such task","type":"not_found","code":"task_not_found"}})");
  try {
    client.get("task_1");
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 404);
    EXPECT_EQ(error.code(), "task_not_found");
  }
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(ClientTest, RetryBudgetStopsRetriesDuringAnOutage) {
  RetryPolicy retry;
  retry.budget_tokens = 10;
  retry.retry_cost = 5;
  const Client client = make_client(retry);
  for (int i = 0; i < 12; ++i) transport_->reply(503, "down");
  EXPECT_THROW(client.get("task_1"), ApiError);  // 1 try + 2 retries drain the bucket
  EXPECT_THROW(client.get("task_1"), ApiError);  // no retry left
  EXPECT_EQ(transport_->count(), 4u);
}

TEST_F(ClientTest, UnsafeTaskIdsNeverReachAUrl) {
  const Client client = make_client();
  for (const char* id : {"", "a/b", "..", "a?b", "a#b", "a b", "x\n"}) {
    EXPECT_THROW(client.get(id), ValidationError) << id;
  }
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(ClientTest, WaitPollsOnAFixedScheduleAndReportsProgress) {
  const Client client = make_client();
  transport_->reply(200, task_body("QUEUED", "0%"));
  transport_->reply(200, task_body("IN_PROGRESS", "40%"));
  transport_->reply(200, task_body("IN_PROGRESS", "40%"));
  transport_->reply(200, task_body("SUCCESS", "100%"));
  std::vector<int> progress;
  WaitOptions options = exact_polls();
  options.on_progress = [&](const Task& task) { progress.push_back(task.progress); };
  const Task task = client.wait("task_1", options);
  EXPECT_EQ(task.status, TaskStatus::Success);
  EXPECT_EQ(task.result_url.value_or(""), "/v1/videos/task_1/content");
  EXPECT_EQ(send_times(), (std::vector<double>{0, 10, 20, 30}));
  EXPECT_EQ(progress, (std::vector<int>{0, 40, 100}));  // unchanged polls are not reported
}

TEST_F(ClientTest, WaitRefusesIntervalsBelowTheFloor) {
  const Client client = make_client();
  WaitOptions options;
  options.poll_interval = std::chrono::milliseconds(4999);
  EXPECT_THROW(client.wait("task_1", options), ValidationError);
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(ClientTest, WaitJitterStaysInsideTheInterval) {
  const Client client = make_client();
  for (int i = 0; i < 20; ++i) transport_->reply(200, task_body("QUEUED", "0%"));
  transport_->reply(200, task_body("SUCCESS", "100%"));
  client.wait("task_1", WaitOptions());  // defaults: 10 s + up to 5 s
  const auto times = send_times();
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], 10.0);
    EXPECT_LE(times[i] - times[i - 1], 15.0);
  }
}

TEST_F(ClientTest, WaitRetriesKeepTheFloorAndHonourRetryAfter) {
  RetryPolicy retry;
  retry.initial_backoff = std::chrono::milliseconds(100);
  const Client client = make_client(retry);
  transport_->reply(200, task_body("QUEUED", "0%"));
  transport_->reply(503, "down");                                // back-off 0.1 s -> floor 5 s
  transport_->reply(429, "slow down", {{"Retry-After", "30"}});  // lengthens to 30 s
  transport_->fail(TransportError::ConnectionLost);
  transport_->reply(200, task_body("SUCCESS", "100%"));
  client.wait("task_1", exact_polls(std::chrono::seconds(5)));
  const auto times = send_times();
  ASSERT_EQ(times.size(), 5u);
  EXPECT_EQ(times[1] - times[0], 5.0);
  EXPECT_EQ(times[2] - times[1], 5.0);
  EXPECT_EQ(times[3] - times[2], 30.0);
  EXPECT_EQ(times[4] - times[3], 5.0);
}

TEST_F(ClientTest, WaitTimesOutOnTimeWithTheLastTask) {
  const Client client = make_client();
  for (int i = 0; i < 10; ++i) transport_->reply(200, task_body("IN_PROGRESS", "10%"));
  WaitOptions options = exact_polls();
  options.timeout = std::chrono::seconds(25);
  try {
    client.wait("task_1", options);
    FAIL() << "expected TimeoutError";
  } catch (const TimeoutError& error) {
    EXPECT_EQ(error.task_id(), "task_1");
    ASSERT_TRUE(error.last_task().has_value());
    EXPECT_EQ(error.last_task()->progress, 10);
    // In seconds, as timeouts are given (not "25000 ms").
    EXPECT_THAT(error.what(), ::testing::HasSubstr("not finished after 25 s"));
  }
  EXPECT_EQ(send_times(), (std::vector<double>{0, 10, 20}));
  EXPECT_EQ(clock_->seconds(), 25.0);
}

TEST_F(ClientTest, WaitOnAnUnknownStatusEndsByTimeout) {
  const Client client = make_client();
  for (int i = 0; i < 10; ++i) transport_->reply(200, task_body("PAUSED", "0%"));
  WaitOptions options = exact_polls();
  options.timeout = std::chrono::seconds(30);
  EXPECT_THROW(client.wait("task_1", options), TimeoutError);
}

TEST_F(ClientTest, WaitFailureThrowsOrReturnsByOption) {
  const Client client = make_client();
  transport_->reply(200, task_body("FAILURE", "100%"));
  try {
    client.wait("task_1", exact_polls());
    FAIL();
  } catch (const TaskFailedError& error) {
    EXPECT_EQ(error.task().fail_reason.value_or(""), "content policy");
    EXPECT_EQ(error.task_id(), "task_1");
    EXPECT_THAT(error.what(), HasSubstr("content policy"));
  }
  transport_->reply(200, task_body("FAILURE", "100%"));
  WaitOptions options = exact_polls();
  options.throw_on_failure = false;
  EXPECT_EQ(client.wait("task_1", options).status, TaskStatus::Failure);
}

TEST_F(ClientTest, WaitCanBeCancelledDuringTheSleep) {
  const Client client = make_client();
  for (int i = 0; i < 3; ++i) transport_->reply(200, task_body("QUEUED", "0%"));
  WaitOptions options = exact_polls();
  CancellationToken cancel;
  options.cancel = cancel;
  int sleeps = 0;
  clock_->on_sleep = [&](Clock::time_point) {
    if (++sleeps == 3) cancel.cancel();
  };
  EXPECT_THROW(client.wait("task_1", options), CancelledError);
  EXPECT_EQ(transport_->count(), 2u);
}

TEST_F(ClientTest, GenerateKeepsTheTaskIdOnLaterFailures) {
  const Client client = make_client();
  transport_->reply(200, kReceipt);
  transport_->reply(404, R"({"error":{"message":"gone","type":"not_found","code":"x"}})");
  try {
    client.generate(request(), "/nonexistent-dir/out.mp4", exact_polls());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.task_id(), "task_1");
  }
}

TEST_F(ClientTest, TheApiKeyNeverAppearsInErrorsOrLogs) {
  const Client client = make_client();
  transport_->reply(401, std::string(R"({"error":{"message":"bad key )") + kKey +
                             R"(","type":"auth","code":"invalid_api_key"}})");
  try {
    client.get("task_1");
  } catch (const Error& error) {
    // The service's own message is quoted; the SDK adds nothing of its own that holds the key.
    SUCCEED();
  }
  transport_->fail(TransportError::ConnectionLost);
  try {
    client.submit(request());
  } catch (const Error& error) {
    expect_no_secret(error.what());
  }
  for (const auto& event : events_) {
    expect_no_secret(event.path);
    expect_no_secret(event.decision);
  }
}

TEST_F(ClientTest, AuthorizationGoesOnlyToTheConfiguredOrigin) {
  const Client client = make_client();
  transport_->reply(302, "", {{"Location", "https://cdn.example.net/video.mp4"}});
  transport_->reply(200, "VIDEO", {{"Content-Length", "5"}, {"ETag", "\"v1\""}});
  const std::string path = ::testing::TempDir() + "/redirected.mp4";
  client.download("task_1", path);
  const auto sent = transport_->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(find_header(sent[0].request.headers, "authorization").has_value());
  EXPECT_EQ(sent[1].request.url, "https://cdn.example.net/video.mp4");
  EXPECT_FALSE(find_header(sent[1].request.headers, "authorization").has_value());
  std::remove(path.c_str());
}

TEST_F(ClientTest, ADownloadTimeoutBoundsEachRequestByWhatIsLeft) {
  const Client client = make_client();
  transport_->reply(503, "{}");
  transport_->reply(200, "VIDEO", {{"Content-Length", "5"}, {"ETag", "\"v1\""}});
  DownloadOptions options;
  options.timeout = std::chrono::seconds(10);
  std::ostringstream video;
  client.download("task_1", video, options);
  EXPECT_EQ(video.str(), "VIDEO");
  const auto sent = transport_->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].request.timeout, std::chrono::seconds(10));
  ASSERT_GT(sent[1].at_seconds, 0.0);  // after the back-off
  EXPECT_EQ(sent[1].request.timeout,
            std::chrono::milliseconds(10000) -
                std::chrono::milliseconds(static_cast<long>(sent[1].at_seconds * 1000)));
}

TEST_F(ClientTest, WithoutADownloadTimeoutTransfersHaveNone) {
  const Client client = make_client();
  transport_->reply(200, "VIDEO", {{"Content-Length", "5"}});
  std::ostringstream video;
  client.download("task_1", video);
  ASSERT_EQ(transport_->count(), 1u);
  EXPECT_EQ(transport_->sent()[0].request.timeout, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace seedance
