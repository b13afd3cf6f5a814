// Runs the real `seedance` for the flags that reach every field and target: `-o -` (the video on
// stdout), booleans both ways, --set, `last-frame`, `batch --dry-run`, and durations in messages
// in the unit they were given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ProcessResult;

const std::string kApiKey = "sk-flags-test-8d7e6f5a";
// Over a MiB and not a round number, so the bytes arrive in many writes, the last one short.
constexpr std::uint64_t kVideoSize = 1024 * 1024 + 7;

class CliFlagsTest : public ::testing::Test {
 protected:
  CliFlagsTest() : server_(quick_mock_options(kApiKey, kVideoSize)) { server_.start(); }

  std::vector<std::string> environment() const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    return with_server(environment, kApiKey, server_.base_url());
  }
  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return run_without_leaking(arguments, environment(), kApiKey);
  }

  // The body of the one submit the server received.
  json submitted_body() const {
    for (const auto& request : server_.requests()) {
      if (request.method == "POST") return json::parse(request.body);
    }
    ADD_FAILURE() << "nothing was submitted";
    return {};
  }

  std::string create_task(mock::TaskState state, bool return_last_frame,
                          mock::Outcome outcome = mock::Outcome::Succeed) {
    mock::TaskOptions options;
    options.state = state;
    options.return_last_frame = return_last_frame;
    options.outcome = outcome;
    return server_.create_task(options);
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

// Nothing named after the "-" target may appear where the tool runs.
void expect_no_file_for_stdout() {
  for (const char* name : {"-", "-.part", "-.part.meta"}) {
    EXPECT_FALSE(std::filesystem::exists(name)) << name;
  }
}

TEST_F(CliFlagsTest, DownloadToStdoutWritesTheVideoAndNothingElse) {
  const std::string task_id = server_.create_succeeded_task();
  const ProcessResult result = seedance({"download", task_id, "-o", "-"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_TRUE(result.out == mock::MockServer::expected_video(task_id, kVideoSize))
      << "stdout is not the video: " << result.out.size() << " bytes";
  EXPECT_EQ(result.err, "seedance: wrote 1.0 MiB to stdout\n");
  expect_no_file_for_stdout();
}

TEST_F(CliFlagsTest, GenerateToStdoutWritesTheVideoAndNothingElse) {
  const ProcessResult result = seedance({"generate", "--prompt", "x", "-o", "-"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(result.err, match, std::regex("submitted task (task_[a-z0-9]+)")))
      << result.err;
  EXPECT_TRUE(result.out == mock::MockServer::expected_video(match[1], kVideoSize))
      << "stdout is not the video: " << result.out.size() << " bytes";
  EXPECT_THAT(result.err, HasSubstr("wrote 1.0 MiB to stdout"));
  expect_no_file_for_stdout();
}

TEST_F(CliFlagsTest, JsonRefusesStdoutAsTheTarget) {
  const std::string task_id = server_.create_succeeded_task();
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"--json", "download", task_id, "-o", "-"},
        std::vector<std::string>{"--json", "generate", "--prompt", "x", "-o", "-"}}) {
    const ProcessResult result = seedance(arguments);
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.out, IsEmpty());
    EXPECT_THAT(one_json_line(result.err).at("error").at("problems"),
                Contains(HasSubstr("-o -: with --json, stdout carries the JSON result")));
  }
  EXPECT_EQ(server_.count("POST"), 0u);
  EXPECT_EQ(server_.count("GET", "/v1/videos/" + task_id + "/content"), 0u);
}

TEST_F(CliFlagsTest, BooleansBothWaysAndSetFieldsReachTheService) {
  const ProcessResult result =
      seedance({"submit", "--prompt", "x", "--no-watermark", "--generate-audio=false",
                "--return-last-frame", "--no-camera-fixed", "--draft=1", "--frames", "24", "--set",
                "metadata.new_option={\"a\":1}", "--set", "top_level_option=true"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const json body = submitted_body();
  const json& metadata = body.at("metadata");
  EXPECT_EQ(metadata.at("watermark"), false);
  EXPECT_EQ(metadata.at("generate_audio"), false);
  EXPECT_EQ(metadata.at("return_last_frame"), true);
  EXPECT_EQ(metadata.at("camera_fixed"), false);
  EXPECT_EQ(metadata.at("draft"), 1);
  EXPECT_EQ(metadata.at("frames"), 24);
  EXPECT_EQ(metadata.at("new_option"), json({{"a", 1}}));
  EXPECT_EQ(body.at("top_level_option"), true);
}

TEST_F(CliFlagsTest, SetRefusesAFieldThatAFlagSets) {
  const ProcessResult result =
      seedance({"submit", "--prompt", "x", "--set", "metadata.watermark=true"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("metadata.watermark has a flag: use --watermark"));
  EXPECT_EQ(server_.count("POST"), 0u);
}

TEST_F(CliFlagsTest, LastFrameSavesTheImageOfATaskThatReturnedOne) {
  const std::string task_id = create_task(mock::TaskState::Success, /*return_last_frame=*/true);
  const std::string path = dir_.file("frame.png");
  const ProcessResult result = seedance({"last-frame", task_id, "-o", path});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, path + "\n");
  EXPECT_EQ(testing::read_file(path), mock::MockServer::last_frame_png());
}

TEST_F(CliFlagsTest, LastFrameSaysWhyThereIsNone) {
  const std::string path = dir_.file("frame.png");
  const std::string plain = create_task(mock::TaskState::Success, /*return_last_frame=*/false);
  ProcessResult result = seedance({"last-frame", plain, "-o", path});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("task " + plain +
                                    " returned no last frame: only a task submitted with "
                                    "--return-last-frame has one"));

  const std::string queued = create_task(mock::TaskState::Queued, /*return_last_frame=*/true,
                                         mock::Outcome::StuckNotStarted);
  result = seedance({"last-frame", queued, "-o", path});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("is not finished (QUEUED 0%): it has no last frame yet; run "
                                    "`seedance wait " +
                                    queued + "` first"));

  const std::string failed = create_task(mock::TaskState::Failure, /*return_last_frame=*/true);
  result = seedance({"last-frame", failed, "-o", path});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("mock: generation failed"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(CliFlagsTest, BatchDryRunPrintsEachBodyAndSendsNothing) {
  const std::string jobs = dir_.file("jobs.jsonl");
  testing::write_file(jobs,
                      "{\"name\":\"boat\",\"prompt\":\"a paper boat\",\"duration\":5}\n"
                      "# a comment\n"
                      "{\"prompt\":\"a lighthouse\",\"metadata\":{\"watermark\":false}}\n");
  const std::string out_dir = dir_.file("videos");
  // No key either: nothing is sent.
  std::vector<std::string> environment = testing::sanitizer_environment();
  environment.push_back("HOME=" + dir_.path().string());
  const ProcessResult result =
      testing::run_process(kCli, {"batch", jobs, "--dry-run", "--out-dir", out_dir}, environment);
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out,
            "{\"duration\":5,\"model\":\"seedance-2.0\",\"prompt\":\"a paper boat\"}\n"
            "{\"metadata\":{\"watermark\":false},\"model\":\"seedance-2.0\",\"prompt\":\"a "
            "lighthouse\"}\n");
  EXPECT_EQ(result.err, "seedance: batch: 2 jobs are valid; nothing was sent\n");
  EXPECT_FALSE(std::filesystem::exists(out_dir));
  EXPECT_THAT(server_.requests(), IsEmpty());
}

TEST_F(CliFlagsTest, BatchDryRunReportsEveryInvalidJob) {
  const std::string jobs = dir_.file("jobs.jsonl");
  testing::write_file(jobs, "{\"prompt\":\"ok\"}\n{\"duration\":99}\n{not json\n");
  const ProcessResult result = seedance({"batch", jobs, "--dry-run"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, HasSubstr("line 2: "));
  EXPECT_THAT(result.err, HasSubstr("line 3: "));
  EXPECT_THAT(server_.requests(), IsEmpty());
}

// "--timeout 1" is reported as "1 s", not "1000 ms". The task never starts, so the wait ends by
// its timeout after one poll: a second, the shortest timeout there is to observe.
TEST_F(CliFlagsTest, ATimeoutIsReportedInTheSecondsItWasGivenIn) {
  const std::string task_id = create_task(mock::TaskState::Queued, /*return_last_frame=*/false,
                                          mock::Outcome::StuckNotStarted);
  const ProcessResult result = seedance({"wait", task_id, "--timeout", "1"});
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("not finished after 1 s"));
  EXPECT_THAT(result.err, ::testing::Not(HasSubstr(" ms")));
}

}  // namespace
}  // namespace seedance::cli
