// GenerateOptions::timeout: one deadline for submit, wait and download, on the fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "fakes.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeTransport;

constexpr const char* kReceipt =
    R"({"id":"task_1","task_id":"task_1","object":"video","model":"seedance-2.0",)"
    R"("status":"QUEUED","progress":0,"created_at":1700000000})";
constexpr const char* kQueued = R"({"task_id":"task_1","status":"QUEUED","progress":"0%"})";
constexpr const char* kSucceeded = R"({"task_id":"task_1","status":"SUCCESS","progress":"100%",)"
                                   R"("result_url":"/v1/videos/task_1/content"})";

class GenerateTimeoutTest : public ::testing::Test {
 protected:
  GenerateTimeoutTest()
      : clock_(std::make_shared<FakeClock>()),
        transport_(std::make_shared<FakeTransport>(clock_)) {}
  ~GenerateTimeoutTest() override { std::remove(path_.c_str()); }

  Client make_client() {
    ClientOptions options;
    options.base_url = "https://api.example.com";
    options.api_key = "sk-generate-timeout-test";
    options.transport = transport_;
    options.clock = clock_;
    return Client(options);
  }

  // Polls every 10 s exactly.
  static GenerateOptions options(std::chrono::milliseconds timeout) {
    GenerateOptions options;
    options.wait.poll_interval = 10s;
    options.wait.poll_jitter = 0ms;
    options.timeout = timeout;
    return options;
  }

  // A task that succeeds once the fake clock reaches `done_at`; every request is answered.
  void serve_task_done_at(std::chrono::seconds done_at) {
    for (int i = 0; i < 1000; ++i) {
      transport_->handle([this, done_at](const HttpRequest& request) {
        HttpResponse response;
        response.status = 200;
        if (request.method == "POST") {
          response.body = kReceipt;
        } else if (request.url.find("/content") != std::string::npos) {
          response.headers = {{"Content-Length", "5"}, {"ETag", "\"v1\""}};
          if (request.on_headers) request.on_headers(response.status, response.headers);
          if (request.on_body) request.on_body("VIDEO", 5);
        } else {
          response.body = clock_->now().time_since_epoch() >= done_at ? kSucceeded : kQueued;
        }
        return response;
      });
    }
  }

  // The request of the download, as sent.
  FakeTransport::Sent download_request() {
    for (const auto& sent : transport_->sent()) {
      if (sent.request.url.find("/content") != std::string::npos) return sent;
    }
    ADD_FAILURE() << "no download was sent";
    return {};
  }

  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<FakeTransport> transport_;
  // One file per test: ctest runs the tests of this program at the same time.
  std::string path_ = ::testing::TempDir() + "/generate-timeout-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".mp4";
};

TEST_F(GenerateTimeoutTest, TheDownloadGetsWhatTheWaitLeftOfTheDeadline) {
  serve_task_done_at(25s);
  const GenerateResult result = make_client().generate(VideoRequest().prompt("a paper boat"), path_,
                                                       options(std::chrono::seconds(60)));
  EXPECT_EQ(result.download.bytes, 5u);
  const FakeTransport::Sent download = download_request();
  ASSERT_GE(download.at_seconds, 25.0);  // the wait used some of the minute
  EXPECT_EQ(download.request.timeout,
            60000ms - std::chrono::milliseconds(static_cast<long>(download.at_seconds * 1000)));
}

TEST_F(GenerateTimeoutTest, PastTheDeadlineTheWaitEndsWithTheTaskId) {
  serve_task_done_at(3600s);
  try {
    make_client().generate(VideoRequest().prompt("a paper boat"), path_, options(45s));
    FAIL() << "no timeout";
  } catch (const TimeoutError& error) {
    EXPECT_EQ(error.task_id(), "task_1");
    // The timeout as given, not what was left of it for the wait.
    EXPECT_THAT(error.what(),
                ::testing::StartsWith("generate: the timeout of 45 s passed during the wait"));
  }
  EXPECT_LE(clock_->seconds(), 45.0);
  for (const auto& sent : transport_->sent()) {
    EXPECT_EQ(sent.request.url.find("/content"), std::string::npos) << "a download was started";
  }
}

TEST_F(GenerateTimeoutTest, TheVideoMayGoToASink) {
  serve_task_done_at(25s);
  std::string video;
  const GenerateResult result = make_client().generate(
      VideoRequest().prompt("a paper boat"),
      [&video](std::string_view bytes) { video.append(bytes); }, options(60s));
  EXPECT_EQ(result.download.bytes, 5u);
  EXPECT_EQ(video.size(), 5u);
  EXPECT_TRUE(result.download.path.empty());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

// The wait's own default (one hour) does not cut a generate() given two hours.
TEST_F(GenerateTimeoutTest, ItReplacesTheWaitsOwnTimeout) {
  serve_task_done_at(5400s);
  const GenerateResult result =
      make_client().generate(VideoRequest().prompt("a paper boat"), path_, options(2h));
  EXPECT_EQ(result.task.status, TaskStatus::Success);
  EXPECT_GE(download_request().at_seconds, 5400.0);
}

// Without it the download has no time limit: a slow but moving paid download is never cut off.
TEST_F(GenerateTimeoutTest, WithoutItTheDownloadHasNoTimeLimit) {
  serve_task_done_at(25s);
  make_client().generate(VideoRequest().prompt("a paper boat"), path_, options(0ms));
  EXPECT_EQ(download_request().request.timeout, 0ms);
}

TEST_F(GenerateTimeoutTest, ANegativeTimeoutIsRefusedBeforeTheSubmit) {
  EXPECT_THROW(make_client().generate(VideoRequest().prompt("a paper boat"), path_, options(-1ms)),
               ValidationError);
  EXPECT_EQ(transport_->count(), 0u);
}

}  // namespace
}  // namespace seedance
