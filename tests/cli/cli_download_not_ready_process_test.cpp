// `seedance download` of a task without a video yet: the refusal of /content, then one status
// query, tell a task still running (wait first, or --wait) from a failed one (exit 1, its reason).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ProcessResult;

const std::string kApiKey = "sk-not-ready-test-2f4e6a8c";
constexpr std::uint64_t kVideoSize = 16 * 1024;

class CliDownloadNotReadyTest : public ::testing::TestWithParam<mock::Dialect> {
 protected:
  CliDownloadNotReadyTest() : server_(quick_mock_options(kApiKey, kVideoSize)) {
    server_.start();
    server_.set_dialect(GetParam());
  }

  ProcessResult seedance(const std::vector<std::string>& arguments) {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("XDG_CACHE_HOME=" + dir_.file("cache"));
    return run_without_leaking(arguments, with_server(environment, kApiKey, server_.base_url()),
                               kApiKey);
  }

  std::string create_task(mock::TaskState state) {
    mock::TaskOptions options;
    options.state = state;
    options.fail_reason = "mock: the prompt was refused";
    return server_.create_task(options);
  }

  std::size_t status_queries(const std::string& id) const {
    return server_.count("GET", "/v1/videos/" + id) - content_requests(id);
  }
  std::size_t content_requests(const std::string& id) const {
    return server_.count("GET", "/v1/videos/" + id + "/content");
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

TEST_P(CliDownloadNotReadyTest, AnUnfinishedTaskSaysToWaitFirst) {
  server_.set_polls_to_complete(100);
  const std::string id = create_task(mock::TaskState::InProgress);
  const std::string output = dir_.file("video.mp4");
  const ProcessResult result = seedance({"download", id, "-o", output});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("task " + id + " is not finished ("));
  EXPECT_THAT(result.err, HasSubstr("run `seedance wait " + id + "` first"));
  EXPECT_THAT(result.err, HasSubstr("`seedance download " + id + " --wait -o " + output + "`"));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_EQ(content_requests(id), 1u);
  EXPECT_EQ(status_queries(id), 1u);  // One, after the refusal; none before the download.
  EXPECT_EQ(server_.requests().front().path, "/v1/videos/" + id + "/content");
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_FALSE(std::filesystem::exists(output + ".part"));
}

TEST_P(CliDownloadNotReadyTest, AFailedTaskExitsOneWithItsReason) {
  const std::string id = create_task(mock::TaskState::Failure);
  const ProcessResult result = seedance({"download", id, "-o", dir_.file("video.mp4")});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("mock: the prompt was refused"));
  EXPECT_EQ(status_queries(id), 1u);
}

TEST_P(CliDownloadNotReadyTest, WaitWaitsThenDownloads) {
  const std::string id = create_task(mock::TaskState::Queued);  // Finishes at its first poll.
  const std::string output = dir_.file("video.mp4");
  const ProcessResult result = seedance({"download", id, "-o", output, "--wait"});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, output + "\n");
  EXPECT_EQ(testing::read_file(output), mock::MockServer::expected_video(id, kVideoSize));
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/v1/videos/" + id);
  EXPECT_EQ(requests[1].path, "/v1/videos/" + id + "/content");
}

TEST_P(CliDownloadNotReadyTest, WaitOnAFailedTaskExitsOneWithItsReason) {
  const std::string id = create_task(mock::TaskState::Failure);
  const ProcessResult result = seedance({"download", id, "-o", dir_.file("video.mp4"), "--wait"});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("mock: the prompt was refused"));
  EXPECT_EQ(content_requests(id), 0u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, CliDownloadNotReadyTest,
                         ::testing::Values(mock::Dialect::Reference, mock::Dialect::Gateway),
                         [](const ::testing::TestParamInfo<mock::Dialect>& info) {
                           return info.param == mock::Dialect::Reference ? std::string("Reference")
                                                                         : std::string("Gateway");
                         });

}  // namespace
}  // namespace seedance::cli
