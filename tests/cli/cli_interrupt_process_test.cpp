// Ctrl-C and SIGTERM end `seedance` by the signal itself, after its cleanup: the partial download
// is kept and the task id printed, and the parent sees a child killed by the signal (a shell loop
// stops; an exit code would let it submit the next paid task).
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kApiKey = "sk-interrupt-test-8e1d2c3b";
constexpr std::uint64_t kVideoSize = 4 * 1024 * 1024;

class CliInterruptTest : public ::testing::TestWithParam<int> {
 protected:
  CliInterruptTest() : server_(quick_mock_options(kApiKey, kVideoSize)) { server_.start(); }

  std::vector<std::string> environment() const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    return with_server(environment, kApiKey, server_.base_url());
  }

  // Bytes of `path` so far; 0 while it does not exist.
  static std::uintmax_t size_of(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? 0 : size;
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

// generate, interrupted while the video downloads: the .part holds what arrived, stderr names
// the task and how to pick it up, and the process dies of the signal.
TEST_P(CliInterruptTest, GenerateEndsByTheSignalKeepingThePartAndPrintingTheTaskId) {
  const int signal = GetParam();
  // The video stops after 1200 KiB until the signal. The download writes its .part through a
  // 1 MiB buffer, so by then the .part holds a first write.
  server_.add_fault("GET */content: stall-after-bytes=1200k stall-ms=60000");
  const std::string output = dir_.file("video.mp4");
  ChildProcess generating(kCli, {"generate", "--prompt", "A slow harbour", "-o", output},
                          environment());
  // The bound is a safety net against a hung child, not a delay.
  for (int i = 0; i < 3000 && size_of(output + ".part") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(size_of(output + ".part"), 0u) << describe(generating.finish());
  generating.send_signal(signal);
  const ProcessResult result = generating.finish();

  EXPECT_EQ(result.signal, signal) << describe(result);
  EXPECT_EQ(result.exit_code, -1);
  ASSERT_EQ(server_.task_count(), 1u);
  constexpr std::string_view kSubmitted = "submitted task ";
  const auto at = result.err.find(kSubmitted);
  ASSERT_NE(at, std::string::npos) << describe(result);
  const auto id_at = at + kSubmitted.size();
  const std::string task_id = result.err.substr(id_at, result.err.find('\n', id_at) - id_at);
  EXPECT_TRUE(server_.task(task_id).has_value()) << task_id;
  EXPECT_THAT(result.err, HasSubstr("seedance: cancelled\n"));
  EXPECT_THAT(result.err, HasSubstr("continue with `seedance wait " + task_id + "`"));
  EXPECT_GT(size_of(output + ".part"), 0u);
  EXPECT_LT(size_of(output + ".part"), kVideoSize);
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_THAT(result.out + result.err, ::testing::Not(HasSubstr(kApiKey)));
}

// A submit already on the wire runs to its answer, so the task it created is printed; then the
// process still ends by the signal, so a loop around it stops.
TEST_P(CliInterruptTest, ASentSubmitPrintsItsTaskIdThenEndsByTheSignal) {
  const int signal = GetParam();
  server_.add_fault("POST /v1/videos: delay-ms=1500");
  ChildProcess submitting(kCli, {"submit", "--prompt", "A lighthouse"}, environment());
  // The mock logs a request when it arrives, before the delay: then the submit is on the wire.
  for (int i = 0; i < 3000 && server_.count("POST", "/v1/videos") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server_.count("POST", "/v1/videos"), 1u) << describe(submitting.finish());
  ASSERT_EQ(server_.task_count(), 0u);  // Still inside the delay: nothing answered yet.
  submitting.send_signal(signal);
  const ProcessResult result = submitting.finish();

  EXPECT_EQ(result.signal, signal) << describe(result);
  ASSERT_EQ(server_.task_count(), 1u);
  const std::string task_id = result.out.substr(0, result.out.find('\n'));
  EXPECT_THAT(task_id, ::testing::StartsWith("task_"));
  EXPECT_TRUE(server_.task(task_id).has_value());
}

INSTANTIATE_TEST_SUITE_P(Signals, CliInterruptTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == SIGINT ? std::string("Sigint")
                                                       : std::string("Sigterm");
                         });

}  // namespace
}  // namespace seedance::cli
