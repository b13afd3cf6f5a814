// The small parsers and policies under Client: URLs, Content-Range, Retry-After, back-off.
#include <gtest/gtest.h>

#include "http/content_range.hpp"
#include "http/retry.hpp"
#include "http/url.hpp"
#include "seedance/error.hpp"

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BaseUrl, AcceptsTrailingSlashAndV1WithoutDoubling) {
  EXPECT_EQ(normalize_base_url("https://api.example.com"), "https://api.example.com");
  EXPECT_EQ(normalize_base_url("https://api.example.com/"), "https://api.example.com");
  EXPECT_EQ(normalize_base_url("https://api.example.com/v1"), "https://api.example.com");
  EXPECT_EQ(normalize_base_url("https://api.example.com/v1/"), "https://api.example.com");
  EXPECT_EQ(normalize_base_url("HTTP://Host:8080/gateway/v1"), "http://host:8080/gateway");
}

TEST(BaseUrl, RefusesWhatCannotBeABaseUrl) {
  for (const char* url : {"", "api.example.com", "ftp://x", "https://", "https://u:p@h",
                          "https://h/?q=1", "https://h/#f"}) {
    EXPECT_THROW(normalize_base_url(url), ValidationError) << url;
  }
}

TEST(Origin, DropsDefaultPortsAndPaths) {
  EXPECT_EQ(origin_of("https://API.example.com:443/v1/videos"), "https://api.example.com");
  EXPECT_EQ(origin_of("http://h:80"), "http://h");
  EXPECT_EQ(origin_of("http://h:8080/x"), "http://h:8080");
  EXPECT_NE(origin_of("https://h"), origin_of("http://h"));
  EXPECT_EQ(origin_of("/relative"), "");
}

TEST(Location, ResolvesAbsoluteAndRelativeForms) {
  EXPECT_EQ(resolve_location("https://a/v1/x", "https://b/y"), "https://b/y");
  EXPECT_EQ(resolve_location("https://a/v1/x", "/z"), "https://a/z");
  EXPECT_EQ(resolve_location("https://a/v1/x", "//c/z"), "https://c/z");
  EXPECT_EQ(resolve_location("https://a/v1/x", "y"), "https://a/v1/y");
}

TEST(TaskId, OnlySafeCharactersEnterAPath) {
  EXPECT_NO_THROW(check_task_id("task_01HX-abc.9"));
  for (const char* id : {"", ".", "..", "a/b", "a?b", "a#b", "a%2F", "a\tb"}) {
    EXPECT_THROW(check_task_id(id), ValidationError) << id;
  }
  EXPECT_THROW(check_task_id(std::string(257, 'a')), ValidationError);
}

TEST(ContentRange, ParsesTheThreeForms) {
  auto range = parse_content_range("bytes 100-199/1000");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first->start, 100u);
  EXPECT_EQ(range->first->end, 199u);
  EXPECT_EQ(range->total.value(), 1000u);
  range = parse_content_range("bytes 0-0/*");
  ASSERT_TRUE(range);
  EXPECT_FALSE(range->total);
  range = parse_content_range("bytes */1000");
  ASSERT_TRUE(range);
  EXPECT_FALSE(range->first);
  EXPECT_EQ(range->total.value(), 1000u);
}

TEST(ContentRange, RefusesMalformedValues) {
  for (const char* value :
       {"", "bytes", "bytes 5-4/10", "bytes 0-10/10", "bytes */*", "items 0-1/2", "bytes 0-1/2x",
        "bytes -1-2/3", "bytes 0-99999999999999999999/1", "bytes 1-2"}) {
    EXPECT_FALSE(parse_content_range(value)) << value;
  }
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), milliseconds(10000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now), milliseconds(60000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:57 1994", now), milliseconds(20000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), milliseconds(0));  // past
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
}

TEST(RetryAfter, RequestedDelayPrefersMillisecondsAndIsCapped) {
  HttpResponse response;
  response.headers = {{"Retry-After", "3"}, {"retry-after-ms", "1500"}};
  EXPECT_EQ(requested_delay(response, seconds(60)), milliseconds(1500));
  response.headers = {{"Retry-After", "3600"}};
  EXPECT_EQ(requested_delay(response, seconds(60)), milliseconds(60000));
  response.headers = {};
  EXPECT_FALSE(requested_delay(response, seconds(60)));
}

TEST(Backoff, FullJitterGrowsExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(100);
  policy.max_backoff = milliseconds(1000);
  EXPECT_EQ(backoff_delay(policy, 1, 0.999), milliseconds(99));
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), milliseconds(200));
  EXPECT_EQ(backoff_delay(policy, 10, 0.5), milliseconds(500));
  EXPECT_EQ(backoff_delay(policy, 1000, 0.999), milliseconds(999));
  EXPECT_EQ(backoff_delay(policy, 2, 0.0), milliseconds(0));
}

TEST(RetryDecision, SubmitRetriesOnlyWhenNothingWasSentOr429) {
  HttpResponse response;
  for (auto error :
       {TransportError::NameResolution, TransportError::Connect, TransportError::Tls}) {
    response.error = error;
    EXPECT_TRUE(should_retry(response, Idempotency::NotIdempotent));
  }
  for (auto error : {TransportError::Timeout, TransportError::ConnectionLost,
                     TransportError::Stalled, TransportError::Other}) {
    response.error = error;
    EXPECT_FALSE(should_retry(response, Idempotency::NotIdempotent));
    EXPECT_EQ(should_retry(response, Idempotency::Idempotent), error != TransportError::Other);
  }
  response.error = TransportError::None;
  for (int status : {408, 429, 500, 502, 503, 504}) {
    response.status = status;
    EXPECT_TRUE(should_retry(response, Idempotency::Idempotent)) << status;
    EXPECT_EQ(should_retry(response, Idempotency::NotIdempotent), status == 429) << status;
  }
  for (int status : {200, 400, 401, 404, 501}) {
    response.status = status;
    EXPECT_FALSE(should_retry(response, Idempotency::Idempotent)) << status;
  }
}

TEST(RetryBudget, SpendsAndRefundsTokens) {
  RetryPolicy policy;
  policy.budget_tokens = 12;
  policy.retry_cost = 5;
  policy.timeout_retry_cost = 10;
  RetryBudget budget(policy);
  EXPECT_TRUE(budget.try_spend(TransportError::None));      // 7 left
  EXPECT_FALSE(budget.try_spend(TransportError::Timeout));  // needs 10
  EXPECT_TRUE(budget.try_spend(TransportError::None));      // 2 left
  EXPECT_FALSE(budget.try_spend(TransportError::None));
  for (int i = 0; i < 3; ++i) budget.refund();  // 5
  EXPECT_TRUE(budget.try_spend(TransportError::None));
}

}  // namespace
}  // namespace seedance::detail
