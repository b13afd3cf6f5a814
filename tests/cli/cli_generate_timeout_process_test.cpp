// `generate --timeout S` is one deadline for submit, wait and download together: a download
// that stalls past it ends the command with exit 4, naming the task, the part kept. Runs the
// real binary against the in-process mock server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kApiKey = "sk-generate-timeout-9e1f";

TEST(CliGenerateTimeout, CoversTheDownload) {
  mock::MockServer server(quick_mock_options(kApiKey, 256 * 1024));
  server.start();
  // Without a deadline on the download, stall detection would end this after 30 s and the
  // resume would then finish it.
  server.add_fault("GET */content: stall-after-bytes=64k stall-ms=60000");
  testing::TempDir dir;
  std::vector<std::string> environment =
      with_server(testing::sanitizer_environment(), kApiKey, server.base_url());
  environment.push_back("HOME=" + dir.path().string());
  const std::string output = dir.file("boat.mp4");

  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result =
      run_without_leaking({"--json", "generate", "--prompt", "x", "-o", output, "--timeout", "1.5"},
                          environment, kApiKey);
  const auto took = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_LT(took, std::chrono::seconds(5));
  const auto error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("kind"), "timeout");
  const std::string task_id = error.at("task_id");
  EXPECT_THAT(error.at("hint").get<std::string>(), HasSubstr("seedance download " + task_id));
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_GE(server.count("GET", "/v1/videos/" + task_id + "/content"), 1u);
  server.stop();  // ends the stalled answer
}

}  // namespace
}  // namespace seedance::cli
