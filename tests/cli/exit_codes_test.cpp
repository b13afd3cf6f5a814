// Which exit code and which message each failure produces.
#include "exit_codes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "seedance/error.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Task failed_task() {
  Task task;
  task.task_id = "task_42";
  task.status = TaskStatus::Failure;
  task.status_text = "FAILURE";
  task.progress = 100;
  task.fail_reason = "content policy violation";
  return task;
}

TEST(ExitCodeFor, MapsEveryErrorTypeToItsDocumentedCode) {
  EXPECT_EQ(exit_code_for(ValidationError({"duration: must be 4..15"})), 2);
  EXPECT_EQ(exit_code_for(TaskFailedError(failed_task())), 1);
  EXPECT_EQ(exit_code_for(ApiError("invalid api key", 401, "auth_error", "invalid_key")), 3);
  EXPECT_EQ(exit_code_for(ResponseError("not JSON: <html>", 502)), 3);
  EXPECT_EQ(exit_code_for(NetworkError("connection refused")), 4);
  EXPECT_EQ(exit_code_for(TimeoutError("gave up after 60 s", "task_1", std::nullopt)), 4);
  EXPECT_EQ(exit_code_for(CancelledError("wait cancelled")), 4);
  EXPECT_EQ(exit_code_for(SubmitOutcomeUnknownError("connection lost after sending")), 5);
}

TEST(ExitCodeFor, AnythingElseCountsAsARetryableLocalFailure) {
  EXPECT_EQ(exit_code_for(Error("cannot write video.mp4.part")), 4);
  EXPECT_EQ(exit_code_for(std::runtime_error("disk full")), 4);
}

TEST(ExitCodes, AreTheDocumentedNumbers) {
  EXPECT_EQ(kExitSuccess, 0);
  EXPECT_EQ(kExitTaskFailed, 1);
  EXPECT_EQ(kExitInvalidInput, 2);
  EXPECT_EQ(kExitApiError, 3);
  EXPECT_EQ(kExitNetworkError, 4);
  EXPECT_EQ(kExitSubmitOutcomeUnknown, 5);
}

TEST(Redact, ReplacesEveryOccurrenceOfTheSecret) {
  EXPECT_EQ(redact("key sk-123 and sk-123 again", "sk-123"), "key *** and *** again");
  EXPECT_EQ(redact("nothing here", "sk-123"), "nothing here");
  // A secret that contains the replacement must not loop for ever.
  EXPECT_EQ(redact("a******b", "******"), "a***b");
}

TEST(Redact, LeavesTooShortSecretsAlone) {
  EXPECT_EQ(redact("task task_3 failed", "k"), "task task_3 failed");
  EXPECT_EQ(redact("empty secret changes nothing", ""), "empty secret changes nothing");
}

TEST(ReportError, PrintsOneLinePerValidationProblem) {
  std::ostringstream err;
  const int code = report_error(ValidationError({"--duration: 'x' is bad", "--ratio: 'y' is bad"}),
                                err, "sk-secret");
  EXPECT_EQ(code, 2);
  EXPECT_EQ(err.str(),
            "seedance: error: --duration: 'x' is bad\n"
            "seedance: error: --ratio: 'y' is bad\n");
}

TEST(ReportError, TaskFailureNamesTheTaskAndTheReason) {
  std::ostringstream err;
  EXPECT_EQ(report_error(TaskFailedError(failed_task()), err, ""), 1);
  EXPECT_THAT(err.str(), StartsWith("seedance: error: "));
  EXPECT_THAT(err.str(), HasSubstr("task_42"));
  EXPECT_THAT(err.str(), HasSubstr("content policy violation"));
  EXPECT_THAT(err.str(), Not(HasSubstr("seedance wait")));  // Nothing to resume.
}

TEST(ReportError, CancellationSaysCancelled) {
  std::ostringstream err;
  EXPECT_EQ(report_error(CancelledError("wait cancelled"), err, ""), 4);
  EXPECT_THAT(err.str(), StartsWith("seedance: cancelled\n"));
}

TEST(ReportError, ErrorsAfterTheSubmitSayHowToResume) {
  CancelledError cancelled("wait cancelled");
  cancelled.set_task_id("task_7");
  std::ostringstream err;
  report_error(cancelled, err, "");
  EXPECT_THAT(err.str(), HasSubstr("seedance wait task_7"));
  EXPECT_THAT(err.str(), HasSubstr("seedance download task_7 -o FILE"));
}

TEST(ReportError, TimeoutShowsTheLastStatusSeen) {
  Task last;
  last.task_id = "task_9";
  last.status = TaskStatus::InProgress;
  last.status_text = "IN_PROGRESS";
  last.progress = 60;
  std::ostringstream err;
  EXPECT_EQ(report_error(TimeoutError("timed out waiting for task_9 (last status IN_PROGRESS)",
                                      "task_9", last),
                         err, ""),
            4);
  EXPECT_THAT(err.str(),
              HasSubstr("timed out waiting for task_9 (last status: IN_PROGRESS 60%)\n"));
  EXPECT_THAT(err.str(), HasSubstr("seedance wait task_9"));
}

TEST(ReportError, SubmitOutcomeUnknownWarnsThatATaskMayExist) {
  std::ostringstream err;
  EXPECT_EQ(report_error(SubmitOutcomeUnknownError("connection lost"), err, ""), 5);
  EXPECT_THAT(err.str(), HasSubstr("may have created a task"));
}

TEST(ReportError, NeverPrintsTheApiKey) {
  std::ostringstream err;
  report_error(ApiError("rejected key sk-secret-123", 401), err, "sk-secret-123");
  EXPECT_THAT(err.str(), Not(HasSubstr("sk-secret-123")));
  EXPECT_THAT(err.str(), HasSubstr("rejected key ***"));
}

}  // namespace
}  // namespace seedance::cli
