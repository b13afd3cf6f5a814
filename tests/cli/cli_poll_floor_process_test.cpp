// The service's 5 s floor between status queries holds across invocations: `seedance status` in a
// loop, or `wait` right after `status`, waits out the rest of it (and says so) instead of polling
// faster. The per-user cache lives in XDG_CACHE_HOME, here a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "poll_cache.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using std::chrono::milliseconds;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-floor-test-7c9d1e3f";
constexpr std::uint64_t kVideoSize = 16 * 1024;
constexpr const char* kWaitMessage =
    "seedance: waiting [0-9]\\.[0-9] s: the service allows one status query per task every 5 s";

class CliPollFloorTest : public ::testing::Test {
 protected:
  CliPollFloorTest() : server_(quick_mock_options(kApiKey, kVideoSize)) { server_.start(); }

  ProcessResult seedance(const std::vector<std::string>& arguments, const std::string& cache_home) {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("XDG_CACHE_HOME=" + cache_home);
    return run_without_leaking(arguments, with_server(environment, kApiKey, server_.base_url()),
                               kApiKey);
  }
  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return seedance(arguments, cache_home());
  }

  std::string cache_home() const { return dir_.file("cache"); }
  PollCache cache() const { return PollCache(cache_home() + "/seedance"); }

  // The task as polled `age` ago by an earlier invocation.
  void polled_earlier(const std::string& id, milliseconds age) {
    cache().record(server_.base_url(), id, std::chrono::system_clock::now() - age);
  }

  // When each status query of the task arrived.
  std::vector<std::chrono::steady_clock::time_point> status_queries(const std::string& id) const {
    std::vector<std::chrono::steady_clock::time_point> times;
    for (const auto& request : server_.requests()) {
      if (request.path == "/v1/videos/" + id) times.push_back(request.received_at);
    }
    return times;
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

// The one test that lives through a whole floor (5 s): two `status` runs back to back.
TEST_F(CliPollFloorTest, StatusInATightLoopWaitsOutTheFloor) {
  const std::string id = server_.create_succeeded_task();
  const ProcessResult first = seedance({"status", id});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_THAT(first.err, Not(HasSubstr("waiting")));
  const ProcessResult second = seedance({"status", id});
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  EXPECT_THAT(second.err, ContainsRegex(kWaitMessage));
  EXPECT_EQ(second.out, "SUCCESS 100%\n");
  const auto queries = status_queries(id);
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_GE(queries[1] - queries[0], milliseconds(4900));
}

TEST_F(CliPollFloorTest, WaitRightAfterAStatusWaitsTheRemainder) {
  const std::string id = server_.create_succeeded_task();
  polled_earlier(id, milliseconds(4000));
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = seedance({"wait", id});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err, ContainsRegex("seedance: waiting (0\\.[5-9]|1\\.0) s: "));
  const auto queries = status_queries(id);
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_GE(queries[0] - started, milliseconds(900));
}

// The status query that explains a refused download keeps the floor too.
TEST_F(CliPollFloorTest, TheQueryAfterARefusedDownloadKeepsTheFloor) {
  server_.set_polls_to_complete(100);
  mock::TaskOptions options;
  options.state = mock::TaskState::InProgress;
  const std::string id = server_.create_task(options);
  polled_earlier(id, milliseconds(4000));
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = seedance({"download", id, "-o", dir_.file("video.mp4")});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, ContainsRegex(kWaitMessage));
  EXPECT_THAT(result.err, HasSubstr("is not finished"));
  const auto queries = status_queries(id);
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_GE(queries[0] - started, milliseconds(900));
}

TEST_F(CliPollFloorTest, StatusRemembersItsPoll) {
  const std::string id = server_.create_succeeded_task();
  const auto before = std::chrono::system_clock::now();
  ASSERT_EQ(seedance({"status", id}).exit_code, 0);
  const auto last = cache().last_poll(server_.base_url(), id);
  ASSERT_TRUE(last.has_value());
  EXPECT_GE(*last, before - milliseconds(50));
  EXPECT_LE(*last, std::chrono::system_clock::now() + milliseconds(50));
}

TEST_F(CliPollFloorTest, ADamagedOrUnusableCacheChangesNothing) {
  const std::string id = server_.create_succeeded_task();
  std::filesystem::create_directories(cache_home() + "/seedance");
  testing::write_file(cache_home() + "/seedance/last-polls", "\x01\x02 not a cache\n\n12 34");
  ProcessResult result = seedance({"status", id});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err, Not(HasSubstr("waiting")));

  const std::string another = server_.create_succeeded_task();
  testing::write_file(dir_.file("a-file"), "");
  result = seedance({"status", another}, dir_.file("a-file"));  // The cache cannot be a directory.
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, "SUCCESS 100%\n");
  EXPECT_THAT(result.err, Not(HasSubstr("waiting")));
}

}  // namespace
}  // namespace seedance::cli
