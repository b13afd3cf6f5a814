// The RULE syntax shared by --fault and MockServer::add_fault(std::string).
#include <stdexcept>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

TEST(FaultRuleParse, MethodPathAndOptions) {
  const FaultRule r = FaultRule::parse("POST /v1/videos: status=503 times=2");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/videos");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.times, 2);
  EXPECT_TRUE(r.replaces_response());
}

TEST(FaultRuleParse, AnyMethodSizesAndDefaults) {
  const FaultRule r = FaultRule::parse("  */content: close-after-bytes=64k  ");
  EXPECT_EQ(r.method, "*");
  EXPECT_EQ(r.path, "*/content");
  ASSERT_TRUE(r.close_after_bytes);
  EXPECT_EQ(*r.close_after_bytes, 65536u);
  EXPECT_EQ(r.times, 1);
  EXPECT_FALSE(r.replaces_response());
  EXPECT_EQ(FaultRule::parse("any /x: rate=2m times=always").times, FaultRule::kAlways);
  EXPECT_EQ(FaultRule::parse("get /x: rate=2m").bytes_per_second, 2u * 1024 * 1024);
  EXPECT_EQ(FaultRule::parse("get /x: rate=2m").method, "GET");
}

TEST(FaultRuleParse, EveryOptionRoundTrips) {
  const FaultRule r = FaultRule::parse(
      "GET /v1/videos/{id}: status=429 body=html code=slow_down type=rate_limit_error "
      "message=\"take a break\" retry-after=3 retry-after-ms=2500 close-before-response "
      "close-after-bytes=10 delay-ms=5 rate=1000 stall-after-bytes=7 stall-ms=9 change-etag "
      "times=4");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, FaultBody::Html);
  EXPECT_EQ(r.error_code, "slow_down");
  EXPECT_EQ(r.error_type, "rate_limit_error");
  EXPECT_EQ(r.error_message, "take a break");
  EXPECT_EQ(r.retry_after_seconds, 3);
  EXPECT_EQ(r.retry_after_ms, 2500);
  EXPECT_TRUE(r.close_before_response);
  EXPECT_EQ(r.close_after_bytes, 10u);
  EXPECT_EQ(r.delay.count(), 5);
  EXPECT_EQ(r.bytes_per_second, 1000u);
  EXPECT_EQ(r.stall_after_bytes, 7u);
  EXPECT_EQ(r.stall.count(), 9);
  EXPECT_TRUE(r.change_etag);
  EXPECT_EQ(r.times, 4);

  const FaultRule again = FaultRule::parse(r.to_string());
  EXPECT_EQ(again.to_string(), r.to_string());
  EXPECT_EQ(again.error_message, "take a break");
  for (const char* body : {"error", "malformed", "empty"}) {
    EXPECT_EQ(FaultRule::parse(std::string("/x: body=") + body).to_string(),
              std::string("* /x: body=") + body + " times=1");
  }
}

TEST(FaultRuleParse, RejectsMistakes) {
  for (const char* bad :
       {"", "POST /v1/videos", "POST /v1/videos:", "GET /x: times=2", "GET /x: bogus=1",
        "GET /x: status=abc", "GET /x: status=99", "GET /x: status=600", "GET /x: status",
        "GET /x: times=0", "GET /x: rate=0", "GET x: status=500", "A B C: status=500",
        "GET /x: message=\"open", "GET /x: close-after-bytes=5q", "GET /x: stall-after-bytes=5",
        "GET /x: change-etag=1", "GET /x: retry-after=-1", "GET /x: body=xml"}) {
    EXPECT_THROW(FaultRule::parse(bad), std::invalid_argument) << bad;
  }
  MockServer server;
  EXPECT_THROW(server.add_fault("nonsense"), std::invalid_argument);
  FaultRule r;
  r.status = 42;
  EXPECT_THROW(server.add_fault(r), std::invalid_argument);
  EXPECT_EQ(server.pending_faults(), 0u);
}

TEST(FaultRuleParse, ErrorMessagesNameTheProblem) {
  try {
    FaultRule::parse("GET /x: colour=red");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("colour"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace seedance::mock::test

namespace seedance::mock::test {
namespace {

TEST(FaultRuleParse, ContentTypeAndNoValidatorRoundTrip) {
  const FaultRule r =
      FaultRule::parse("GET */content: content-type=\"text/html; charset=utf-8\" no-validator");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(r.no_validator);
  EXPECT_FALSE(r.replaces_response());
  EXPECT_EQ(FaultRule::parse(r.to_string()).to_string(), r.to_string());
  EXPECT_THROW(FaultRule::parse("GET */content: content-type="), std::invalid_argument);
  EXPECT_THROW(FaultRule::parse("GET */content: no-validator=1"), std::invalid_argument);
}

TEST_F(MockServerTest, ContentTypeAndNoValidatorChangeWhatADownloadCarries) {
  const std::string id = server.create_succeeded_task(1000);
  const std::string content = "/v1/videos/" + id + "/content";
  server.add_fault("GET */content: content-type=text/html no-validator");
  auto res = client->Get(content);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html");
  EXPECT_FALSE(res->has_header("ETag"));
  EXPECT_FALSE(res->has_header("Last-Modified"));
  EXPECT_EQ(res->body, MockServer::expected_video(id, 1000));
  server.add_fault("GET */content: content-type=none");
  res = client->Get(content);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "");
  EXPECT_TRUE(res->has_header("ETag"));
}

}  // namespace
}  // namespace seedance::mock::test
