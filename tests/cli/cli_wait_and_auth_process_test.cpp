// Output that reads right: `wait` prints the final status once, and a refused key says where it
// came from (--api-key, SEEDANCE_API_KEY or the config file).
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-output-test-3b5d7f9a";
const std::string kWrongKey = "sk-wrong-output-1a2b3c4d";

class CliOutputTest : public ::testing::Test {
 protected:
  CliOutputTest() : server_(quick_mock_options(kApiKey, 16 * 1024)) { server_.start(); }

  // No key and no config file: each test says where its key comes from.
  std::vector<std::string> environment() const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    environment.push_back("XDG_CACHE_HOME=" + dir_.file("cache"));
    environment.push_back("SEEDANCE_BASE_URL=" + server_.base_url());
    return environment;
  }

  ProcessResult seedance(const std::vector<std::string>& arguments,
                         const std::vector<std::string>& environment) {
    ProcessResult result = run_without_leaking(arguments, environment, kApiKey);
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(kWrongKey)));
    return result;
  }

  static std::size_t occurrences(const std::string& text, const std::string& word) {
    std::size_t count = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
    return count;
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

TEST_F(CliOutputTest, WaitPrintsTheFinalStatusOnce) {
  server_.set_polls_to_complete(1);
  mock::TaskOptions options;
  options.state = mock::TaskState::Queued;  // Finishes at its first poll.
  const std::string id = server_.create_task(options);
  std::vector<std::string> environment = this->environment();
  environment.push_back("SEEDANCE_API_KEY=" + kApiKey);
  const ProcessResult result = seedance({"wait", id}, environment);
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, "SUCCESS 100%\n");
  EXPECT_EQ(occurrences(result.out + result.err, "SUCCESS"), 1u) << describe(result);
}

TEST_F(CliOutputTest, ARefusedKeySaysItCameFromTheEnvironment) {
  std::vector<std::string> environment = this->environment();
  environment.push_back("SEEDANCE_API_KEY=" + kWrongKey);
  const ProcessResult result = seedance({"status", "task_1"}, environment);
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: the API key came from SEEDANCE_API_KEY\n"));
}

TEST_F(CliOutputTest, ARefusedKeySaysItCameFromTheFlag) {
  const ProcessResult result =
      seedance({"--api-key", kWrongKey, "--json", "status", "task_1"}, environment());
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  const auto error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("http_status"), 401);
  EXPECT_EQ(error.at("hint"), "the API key came from --api-key");
}

TEST_F(CliOutputTest, ARefusedKeySaysWhichConfigFileItCameFrom) {
  const std::string config = dir_.file("seedance.conf");
  testing::write_file(config, "api_key = " + kWrongKey + "\n");
  ::chmod(config.c_str(), 0600);
  const ProcessResult result = seedance({"--config", config, "status", "task_1"}, environment());
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: the API key came from the config file " + config));
}

}  // namespace
}  // namespace seedance::cli
