// Runs the real `seedance` against the in-process mock in each of its dialects: the reference's
// shapes and the public gateway's (lowercase words and an error object on /v1/videos/{id}, a
// {"code","data"} record on /v1/video/generations/{id}, {"code","message"} errors, a request id
// header). Tasks finish at their first poll; only the stuck tasks wait, once per dialect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::mock {
// How GoogleTest prints a parameter (found by argument-dependent lookup).
static void PrintTo(Dialect dialect, std::ostream* out) {
  *out << (dialect == Dialect::Gateway ? "Gateway" : "Reference");
}
}  // namespace seedance::mock

namespace seedance::cli {
namespace {

using mock::Dialect;
using nlohmann::json;
using testing::ChildProcess;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-dialect-test-8e2f4d6a";
constexpr std::uint64_t kVideoSize = 48 * 1024;
const std::string kFailReason = "mock: generation failed (the prompt contains mock:fail)";
const std::string kSweepReason = "任务超时（1440分钟）";

class CliDialectTest : public ::testing::TestWithParam<Dialect> {
 protected:
  CliDialectTest() : server_(quick_mock_options(kApiKey, kVideoSize)) {
    server_.set_dialect(GetParam());
    server_.start();
  }

  bool gateway() const { return GetParam() == Dialect::Gateway; }

  std::vector<std::string> environment() const {
    return with_server(testing::sanitizer_environment(), kApiKey, server_.base_url());
  }

  /// Runs seedance, with --alias-routes in front when asked for.
  ProcessResult seedance(std::vector<std::string> arguments, bool alias_routes = false) {
    if (alias_routes) arguments.insert(arguments.begin(), "--alias-routes");
    return run_without_leaking(arguments, environment(), kApiKey);
  }

  /// The service's own word for a state, as --json's status_raw carries it: lowercase on the
  /// gateway's /v1/videos/{id} (the OpenAI video object), uppercase elsewhere.
  std::string raw_word(const std::string& reference_word, bool alias_routes) const {
    if (!gateway() || alias_routes) return reference_word;
    if (reference_word == "SUCCESS") return "completed";
    if (reference_word == "FAILURE") return "failed";
    std::string lower = reference_word;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

INSTANTIATE_TEST_SUITE_P(Dialects, CliDialectTest,
                         ::testing::Values(Dialect::Reference, Dialect::Gateway),
                         [](const auto& info) { return ::testing::PrintToString(info.param); });

TEST_P(CliDialectTest, GenerateSavesTheExactVideoOnEitherRoutes) {
  for (const bool alias_routes : {false, true}) {
    SCOPED_TRACE(alias_routes ? "--alias-routes" : "main routes");
    const std::string output = dir_.file(alias_routes ? "alias.mp4" : "main.mp4");
    const ProcessResult result = seedance(
        {"--json", "generate", "--prompt", "A paper boat", "-o", output, "--poll-interval", "5"},
        alias_routes);
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    const json detail = one_json_line(result.out);
    const std::string task_id = detail.at("task_id");
    EXPECT_EQ(detail.at("status"), "SUCCESS");
    EXPECT_EQ(detail.at("status_raw"), raw_word("SUCCESS", alias_routes));
    EXPECT_EQ(detail.at("download").at("bytes"), kVideoSize);
    EXPECT_TRUE(testing::read_file(output) ==
                mock::MockServer::expected_video(task_id, kVideoSize));
    const std::string collection = alias_routes ? "/v1/video/generations" : "/v1/videos";
    EXPECT_EQ(server_.count("POST", collection), 1u);
    EXPECT_EQ(server_.count("GET", "/v1/videos/" + task_id + "/content"), 1u);
    EXPECT_EQ(server_.count("GET", "/v1/video/generations/" + task_id + "/content"), 0u);
    server_.clear_log();
  }
}

TEST_P(CliDialectTest, AFailedTaskExitsOneWithTheServicesMessage) {
  for (const bool alias_routes : {false, true}) {
    SCOPED_TRACE(alias_routes ? "--alias-routes" : "main routes");
    const std::string output = dir_.file("failed.mp4");
    const ProcessResult result =
        seedance({"generate", "--prompt", "A storm mock:fail", "-o", output}, alias_routes);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_THAT(result.err, HasSubstr(kFailReason));
    EXPECT_THAT(result.err, Not(HasSubstr("seedance wait ")));  // a failed task is not resumed
    EXPECT_FALSE(std::filesystem::exists(output));
  }
  // --json: the error object names the failure; its code is the task's error object's, which
  // only the gateway's video object carries.
  const ProcessResult result =
      seedance({"--json", "generate", "--prompt", "A storm mock:fail", "-o", dir_.file("j.mp4")});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  const json error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("kind"), "task_failed");
  EXPECT_EQ(error.at("fail_reason"), kFailReason);
  EXPECT_EQ(error.at("code"), gateway() ? "InternalServiceError" : "");
  EXPECT_EQ(error.contains("request_id"), gateway()) << error.dump();
}

TEST_P(CliDialectTest, ATimeoutSweepExitsOne) {
  for (const bool alias_routes : {false, true}) {
    SCOPED_TRACE(alias_routes ? "--alias-routes" : "main routes");
    const std::string output = dir_.file("swept.mp4");
    const ProcessResult result = seedance(
        {"generate", "--prompt", "A long take mock:timeout-sweep", "-o", output}, alias_routes);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("seedance: error: "));
    // The gateway's video object carries no fail_reason: only its record on the alias route does.
    if (!gateway() || alias_routes) {
      EXPECT_THAT(result.err, HasSubstr(kSweepReason));
    } else {
      EXPECT_THAT(result.err, HasSubstr("no reason given"));
    }
    EXPECT_FALSE(std::filesystem::exists(output));
  }
}

// Both stuck tasks at once, so the dialect costs one timeout: a little over the 5 s poll floor.
TEST_P(CliDialectTest, StuckTasksExitFourAtTheTimeout) {
  mock::TaskOptions stuck;
  stuck.state = mock::TaskState::Queued;
  stuck.outcome = mock::Outcome::StuckUnknown;
  const std::string unknown_id = server_.create_task(stuck);
  stuck.outcome = mock::Outcome::StuckNotStarted;
  const std::string not_started_id = server_.create_task(stuck);

  const std::vector<std::string> flags = {"--poll-interval", "5", "--timeout", "6"};
  std::vector<std::string> arguments = {"wait", unknown_id};
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  ChildProcess unknown(kCli, arguments, environment());
  arguments = {"wait", not_started_id};
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  ChildProcess not_started(kCli, arguments, environment());

  const ProcessResult unknown_result = unknown.finish();
  EXPECT_EQ(unknown_result.exit_code, 4) << describe(unknown_result);
  EXPECT_THAT(unknown_result.err, HasSubstr("(last status: UNKNOWN "));
  EXPECT_THAT(unknown_result.err, HasSubstr("seedance wait " + unknown_id));

  const ProcessResult not_started_result = not_started.finish();
  EXPECT_EQ(not_started_result.exit_code, 4) << describe(not_started_result);
  // The gateway's video object says "unknown" for NOT_START (ToVideoStatus has no case for it).
  EXPECT_THAT(not_started_result.err,
              HasSubstr(gateway() ? "(last status: UNKNOWN " : "(last status: QUEUED "));
  EXPECT_THAT(not_started_result.err, HasSubstr("seedance wait " + not_started_id));

  EXPECT_GE(server_.task(unknown_id)->polls, 1);
  EXPECT_GE(server_.task(not_started_id)->polls, 1);
  EXPECT_EQ(server_.task(unknown_id)->gateway_status, "UNKNOWN");
  EXPECT_EQ(server_.task(not_started_id)->gateway_status, "NOT_START");
}

TEST_P(CliDialectTest, AnUnknownTaskIdExitsThreeWithTheServicesMessage) {
  for (const bool alias_routes : {false, true}) {
    SCOPED_TRACE(alias_routes ? "--alias-routes" : "main routes");
    const ProcessResult result = seedance({"status", "task_nope"}, alias_routes);
    EXPECT_EQ(result.exit_code, 3) << describe(result);
    EXPECT_TRUE(result.out.empty()) << result.out;
    if (gateway()) {
      EXPECT_THAT(result.err, HasSubstr("task_not_exist"));
      EXPECT_THAT(result.err, MatchesRegex("(.|\n)*seedance: request id: [^ \n]+\n(.|\n)*"));
    } else {
      EXPECT_THAT(result.err, HasSubstr("Task task_nope does not exist."));
      EXPECT_THAT(result.err, Not(HasSubstr("request id:")));
    }
  }
}

TEST_P(CliDialectTest, JsonStatusSaysTheReferenceWordAndKeepsTheServicesOwn) {
  server_.set_polls_to_complete(3);  // QUEUED, IN_PROGRESS, then SUCCESS, one poll each
  for (const bool alias_routes : {false, true}) {
    SCOPED_TRACE(alias_routes ? "--alias-routes" : "main routes");
    const auto status = [&](const std::string& task_id) {
      const ProcessResult result = seedance({"--json", "status", task_id}, alias_routes);
      EXPECT_EQ(result.exit_code, 0) << describe(result);
      const json detail = one_json_line(result.out);
      EXPECT_EQ(detail.at("task_id"), task_id);
      EXPECT_TRUE(detail.at("response").is_object()) << detail.dump();
      EXPECT_EQ(detail.contains("request_id"), gateway()) << detail.dump();
      return detail;
    };
    mock::TaskOptions queued;
    queued.state = mock::TaskState::Queued;
    const std::string running = server_.create_task(queued);
    for (const char* word : {"QUEUED", "IN_PROGRESS", "SUCCESS"}) {
      const json detail = status(running);
      EXPECT_EQ(detail.at("status"), word);
      EXPECT_EQ(detail.at("status_raw"), raw_word(word, alias_routes));
    }

    mock::TaskOptions failed;
    failed.state = mock::TaskState::Failure;
    failed.outcome = mock::Outcome::Fail;
    failed.fail_reason = kFailReason;
    json detail = status(server_.create_task(failed));
    EXPECT_EQ(detail.at("status"), "FAILURE");
    EXPECT_EQ(detail.at("status_raw"), raw_word("FAILURE", alias_routes));
    EXPECT_EQ(detail.at("fail_reason"), kFailReason);

    queued.outcome = mock::Outcome::StuckUnknown;
    detail = status(server_.create_task(queued));
    EXPECT_EQ(detail.at("status"), "UNKNOWN");
    EXPECT_EQ(detail.at("status_raw"), raw_word("UNKNOWN", alias_routes));
  }
}

}  // namespace
}  // namespace seedance::cli
