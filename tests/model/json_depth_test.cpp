// The shape of JSON is bounded wherever it is read: responses, request bodies and extra fields. A
// document nested 100,000 deep must be refused, never crash (nlohmann::json's dump() recurses),
// and one of a million tiny values must be refused before it becomes a document 60 times its size.
#include <string>
#include <string_view>

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

bool too_deep(std::string_view text, std::size_t depth) {
  return json_limit_problem(text, {depth, 1000000}).has_value();
}

TEST(JsonLimits, CountsArraysAndObjectsOutsideStrings) {
  EXPECT_FALSE(too_deep("", 0));
  EXPECT_FALSE(too_deep("123", 0));
  EXPECT_TRUE(too_deep("[]", 0));
  EXPECT_FALSE(too_deep("[[]]", 2));
  EXPECT_TRUE(too_deep("[[[]]]", 2));
  EXPECT_FALSE(too_deep(R"({"a":[1],"b":{"c":2}})", 2));
  EXPECT_TRUE(too_deep(R"({"a":{"b":{"c":2}}})", 2));
  // Brackets in strings, escaped quotes included, are text.
  EXPECT_FALSE(too_deep(R"({"a":"[[[[{{{{"})", 1));
  EXPECT_FALSE(too_deep(R"({"a":"\"[[[[","b":1})", 1));
  EXPECT_TRUE(too_deep(R"({"a":"\\",  "b":[[]]})", 2));
  // Closers without openers do not lower the count below zero.
  EXPECT_TRUE(too_deep("]]]][[[", 2));
  EXPECT_EQ(json_limit_problem("[[[]]]", {2, 100}),
            "nests arrays and objects deeper than 2 levels");
}

TEST(JsonLimits, CountsValuesOutsideStrings) {
  EXPECT_FALSE(json_limit_problem(R"({"a":1,"b":[2,3]})", {8, 5}));  // object, 1, array, 2, 3
  EXPECT_FALSE(json_limit_problem("[[], [ ], {}]", {8, 4}));
  EXPECT_EQ(json_limit_problem("[[], [ ], {}, 1]", {8, 4}), "holds more than 4 values");
  EXPECT_EQ(json_limit_problem(R"({"a":1,"b":[2,3,4]})", {8, 5}), "holds more than 5 values");
  EXPECT_FALSE(json_limit_problem(R"({"a":",,,,,,,,,,[[[[["})", {8, 2}));
  std::string wide = "[";
  for (int i = 0; i < 100000; ++i) wide += "[],";
  wide += "[]]";
  EXPECT_EQ(json_limit_problem(wide), "holds more than 100000 values");
  EXPECT_TRUE(parse_json_bounded(wide).is_discarded());
}

TEST(JsonLimits, TheDepthLimitIsInclusive) {
  EXPECT_FALSE(json_limit_problem(task_nested(127)));
  EXPECT_TRUE(json_limit_problem(task_nested(128)));
  EXPECT_FALSE(parse_json_bounded(task_nested(127)).is_discarded());
  EXPECT_TRUE(parse_json_bounded(task_nested(128)).is_discarded());
  EXPECT_TRUE(parse_json_bounded("{not json").is_discarded());
}

TEST(JsonLimits, ATaskDetailNestedTooDeepIsAResponseErrorNamingTheLimit) {
  EXPECT_EQ(parse_task(task_nested(127)).task_id, "task_1");
  for (const std::size_t arrays : {std::size_t{128}, std::size_t{100000}}) {
    try {
      (void)parse_task(task_nested(arrays));
      ADD_FAILURE() << "a detail nested " << arrays << " deep was accepted";
    } catch (const ResponseError& error) {
      EXPECT_THAT(error.what(), HasSubstr("deeper than 128 levels"));
    }
  }
  EXPECT_THROW((void)parse_receipt(task_nested(100000)), ResponseError);
}

TEST(JsonLimits, AnErrorBodyNestedTooDeepIsReportedAsText) {
  const std::string body = R"({"error":{"message":)" + std::string(100000, '[') + "}}";
  const ApiError error = api_error_from_error_body(body, 502);
  EXPECT_EQ(error.http_status(), 502);
  EXPECT_THAT(error.what(), HasSubstr("HTTP 502"));
}

TEST(JsonLimits, RequestBodiesAndExtraFieldsNestedTooDeepAreValidationErrors) {
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
