// --prompt-file PATH (and - for standard input): long prompts without the shell's quoting.
// Runs the real binary against the in-process mock server and checks the body it received.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

const std::string kApiKey = "sk-prompt-file-test-0c9d8e";

class CliPromptFileTest : public ::testing::Test {
 protected:
  CliPromptFileTest() : server_(quick_mock_options(kApiKey, 4096)) { server_.start(); }

  std::vector<std::string> environment() const {
    std::vector<std::string> environment =
        with_server(testing::sanitizer_environment(), kApiKey, server_.base_url());
    environment.push_back("HOME=" + dir_.path().string());
    return environment;
  }

  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return run_without_leaking(arguments, environment(), kApiKey);
  }

  // The prompt of the one submit the server received.
  std::string submitted_prompt() const {
    EXPECT_EQ(server_.count("POST", "/v1/videos"), 1u);
    for (const auto& request : server_.requests()) {
      if (request.method == "POST") {
        return nlohmann::json::parse(request.body).at("prompt").get<std::string>();
      }
    }
    return {};
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

// Quotes, a dollar sign and a second line, which the shell would otherwise mangle; the file's
// final line break is not part of the prompt.
const std::string kLongPrompt =
    "A paper boat drifts down a rainy street at \"golden hour\"; the camera costs $0.\n"
    "Second paragraph: neon reflections ripple in the puddles, \xe9\x9b\xa8.";

TEST_F(CliPromptFileTest, SubmitReadsThePromptFromAFile) {
  const std::string path = dir_.file("prompt.txt");
  testing::write_file(path, kLongPrompt + "\n");
  const ProcessResult result = seedance({"submit", "--prompt-file", path});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(submitted_prompt(), kLongPrompt);
}

TEST_F(CliPromptFileTest, ADashReadsStandardInput) {
  const std::string path = dir_.file("prompt.txt");
  testing::write_file(path, kLongPrompt + "\n");
  const std::string output = dir_.file("boat.mp4");
  const ProcessResult result = testing::run_process(
      "/bin/sh",
      {"-c", "exec \"$0\" generate --prompt-file - -o \"$1\" < \"$2\"", kCli, output, path},
      environment());
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(submitted_prompt(), kLongPrompt);
  EXPECT_EQ(result.out, output + "\n");
}

TEST_F(CliPromptFileTest, AMissingFileIsExitTwoNamingItAndNothingIsSent) {
  const std::string path = dir_.file("no-such-prompt.txt");
  for (const std::vector<std::string>& arguments : std::vector<std::vector<std::string>>{
           {"submit", "--prompt-file", path},
           {"generate", "--prompt-file", path, "-o", dir_.file("x.mp4")}}) {
    const ProcessResult result = seedance(arguments);
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("--prompt-file: cannot read '" + path + "'"));
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliPromptFileTest, PromptAndPromptFileAreExclusive) {
  const std::string path = dir_.file("prompt.txt");
  testing::write_file(path, "a boat\n");
  const ProcessResult result = seedance({"submit", "--prompt", "x", "--prompt-file", path});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("excludes"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliPromptFileTest, DryRunShowsThePromptOfTheFile) {
  const std::string path = dir_.file("prompt.txt");
  testing::write_file(path, kLongPrompt + "\r\n");
  const ProcessResult result = seedance({"submit", "--dry-run", "--prompt-file", path});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.out).at("prompt"), kLongPrompt);
}

}  // namespace
}  // namespace seedance::cli
