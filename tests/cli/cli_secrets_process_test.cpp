// The API key never appears in what `seedance` prints or stores: not in parse errors (a mistyped
// flag before the key), not where a server echoes it back (messages, fail_reason, the raw
// response of --json), not in the batch report or journal. Also the warnings about a config file
// others may read and about the key going over plain http. Runs the real binary against the
// in-process mock server.
#include <sys/stat.h>

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
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-secrets-test-3b7e91d0c4";

class CliSecretsTest : public ::testing::Test {
 protected:
  CliSecretsTest() : server_(quick_mock_options(kApiKey, 4096)) { server_.start(); }

  // The server and a HOME without a config file; the key only where `with_key` says.
  std::vector<std::string> environment(bool with_key = true, std::string base_url = {}) const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    environment.push_back("SEEDANCE_BASE_URL=" +
                          (base_url.empty() ? server_.base_url() : base_url));
    if (with_key) environment.push_back("SEEDANCE_API_KEY=" + kApiKey);
    return environment;
  }

  ProcessResult seedance(const std::vector<std::string>& arguments, bool with_key = true) {
    return run_without_leaking(arguments, environment(with_key), kApiKey);
  }

  // A failed task whose reason (and so its detail) quotes the key, as a careless server might.
  std::string failed_task_quoting_the_key() {
    mock::TaskOptions task;
    task.state = mock::TaskState::Failure;
    task.fail_reason = "upstream refused key " + kApiKey;
    return server_.create_task(task);
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

// The key typed on the command line, where the parse fails around it: it is not in the
// environment, so only the parse error's own redaction can hide it.
TEST_F(CliSecretsTest, ParseErrorsNeverQuoteTheKey) {
  const std::vector<std::vector<std::string>> command_lines = {
      {"--api-kee", kApiKey, "status", "task_1"},
      {"--api-kee=" + kApiKey, "status", "task_1"},
      {"--bogus", "--api-key", kApiKey, "status", "task_1"},
      {"--api-key=" + kApiKey, "--bogus", "status", "task_1"},
      {"status", "--api-key", kApiKey},
      {"--json", "--api-kee", kApiKey, "status", "task_1"},
      {"--json", "status", "task_1", "--bogus=" + kApiKey},
  };
  for (const auto& arguments : command_lines) {
    const ProcessResult result = seedance(arguments, /*with_key=*/false);
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("error")) << describe(result);
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliSecretsTest, AFailReasonQuotingTheKeyIsRedactedFromStatusAndWait) {
  // A task per run: a second query of one task would first sit out the 5 s floor.
  for (const std::vector<std::string>& arguments : std::vector<std::vector<std::string>>{
           {"status"}, {"--json", "status"}, {"wait"}, {"--json", "wait"}}) {
    std::vector<std::string> with_id = arguments;
    with_id.push_back(failed_task_quoting_the_key());
    const ProcessResult result = seedance(with_id);
    EXPECT_THAT(result.out + result.err, HasSubstr("upstream refused key ***")) << describe(result);
  }
  // The gateway dialect puts it in an error object inside the detail.
  server_.set_dialect(mock::Dialect::Gateway);
  const ProcessResult gateway = seedance({"--json", "status", failed_task_quoting_the_key()});
  EXPECT_THAT(gateway.out, HasSubstr("upstream refused key ***")) << describe(gateway);
}

// A fault rule whose error message quotes the key, in text and --json modes.
TEST_F(CliSecretsTest, AnErrorMessageQuotingTheKeyIsRedacted) {
  const std::string rule = "GET /v1/videos/{id}: status=400 message=\"bad key " + kApiKey + "\"";
  // A task per run: a second query of one task would first sit out the 5 s floor.
  for (const std::vector<std::string>& arguments :
       std::vector<std::vector<std::string>>{{"status"}, {"--json", "status"}}) {
    server_.add_fault(rule);
    std::vector<std::string> with_id = arguments;
    with_id.push_back(server_.create_succeeded_task());
    const ProcessResult result = seedance(with_id);
    EXPECT_EQ(result.exit_code, 3) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("bad key ***")) << describe(result);
  }
  server_.add_fault("POST /v1/videos: status=400 message=\"bad key " + kApiKey + "\"");
  const ProcessResult generated =
      seedance({"--json", "generate", "--prompt", "x", "-o", dir_.file("x.mp4")});
  EXPECT_EQ(generated.exit_code, 3) << describe(generated);
}

TEST_F(CliSecretsTest, TheBatchReportAndJournalNeverHoldTheKey) {
  const std::string jobs = dir_.file("jobs.jsonl");
  const std::string out_dir = dir_.file("videos");
  testing::write_file(jobs, "{\"prompt\":\"refused\",\"name\":\"a\"}\n");
  server_.add_fault("POST /v1/videos: status=400 message=\"bad key " + kApiKey + "\" times=2");
  for (const bool json : {true, false}) {
    std::vector<std::string> arguments = {"batch", jobs, "--out-dir", out_dir};
    if (json) arguments.push_back("--json");
    const ProcessResult result = seedance(arguments);
    EXPECT_EQ(result.exit_code, 3) << describe(result);
    EXPECT_THAT(result.out + result.err, HasSubstr("bad key ***")) << describe(result);
  }
  const std::string journal = out_dir + "/.seedance-journal.sqlite";
  for (const std::string& file : {journal, journal + "-wal"}) {
    EXPECT_THAT(testing::read_file(file), Not(HasSubstr(kApiKey))) << file;
  }
  struct stat status {};
  ASSERT_EQ(::stat(journal.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST_F(CliSecretsTest, AConfigFileOthersMayReadGetsAWarning) {
  const std::string config = dir_.file("config");
  testing::write_file(config, "api_key = " + kApiKey + "\n");
  const std::string id = server_.create_succeeded_task();
  ::chmod(config.c_str(), 0644);
  ProcessResult result = seedance({"--config", config, "status", id}, /*with_key=*/false);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("warning: config file " + config));
  EXPECT_THAT(result.err, HasSubstr("chmod 600"));
  ::chmod(config.c_str(), 0600);
  result = seedance({"--config", config, "status", id}, /*with_key=*/false);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err, Not(HasSubstr("warning")));
}

// 0.0.0.0 reaches the loopback mock on Linux but is not a loopback address: the key would go
// over plain http to whatever that host is.
TEST_F(CliSecretsTest, PlainHttpToAHostThatIsNotLoopbackGetsOneWarning) {
  const std::string id = server_.create_succeeded_task();
  ProcessResult result = run_without_leaking(
      {"status", id}, environment(true, "http://0.0.0.0:" + std::to_string(server_.port())),
      kApiKey);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  const std::string warning = "warning: the API key is sent over plain http";
  EXPECT_THAT(result.err, HasSubstr(warning));
  EXPECT_EQ(result.err.find(warning), result.err.rfind(warning)) << "warned twice";

  result = seedance({"status", id});  // 127.0.0.1
  EXPECT_THAT(result.err, Not(HasSubstr("warning")));
}

}  // namespace
}  // namespace seedance::cli
