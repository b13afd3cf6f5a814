// TaskGroup, the *_async calls and the last frame against the in-process mock server, over real
// sockets with the libcurl multi engine. Tasks finish on the first poll, or the SDK runs on a
// clock 100x faster than real time, so no test waits out the 5 s floor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "scaled_clock.hpp"
#include "seedance/mock/mock_server.hpp"
#include "seedance/seedance.hpp"
#include "task_group_options.hpp"

namespace seedance {
namespace {

using mock::MockServer;
using mock::MockServerOptions;
using ::testing::HasSubstr;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<VideoRequest> prompts(int count) {
  std::vector<VideoRequest> requests;
  for (int i = 0; i < count; ++i)
    requests.push_back(VideoRequest().prompt("clip " + std::to_string(i)));
  return requests;
}

class MockGroupTest : public ::testing::Test {
 protected:
  void start(int polls_to_complete) {
    MockServerOptions options;
    options.polls_to_complete = polls_to_complete;
    options.video_size = 32 * 1024;
    server_ = std::make_unique<MockServer>(options);
    server_->start();
  }

  Client client(std::shared_ptr<Clock> clock = nullptr) const {
    ClientOptions options;
    options.base_url = server_->base_url();
    options.api_key = server_->api_key();
    options.clock = std::move(clock);
    return Client(options);
  }

  static TaskGroupOptions fast_options() {
    TaskGroupOptions options = testing::steady_group_options();
    options.max_in_flight = 64;
    return options;
  }

  std::string out_dir() const {
    const std::string dir = ::testing::TempDir() + "mock-group-" +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    EXPECT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
    return dir;
  }

  /// Real-time gaps between consecutive polls of each task, from the mock's log.
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> polls() const {
    std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> result;
    for (const auto& request : server_->requests()) {
      if (request.method != "GET") continue;
      const std::string rest = request.path.substr(std::string("/v1/videos/").size());
      if (rest.find('/') != std::string::npos) continue;  // content, last frame
      result[rest].push_back(request.received_at);
    }
    return result;
  }

  std::unique_ptr<MockServer> server_;
};

TEST_F(MockGroupTest, AllTasksFinishAndDownloadOverAFewConnections) {
  start(1);
  TaskGroupOptions options = fast_options();
  options.download_dir = out_dir();
  options.max_connections = 3;
  TaskGroup group(client(), options);
  group.submit_all(prompts(24));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 24u);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.index;
    EXPECT_EQ(result.task->status, TaskStatus::Success);
    ASSERT_TRUE(result.download.has_value());
    EXPECT_EQ(read_file(result.download->path),
              MockServer::expected_video(result.task_id, 32 * 1024));
  }
  EXPECT_EQ(server_->task_count(), 24u);
  EXPECT_EQ(server_->count("POST", "/v1/videos"), 24u);  // each submit sent once
  // Each submit on a connection of its own; polls reuse the few connections there are.
  std::map<std::uint64_t, int> posts_per_connection;
  for (const auto& request : server_->requests()) {
    if (request.method == "POST") ++posts_per_connection[request.connection_id];
  }
  EXPECT_EQ(posts_per_connection.size(), 24u);
  // The engine's connections plus the download threads' own (the blocking transport's pool).
  EXPECT_LE(server_->peak_open_connections(), 3u + 2u * 2u);
}

TEST_F(MockGroupTest, StatsCountEverySocketAndNeverMoreOpenThanMaxConnections) {
  start(1);
  TaskGroupOptions options = fast_options();
  options.max_connections = 2;
  TaskGroup group(client(), options);
  EXPECT_EQ(group.stats().connections_opened, 0u);  // nothing is connected before a request
  group.submit_all(prompts(20));
  for (const auto& result : group.wait_all()) ASSERT_TRUE(result.ok()) << result.index;
  const TaskGroupStats stats = group.stats();
  // Each submit has a connection of its own, so at least 20 were opened, never more than 2 at once.
  EXPECT_GE(stats.connections_opened, 20u);
  EXPECT_GE(stats.connections_peak, 1u);
  EXPECT_LE(stats.connections_peak, 2u);
  EXPECT_LE(stats.connections_open, stats.connections_peak);
  // Counted exactly: the mock accepted as many connections as the group opened.
  EXPECT_EQ(stats.connections_opened, server_->connections_opened());
}

TEST_F(MockGroupTest, TheFloorHoldsOnTheWireWithAFastClock) {
  start(3);
  auto clock = std::make_shared<testing::ScaledClock>(100.0);
  TaskGroup group(client(clock), fast_options());
  group.submit_all(prompts(12));
  for (const auto& result : group.wait_all()) EXPECT_TRUE(result.ok()) << result.index;
  const auto by_task = polls();
  ASSERT_EQ(by_task.size(), 12u);
  for (const auto& [task, times] : by_task) {
    ASSERT_EQ(times.size(), 3u) << task;
    for (std::size_t i = 1; i < times.size(); ++i) {
      EXPECT_GE(times[i] - times[i - 1], clock->real(std::chrono::seconds(5))) << task;
    }
  }
}

TEST_F(MockGroupTest, ASubmitCutOffIsReportedAndNeverResent) {
  start(1);
  server_->add_fault("POST /v1/videos: close-before-response");
  TaskGroupOptions options = fast_options();
  options.max_in_flight = 1;  // the first submit is the one cut off
  TaskGroup group(client(), options);
  group.submit_all(prompts(3));
  const auto results = group.wait_all();
  EXPECT_THROW(results[0].rethrow(), SubmitOutcomeUnknownError);
  EXPECT_TRUE(results[1].ok());
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(server_->count("POST", "/v1/videos"), 3u);
  EXPECT_EQ(server_->task_count(), 3u);  // the cut-off one exists: it was not created twice
}

TEST_F(MockGroupTest, PollErrorsAreRetriedOnTheFloor) {
  start(2);
  server_->add_fault("GET /v1/videos/{id}: status=503 times=2");
  auto clock = std::make_shared<testing::ScaledClock>(100.0);
  TaskGroupOptions options = fast_options();
  TaskGroup group(client(clock), options);
  group.submit(VideoRequest().prompt("one"));
  ASSERT_TRUE(group.wait_all().at(0).ok());
  const auto by_task = polls();
  ASSERT_EQ(by_task.size(), 1u);
  const auto& times = by_task.begin()->second;
  ASSERT_EQ(times.size(), 4u);  // 503, 503, QUEUED, SUCCESS
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], clock->real(std::chrono::seconds(5)));
  }
}

TEST_F(MockGroupTest, AsyncGenerateAndWait) {
  start(1);
  const Client sdk = client();
  const std::string dir = out_dir();
  std::vector<AsyncResult<Task>> generated;
  for (int i = 0; i < 6; ++i) {
    generated.push_back(sdk.generate_async(VideoRequest().prompt("async " + std::to_string(i)),
                                           dir + "/" + std::to_string(i) + ".mp4"));
  }
  for (int i = 0; i < 6; ++i) {
    const Task task = generated[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(task.status, TaskStatus::Success);
    EXPECT_EQ(read_file(dir + "/" + std::to_string(i) + ".mp4"),
              MockServer::expected_video(task.task_id, 32 * 1024));
  }
  const std::string existing = server_->create_succeeded_task();
  EXPECT_EQ(sdk.wait_async(existing).get().task_id, existing);
  auto missing = sdk.wait_async("task_missing");
  try {
    missing.get();
    FAIL() << "expected ApiError";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 404);
  }
}

TEST_F(MockGroupTest, LastFrameIsExposedAndDownloaded) {
  start(1);
  const Client sdk = client();
  const Receipt receipt =
      sdk.submit(VideoRequest().prompt("with a last frame").return_last_frame(true));
  const Task task = sdk.wait(receipt.task_id);
  ASSERT_TRUE(task.last_frame_url.has_value());
  // The upstream's storage, on another origin: the API key does not go there.
  EXPECT_EQ(*task.last_frame_url,
            server_->upstream_base_url() + "/upstream-storage/" + task.task_id + "/last_frame.png");
  const std::string path = out_dir() + "/last.png";
  const DownloadResult file = sdk.download_last_frame(task, path);
  EXPECT_EQ(read_file(path), MockServer::last_frame_png());
  EXPECT_EQ(file.bytes, MockServer::last_frame_png().size());
  // By id: one status query first.
  const std::string by_id = out_dir() + "/by-id.png";
  sdk.download_last_frame(task.task_id, by_id);
  EXPECT_EQ(read_file(by_id), MockServer::last_frame_png());
  const auto frame_requests = [&] {
    std::size_t count = 0;
    for (const auto& request : server_->requests()) {
      if (request.path.find("/last_frame") == std::string::npos) continue;
      ++count;
      EXPECT_EQ(request.header("Authorization"), "");
    }
    return count;
  };
  EXPECT_EQ(frame_requests(), 2u);
  // A task that did not ask for one names none: said so, and no invented route is asked.
  const std::string plain = server_->create_succeeded_task();
  EXPECT_THROW(
      {
        try {
          sdk.download_last_frame(plain, out_dir() + "/none.png");
        } catch (const Error& error) {
          EXPECT_THAT(error.what(), HasSubstr("names no last frame"));
          throw;
        }
      },
      Error);
  EXPECT_EQ(frame_requests(), 2u);
}

}  // namespace
}  // namespace seedance
