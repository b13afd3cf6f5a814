// Client from many threads at once, and cancellation from another thread, against the mock
// server over loopback. These tests make up the `threaded` label that scripts/test also runs
// under ThreadSanitizer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "mock_fixture.hpp"
#include "temp_dir.hpp"

namespace seedance::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kCancelLimit{200};

/// Runs `operation` on another thread, cancels `token` once `ready` says so, and returns how
/// long the operation took to end with CancelledError after cancel() was called.
template <typename Operation, typename Ready>
milliseconds time_to_cancel(Operation operation, Ready ready, const CancellationToken& token) {
  std::atomic<bool> cancelled_error{false};
  std::atomic<long long> ended_at{0};
  std::thread worker([&] {
    try {
      operation();
    } catch (const CancelledError&) {
      cancelled_error = true;
    } catch (...) {
    }
    ended_at = steady_clock::now().time_since_epoch().count();
  });
  const auto give_up = steady_clock::now() + std::chrono::seconds(20);
  while (!ready() && steady_clock::now() < give_up) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(100));  // well inside the wait, back-off or transfer
  const auto cancel_at = steady_clock::now();
  token.cancel();
  worker.join();
  EXPECT_TRUE(cancelled_error.load()) << "the operation did not end with CancelledError";
  return std::chrono::duration_cast<milliseconds>(steady_clock::duration(ended_at.load()) -
                                                  cancel_at.time_since_epoch());
}

class ThreadedClientTest : public MockClientTest {
 protected:
  /// A client on the real clock (cancellation tests measure real time).
  Client real_time_client() {
    ClientOptions opts = options();
    opts.clock = nullptr;
    return Client(opts);
  }
};

TEST_F(ThreadedClientTest, ManyThreadsShareOneClient) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 4;
  // Faults hit whichever threads come first, so retries and resumes run concurrently too.
  server_.add_fault("GET /v1/videos/{id}: status=503 times=12");
  server_.add_fault("GET */content: close-after-bytes=4096 times=4");
  server_.add_fault("GET */content: status=502 times=4");
  TempDir dir;
  RetryPolicy retry;
  retry.max_attempts = 16;  // more than any one rule's count: a thread may meet them all
  const Client client = this->client(retry);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        try {
          const Receipt receipt = client.submit(video_request());
          WaitOptions wait;
          wait.poll_interval = std::chrono::seconds(5);
          wait.timeout = milliseconds(0);  // the shared fake clock moves with every thread
          const Task finished = client.wait(receipt.task_id, wait);
          const Task again = client.get(receipt.task_id);
          const std::string path =
              dir.file("video-" + std::to_string(t) + "-" + std::to_string(round) + ".mp4");
          const DownloadResult result = client.download(receipt.task_id, path);
          const auto size = server_.task(receipt.task_id)->video_size;
          const bool ok =
              finished.status == TaskStatus::Success && again.status == TaskStatus::Success &&
              again.task_id == receipt.task_id && result.bytes == size &&
              read_file(path) == mock::MockServer::expected_video(receipt.task_id, size);
          if (!ok) ++failures;
        } catch (const std::exception& error) {
          ADD_FAILURE() << "thread " << t << ": " << error.what();
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server_.task_count(), static_cast<std::size_t>(kThreads * kRounds));
  EXPECT_EQ(server_.count("POST", "/v1/videos"), static_cast<std::size_t>(kThreads * kRounds));
  EXPECT_EQ(server_.pending_faults(), 0U);
  // Status queries and downloads reuse pooled connections; each submit opens its own.
  const std::size_t posts = kThreads * kRounds;
  EXPECT_LE(server_.connections_opened(), posts + 3 * kThreads + 8 + 20);
}

TEST_F(ThreadedClientTest, ConcurrentGetsReuseAHandfulOfConnections) {
  const std::string id = in_progress_task();
  const Client client = this->client();
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (client.get(id).task_id != id) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(server_.count("GET", "/v1/videos/" + id), 300U);
  EXPECT_LE(server_.connections_opened(), static_cast<std::size_t>(kThreads));
}

TEST_F(ThreadedClientTest, CancelStopsAWaitWithin200Milliseconds) {
  server_.set_polls_to_complete(1000);
  mock::TaskOptions queued;
  queued.state = mock::TaskState::Queued;
  const std::string id = server_.create_task(queued);
  const Client client = real_time_client();
  const CancellationToken token;
  WaitOptions wait;
  wait.poll_interval = std::chrono::seconds(30);
  wait.cancel.emplace(token);
  const auto took =
      time_to_cancel([&] { client.wait(id, wait); },
                     [&] { return server_.count("GET", "/v1/videos/" + id) >= 1; }, token);
  EXPECT_LT(took, kCancelLimit);
}

TEST_F(ThreadedClientTest, CancelStopsARetryBackOffWithin200Milliseconds) {
  const std::string id = server_.create_succeeded_task();
  server_.add_fault("GET */content: status=503 retry-after=30");
  const Client client = real_time_client();
  const CancellationToken token;
  DownloadOptions download;
  download.cancel.emplace(token);
  TempDir dir;
  const auto took = time_to_cancel([&] { client.download(id, dir.file("video.mp4"), download); },
                                   [&] { return !log_.events().empty(); }, token);
  EXPECT_LT(took, kCancelLimit);
  ASSERT_FALSE(log_.events().empty());
  EXPECT_THAT(log_.events()[0].decision, ::testing::StartsWith("retry in 30000 ms"));
  EXPECT_EQ(server_.count("GET", "/v1/videos/" + id + "/content"), 1U);
}

TEST_F(ThreadedClientTest, CancelStopsAWaitRetryBackOffWithin200Milliseconds) {
  const std::string id = in_progress_task();
  server_.add_fault("GET /v1/videos/{id}: status=503 retry-after=30");
  const Client client = real_time_client();
  const CancellationToken token;
  WaitOptions wait;
  wait.cancel.emplace(token);
  const auto took =
      time_to_cancel([&] { client.wait(id, wait); }, [&] { return !log_.events().empty(); }, token);
  EXPECT_LT(took, kCancelLimit);
}

TEST_F(ThreadedClientTest, CancelStopsADownloadWithin200MillisecondsAndItResumes) {
  server_.set_video_size(1024 * 1024);
  const std::string id = server_.create_succeeded_task();
  server_.add_fault("GET */content: rate=65536");  // 16 s for the whole video
  const Client client = real_time_client();
  const CancellationToken token;
  std::atomic<std::uint64_t> bytes_seen{0};
  DownloadOptions download;
  download.cancel.emplace(token);
  download.on_progress = [&](const DownloadProgress& progress) {
    bytes_seen = progress.bytes_done;
  };
  TempDir dir;
  const std::string path = dir.file("video.mp4");
  const auto took = time_to_cancel([&] { client.download(id, path, download); },
                                   [&] { return bytes_seen.load() > 0; }, token);
  EXPECT_LT(took, kCancelLimit);
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE(std::filesystem::exists(path + ".part"));
  const auto kept = std::filesystem::file_size(path + ".part");
  EXPECT_GT(kept, 0U);

  // The partial file is resumable: the next call continues where the cancelled one stopped.
  const DownloadResult result = client.download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes, 1024U * 1024U);
  EXPECT_EQ(result.bytes_transferred, 1024U * 1024U - kept);
  EXPECT_EQ(read_file(path), mock::MockServer::expected_video(id, 1024 * 1024));
}

}  // namespace
}  // namespace seedance::testing
