// Runs the real `seedance` where people slip: a local file without '@', a mistyped command or
// flag, `help COMMAND`, and a bad config line, which must stop the command with that error alone.
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
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-hints-test-9f8e7d";

class CliHintsTest : public ::testing::Test {
 protected:
  CliHintsTest() : server_(quick_mock_options(kApiKey, 1024)) { server_.start(); }

  std::vector<std::string> bare_environment() const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    return environment;
  }
  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return run_without_leaking(
        arguments, with_server(bare_environment(), kApiKey, server_.base_url()), kApiKey);
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

TEST_F(CliHintsTest, ALocalFileWithoutTheAtSignSaysHowToSendIt) {
  const std::string png = dir_.file("first.png");
  testing::write_file(png, testing::tiny_png());
  for (const char* flag :
       {"--image", "--images", "--first-frame", "--last-frame", "--reference-image"}) {
    const ProcessResult result = seedance({"submit", "--prompt", "x", flag, png});
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.err,
                HasSubstr("seedance: error: " + std::string(flag) + ": '" + png +
                          "' is a local file; to send a local file, write @" + png + "\n"));
  }
  for (const char* flag : {"--video", "--audio"}) {
    const ProcessResult result = seedance({"submit", "--prompt", "x", flag, png});
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.err, HasSubstr(std::string(flag) + ": '" + png +
                                      "' is a local file; the "
                                      "API takes video and audio only by http(s) URL"));
  }
  EXPECT_TRUE(server_.requests().empty());

  // With the '@' the file is sent.
  const ProcessResult sent = seedance({"submit", "--prompt", "x", "--image", "@" + png});
  EXPECT_EQ(sent.exit_code, 0) << describe(sent);
}

TEST_F(CliHintsTest, MistypedCommandsAndFlagsGetDidYouMean) {
  ProcessResult result = seedance({"genrate", "--prompt", "x", "-o", dir_.file("v.mp4")});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err,
              HasSubstr("seedance: unknown command 'genrate'; did you mean 'generate'?\n"));

  result = seedance({"submit", "--promt", "x"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: unknown flag --promt; did you mean --prompt?\n"));
  EXPECT_THAT(result.err, HasSubstr("seedance: run `seedance --help` for usage\n"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliHintsTest, HelpCommandPrintsWhatCommandHelpPrints) {
  const ProcessResult help = seedance({"help", "wait"});
  const ProcessResult flag = seedance({"wait", "--help"});
  EXPECT_EQ(help.exit_code, 0) << describe(help);
  EXPECT_EQ(help.out, flag.out);
  EXPECT_THAT(help.out, HasSubstr("Global flags (before or after the command):"));
  EXPECT_THAT(help.out, HasSubstr("--api-key KEY"));
  EXPECT_THAT(help.out, HasSubstr("--poll-interval"));
}

TEST_F(CliHintsTest, ABadConfigLineStopsWithThatErrorAlone) {
  // No key anywhere, and a line the parser does not know: only the line is reported.
  const std::string config = dir_.file("seedance.conf");
  testing::write_file(config, "base_url = " + server_.base_url() + "\napi-key = sk-typo-key-1\n");
  const ProcessResult result = testing::run_process(
      kCli, {"--config", config, "wait", "task_1", "--poll-interval", "1"}, bare_environment());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_EQ(result.err, "seedance: error: " + config +
                            ":2: unknown key \"api-key\" (known: base_url, api_key, alias_routes, "
                            "ca_bundle, proxy, http_version)\n");
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, Not(HasSubstr("sk-typo-key-1")));
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace seedance::cli
