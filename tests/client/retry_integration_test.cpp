// Every retry decision of the Client, proven against the mock server over loopback with the real
// libcurl transport: what the server saw (its request log) and how long the client slept (the
// recording clock). Submit-safety tests count POSTs at the server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "mock_fixture.hpp"
#include "seedance/version.hpp"
#include "temp_dir.hpp"

namespace seedance::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string task_path(const std::string& id) { return "/v1/videos/" + id; }

// A GET that still returns task `id` after `gets` requests, its first attempt failing by `error`.
void expect_get_recovered(const Client& client, mock::MockServer& server, EventLog& log,
                          const std::string& id, std::size_t gets, TransportError error) {
  EXPECT_EQ(client.get(id).task_id, id);
  EXPECT_EQ(server.count("GET", task_path(id)), gets);
  EXPECT_EQ(log.events()[0].error, error);
}

// Stops `server`; another server takes its port at the client's first back-off, as when a server
// comes back after a restart.
class RevivedServer {
 public:
  RevivedServer(mock::MockServer& server, RecordingClock& clock)
      : port_(stop(server)), revived_(options(port_)) {
    clock.on_sleep([this](milliseconds) {
      if (!revived_.running()) revived_.start();
    });
  }

  mock::MockServer& server() { return revived_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static int stop(mock::MockServer& server) {
    const int port = server.port();
    server.stop();
    return port;
  }
  static mock::MockServerOptions options(int port) {
    mock::MockServerOptions options = small_mock_options();
    options.port = port;
    return options;
  }

  int port_;
  mock::MockServer revived_;
};

// --- status queries -----------------------------------------------------------------------

class GetRetriedOnStatus : public MockClientTest, public ::testing::WithParamInterface<int> {};

TEST_P(GetRetriedOnStatus, TwiceThenSucceeds) {
  const int status = GetParam();
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=" + std::to_string(status) + " times=2");
  const Task task = client().get(id);
  EXPECT_EQ(task.task_id, id);
  EXPECT_EQ(server_.count("GET", task_path(id)), 3U);
  const auto sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 2U);
  // Full jitter: 0..500 ms, then 0..1000 ms.
  EXPECT_LE(sleeps[0], milliseconds(500));
  EXPECT_LE(sleeps[1], milliseconds(1000));

  // The logging hook reports each attempt and its decision.
  const auto events = log_.events();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].method, "GET");
  EXPECT_EQ(events[0].path, task_path(id));
  EXPECT_EQ(events[0].status, status);
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_THAT(events[0].decision,
              StartsWith("retry in " + std::to_string(sleeps[0].count()) + " ms (HTTP "));
  EXPECT_EQ(events[2].status, 200);
  EXPECT_EQ(events[2].attempt, 3);
  EXPECT_EQ(events[2].decision, "done");
}

INSTANTIATE_TEST_SUITE_P(RetryableStatuses, GetRetriedOnStatus,
                         ::testing::Values(408, 429, 500, 502, 503, 504));

class GetNotRetriedOnStatus : public MockClientTest, public ::testing::WithParamInterface<int> {};

TEST_P(GetNotRetriedOnStatus, GivesUpAtOnce) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=" + std::to_string(GetParam()));
  EXPECT_THROW(client().get(id), ApiError);
  EXPECT_EQ(server_.count("GET", task_path(id)), 1U);
  EXPECT_TRUE(clock_->sleeps().empty());
  ASSERT_EQ(log_.events().size(), 1U);
  EXPECT_THAT(log_.events()[0].decision, StartsWith("give up: HTTP "));
}

INSTANTIATE_TEST_SUITE_P(ClientErrors, GetNotRetriedOnStatus,
                         ::testing::Values(400, 401, 403, 404, 409, 422, 501));

TEST_F(MockClientTest, GetRetriedWhenTheConnectionClosesBeforeTheResponse) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: close-before-response times=2");
  expect_get_recovered(client(), server_, log_, id, 3U, TransportError::ConnectionLost);
}

TEST_F(MockClientTest, GetRetriedWhenTheConnectionClosesMidBody) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: close-after-bytes=10");
  expect_get_recovered(client(), server_, log_, id, 2U, TransportError::ConnectionLost);
}

TEST_F(MockClientTest, GetRetriedAfterARequestTimeout) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: delay-ms=1500");
  ClientOptions opts = options();
  opts.request_timeout = milliseconds(300);
  expect_get_recovered(Client(opts), server_, log_, id, 2U, TransportError::Timeout);
}

TEST_F(MockClientTest, GetRetriedWhileTheConnectionIsRefused) {
  // Nothing listens on the port until the client's first back-off: the server "comes back".
  const std::string id = server_.create_succeeded_task();
  RevivedServer revived(server_, *clock_);
  ClientOptions opts = options();
  opts.base_url = revived.base_url();
  // The revived server does not know the task: a 404 proves the retry reached it.
  try {
    Client(opts).get(id);
    FAIL() << "expected the revived server's 404";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 404);
  }
  EXPECT_EQ(revived.server().count("GET", task_path(id)), 1U);
  const auto events = log_.events();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].error, TransportError::Connect);
  EXPECT_THAT(events[0].decision, StartsWith("retry in "));
}

TEST_F(MockClientTest, GetGivesUpAfterMaxAttempts) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 times=always");
  RetryPolicy retry;
  retry.max_attempts = 3;
  try {
    client(retry).get(id);
    FAIL() << "expected ApiError";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 503);
  }
  EXPECT_EQ(server_.count("GET", task_path(id)), 3U);
  EXPECT_EQ(clock_->sleeps().size(), 2U);
  EXPECT_THAT(log_.events().back().decision, StartsWith("give up: HTTP 503"));
}

TEST_F(MockClientTest, RetriesCanBeTurnedOff) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503");
  EXPECT_THROW(client(RetryPolicy::none()).get(id), ApiError);
  EXPECT_EQ(server_.count("GET", task_path(id)), 1U);
}

// --- Retry-After ---------------------------------------------------------------------------

TEST_F(MockClientTest, RetryAfterSecondsIsHonoured) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 retry-after=7");
  client().get(id);
  EXPECT_EQ(clock_->sleeps(), std::vector<milliseconds>{seconds(7)});
}

TEST_F(MockClientTest, RetryAfterMillisecondsIsHonoured) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=429 retry-after-ms=2500 retry-after=9");
  client().get(id);
  EXPECT_EQ(clock_->sleeps(), std::vector<milliseconds>{milliseconds(2500)});
}

TEST_F(MockClientTest, RetryAfterHttpDateIsHonoured) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 retry-after-date=30");
  client().get(id);
  const auto sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 1U);
  // The date has one-second resolution: 29..30 s from now, never the 0..500 ms back-off.
  EXPECT_GE(sleeps[0], seconds(28));
  EXPECT_LE(sleeps[0], seconds(31));
}

TEST_F(MockClientTest, RetryAfterIsCapped) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 retry-after=3600");
  server_.add_fault("GET /v1/videos/{id}: status=503 retry-after-date=7200");
  RetryPolicy retry;
  retry.max_retry_after = seconds(20);
  client(retry).get(id);
  EXPECT_EQ(clock_->sleeps(), (std::vector<milliseconds>{seconds(20), seconds(20)}));
}

// --- submit: never twice ------------------------------------------------------------------

struct AfterSendFailure {
  const char* name;
  const char* rule;
};

class SubmitAfterSendFailure : public MockClientTest,
                               public ::testing::WithParamInterface<AfterSendFailure> {};

TEST_P(SubmitAfterSendFailure, ExactlyOnePostAndOutcomeUnknown) {
  server_.add_fault(std::string("POST /v1/videos: ") + GetParam().rule);
  ClientOptions opts = options();
  opts.request_timeout = milliseconds(400);  // for the delay rule
  const Client client(opts);
  try {
    client.submit(video_request());
    FAIL() << "expected SubmitOutcomeUnknownError";
  } catch (const SubmitOutcomeUnknownError& error) {
    EXPECT_THAT(error.what(), HasSubstr("may have been created"));
    EXPECT_THAT(error.what(), ::testing::Not(HasSubstr(server_.api_key())));
  }
  EXPECT_EQ(server_.count("POST", "/v1/videos"), 1U);
  EXPECT_TRUE(clock_->sleeps().empty());
  // One attempt, never followed by a retry ("done" when HTTP succeeded but the body is unusable).
  ASSERT_EQ(log_.events().size(), 1U);
  EXPECT_THAT(log_.events()[0].decision, ::testing::Not(StartsWith("retry")));
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, SubmitAfterSendFailure,
    ::testing::Values(
        AfterSendFailure{"ClosedBeforeResponse", "close-before-response"},
        AfterSendFailure{"ClosedMidBody", "close-after-bytes=20"},
        AfterSendFailure{"Status500", "status=500"}, AfterSendFailure{"Status502", "status=502"},
        AfterSendFailure{"Status503", "status=503 retry-after=1"},
        AfterSendFailure{"Status504", "status=504"}, AfterSendFailure{"HtmlPage", "body=html"},
        AfterSendFailure{"HtmlPageWith200", "status=200 body=html"},
        AfterSendFailure{"MalformedJson", "body=malformed"},
        AfterSendFailure{"EmptyBody", "body=empty"}, AfterSendFailure{"Timeout", "delay-ms=3000"}),
    [](const ::testing::TestParamInfo<AfterSendFailure>& info) { return info.param.name; });

TEST_F(MockClientTest, SubmitServerErrorKeepsTheApiErrorFields) {
  server_.add_fault("POST /v1/videos: status=500 code=internal_error type=server_error");
  try {
    client().submit(video_request());
    FAIL() << "expected SubmitOutcomeUnknownError";
  } catch (const SubmitOutcomeUnknownError& error) {
    EXPECT_EQ(error.http_status(), 500);
    EXPECT_EQ(error.code(), "internal_error");
    EXPECT_EQ(error.type(), "server_error");
  }
  EXPECT_EQ(server_.count("POST", "/v1/videos"), 1U);
}

TEST_F(MockClientTest, SubmitRetriedOn429WithRetryAfter) {
  server_.add_fault("POST /v1/videos: status=429 retry-after=3 times=2");
  const Receipt receipt = client().submit(video_request());
  EXPECT_FALSE(receipt.task_id.empty());
  EXPECT_EQ(server_.count("POST", "/v1/videos"), 3U);
  EXPECT_EQ(server_.task_count(), 1U);  // the two turned away created nothing
  EXPECT_EQ(clock_->sleeps(), (std::vector<milliseconds>{seconds(3), seconds(3)}));
}

TEST_F(MockClientTest, SubmitRetriedWhileTheConnectionIsRefused) {
  RevivedServer revived(server_, *clock_);
  ClientOptions opts = options();
  opts.base_url = revived.base_url();
  const Receipt receipt = Client(opts).submit(video_request());
  EXPECT_TRUE(revived.server().task(receipt.task_id).has_value());
  EXPECT_EQ(revived.server().count("POST", "/v1/videos"), 1U);
  EXPECT_EQ(revived.server().task_count(), 1U);
  EXPECT_EQ(log_.events()[0].error, TransportError::Connect);
}

TEST_F(MockClientTest, SubmitNotRetriedOnOtherClientErrors) {
  server_.add_fault("POST /v1/videos: status=400 code=invalid_parameter");
  EXPECT_THROW(client().submit(video_request()), ApiError);
  EXPECT_EQ(server_.count("POST", "/v1/videos"), 1U);
}

// --- the retry budget ---------------------------------------------------------------------

TEST_F(MockClientTest, ExhaustedBudgetStopsRetriesAcrossCalls) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 times=always");
  RetryPolicy retry;
  retry.max_attempts = 10;
  retry.budget_tokens = 10;  // two retries of 5 tokens each
  retry.retry_cost = 5;
  const Client shared = client(retry);
  EXPECT_THROW(shared.get(id), ApiError);
  EXPECT_EQ(server_.count("GET", task_path(id)), 3U);
  EXPECT_THROW(shared.get(id), ApiError);
  EXPECT_EQ(server_.count("GET", task_path(id)), 4U);  // no tokens left: no retry at all
  EXPECT_EQ(clock_->sleeps().size(), 2U);

  // Successes refill the bucket one token each; five of them pay for one retry again.
  server_.clear_faults();
  for (int i = 0; i < 5; ++i) shared.get(id);
  server_.add_fault("GET /v1/videos/{id}: status=503");
  EXPECT_NO_THROW(shared.get(id));
  EXPECT_EQ(clock_->sleeps().size(), 3U);
}

TEST_F(MockClientTest, CopiesOfAClientShareOneBudget) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 times=always");
  RetryPolicy retry;
  retry.budget_tokens = 5;
  retry.retry_cost = 5;
  const Client first = client(retry);
  const Client second = first;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_THROW(first.get(id), ApiError);
  EXPECT_THROW(second.get(id), ApiError);
  EXPECT_EQ(server_.count("GET", task_path(id)), 3U);  // 2 + 1: the copy had no token left
}

// --- security and options -----------------------------------------------------------------

TEST_F(MockClientTest, TurningTlsVerificationOffLogsAWarning) {
  std::vector<std::string> warnings;
  ClientOptions opts = options();
  opts.transport_options.verify_tls = false;
  opts.on_warning = [&](const std::string& message) { warnings.push_back(message); };
  const Client client(opts);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_THAT(warnings[0], HasSubstr("TLS certificate verification is off"));
  EXPECT_THAT(warnings[0], ::testing::Not(HasSubstr(server_.api_key())));

  // Without a handler it goes to stderr; with verification on there is none.
  opts.on_warning = nullptr;
  ::testing::internal::CaptureStderr();
  { const Client insecure(opts); }
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("warning: TLS"));
  opts.transport_options.verify_tls = true;
  ::testing::internal::CaptureStderr();
  { const Client secure(opts); }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(MockClientTest, RedirectToAnotherOriginIsFollowedWithoutAuthorization) {
  mock::MockServer other(small_mock_options());  // another port: another origin
  other.start();
  const std::string id = server_.create_succeeded_task();
  server_.add_fault("GET */content: status=302 location=" + other.base_url() + task_path(id) +
                    "/content");
  TempDir dir;
  // The other origin requires a key it was not given: its 401 proves the key stayed home.
  try {
    client().download(id, dir.file("video.mp4"));
    FAIL() << "expected the other origin's 401";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 401);
  }
  const auto home = server_.requests();
  ASSERT_EQ(home.size(), 1U);
  EXPECT_EQ(home[0].header("Authorization"), "Bearer " + server_.api_key());
  const auto away = other.requests();
  ASSERT_EQ(away.size(), 1U);
  EXPECT_EQ(away[0].path, task_path(id) + "/content");
  EXPECT_EQ(away[0].header("Authorization"), "");
  EXPECT_THAT(away[0].header("User-Agent"), StartsWith("seedance-cpp/"));
}

TEST_F(MockClientTest, RedirectOnTheSameOriginKeepsAuthorization) {
  const std::string id = server_.create_succeeded_task();
  server_.add_fault("GET */content: status=302 location=" + task_path(id) + "/content");
  TempDir dir;
  const DownloadResult result = client().download(id, dir.file("video.mp4"));
  EXPECT_EQ(result.bytes, server_.task(id)->video_size);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[1].header("Authorization"), "Bearer " + server_.api_key());
}

TEST_F(MockClientTest, UserAgentExtraHeadersAndAliasRoutesReachTheServer) {
  ClientOptions opts = options();
  opts.use_alias_routes = true;
  opts.extra_headers = {{"X-Trace", "abc-123"}};
  const Client client(opts);
  const Receipt receipt = client.submit(video_request());
  client.get(receipt.task_id);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].path, "/v1/video/generations");
  EXPECT_EQ(requests[1].path, "/v1/video/generations/" + receipt.task_id);
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("User-Agent"), "seedance-cpp/" + std::string(version()));
    EXPECT_EQ(request.header("X-Trace"), "abc-123");
  }
}

TEST_F(MockClientTest, ProxyOptionSendsEveryRequestThroughTheProxy) {
  // The mock plays the proxy: libcurl sends it the absolute-form target of another host, which
  // is never resolved locally (.invalid cannot resolve).
  ClientOptions opts = options(RetryPolicy::none());
  opts.base_url = "http://seedance.invalid";
  opts.transport_options.proxy = server_.base_url();
  EXPECT_THROW(Client(opts).get("task_1"), Error);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].target, "http://seedance.invalid/v1/videos/task_1");
}

TEST_F(MockClientTest, CaBundleOptionReachesTls) {
  // An https URL on the plain-HTTP mock: with a CA file that holds no certificate, libcurl fails
  // while loading it, after connecting but before a handshake, and says which file it was. The
  // TLS settings are unusable, so it is a CertificateError and not retried.
  const testing::TempDir dir;
  const std::string bundle = dir.file("not-a-ca.pem");
  testing::write_file(bundle, "not a certificate\n");
  ClientOptions opts = options(RetryPolicy{});
  opts.base_url = "https://127.0.0.1:" + std::to_string(server_.port());
  opts.transport_options.ca_bundle = bundle;
  try {
    Client(opts).get("task_1");
    FAIL() << "expected CertificateError";
  } catch (const CertificateError& error) {
    EXPECT_THAT(error.what(), HasSubstr("certificate"));
    EXPECT_THAT(error.what(), HasSubstr(bundle));
  }
  ASSERT_EQ(log_.events().size(), 1U);
  EXPECT_EQ(log_.events()[0].error, TransportError::Certificate);
}

TEST(FaultRuleSyntax, RetryAfterDateAndLocationRoundTrip) {
  const auto rule = mock::FaultRule::parse(
      "GET */content: status=302 location=https://cdn.example.net/v.mp4 retry-after-date=30");
  EXPECT_EQ(rule.status, 302);
  EXPECT_EQ(rule.location, "https://cdn.example.net/v.mp4");
  ASSERT_TRUE(rule.retry_after_date_seconds.has_value());
  EXPECT_EQ(*rule.retry_after_date_seconds, 30);
  const auto again = mock::FaultRule::parse(rule.to_string());
  EXPECT_EQ(again.location, rule.location);
  EXPECT_EQ(again.retry_after_date_seconds, rule.retry_after_date_seconds);
  EXPECT_THROW(mock::FaultRule::parse("GET *: location="), std::invalid_argument);
  EXPECT_THROW(mock::FaultRule::parse("GET *: retry-after-date=soon"), std::invalid_argument);
}

TEST_F(MockClientTest, UnsafeTaskIdsNeverReachTheServer) {
  for (const char* id : {"../etc", "a/b", "x?y=1", "x#y", "a\r\nHost: evil", "..", ""}) {
    EXPECT_THROW(client().get(id), ValidationError) << id;
  }
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace seedance::testing
