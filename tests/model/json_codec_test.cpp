// The library-internal JSON helpers that the client layer uses too.
#include <optional>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/json_codec.hpp"

namespace seedance::detail {
namespace {

using testing::EndsWith;
using testing::HasSubstr;

TEST(BodyExcerpt, ShortBodyIsKeptWhole) { EXPECT_EQ(body_excerpt("{\"a\":1}"), "{\"a\":1}"); }

TEST(BodyExcerpt, ControlCharactersAreEscapedOntoOneLine) {
  EXPECT_EQ(body_excerpt(std::string("a\nb\rc\td\x01"
                                     "e\x7f",
                                     10)),
            "a\\nb\\rc\\td\\x01e\\x7f");
}

TEST(BodyExcerpt, LongBodyIsCutWithAnEllipsisWithinTheLimit) {
  const std::string body(500, 'x');
  const std::string excerpt = body_excerpt(body);
  EXPECT_EQ(excerpt.size(), 120u);
  EXPECT_THAT(excerpt, EndsWith("..."));
  EXPECT_EQ(body_excerpt(body, 10), "xxxxxxx...");
  EXPECT_EQ(body_excerpt(std::string(10, 'x'), 10), std::string(10, 'x'));  // fits exactly
}

TEST(BodyExcerpt, EscapesAndMultibyteCharactersAreNeverSplit) {
  // Each "\n" becomes two characters; the cut falls between them, not inside one.
  const std::string excerpt = body_excerpt(std::string(20, '\n'), 10);
  EXPECT_EQ(excerpt, "\\n\\n\\n...");
  const std::string snow = "\xE2\x98\x83";  // U+2603, three bytes
  EXPECT_EQ(body_excerpt(snow + snow + snow + snow, 8), snow + "...");
}

TEST(BodyExcerpt, InvalidUtf8IsShownAsBytes) {
  EXPECT_EQ(body_excerpt("ok\xFF\xC3"), "ok\\xff\\xc3");
}

std::optional<ApiError> only_error(std::string_view body, int status) {
  const auto document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return api_error_from_json(document, status);
}

TEST(ApiErrorFromJson, ErrorObjectBecomesApiError) {
  const auto error = only_error(
      R"({"error":{"message":"quota exceeded","type":"insufficient_quota","code":"quota"}})", 429);
  ASSERT_TRUE(error.has_value());
  EXPECT_STREQ(error->what(), "quota exceeded");
  EXPECT_EQ(error->http_status(), 429);
  EXPECT_EQ(error->type(), "insufficient_quota");
  EXPECT_EQ(error->code(), "quota");
}

TEST(ApiErrorFromJson, BodiesWithoutAnErrorGiveNothing) {
  EXPECT_FALSE(only_error(R"({"task_id":"t"})", 200).has_value());
  EXPECT_FALSE(only_error(R"({"error":null})", 200).has_value());
  EXPECT_FALSE(only_error(R"({"error":{}})", 200).has_value());
  EXPECT_FALSE(only_error(R"(["error"])", 200).has_value());
  EXPECT_FALSE(only_error(R"({"code":"success","message":"","data":null})", 200).has_value());
  EXPECT_FALSE(only_error(R"({"code":0,"message":"ok"})", 200).has_value());
}

// A failed task carries an error object in its detail: it is a task, not an API error.
TEST(ApiErrorFromJson, ABodyWithTaskFieldsIsNotAnError) {
  EXPECT_FALSE(only_error(R"({"id":"t","status":"failed","error":{"message":"m","code":"c"}})", 200)
                   .has_value());
  EXPECT_FALSE(only_error(R"({"code":"success","data":{"task_id":"t","status":"FAILURE"}})", 200)
                   .has_value());
}

TEST(ApiErrorFromJson, EveryErrorShapeGivesItsMessageCodeAndType) {
  const auto bare_string = only_error(R"({"error":"invalid api key"})", 401);
  ASSERT_TRUE(bare_string.has_value());
  EXPECT_STREQ(bare_string->what(), "invalid api key");

  const auto only_type = only_error(R"({"error":{"type":"server_error"}})", 500);
  ASSERT_TRUE(only_type.has_value());
  EXPECT_THAT(only_type->what(), HasSubstr("server_error"));
  EXPECT_EQ(only_type->type(), "server_error");

  const auto task_error =
      only_error(R"({"code":"task_not_exist","message":"task_not_exist","data":null})", 400);
  ASSERT_TRUE(task_error.has_value());
  EXPECT_STREQ(task_error->what(), "task_not_exist");
  EXPECT_EQ(task_error->code(), "task_not_exist");

  const auto numeric_code = only_error(R"({"code":1001,"message":"bad prompt"})", 200);
  ASSERT_TRUE(numeric_code.has_value());
  EXPECT_STREQ(numeric_code->what(), "bad prompt");
  EXPECT_EQ(numeric_code->code(), "1001");

  const auto bare_message = only_error(R"({"message":"model not available"})", 503);
  ASSERT_TRUE(bare_message.has_value());
  EXPECT_STREQ(bare_message->what(), "model not available");
  EXPECT_EQ(bare_message->code(), "");
}

TEST(ApiErrorFromJson, TheRequestIdInTheMessageIsKept) {
  const nlohmann::json body = {
      {"error",
       {{"message", "invalid token (request id: 20261206A1b2)"}, {"type", "new_api_error"}}}};
  const auto error = only_error(body.dump(), 401);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->request_id(), "20261206A1b2");
  EXPECT_EQ(request_id_in_message("no id here"), "");
}

TEST(ApiErrorFromErrorBody, TheHumanMessageNeverTheRawJson) {
  EXPECT_STREQ(api_error_from_error_body(R"({"error":{"message":"slow down"}})", 429).what(),
               "slow down");
  EXPECT_STREQ(api_error_from_error_body("", 502).what(), "HTTP 502 with an empty body");
  EXPECT_STREQ(api_error_from_error_body(
                   "<html>\r\n<head><title>502 Bad Gateway</title></head><body></body></html>", 502)
                   .what(),
               "HTTP 502: 502 Bad Gateway");
  EXPECT_STREQ(api_error_from_error_body("\n\nupstream timed out\nsecond line", 504).what(),
               "HTTP 504: upstream timed out");
  const std::string long_line(500, 'x');
  EXPECT_LE(std::string(api_error_from_error_body(long_line, 500).what()).size(), 140u);
  // With a task's fields and an error object (a 4xx that says both), the error is reported.
  EXPECT_STREQ(
      api_error_from_error_body(R"({"id":"t","error":{"message":"gone","code":"x"}})", 404).what(),
      "gone");
}

TEST(AppendJsonString, EscapesLikeNlohmann) {
  const std::string text = "q\" b\\ \b\f\n\r\t \x01\x1f \x7f \xC3\xA9";
  std::string out;
  append_json_string(out, text);
  EXPECT_EQ(out, nlohmann::json(text).dump());
}

TEST(IsValidUtf8, AcceptsWellFormedAndRejectsMalformed) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9\xE2\x98\x83\xF0\x9F\x8E\xA5\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xE2\x98"));  // truncated after the fast path
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace seedance::detail
