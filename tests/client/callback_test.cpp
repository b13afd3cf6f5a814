// parse_callback: what a metadata.callback_url endpoint receives, into a seedance::Task.
#include <gtest/gtest.h>

#include "seedance/callback.hpp"
#include "seedance/error.hpp"

namespace seedance {
namespace {

TEST(ParseCallback, TakesTheBareTaskDetail) {
  const Task task =
      parse_callback(R"({"id":"task_7","task_id":"task_7","object":"video","model":"seedance-2.0",)"
                     R"("status":"SUCCESS","progress":"100%","created_at":1700000000,)"
                     R"("result_url":"https://cdn.example.com/v.mp4"})");
  EXPECT_EQ(task.task_id, "task_7");
  EXPECT_EQ(task.status, TaskStatus::Success);
  EXPECT_EQ(task.progress, 100);
  EXPECT_EQ(task.result_url.value_or(""), "https://cdn.example.com/v.mp4");
  EXPECT_EQ(task.created_at.value_or(0), 1700000000);
}

TEST(ParseCallback, TakesTheDetailWrappedInData) {
  const std::string body =
      R"({"code":0,"message":"ok","data":{"task_id":"task_8","status":"FAILURE",)"
      R"("progress":100,"fail_reason":"content policy"}})";
  const Task task = parse_callback(body);
  EXPECT_EQ(task.task_id, "task_8");
  EXPECT_EQ(task.status, TaskStatus::Failure);
  EXPECT_EQ(task.fail_reason.value_or(""), "content policy");
  EXPECT_EQ(task.raw_json, body);  // everything stays reachable
}

TEST(ParseCallback, IgnoresUnknownFieldsAndKeepsUnknownStatuses) {
  const Task task = parse_callback(
      R"({"task_id":"task_9","status":"PAUSED","progress":"0%","event":"task.updated",)"
      R"("usage":{"seconds":5},"tags":["a","b"],"last_frame_url":"https://cdn.example/f.png"})");
  EXPECT_EQ(task.status, TaskStatus::Unknown);
  EXPECT_EQ(task.status_text, "PAUSED");
  EXPECT_EQ(task.last_frame_url.value_or(""), "https://cdn.example/f.png");
}

TEST(ParseCallback, RefusesBodiesThatSayNothingUsable) {
  EXPECT_THROW(parse_callback(""), ResponseError);
  EXPECT_THROW(parse_callback("<html>hi</html>"), ResponseError);
  EXPECT_THROW(parse_callback("[1,2]"), ResponseError);
  EXPECT_THROW(parse_callback(R"({"status":"SUCCESS"})"), ResponseError);             // which task?
  EXPECT_THROW(parse_callback(R"({"data":{"task_id":"task_1"}})"), ResponseError);    // what state?
  EXPECT_THROW(parse_callback(R"({"task_id":"task_1","status":5})"), ResponseError);  // no word
  EXPECT_THROW(parse_callback(R"({"error":{"message":"no","type":"x","code":"y"}})"), ApiError);
}

TEST(LastFrameUrl, AcceptsThePlausibleSpellings) {
  const char* bodies[] = {
      R"({"task_id":"t","status":"SUCCESS","last_frame_url":"https://x/a.png"})",
      R"({"task_id":"t","status":"SUCCESS","last_frame_image_url":"https://x/a.png"})",
      R"({"task_id":"t","status":"SUCCESS","last_frame":"https://x/a.png"})",
      R"({"task_id":"t","status":"SUCCESS","last_frame":{"url":"https://x/a.png","width":640}})",
  };
  for (const char* body : bodies) {
    EXPECT_EQ(parse_task(body).last_frame_url.value_or(""), "https://x/a.png") << body;
  }
  EXPECT_FALSE(parse_task(R"({"task_id":"t","status":"SUCCESS"})").last_frame_url.has_value());
  EXPECT_FALSE(parse_task(R"({"task_id":"t","status":"SUCCESS","last_frame":true})")
                   .last_frame_url.has_value());
}

}  // namespace
}  // namespace seedance
