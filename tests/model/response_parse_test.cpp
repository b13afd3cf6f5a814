// parse_receipt() and parse_task(): documented shapes, tolerated variations, and malformed bodies.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seedance/error.hpp"
#include "seedance/task.hpp"

namespace seedance {
namespace {

using testing::AllOf;
using testing::HasSubstr;
using testing::Not;

const char kReceipt[] =
    R"({"id":"task_abc","task_id":"task_abc","object":"video","model":"seedance-2.0",)"
    R"("status":"QUEUED","progress":0,"created_at":1767225600})";

const char kSuccess[] =
    R"({"task_id":"task_abc","model":"seedance-2.0","status":"SUCCESS","progress":"100%",)"
    R"("result_url":"/v1/videos/task_abc/content","created_at":1767225600})";

// The message of the ResponseError that `parse` throws for `body`.
template <typename Parse>
std::string response_error(Parse parse, const std::string& body, int http_status = 200) {
  try {
    parse(body, http_status);
  } catch (const ResponseError& error) {
    EXPECT_EQ(error.http_status(), http_status);
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "unexpected exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "accepted " << body;
  return {};
}

std::string receipt_error(const std::string& body, int http_status = 200) {
  return response_error([](const std::string& b, int s) { (void)parse_receipt(b, s); }, body,
                        http_status);
}

std::string task_error(const std::string& body, int http_status = 200) {
  return response_error([](const std::string& b, int s) { (void)parse_task(b, s); }, body,
                        http_status);
}

TEST(TaskStatusWords, RoundTripAndTerminalStates) {
  for (const auto status : {TaskStatus::Queued, TaskStatus::InProgress, TaskStatus::Success,
                            TaskStatus::Failure, TaskStatus::Unknown}) {
    EXPECT_EQ(parse_task_status(to_string(status)), status);
  }
  EXPECT_EQ(to_string(TaskStatus::InProgress), "IN_PROGRESS");
  EXPECT_EQ(to_string(TaskStatus::Unknown), "UNKNOWN");
  EXPECT_EQ(parse_task_status(""), TaskStatus::Unknown);
  EXPECT_TRUE(is_terminal(TaskStatus::Success));
  EXPECT_TRUE(is_terminal(TaskStatus::Failure));
  EXPECT_FALSE(is_terminal(TaskStatus::InProgress));
  EXPECT_FALSE(is_terminal(TaskStatus::Unknown));
}

// Every word the reference, the gateway (main and alias routes), the upstream model service and
// other gateways are known to use; docs/concepts.md has the same table.
TEST(TaskStatusWords, EveryKnownDialectIsNormalised) {
  const std::pair<const char*, TaskStatus> words[] = {
      {"SUCCESS", TaskStatus::Success},        {"success", TaskStatus::Success},
      {"completed", TaskStatus::Success},      {"succeeded", TaskStatus::Success},
      {"done", TaskStatus::Success},           {"FAILURE", TaskStatus::Failure},
      {"failed", TaskStatus::Failure},         {"failure", TaskStatus::Failure},
      {"error", TaskStatus::Failure},          {"cancelled", TaskStatus::Failure},
      {"canceled", TaskStatus::Failure},       {"expired", TaskStatus::Failure},
      {"EXPIRED", TaskStatus::Failure},        {"NOT_START", TaskStatus::Queued},
      {"SUBMITTED", TaskStatus::Queued},       {"QUEUED", TaskStatus::Queued},
      {"queued", TaskStatus::Queued},          {"pending", TaskStatus::Queued},
      {"submitted", TaskStatus::Queued},       {"IN_PROGRESS", TaskStatus::InProgress},
      {"in_progress", TaskStatus::InProgress}, {"In-Progress", TaskStatus::InProgress},
      {"running", TaskStatus::InProgress},     {"processing", TaskStatus::InProgress},
      {"unknown", TaskStatus::Unknown},        {"UNKNOWN", TaskStatus::Unknown},
      {"paused", TaskStatus::Unknown},         {"a very long status word", TaskStatus::Unknown},
  };
  for (const auto& [word, status] : words) {
    EXPECT_EQ(parse_task_status(word), status) << word;
  }
}

TEST(ParseReceipt, EveryDocumentedField) {
  const Receipt receipt = parse_receipt(kReceipt);
  EXPECT_EQ(receipt.task_id, "task_abc");
  EXPECT_EQ(receipt.object, "video");
  EXPECT_EQ(receipt.model, "seedance-2.0");
  EXPECT_EQ(receipt.status, TaskStatus::Queued);
  EXPECT_EQ(receipt.status_text, "QUEUED");
  EXPECT_EQ(receipt.progress, 0);
  EXPECT_EQ(receipt.created_at, 1767225600);
  EXPECT_EQ(receipt.raw_json, kReceipt);
}

TEST(ParseReceipt, TaskIdIsPreferredAndIdIsTheFallback) {
  EXPECT_EQ(parse_receipt(R"({"id":"task_old","task_id":"task_new"})").task_id, "task_new");
  EXPECT_EQ(parse_receipt(R"({"id":"task_only_id"})").task_id, "task_only_id");
  EXPECT_EQ(parse_receipt(R"({"id":"task_x","task_id":""})").task_id, "task_x");
}

TEST(ParseReceipt, AbsentOptionalFieldsTakeDefaults) {
  const Receipt receipt = parse_receipt(R"({"task_id":"task_1"})");
  EXPECT_EQ(receipt.object, "");
  EXPECT_EQ(receipt.status, TaskStatus::Unknown);  // never invented
  EXPECT_EQ(receipt.status_text, "");
  EXPECT_EQ(receipt.progress, 0);
  EXPECT_EQ(receipt.created_at, std::nullopt);
}

TEST(ParseReceipt, NullFieldsCountAsAbsent) {
  const Receipt receipt =
      parse_receipt(R"({"task_id":"task_1","model":null,"progress":null,"created_at":null})");
  EXPECT_EQ(receipt.model, "");
  EXPECT_EQ(receipt.created_at, std::nullopt);
}

TEST(ParseReceipt, MissingTaskIdIsAResponseError) {
  EXPECT_THAT(receipt_error(R"({"object":"video","status":"QUEUED"})"),
              AllOf(HasSubstr("no task id"), HasSubstr(R"({"object":"video")")));
}

TEST(ParseReceipt, UnknownFieldsAreIgnored) {
  const Receipt receipt = parse_receipt(
      R"({"task_id":"task_1","queue_position":3,"usage":{"tokens":[1,2]},"status":"SUBMITTED"})");
  EXPECT_EQ(receipt.task_id, "task_1");
  EXPECT_EQ(receipt.status, TaskStatus::Queued);
}

TEST(ParseReceipt, ErrorObjectWithHttp200IsAnApiError) {
  try {
    (void)parse_receipt(
        R"({"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}})",
        200);
    FAIL() << "accepted an error body";
  } catch (const ApiError& error) {
    EXPECT_STREQ(error.what(), "model not found");
    EXPECT_EQ(error.http_status(), 200);
    EXPECT_EQ(error.type(), "invalid_request_error");
    EXPECT_EQ(error.code(), "model_not_found");
  }
}

TEST(ParseReceipt, ErrorObjectWithMissingOrOddSubfieldsIsStillAnApiError) {
  try {
    (void)parse_receipt(R"({"error":{"code":429}})", 429);
    FAIL() << "accepted an error body";
  } catch (const ApiError& error) {
    EXPECT_THAT(error.what(), HasSubstr("429"));
    EXPECT_EQ(error.code(), "429");
    EXPECT_EQ(error.type(), "");
    EXPECT_EQ(error.http_status(), 429);
  }
}

TEST(ParseReceipt, NonJsonBodyNamesTheStatusAndQuotesIt) {
  const std::string html = "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>";
  EXPECT_THAT(receipt_error(html, 502),
              AllOf(HasSubstr("HTTP 502"), HasSubstr("not JSON"),
                    HasSubstr("<html>\\n<head><title>502 Bad Gateway"), Not(HasSubstr("\n"))));
}

TEST(ParseReceipt, EmptyBodyIsAResponseError) {
  EXPECT_THAT(receipt_error("", 200), HasSubstr("empty"));
  EXPECT_THAT(receipt_error(" \r\n", 204), AllOf(HasSubstr("empty"), HasSubstr("HTTP 204")));
}

TEST(ParseReceipt, JsonThatIsNotAnObjectIsAResponseError) {
  EXPECT_THAT(receipt_error(R"(["task_1"])"), HasSubstr("not a JSON object"));
  EXPECT_THAT(receipt_error("null"), HasSubstr("not a JSON object"));
}

// Once a receipt names a task, a task exists: no odd optional field may make it "outcome unknown".
TEST(ParseReceipt, OddOptionalFieldsNeverLoseTheTaskId) {
  const Receipt receipt = parse_receipt(
      R"({"task_id":"t","status":5,"progress":"abc","created_at":"yesterday","object":{"k":1},"model":[1]})");
  EXPECT_EQ(receipt.task_id, "t");
  EXPECT_EQ(receipt.status, TaskStatus::Unknown);
  EXPECT_EQ(receipt.progress, 0);
  EXPECT_EQ(receipt.created_at, std::nullopt);
  EXPECT_EQ(receipt.object, "");
  EXPECT_EQ(receipt.model, "");
  EXPECT_EQ(parse_receipt(R"({"task_id":"t","created_at":"1767225600"})").created_at, 1767225600);
}

TEST(ParseReceipt, ATaskIdThatIsNotAStringIsNoTaskId) {
  EXPECT_THAT(receipt_error(R"({"task_id":7})"), HasSubstr("no task id"));
}

TEST(ParseReceipt, TheSuccessWrapperIsAccepted) {
  const Receipt receipt = parse_receipt(
      R"({"code":"success","message":"","data":{"task_id":"task_w","status":"SUBMITTED"}})");
  EXPECT_EQ(receipt.task_id, "task_w");
  EXPECT_EQ(receipt.status, TaskStatus::Queued);
  EXPECT_EQ(parse_receipt(R"({"code":0,"data":{"id":"task_0"}})").task_id, "task_0");
}

TEST(ParseReceipt, ANonSuccessCodeWithAMessageIsARefusal) {
  try {
    (void)parse_receipt(R"({"code":"insufficient_quota","message":"quota used up","data":null})");
    FAIL() << "accepted an error body";
  } catch (const ApiError& error) {
    EXPECT_STREQ(error.what(), "quota used up");
    EXPECT_EQ(error.code(), "insufficient_quota");
  }
}

TEST(ParseReceipt, NoTaskIdMessageQuotesAShortSingleLineExcerpt) {
  const std::string body =
      "{\"object\":\"video\",\n\"progress\":true,\n\"padding\":\"" + std::string(400, 'p') + "\"}";
  const std::string message = receipt_error(body);
  EXPECT_THAT(message, AllOf(HasSubstr("no task id"), HasSubstr("{\"object\":\"video\",\\n"),
                             Not(HasSubstr("\n")), Not(HasSubstr(std::string(200, 'p')))));
}

TEST(ParseReceipt, ProgressOutOfRangeIsClamped) {
  EXPECT_EQ(parse_receipt(R"({"task_id":"t","progress":101})").progress, 100);
  EXPECT_EQ(parse_receipt(R"({"task_id":"t","progress":-1})").progress, 0);
  EXPECT_EQ(parse_receipt(R"({"task_id":"t","progress":"150%"})").progress, 100);
}

TEST(ParseTask, SuccessWithPercentProgress) {
  const Task task = parse_task(kSuccess);
  EXPECT_EQ(task.task_id, "task_abc");
  EXPECT_EQ(task.model, "seedance-2.0");
  EXPECT_EQ(task.status, TaskStatus::Success);
  EXPECT_EQ(task.status_text, "SUCCESS");
  EXPECT_EQ(task.progress, 100);
  EXPECT_EQ(task.result_url, "/v1/videos/task_abc/content");
  EXPECT_EQ(task.fail_reason, std::nullopt);
  EXPECT_EQ(task.created_at, 1767225600);
  EXPECT_EQ(task.raw_json, kSuccess);
  EXPECT_TRUE(task.finished());
}

TEST(ParseTask, ProgressAsIntegerPercentOrBareDigits) {
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":50})").progress, 50);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":"50%"})").progress, 50);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":"50"})").progress, 50);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":" 7 % "})").progress, 7);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":"33.3%"})").progress, 33);
  EXPECT_EQ(parse_task(R"({"status":"QUEUED","progress":""})").progress, 0);
}

TEST(ParseTask, FailureCarriesTheReason) {
  const Task task =
      parse_task(R"({"task_id":"task_f","status":"FAILURE","fail_reason":"content policy"})");
  EXPECT_EQ(task.status, TaskStatus::Failure);
  EXPECT_EQ(task.fail_reason, "content policy");
  EXPECT_TRUE(task.finished());
}

TEST(ParseTask, UnknownStatusIsKeptRawAndNotFinished) {
  const Task task = parse_task(R"({"task_id":"task_1","status":"PAUSED"})");
  EXPECT_EQ(task.status, TaskStatus::Unknown);
  EXPECT_EQ(task.status_text, "PAUSED");
  EXPECT_FALSE(task.finished());
  EXPECT_EQ(parse_task(R"({"task_id":"task_1"})").status, TaskStatus::Unknown);
}

TEST(ParseTask, AbsentOptionalFieldsAndUnknownFields) {
  const Task task = parse_task(R"({"status":"QUEUED","eta_seconds":40,"extra":{"a":[1]}})");
  EXPECT_EQ(task.task_id, "");
  EXPECT_EQ(task.progress, 0);
  EXPECT_EQ(task.result_url, std::nullopt);
  EXPECT_EQ(task.fail_reason, std::nullopt);
  EXPECT_EQ(task.created_at, std::nullopt);
}

TEST(ParseTask, CallbackBodyWrappedInData) {
  const std::string body = std::string(R"({"code":"success","data":)") + kSuccess + "}";
  const Task task = parse_task(body);
  EXPECT_EQ(task.task_id, "task_abc");
  EXPECT_EQ(task.status, TaskStatus::Success);
  EXPECT_EQ(task.progress, 100);
  EXPECT_EQ(task.result_url, "/v1/videos/task_abc/content");
  EXPECT_EQ(task.raw_json, body);
}

TEST(ParseTask, ADataMemberBesideTopLevelFieldsIsNotAWrapper) {
  const Task task = parse_task(R"({"task_id":"task_top","status":"QUEUED","data":{"x":1}})");
  EXPECT_EQ(task.task_id, "task_top");
  EXPECT_EQ(task.status, TaskStatus::Queued);
}

// Lenient in what we accept: an odd optional field is left out (raw_json keeps it).
TEST(ParseTask, MalformedOptionalFieldsAreIgnoredOrClamped) {
  for (const char* progress : {R"("N/A")", "true", R"({"p":1})", "[50]"}) {
    const std::string body = std::string(R"({"status":"IN_PROGRESS","progress":)") + progress + "}";
    EXPECT_EQ(parse_task(body).progress, 0) << progress;
  }
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":-1})").progress, 0);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":"-1"})").progress, 0);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":"101%"})").progress, 100);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":42.7})").progress, 42);
  EXPECT_EQ(parse_task(R"({"status":"IN_PROGRESS","progress":1e300})").progress, 100);
  EXPECT_EQ(parse_task(R"({"created_at":"1767225600"})").created_at, 1767225600);
  EXPECT_EQ(parse_task(R"({"created_at":"yesterday"})").created_at, std::nullopt);
  const Task odd = parse_task(
      R"({"status":"SUCCESS","result_url":5,"fail_reason":["x"],"model":7,"last_frame_url":true})");
  EXPECT_EQ(odd.status, TaskStatus::Success);
  EXPECT_EQ(odd.result_url, std::nullopt);
  EXPECT_EQ(odd.fail_reason, std::nullopt);
  EXPECT_EQ(odd.model, "");
  EXPECT_EQ(odd.last_frame_url, std::nullopt);
  EXPECT_EQ(parse_task(R"({"id":7,"status":"QUEUED"})").task_id, "");
  EXPECT_EQ(parse_task(R"({"data":{"status":false}})").status, TaskStatus::Unknown);
  EXPECT_EQ(parse_task(R"({"status":"FAILURE","fail_reason":{"message":"nsfw"}})").fail_reason,
            "nsfw");
}

TEST(ParseTask, ErrorObjectAndMalformedBodies) {
  EXPECT_THROW((void)parse_task(R"({"error":{"message":"task not found"}})", 404), ApiError);
  EXPECT_THAT(task_error("<!DOCTYPE html><p>Service Unavailable</p>", 503),
              AllOf(HasSubstr("HTTP 503"), HasSubstr("<!DOCTYPE html>")));
  EXPECT_THAT(task_error(""), HasSubstr("empty"));
  EXPECT_THAT(task_error(R"({"status":"QUEUED")"), HasSubstr("not JSON"));
}

TEST(ParseTask, AnEmptyErrorObjectIsNotAnError) {
  const Task task = parse_task(R"({"status":"QUEUED","error":{"message":"","code":null}})");
  EXPECT_EQ(task.status, TaskStatus::Queued);
}

TEST(ParseTask, LargeAndOddNumbers) {
  EXPECT_EQ(parse_task(R"({"created_at":1767225600.0})").created_at, 1767225600);
  EXPECT_EQ(parse_task(R"({"created_at":1.5})").created_at, std::nullopt);
  EXPECT_EQ(parse_task(R"({"created_at":18446744073709551615})").created_at, std::nullopt);
  EXPECT_EQ(parse_task(R"({"progress":42.9})").progress, 42);
}

TEST(ParseTask, DeeplyNestedGarbageIsRejectedWithoutCrashing) {
  // Nesting is bounded (json_depth_test.cpp): even in a member the SDK would ignore.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(task_error(deep), HasSubstr("deeper than 128 levels"));
  EXPECT_THAT(task_error("{\"status\":" + deep + "}"), HasSubstr("deeper than 128 levels"));
}

}  // namespace
}  // namespace seedance
