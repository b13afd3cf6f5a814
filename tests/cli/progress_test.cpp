// What the CLI shows while it waits.
#include "progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

Task task_in(TaskStatus status, const std::string& word, int progress) {
  Task task;
  task.task_id = "task_1";
  task.status = status;
  task.status_text = word;
  task.progress = progress;
  return task;
}

// Scripts see the reference's words whatever the service said (--json keeps the raw word).
TEST(FormatStatus, UsesTheReferenceWordOfTheNormalisedStatus) {
  EXPECT_EQ(format_status(task_in(TaskStatus::InProgress, "IN_PROGRESS", 50)), "IN_PROGRESS 50%");
  EXPECT_EQ(format_status(task_in(TaskStatus::InProgress, "running", 50)), "IN_PROGRESS 50%");
  EXPECT_EQ(format_status(task_in(TaskStatus::Success, "completed", 100)), "SUCCESS 100%");
  EXPECT_EQ(format_status(task_in(TaskStatus::Unknown, "PAUSED", 0)), "UNKNOWN 0%");
  EXPECT_EQ(format_status(task_in(TaskStatus::Success, "", 100)), "SUCCESS 100%");
}

TEST(FormatElapsed, ShowsHoursMinutesAndSeconds) {
  EXPECT_EQ(format_elapsed(std::chrono::seconds(0)), "0s");
  EXPECT_EQ(format_elapsed(std::chrono::seconds(45)), "45s");
  EXPECT_EQ(format_elapsed(std::chrono::seconds(125)), "2m05s");
  EXPECT_EQ(format_elapsed(std::chrono::seconds(3723)), "1h02m03s");
}

TEST(FormatBytes, UsesBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(5u * 1024 * 1024), "5.0 MiB");
  EXPECT_EQ(format_bytes(3ull * 1024 * 1024 * 1024), "3.0 GiB");
}

TEST(ProgressReporter, WithoutATerminalWritesOneLinePerChange) {
  std::ostringstream err;
  {
    ProgressReporter reporter(err, false);
    reporter.task_changed(task_in(TaskStatus::Queued, "QUEUED", 0));
    reporter.tick();  // No live line: nothing to redraw.
    DownloadProgress progress;
    progress.bytes_done = 10;
    reporter.download_progressed(progress);  // Too chatty for a log.
    reporter.task_changed(task_in(TaskStatus::InProgress, "IN_PROGRESS", 40));
  }
  EXPECT_THAT(err.str(), MatchesRegex("seedance: task_1 QUEUED 0% \\([0-9]+s\\)\n"
                                      "seedance: task_1 IN_PROGRESS 40% \\([0-9]+s\\)\n"));
}

TEST(ProgressReporter, OnATerminalRedrawsOneLineAndEndsItOnFinish) {
  std::ostringstream err;
  ProgressReporter reporter(err, true);
  reporter.task_changed(task_in(TaskStatus::InProgress, "IN_PROGRESS", 10));
  reporter.task_changed(task_in(TaskStatus::InProgress, "IN_PROGRESS", 20));
  reporter.finish();
  reporter.finish();  // Idempotent: one newline only.
  const std::string text = err.str();
  EXPECT_THAT(text, StartsWith("\r\033[Ktask_1 IN_PROGRESS 10%  "));
  EXPECT_THAT(text, HasSubstr("\r\033[Ktask_1 IN_PROGRESS 20%  "));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(ProgressReporter, MessagesDoNotBreakTheLiveLine) {
  std::ostringstream err;
  ProgressReporter reporter(err, true);
  reporter.task_changed(task_in(TaskStatus::Queued, "QUEUED", 0));
  reporter.message("submitted task_1");
  EXPECT_THAT(err.str(), HasSubstr("\r\033[Kseedance: submitted task_1\n\r\033[Ktask_1 QUEUED 0%"));
}

TEST(ProgressReporter, ShowsDownloadProgressOnATerminal) {
  std::ostringstream err;
  ProgressReporter reporter(err, true);
  DownloadProgress progress;
  progress.bytes_done = 2048;
  progress.bytes_total = 4096;
  progress.bytes_per_second = 1024;
  reporter.download_progressed(progress);
  EXPECT_THAT(err.str(), HasSubstr("downloading 2.0 KiB / 4.0 KiB, 1.0 KiB/s"));
  EXPECT_THAT(err.str(), HasSubstr("[##########----------] 50% ETA " +
                                   format_elapsed(std::chrono::seconds(2))));
}

TEST(ProgressBar, FillsInProportion) {
  EXPECT_EQ(format_bar(0, 100), "[--------------------] 0%");
  EXPECT_EQ(format_bar(100, 100), "[####################] 100%");
  EXPECT_EQ(format_bar(150, 100), "[####################] 100%");
  EXPECT_EQ(format_bar(1, 3), "[######--------------] 33%");
}

TEST(Ticker, CallsTheActionUntilDestroyed) {
  std::atomic<int> calls{0};
  CancellationToken reached_three;
  {
    Ticker ticker(std::chrono::milliseconds(1), [&] {
      if (++calls == 3) reached_three.cancel();
    });
    EXPECT_TRUE(reached_three.wait_for(std::chrono::seconds(30)));
  }
  const int after_stop = calls.load();
  EXPECT_GE(after_stop, 3);
}

}  // namespace
}  // namespace seedance::cli
