// Every fault kind, observed the way a client sees it (raw sockets where bytes matter).
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

const std::string kSubmitBody = R"({"model":"seedance-2.0","prompt":"x"})";

std::string header_value(const std::string& head, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::size_t at = head.find(key);
  if (at == std::string::npos) return std::string();
  const std::size_t start = at + key.size();
  return head.substr(start, head.find("\r\n", start) - start);
}

TEST_F(MockServerTest, StatusFaultsThenNormal) {
  server.add_fault("POST /v1/videos: status=503 times=2");
  EXPECT_EQ(server.pending_faults(), 1u);
  for (int i = 0; i < 2; ++i) {
    auto res = client->Post("/v1/videos", kSubmitBody, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    const json j = parse_json(res->body);
    EXPECT_EQ(j["error"]["type"], "server_error");
    EXPECT_EQ(j["error"]["code"], "service_unavailable");
    EXPECT_TRUE(j["error"]["message"].is_string());
  }
  EXPECT_EQ(server.task_count(), 0u);  // a gateway error: the API never saw them
  EXPECT_EQ(server.pending_faults(), 0u);
  EXPECT_FALSE(submit(*client).empty());
  const auto log = server.requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_TRUE(log[0].fault_applied);
  EXPECT_EQ(log[0].fault, "POST /v1/videos: status=503 times=2");
  EXPECT_EQ(log[0].status, 503);
  EXPECT_TRUE(log[1].fault_applied);
  EXPECT_FALSE(log[2].fault_applied);
  EXPECT_EQ(log[2].status, 200);
}

TEST_F(MockServerTest, RateLimitWithRetryAfterDoesNotAdvanceThePoll) {
  const std::string id = submit(*client);
  server.add_fault("GET /v1/videos/{id}: status=429 retry-after=2 retry-after-ms=1500");
  auto res = client->Get("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "2");
  EXPECT_EQ(res->get_header_value("retry-after-ms"), "1500");
  EXPECT_EQ(parse_json(res->body)["error"]["type"], "rate_limit_error");
  EXPECT_EQ(parse_json(res->body)["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(server.task(id)->polls, 0);
  EXPECT_EQ(parse_json(client->Get("/v1/videos/" + id)->body)["status"], "QUEUED");
}

TEST_F(MockServerTest, HtmlErrorPage) {
  server.add_fault("POST /v1/videos: body=html");
  auto res = client->Post("/v1/videos", kSubmitBody, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html");
  EXPECT_NE(res->body.find("<html>"), std::string::npos);
  EXPECT_NE(res->body.find("502 Bad Gateway"), std::string::npos);
  server.add_fault("POST /v1/videos: status=504 body=html");
  res = client->Post("/v1/videos", kSubmitBody, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 504);
}

TEST_F(MockServerTest, MalformedAndEmptyJson) {
  server.add_fault("GET *: body=malformed");
  auto res = client->Get("/v1/videos/task_any");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded()) << res->body;

  server.add_fault("GET *: body=empty status=503");
  res = client->Get("/v1/videos/task_any");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(MockServerTest, ErrorObjectWithHttp200) {
  server.add_fault(
      "POST /v1/videos: status=200 code=quota_exceeded type=insufficient_quota "
      "message=\"You exceeded your quota.\"");
  auto res = client->Post("/v1/videos", kSubmitBody, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json j = parse_json(res->body);
  EXPECT_EQ(j["error"]["code"], "quota_exceeded");
  EXPECT_EQ(j["error"]["type"], "insufficient_quota");
  EXPECT_EQ(j["error"]["message"], "You exceeded your quota.");
  EXPECT_FALSE(j.contains("id"));
  EXPECT_EQ(server.task_count(), 0u);
}

TEST_F(MockServerTest, CloseBeforeResponseOnPostSendsNothingButCreatesTheTask) {
  server.add_fault("POST /v1/videos: close-before-response");
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("POST", "/v1/videos", kSubmitBody)));
  EXPECT_EQ(raw.read_to_eof(), "");
  EXPECT_TRUE(raw.eof_seen());
  // The server did receive the POST and processed it; only the response was lost.
  EXPECT_EQ(server.count("POST", "/v1/videos"), 1u);
  const auto log = server.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, 0);
  EXPECT_TRUE(log[0].fault_applied);
  EXPECT_EQ(log[0].body, kSubmitBody);
  EXPECT_EQ(server.task_count(), 1u);
  // The next request is answered normally.
  EXPECT_FALSE(submit(*client).empty());
  EXPECT_EQ(server.task_count(), 2u);
}

TEST_F(MockServerTest, CloseBeforeResponseSuppressesEven100Continue) {
  server.add_fault("POST /v1/videos: close-before-response");
  RawConnection raw(server.port());
  std::string request = raw_request("POST", "/v1/videos", kSubmitBody, "Expect: 100-continue\r\n");
  const std::size_t head_end = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(raw.send_all(request.substr(0, head_end)));
  // A normal server answers "100 Continue" here; this one must not send a single byte.
  EXPECT_FALSE(raw.readable_within(Ms(150)));
  ASSERT_TRUE(raw.send_all(request.substr(head_end)));
  EXPECT_EQ(raw.read_to_eof(), "");
  EXPECT_EQ(server.count("POST"), 1u);
  EXPECT_EQ(server.task_count(), 1u);
}

TEST_F(MockServerTest, Expect100ContinueWithoutFaults) {
  RawConnection raw(server.port());
  std::string request = raw_request("POST", "/v1/videos", kSubmitBody,
                                    "Expect: 100-continue\r\nConnection: close\r\n");
  const std::size_t head_end = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(raw.send_all(request.substr(0, head_end)));
  std::string rest;
  EXPECT_EQ(raw.read_headers(rest), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(raw.send_all(request.substr(head_end)));
  const std::string response = rest + raw.read_to_eof();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
}

TEST_F(MockServerTest, CloseBeforeResponseOnGetWithHttplib) {
  const std::string id = server.create_succeeded_task(100);
  server.add_fault("GET /v1/videos/{id}: close-before-response");
  auto res = client->Get("/v1/videos/" + id);
  EXPECT_FALSE(res);
  res = client->Get("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(server.connections_opened(), 2u);  // the closed one and its replacement
}

TEST_F(MockServerTest, CloseAfterBytesOfADownload) {
  const std::uint64_t size = 300000;
  const std::string id = server.create_succeeded_task(size);
  server.add_fault("GET */content: close-after-bytes=1000");
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("GET", "/v1/videos/" + id + "/content")));
  std::string body;
  const std::string head = raw.read_headers(body);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(header_value(head, "Content-Length"), std::to_string(size));
  body += raw.read_to_eof();
  EXPECT_EQ(body.size(), 1000u);
  EXPECT_EQ(body, MockServer::expected_video_range(id, size, 0, 1000));
  EXPECT_TRUE(raw.eof_seen());

  // A resumed range is cut the same way, counting from its own first byte.
  server.add_fault("GET */content: close-after-bytes=70000");
  RawConnection again(server.port());
  ASSERT_TRUE(again.send_all(
      raw_request("GET", "/v1/videos/" + id + "/content", "", "Range: bytes=5000-\r\n")));
  std::string part;
  const std::string head2 = again.read_headers(part);
  EXPECT_EQ(head2.rfind("HTTP/1.1 206 Partial Content\r\n", 0), 0u) << head2;
  EXPECT_EQ(header_value(head2, "Content-Range"), "bytes 5000-299999/300000");
  part += again.read_to_eof();
  EXPECT_EQ(part, MockServer::expected_video_range(id, size, 5000, 70000));
}

TEST_F(MockServerTest, SlowReaderGetsEveryByte) {
  // A tiny receive window keeps the server's sends blocking on the client.
  const std::uint64_t size = 3 * 1024 * 1024 + 17;
  const std::string id = server.create_succeeded_task(size);
  RawConnection raw(server.port(), 4096);
  ASSERT_TRUE(raw.send_all(
      raw_request("GET", "/v1/videos/" + id + "/content", "", "Connection: close\r\n")));
  std::string body;
  raw.read_headers(body);
  body += raw.read_to_eof();
  EXPECT_TRUE(body == MockServer::expected_video(id, size));
}

TEST_F(MockServerTest, CloseAfterZeroBytesSendsOnlyTheHeaders) {
  const std::string id = server.create_succeeded_task(5000);
  server.add_fault("GET */content: close-after-bytes=0");
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("GET", "/v1/videos/" + id + "/content")));
  std::string body;
  const std::string head = raw.read_headers(body);
  EXPECT_EQ(header_value(head, "Content-Length"), "5000");
  EXPECT_EQ(body + raw.read_to_eof(), "");
}

TEST_F(MockServerTest, CloseAfterBytesOfAJsonBody) {
  server.add_fault("POST /v1/videos: close-after-bytes=20");
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("POST", "/v1/videos", kSubmitBody)));
  std::string body;
  const std::string head = raw.read_headers(body);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  body += raw.read_to_eof();
  EXPECT_EQ(body.size(), 20u);
  EXPECT_EQ(body.rfind("{\"id\":\"task_", 0), 0u) << body;
  EXPECT_GT(std::stoul(header_value(head, "Content-Length")), 20u);
  EXPECT_EQ(server.task_count(), 1u);  // delivery damage: the task exists
}

TEST_F(MockServerTest, CloseAfterMoreBytesThanTheBodyStillCloses) {
  server.add_fault("GET *: close-after-bytes=1m");
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("GET", "/v1/videos/task_x")));
  const std::string all = raw.read_to_eof();
  EXPECT_NE(all.find("task_not_found"), std::string::npos) << all;
  EXPECT_TRUE(raw.eof_seen());
}

TEST_F(MockServerTest, DelayBeforeResponding) {
  const std::string id = server.create_succeeded_task(10);
  server.add_fault("GET /v1/videos/{id}: delay-ms=100");
  const auto start = SteadyClock::now();
  auto res = client->Get("/v1/videos/" + id);
  const auto end = SteadyClock::now();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(end - start, Ms(100));
  // The log entry carries the arrival time, not the response time.
  const auto log = server.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_GE(log[0].received_at, start);
  EXPECT_GE(end - log[0].received_at, Ms(100));
}

// A download of `size` bytes under `fault`: slowed by at least 100 ms, yet every byte exact.
void expect_slow_exact_download(MockServer& server, httplib::Client& client, std::uint64_t size,
                                const std::string& fault) {
  const std::string id = server.create_succeeded_task(size);
  server.add_fault(fault);
  const auto start = SteadyClock::now();
  auto res = client.Get("/v1/videos/" + id + "/content");
  const auto elapsed = SteadyClock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, MockServer::expected_video(id, size));
  EXPECT_GE(elapsed, Ms(100));
}

TEST_F(MockServerTest, RateLimitedDownload) {
  // Chunks of 5 KiB, the last due at 150 ms.
  expect_slow_exact_download(server, *client, 16384, "GET */content: rate=100k");
}

TEST_F(MockServerTest, StalledDownloadResumesAndCompletes) {
  expect_slow_exact_download(server, *client, 20000,
                             "GET */content: stall-after-bytes=1000 stall-ms=100");
}

TEST_F(MockServerTest, ClientLeavingDuringAStallFreesTheServer) {
  const std::string id = server.create_succeeded_task(100000);
  server.add_fault("GET */content: stall-ms=60000");  // stall right after the headers
  {
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send_all(raw_request("GET", "/v1/videos/" + id + "/content")));
    std::string body;
    const std::string head = raw.read_headers(body);
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK", 0), 0u);
    EXPECT_FALSE(raw.readable_within(Ms(50)));
  }  // the client gives up
  const auto start = SteadyClock::now();
  server.stop();
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(5));
}

TEST_F(MockServerTest, StopInterruptsADelay) {
  server.add_fault("GET *: delay-ms=60000");
  std::thread waiting([port = server.port()] {
    RawConnection raw(port);
    raw.send_all(raw_request("GET", "/v1/videos/task_x"));
    raw.read_to_eof();
  });
  // Wait until the request has arrived (this test is about a slow response).
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (server.count("GET") == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(Ms(2));
  }
  const auto start = SteadyClock::now();
  server.stop();
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(5));
  waiting.join();
}

TEST_F(MockServerTest, ChangeEtagFault) {
  const std::uint64_t size = 10000;
  const std::string id = server.create_succeeded_task(size);
  const std::string path = "/v1/videos/" + id + "/content";
  const std::string old_etag = client->Get(path)->get_header_value("ETag");
  server.add_fault("GET */content: change-etag");
  auto res = client->Get(path, {{"Range", "bytes=100-"}, {"If-Range", old_etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);  // the validator changed: the whole video again
  EXPECT_NE(res->get_header_value("ETag"), old_etag);
  EXPECT_EQ(res->body, MockServer::expected_video(id, size));
  const std::string new_etag = res->get_header_value("ETag");
  res = client->Get(path, {{"Range", "bytes=100-"}, {"If-Range", new_etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 206);
}

TEST_F(MockServerTest, RulesScriptASequence) {
  server.add_fault("POST /v1/videos: close-before-response");
  server.add_fault("POST /v1/videos: status=503");
  EXPECT_EQ(server.pending_faults(), 2u);
  EXPECT_FALSE(client->Post("/v1/videos", kSubmitBody, "application/json"));
  EXPECT_EQ(server.pending_faults(), 1u);
  auto res = client->Post("/v1/videos", kSubmitBody, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(server.pending_faults(), 0u);
  res = client->Post("/v1/videos", kSubmitBody, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(server.count("POST", "/v1/videos"), 3u);
  EXPECT_EQ(server.task_count(), 2u);  // the closed one and the last one
}

TEST_F(MockServerTest, PatternsSelectRequests) {
  const std::string id = server.create_succeeded_task(10);
  server.add_fault("GET /v1/videos/{id}: status=500 times=always");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client->Get("/v1/videos/" + id)->status, 500);
  EXPECT_EQ(client->Get("/v1/videos/" + id + "/content")->status, 200);
  EXPECT_EQ(client->Get("/v1/video/generations/" + id)->status, 200);
  EXPECT_EQ(server.pending_faults(), 1u);
  server.clear_faults();
  EXPECT_EQ(client->Get("/v1/videos/" + id)->status, 200);

  server.add_fault("GET /v1/video*/{id}: status=502 times=2");  // both aliases
  EXPECT_EQ(client->Get("/v1/video/generations/" + id)->status, 502);
  EXPECT_EQ(client->Get("/v1/videos/" + id)->status, 502);
  EXPECT_EQ(client->Get("/v1/videos/" + id)->status, 200);

  server.add_fault("* *: status=503");  // any method, any path
  EXPECT_EQ(client->Post("/v1/videos", kSubmitBody, "application/json")->status, 503);

  FaultRule rule;  // built in code instead of parsed
  rule.method = "GET";
  rule.path = "*/content";
  rule.status = 500;
  server.add_fault(rule);
  EXPECT_EQ(client->Get("/v1/videos/" + id)->status, 200);
  EXPECT_EQ(client->Get("/v1/videos/" + id + "/content")->status, 500);
}

TEST_F(MockServerTest, FaultsApplyBeforeAuth) {
  server.add_fault("GET *: status=503");
  auto bare = std::make_unique<httplib::Client>(server.base_url());
  auto res = bare->Get("/v1/videos/task_x");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

}  // namespace
}  // namespace seedance::mock::test
