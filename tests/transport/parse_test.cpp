// Regression tests of the server-byte parsers, one per fuzzer finding and edge the fuzzers guard.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http/http_parse.hpp"
#include "http/retry.hpp"
#include "http/url.hpp"

namespace {

using seedance::HttpHeaders;
using seedance::detail::HeaderBlockParser;

HttpHeaders parse_block(const std::string& text, HeaderBlockParser& parser) {
  HttpHeaders headers;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const auto next = end == std::string::npos ? text.size() : end + 1;
    parser.feed(std::string_view(text).substr(start, next - start), headers);
    start = next;
  }
  return headers;
}

TEST(HeaderBlockParser, CollectsFieldsOfTheFinalBlockOnly) {
  HeaderBlockParser parser;
  const HttpHeaders headers = parse_block(
      "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After:  2 \r\nContent-Length: 7\r\n\r\n",
      parser);
  EXPECT_EQ(parser.status(), 503);
  EXPECT_TRUE(parser.final_block());
  ASSERT_EQ(headers.size(), 2U);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>("Retry-After", "2")));
  EXPECT_EQ(seedance::detail::parse_content_length(headers), 7U);
}

TEST(HeaderBlockParser, InterimBlockIsNotFinal) {
  HeaderBlockParser parser;
  HttpHeaders headers;
  EXPECT_EQ(parser.feed("HTTP/1.1 100 Continue\r\n", headers), HeaderBlockParser::Line::Status);
  EXPECT_EQ(parser.feed("\r\n", headers), HeaderBlockParser::Line::End);
  EXPECT_FALSE(parser.final_block());
}

TEST(HeaderBlockParser, FoldedLinesJoinWithoutStraySpaces) {
  // Found by fuzz_response_headers: folding onto an empty value left a leading space.
  HeaderBlockParser parser;
  const HttpHeaders headers = parse_block(
      "HTTP/1.1 200 OK\r\nX-A: one\r\n  two\r\n\tthree\r\nETag:\r\n\t\"v1\"\r\nX-B: b\r\n \r\n\r\n",
      parser);
  ASSERT_EQ(headers.size(), 3U);
  EXPECT_EQ(headers[0].second, "one two three");
  EXPECT_EQ(headers[1].second, "\"v1\"");
  EXPECT_EQ(headers[2].second, "b");
}

TEST(HeaderBlockParser, MalformedInputIsIgnoredNotFatal) {
  HeaderBlockParser parser;
  const HttpHeaders headers =
      parse_block("HTTP/1.1 2x0\r\n  orphan continuation\r\nno colon here\r\n\r\n", parser);
  EXPECT_EQ(parser.status(), 0);
  EXPECT_TRUE(headers.empty());
  EXPECT_EQ(seedance::detail::parse_status_line("HTTP/2 204"), 204);
  EXPECT_EQ(seedance::detail::parse_status_line("HTTP/1.1"), 0);
  EXPECT_FALSE(
      seedance::detail::parse_content_length({{"Content-Length", "99999999999999999999"}}));
  EXPECT_FALSE(seedance::detail::parse_content_length({{"Content-Length", "-1"}}));
}

TEST(RetryAfterParse, DatesFarInTheFutureDoNotOverflow) {
  // Found by fuzz_retry_after: year 20025 overflowed system_clock::from_time_t (UB).
  const auto now = std::chrono::system_clock::from_time_t(1735689600);  // 2025-01-01
  const auto delay = seedance::detail::parse_retry_after("Wed Jan  1 00:2:00 20025", now);
  ASSERT_TRUE(delay.has_value());
  EXPECT_GE(*delay, std::chrono::hours(24 * 364));
  const auto thirty = seedance::detail::parse_retry_after("Wed, 01 Jan 2025 00:00:30 GMT", now);
  ASSERT_TRUE(thirty.has_value());
  EXPECT_EQ(*thirty, std::chrono::seconds(30));
}

TEST(ResolveLocation, OnlyALeadingSchemeMakesALocationAbsolute) {
  const std::string from = "https://api.example.com/v1/videos/t/content";
  EXPECT_EQ(seedance::detail::resolve_location(from, "/next?u=http://evil.example/"),
            "https://api.example.com/next?u=http://evil.example/");
  EXPECT_EQ(seedance::detail::resolve_location(from, "https://cdn.example.net/v.mp4"),
            "https://cdn.example.net/v.mp4");
  EXPECT_EQ(seedance::detail::resolve_location(from, "1http://x/"),
            "https://api.example.com/v1/videos/t/1http://x/");
}

}  // namespace
