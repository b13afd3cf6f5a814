// Runs the real `seedance batch` against an in-process mock server (one server across a killed
// and a resumed run, so its request log counts every POST), killing it with SIGKILL at several
// points: nothing may be submitted twice and every video must be exact.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
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
using ::testing::IsEmpty;
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-batch-test-8c1d2e3f";
constexpr std::uint64_t kVideoSize = 96 * 1024;

// Waits for a condition the test cannot be told about (the mock's log, a file's size) by
// checking it often; `limit` is a safety net against a hang, not a delay.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t count = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
  return count;
}

class CliBatchTest : public ::testing::Test {
 protected:
  CliBatchTest() : server_(quick_mock_options(kApiKey, kVideoSize)) { server_.start(); }

  std::vector<std::string> environment() const {
    std::vector<std::string> environment =
        with_server(testing::sanitizer_environment(), kApiKey, server_.base_url());
    environment.push_back("HOME=" + dir_.path().string());  // No config file of the user's.
    return environment;
  }

  // With --json (the report on stdout, nothing else on stderr) unless `plain`.
  std::vector<std::string> batch_arguments(std::vector<std::string> extra = {},
                                           bool plain = false) const {
    std::vector<std::string> arguments = {"batch",  jobs_path_,        "--out-dir",
                                          out_dir_, "--poll-interval", "5"};
    if (!plain) arguments.push_back("--json");
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }

  ProcessResult run_batch(std::vector<std::string> extra = {}) {
    return run_without_leaking(batch_arguments(extra), environment(), kApiKey);
  }

  void write_jobs(int count) {
    std::string text;
    for (int i = 1; i <= count; ++i) {
      // Every other job is named; the others are saved under their task id.
      text += "{\"prompt\":\"shot " + std::to_string(i) + "\"" +
              (i % 2 == 1 ? ",\"name\":\"shot-" + std::to_string(i) + "\"" : std::string()) +
              ",\"duration\":5}\n";
    }
    testing::write_file(jobs_path_, text);
  }

  std::size_t posts() const { return server_.count("POST", "/v1/videos"); }

  // Every job of the --json report is done, and its file holds exactly its task's video.
  void expect_all_done_and_exact(const ProcessResult& result, int jobs) {
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    const auto report = nlohmann::json::parse(result.out);
    ASSERT_EQ(report.at("jobs").size(), static_cast<std::size_t>(jobs)) << result.out;
    EXPECT_EQ(report.at("done"), jobs);
    for (const auto& job : report.at("jobs")) {
      const std::string task_id = job.at("task_id");
      const std::string path = job.at("path");
      const std::string name = job.at("name");
      EXPECT_EQ(std::filesystem::path(path).filename().string(),
                (name.empty() ? task_id : name) + ".mp4");
      EXPECT_TRUE(testing::read_file(path) ==
                  mock::MockServer::expected_video(task_id, video_size_))
          << path << " is not the video of " << task_id;
      EXPECT_FALSE(std::filesystem::exists(path + ".part"));
    }
  }

  testing::TempDir dir_;
  mock::MockServer server_;
  std::string jobs_path_ = dir_.file("jobs.jsonl");
  std::string out_dir_ = dir_.file("videos");
  std::uint64_t video_size_ = kVideoSize;
};

TEST_F(CliBatchTest, EveryJobIsSubmittedOnceAndEveryVideoIsExact) {
  write_jobs(6);
  const ProcessResult result = run_batch({"--concurrency", "3"});
  expect_all_done_and_exact(result, 6);
  EXPECT_EQ(posts(), 6u);
  EXPECT_THAT(result.err, IsEmpty());  // --json: the report is on stdout.
  EXPECT_TRUE(std::filesystem::exists(out_dir_ + "/.seedance-journal.sqlite"));

  // Running it again finds everything done and sends no submit.
  const ProcessResult again = run_batch();
  expect_all_done_and_exact(again, 6);
  EXPECT_EQ(posts(), 6u);
}

TEST_F(CliBatchTest, InvalidLinesAreReportedWithTheirNumbersAndNothingIsSent) {
  testing::write_file(jobs_path_,
                      "{\"prompt\":\"fine\"}\n"
                      "{\"prompt\":\"too long\",\"duration\":99}\n"
                      "{\"prompt\":\"fine too\"}\n"
                      "{oops\n");
  const ProcessResult result = run_batch();
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.out, IsEmpty());
  const auto error = nlohmann::json::parse(result.err).at("error");
  EXPECT_EQ(error.at("exit_code"), 2);
  EXPECT_EQ(error.at("kind"), "validation_error");
  ASSERT_EQ(error.at("problems").size(), 2u) << result.err;
  EXPECT_THAT(error.at("problems")[0].get<std::string>(), HasSubstr("line 2: duration"));
  EXPECT_EQ(error.at("problems")[1], "line 4: not valid JSON");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliBatchTest, InvalidLinesInPlainTextOneLineEach) {
  testing::write_file(jobs_path_, "{\"prompt\":\"x\",\"metadata\":{\"ratio\":\"2:1\"}}\n[]\n");
  const ProcessResult result =
      testing::run_process(kCli, {"batch", jobs_path_, "--out-dir", out_dir_}, environment());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: error: line 1: metadata.ratio"));
  EXPECT_THAT(result.err, HasSubstr("seedance: error: line 2: must be a JSON object"));
  EXPECT_TRUE(server_.requests().empty());
}

// Killed after two submits, while those two wait (their tasks need a second poll, at least 5 s
// away) and the third waits for the rate cap (one submit per 0.5 s).
TEST_F(CliBatchTest, ResumesAfterSigkillDuringSubmitsAndWaits) {
  write_jobs(5);
  server_.set_polls_to_complete(2);
  {
    ChildProcess child(kCli, batch_arguments({"--concurrency", "2", "--rate", "2"}, true),
                       environment());
    // Both tasks polled once (QUEUED), so each needs one more poll when resumed.
    ASSERT_TRUE(child.wait_for_output([](const std::string&, const std::string& err) {
      return occurrences(err, "QUEUED") >= 2;
    })) << "no two submits seen";
    child.send_signal(SIGKILL);
    EXPECT_EQ(child.finish().signal, SIGKILL);
  }
  const std::size_t posts_before_resume = posts();
  EXPECT_GE(posts_before_resume, 2u);
  EXPECT_LT(posts_before_resume, 5u);

  server_.set_polls_to_complete(1);  // Tasks created from now on finish at their first poll.
  const ProcessResult resumed = run_batch({"--concurrency", "5"});
  expect_all_done_and_exact(resumed, 5);
  EXPECT_EQ(posts(), 5u);
  int resumed_jobs = 0;
  const auto report = nlohmann::json::parse(resumed.out);
  for (const auto& job : report.at("jobs")) {
    resumed_jobs += job.at("resumed").get<bool>() ? 1 : 0;
  }
  EXPECT_EQ(resumed_jobs, static_cast<int>(posts_before_resume)) << resumed.out;
}

// Ctrl-C while the tasks are being waited on: a clean stop (a summary naming the incomplete jobs,
// then death by SIGINT), and the same command resumes them.
TEST_F(CliBatchTest, CtrlCStopsCleanlyAndTheSameCommandResumes) {
  write_jobs(3);
  server_.set_polls_to_complete(2);
  ProcessResult interrupted;
  {
    ChildProcess child(kCli, batch_arguments({"--concurrency", "3"}, true), environment());
    // Every task polled once (QUEUED), so each needs just one more poll when resumed.
    ASSERT_TRUE(child.wait_for_output([](const std::string&, const std::string& err) {
      return occurrences(err, "QUEUED") >= 3;
    }));
    child.send_signal(SIGINT);
    interrupted = child.finish();
  }
  EXPECT_EQ(interrupted.signal, SIGINT) << describe(interrupted);
  EXPECT_THAT(interrupted.err, HasSubstr("incomplete"));
  EXPECT_THAT(interrupted.err, HasSubstr("run the same command again to resume"));

  server_.set_polls_to_complete(1);
  expect_all_done_and_exact(run_batch(), 3);
  EXPECT_EQ(posts(), 3u);
}

// Killed while a download is stalled half-way: the next run resumes it from the .part file.
TEST_F(CliBatchTest, ResumesAPartialDownloadAfterSigkill) {
  // Large enough that the downloader has written part of it to disk before the stall (it
  // buffers its writes).
  video_size_ = 3 * 1024 * 1024;
  server_.set_video_size(video_size_);
  write_jobs(1);
  server_.add_fault("GET */content: stall-after-bytes=2m stall-ms=60000");
  const std::string part = out_dir_ + "/shot-1.mp4.part";
  std::uintmax_t part_size = 0;
  {
    ChildProcess child(kCli, batch_arguments(), environment());
    const bool part_written = eventually([&] {
      std::error_code error;
      const auto size = std::filesystem::file_size(part, error);
      return !error && size > 0;
    });
    ASSERT_TRUE(part_written) << "no partial download appeared";
    child.send_signal(SIGKILL);
    child.finish();
    part_size = std::filesystem::file_size(part);
  }
  ASSERT_LT(part_size, video_size_);
  const ProcessResult resumed = run_batch();
  expect_all_done_and_exact(resumed, 1);
  EXPECT_EQ(posts(), 1u);
  const auto requests = server_.requests();
  ASSERT_FALSE(requests.empty());
  const std::string expected_range = "bytes=" + std::to_string(part_size) + "-";
  bool resumed_with_range = false;
  for (const auto& request : requests) {
    if (request.path.find("/content") != std::string::npos &&
        request.header("Range") == expected_range) {
      resumed_with_range = true;
    }
  }
  EXPECT_TRUE(resumed_with_range) << "the download did not resume with " << expected_range;
}

// Killed while the submit is in flight: the outcome is unknown, so the job is not submitted
// again unless --resubmit-unknown is given.
TEST_F(CliBatchTest, AKillDuringTheSubmitLeavesTheJobUnknown) {
  write_jobs(1);
  server_.add_fault("POST /v1/videos: delay-ms=60000");
  {
    ChildProcess child(kCli, batch_arguments(), environment());
    ASSERT_TRUE(eventually([&] { return posts() == 1; })) << "the submit never arrived";
    child.send_signal(SIGKILL);
    child.finish();
  }
  const ProcessResult again = run_batch();
  EXPECT_EQ(again.exit_code, 5) << describe(again);
  const auto report = nlohmann::json::parse(again.out);
  EXPECT_EQ(report.at("unknown"), 1);
  EXPECT_EQ(report.at("jobs")[0].at("result"), "unknown");
  EXPECT_THAT(report.at("jobs")[0].at("message").get<std::string>(),
              HasSubstr("--resubmit-unknown"));
  EXPECT_THAT(again.err, IsEmpty());
  EXPECT_EQ(posts(), 1u);

  const ProcessResult resubmitted = run_batch({"--resubmit-unknown"});
  expect_all_done_and_exact(resubmitted, 1);
  EXPECT_EQ(posts(), 2u);
}

TEST_F(CliBatchTest, AnEditedJobFileIsRefusedBeforeAnythingIsSent) {
  write_jobs(2);
  expect_all_done_and_exact(run_batch(), 2);
  testing::write_file(jobs_path_, "{\"prompt\":\"something else\"}\n{\"prompt\":\"shot 2\"}\n");
  const ProcessResult edited = run_batch();
  EXPECT_EQ(edited.exit_code, 2) << describe(edited);
  EXPECT_THAT(edited.err, HasSubstr("line 1: changed since the journal recorded it as done"));
  EXPECT_EQ(posts(), 2u);
}

TEST_F(CliBatchTest, AFailedTaskMakesTheBatchExitOne) {
  testing::write_file(jobs_path_,
                      "{\"prompt\":\"fine\",\"name\":\"ok\"}\n{\"prompt\":\"mock:fail\"}\n");
  const ProcessResult result =
      testing::run_process(kCli, {"batch", jobs_path_, "--out-dir", out_dir_}, environment());
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_EQ(result.out, out_dir_ + "/ok.mp4\n");
  EXPECT_THAT(result.err, HasSubstr("done 1, failed 1, unknown 0, incomplete 0"));
  EXPECT_THAT(result.err, HasSubstr("LINE"));
}

}  // namespace
}  // namespace seedance::cli
