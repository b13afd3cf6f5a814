// Nesting depth is bounded wherever JSON is read: responses, request bodies and extra fields. A
// document nested 100,000 deep must be refused, never crash (nlohmann::json's dump() recurses).
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/json_codec.hpp"
#include "seedance/error.hpp"
#include "seedance/request.hpp"
#include "seedance/task.hpp"

namespace seedance::detail {
namespace {

using testing::HasSubstr;

// {"id":"task_1","status":"QUEUED","detail":[[...]]} with `arrays` arrays: arrays + 1 levels.
std::string task_nested(std::size_t arrays) {
  return R"({"id":"task_1","status":"QUEUED","detail":)" + std::string(arrays, '[') +
         std::string(arrays, ']') + "}";
}

TEST(JsonDepth, CountsArraysAndObjectsOutsideStrings) {
  EXPECT_FALSE(nesting_exceeds("", 0));
  EXPECT_FALSE(nesting_exceeds("123", 0));
  EXPECT_TRUE(nesting_exceeds("[]", 0));
  EXPECT_FALSE(nesting_exceeds("[[]]", 2));
  EXPECT_TRUE(nesting_exceeds("[[[]]]", 2));
  EXPECT_FALSE(nesting_exceeds(R"({"a":[1],"b":{"c":2}})", 2));
  EXPECT_TRUE(nesting_exceeds(R"({"a":{"b":{"c":2}}})", 2));
  // Brackets in strings, escaped quotes included, are text.
  EXPECT_FALSE(nesting_exceeds(R"({"a":"[[[[{{{{"})", 1));
  EXPECT_FALSE(nesting_exceeds(R"({"a":"\"[[[[","b":1})", 1));
  EXPECT_TRUE(nesting_exceeds(R"({"a":"\\",  "b":[[]]})", 2));
  // Closers without openers do not lower the count below zero.
  EXPECT_TRUE(nesting_exceeds("]]]][[[", 2));
}

TEST(JsonDepth, TheLimitIsInclusive) {
  EXPECT_FALSE(nesting_exceeds(task_nested(kMaxJsonDepth - 1)));
  EXPECT_TRUE(nesting_exceeds(task_nested(kMaxJsonDepth)));
  EXPECT_FALSE(parse_json_bounded(task_nested(kMaxJsonDepth - 1)).is_discarded());
  EXPECT_TRUE(parse_json_bounded(task_nested(kMaxJsonDepth)).is_discarded());
  EXPECT_TRUE(parse_json_bounded("{not json").is_discarded());
}

TEST(JsonDepth, ATaskDetailNestedTooDeepIsAResponseErrorNamingTheLimit) {
  EXPECT_EQ(parse_task(task_nested(kMaxJsonDepth - 1)).task_id, "task_1");
  for (const std::size_t arrays : {kMaxJsonDepth, std::size_t{100000}}) {
    try {
      (void)parse_task(task_nested(arrays));
      ADD_FAILURE() << "a detail nested " << arrays << " deep was accepted";
    } catch (const ResponseError& error) {
      EXPECT_THAT(error.what(), HasSubstr("deeper than 128 levels"));
    }
  }
  EXPECT_THROW((void)parse_receipt(task_nested(100000)), ResponseError);
}

TEST(JsonDepth, AnErrorBodyNestedTooDeepIsReportedAsText) {
  const std::string body = R"({"error":{"message":)" + std::string(100000, '[') + "}}";
  const ApiError error = api_error_from_error_body(body, 502);
  EXPECT_EQ(error.http_status(), 502);
  EXPECT_THAT(error.what(), HasSubstr("HTTP 502"));
}

TEST(JsonDepth, RequestBodiesAndExtraFieldsNestedTooDeepAreValidationErrors) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    (void)VideoRequest::from_json(R"({"model":"seedance-2.0","prompt":"x","metadata":)" + deep +
                                  "}");
    ADD_FAILURE() << "a body nested 100,000 deep was accepted";
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("deeper than 128 levels"));
  }
  VideoRequest request;
  request.prompt("x").extra_field("metadata", deep);
  const auto problems = request.validate();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("deeper than 128 levels"));
}

}  // namespace
}  // namespace seedance::detail
