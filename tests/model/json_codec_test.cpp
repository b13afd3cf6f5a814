// The library-internal JSON helpers that the client layer uses too.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_codec.hpp"

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

TEST(ApiErrorFromBody, ErrorObjectBecomesApiError) {
  const auto error = api_error_from_body(
      R"({"error":{"message":"quota exceeded","type":"insufficient_quota","code":"quota"}})", 429);
  ASSERT_TRUE(error.has_value());
  EXPECT_STREQ(error->what(), "quota exceeded");
  EXPECT_EQ(error->http_status(), 429);
  EXPECT_EQ(error->type(), "insufficient_quota");
  EXPECT_EQ(error->code(), "quota");
}

TEST(ApiErrorFromBody, BodiesWithoutAnErrorGiveNothing) {
  EXPECT_FALSE(api_error_from_body("", 500).has_value());
  EXPECT_FALSE(api_error_from_body("<html>error</html>", 500).has_value());
  EXPECT_FALSE(api_error_from_body(R"({"task_id":"t"})", 200).has_value());
  EXPECT_FALSE(api_error_from_body(R"({"error":null})", 200).has_value());
  EXPECT_FALSE(api_error_from_body(R"({"error":{}})", 200).has_value());
  EXPECT_FALSE(api_error_from_body(R"(["error"])", 200).has_value());
  EXPECT_FALSE(api_error_from_body(R"({"error": {"message": "unterminated)", 400).has_value());
}

TEST(ApiErrorFromBody, ToleratesOddShapes) {
  const auto bare_string = api_error_from_body(R"({"error":"invalid api key"})", 401);
  ASSERT_TRUE(bare_string.has_value());
  EXPECT_STREQ(bare_string->what(), "invalid api key");

  const auto only_type = api_error_from_body(R"({"error":{"type":"server_error"}})", 500);
  ASSERT_TRUE(only_type.has_value());
  EXPECT_THAT(only_type->what(), HasSubstr("server_error"));
  EXPECT_EQ(only_type->type(), "server_error");
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
