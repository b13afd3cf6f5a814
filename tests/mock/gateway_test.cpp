// The gateway dialect: every route in the shapes QuantumNous/new-api answers with, the outcome
// markers, the /content proxy and the request id.
#include <string>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

const std::string kSubmit = R"({"model":"seedance-2.0","prompt":"PROMPT"})";
const char* const kSweepReason = "任务超时（1440分钟）";

class GatewayTest : public MockServerTest {
 protected:
  void SetUp() override {
    server.set_dialect(Dialect::Gateway);
    MockServerTest::SetUp();
  }

  std::string submit_prompt(const std::string& prompt, const std::string& path = "/v1/videos") {
    std::string body = kSubmit;
    body.replace(body.find("PROMPT"), 6, prompt);
    auto res = client->Post(path, body, "application/json");
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res ? parse_json(res->body).value("id", "") : "";
  }

  json get(const std::string& path, int status = 200) {
    auto res = client->Get(path);
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    EXPECT_FALSE(res->get_header_value("X-Oneapi-Request-Id").empty()) << path;
    return parse_json(res->body);
  }

  json main_route(const std::string& id) { return get("/v1/videos/" + id); }
  json alias(const std::string& id) { return get("/v1/video/generations/" + id); }

  std::string storage(const std::string& id) {
    return server.upstream_base_url() + "/upstream-storage/" + id;
  }
};

TEST_F(GatewayTest, ReceiptOnBothRoutes) {
  for (const char* path : {"/v1/videos", "/v1/video/generations"}) {
    auto res =
        client->Post(path, R"({"model":"seedance-2.0-fast","prompt":"x"})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    // new-api writes the time, the nanoseconds unpadded (1 to 9 digits), then 8 random characters.
    const std::size_t id_length = res->get_header_value("X-Oneapi-Request-Id").size();
    EXPECT_GE(id_length, 14u + 1u + 8u) << res->get_header_value("X-Oneapi-Request-Id");
    EXPECT_LE(id_length, 14u + 9u + 8u) << res->get_header_value("X-Oneapi-Request-Id");
    const json j = parse_json(res->body);
    const std::string id = j.value("id", "");
    ASSERT_EQ(id.rfind("task_", 0), 0u) << res->body;
    const json expected = {{"id", id},
                           {"task_id", id},
                           {"object", "video"},
                           {"model", "seedance-2.0-fast"},
                           {"status", "queued"},
                           {"progress", 0},
                           {"created_at", j["created_at"]}};
    EXPECT_EQ(j, expected);
    EXPECT_GT(j["created_at"].get<long long>(), 1700000000);
  }
}

TEST_F(GatewayTest, MainRouteIsTheOpenAIVideoObject) {
  const std::string id = submit_prompt("a cat");
  EXPECT_EQ(server.task(id)->gateway_status, "NOT_START");
  json d = main_route(id);
  EXPECT_EQ(d["status"], "queued");
  EXPECT_EQ(d["progress"], 10);
  EXPECT_EQ(d["metadata"], json({{"url", ""}}));
  d = main_route(id);
  EXPECT_EQ(d["status"], "in_progress");
  EXPECT_EQ(d["progress"], 50);
  d = main_route(id);
  const json expected = {{"id", id},
                         {"task_id", id},
                         {"object", "video"},
                         {"model", "seedance-2.0"},
                         {"status", "completed"},
                         {"progress", 100},
                         {"created_at", d["created_at"]},
                         {"completed_at", d["completed_at"]},
                         {"metadata", {{"url", storage(id) + "/video.mp4"}}}};
  EXPECT_EQ(d, expected);
  EXPECT_GE(d["completed_at"].get<long long>(), d["created_at"].get<long long>());
}

TEST_F(GatewayTest, AliasIsTheTaskDtoWithTheUpstreamBody) {
  auto res =
      client->Post("/v1/video/generations",
                   R"({"model":"seedance-2.0","prompt":"x","metadata":{"return_last_frame":true}})",
                   "application/json");
  ASSERT_TRUE(res);
  const std::string id = parse_json(res->body).value("id", "");
  json j = alias(id);
  EXPECT_EQ(j["code"], "success");
  EXPECT_EQ(j["message"], "");
  EXPECT_EQ(j["data"]["status"], "QUEUED");
  EXPECT_EQ(j["data"]["progress"], "10%");
  EXPECT_EQ(j["data"]["data"]["status"], "queued");
  EXPECT_FALSE(j["data"].contains("result_url"));
  EXPECT_EQ(alias(id)["data"]["status"], "IN_PROGRESS");
  j = alias(id);
  const json& d = j["data"];
  EXPECT_EQ(d["task_id"], id);
  EXPECT_EQ(d["status"], "SUCCESS");
  EXPECT_EQ(d["progress"], "100%");
  EXPECT_EQ(d["fail_reason"], "");
  EXPECT_EQ(d["result_url"], storage(id) + "/video.mp4");
  EXPECT_EQ(d["platform"], "54");
  EXPECT_EQ(d["action"], "generate");
  EXPECT_GT(d["start_time"].get<long long>(), 0);
  EXPECT_GE(d["finish_time"].get<long long>(), d["start_time"].get<long long>());
  EXPECT_EQ(d["submit_time"], d["created_at"]);
  EXPECT_EQ(d["data"]["status"], "succeeded");
  EXPECT_EQ(d["data"]["id"].get<std::string>().rfind("cgt-", 0), 0u);
  const json content = {{"video_url", storage(id) + "/video.mp4"},
                        {"last_frame_url", storage(id) + "/last_frame.png"}};
  EXPECT_EQ(d["data"]["content"], content);
  // The main route has no place for the last frame.
  EXPECT_EQ(main_route(id).dump().find("last_frame"), std::string::npos);
}

TEST_F(GatewayTest, FailMarker) {
  server.set_polls_to_complete(1);
  const std::string id = submit_prompt("mock:fail");
  const json d = main_route(id);
  EXPECT_EQ(d["status"], "failed");
  EXPECT_EQ(d["progress"], 100);
  const json error = {{"message", "mock: generation failed (the prompt contains mock:fail)"},
                      {"code", "InternalServiceError"}};
  EXPECT_EQ(d["error"], error);
  EXPECT_FALSE(d.contains("fail_reason"));
  EXPECT_FALSE(d.contains("result_url"));
  const json a = alias(id)["data"];
  EXPECT_EQ(a["status"], "FAILURE");
  EXPECT_EQ(a["fail_reason"], error["message"]);
  EXPECT_EQ(a["result_url"], error["message"]);  // GetResultURL falls back to fail_reason
  EXPECT_EQ(a["data"]["status"], "failed");
  EXPECT_EQ(a["data"]["error"]["message"], error["message"]);
}

TEST_F(GatewayTest, TimeoutSweepHasNoErrorObject) {
  server.set_polls_to_complete(2);
  const std::string id = submit_prompt("x mock:timeout-sweep");
  EXPECT_EQ(main_route(id)["status"], "queued");
  const json d = main_route(id);
  EXPECT_EQ(d["status"], "failed");
  EXPECT_FALSE(d.contains("error")) << d.dump();
  const json a = alias(id)["data"];
  EXPECT_EQ(a["status"], "FAILURE");
  EXPECT_EQ(a["progress"], "100%");
  EXPECT_EQ(a["fail_reason"], kSweepReason);
  EXPECT_EQ(a["data"]["status"], "running");
}

TEST_F(GatewayTest, StuckUnknown) {
  const std::string id = submit_prompt("mock:stuck-unknown");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(main_route(id)["status"], "unknown");
  EXPECT_EQ(alias(id)["data"]["status"], "UNKNOWN");
  EXPECT_EQ(server.task(id)->status, "UNKNOWN");
}

TEST_F(GatewayTest, StuckNotStarted) {
  const std::string id = submit_prompt("mock:stuck-not-started");
  for (int i = 0; i < 5; ++i) {
    const json d = main_route(id);
    EXPECT_EQ(d["status"], "unknown");  // ToVideoStatus has no case for NOT_START
    EXPECT_EQ(d["progress"], 0);
  }
  const json a = alias(id)["data"];
  EXPECT_EQ(a["status"], "NOT_START");
  EXPECT_EQ(a["progress"], "0%");
  EXPECT_EQ(a["start_time"], 0);
  EXPECT_EQ(a["data"], json({{"id", a["data"]["id"]}}));  // only the submit answer
}

TEST_F(GatewayTest, OutcomesThroughTaskOptions) {
  TaskOptions options;
  options.state = TaskState::Queued;
  options.outcome = Outcome::TimeoutSweep;
  server.set_polls_to_complete(1);
  const std::string swept = server.create_task(options);
  EXPECT_FALSE(main_route(swept).contains("error"));
  EXPECT_EQ(alias(swept)["data"]["fail_reason"], kSweepReason);
  options.state = TaskState::Failure;
  options.outcome = Outcome::Succeed;
  options.fail_reason = "boom";
  const std::string failed = server.create_task(options);
  EXPECT_EQ(main_route(failed)["error"]["message"], "boom");
  options.state = TaskState::Queued;
  options.outcome = Outcome::StuckNotStarted;
  const std::string stuck = server.create_task(options);
  EXPECT_EQ(alias(stuck)["data"]["status"], "NOT_START");
  EXPECT_EQ(server.task(stuck)->outcome, Outcome::StuckNotStarted);
}

TEST_F(GatewayTest, UnknownTaskIsTaskNotExist) {
  const json expected = {
      {"code", "task_not_exist"}, {"message", "task_not_exist"}, {"data", nullptr}};
  EXPECT_EQ(get("/v1/videos/task_nope", 400), expected);
  EXPECT_EQ(get("/v1/video/generations/task_nope", 400), expected);
}

TEST_F(GatewayTest, AuthErrorCarriesTheRequestId) {
  auto wrong = make_client(server, "nope");
  for (const char* path :
       {"/v1/videos/task_x", "/v1/video/generations/task_x", "/v1/videos/task_x/content"}) {
    auto res = wrong->Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    const std::string rid = res->get_header_value("X-Oneapi-Request-Id");
    ASSERT_FALSE(rid.empty());
    const json expected = {{"error",
                            {{"message", "Invalid token (request id: " + rid + ")"},
                             {"type", "new_api_error"},
                             {"code", ""}}}};
    EXPECT_EQ(parse_json(res->body), expected) << path;
  }
}

TEST_F(GatewayTest, InvalidBodyIsA400TaskError) {
  auto res = client->Post("/v1/videos", R"({"model":"seedance-2.0","prompt":"x","duration":99})",
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  const json j = parse_json(res->body);
  EXPECT_EQ(j["code"], "invalid_request");
  EXPECT_NE(j["message"].get<std::string>().find("duration"), std::string::npos) << res->body;
  EXPECT_TRUE(j["data"].is_null());
  EXPECT_EQ(server.task_count(), 0u);
}

TEST_F(GatewayTest, UnroutedPathsAreInvalidUrlWithoutAKeyCheck) {
  const std::string id = server.create_succeeded_task(100);
  httplib::Client bare(server.base_url());
  for (const std::string& path : {"/v1/video/generations/" + id + "/content",
                                  "/v1/videos/" + id + "/last_frame", std::string("/v1/nothing")}) {
    auto res = bare.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    const json expected = {{"error",
                            {{"message", "Invalid URL (GET " + path + ")"},
                             {"type", "invalid_request_error"},
                             {"param", ""},
                             {"code", ""}}}};
    EXPECT_EQ(parse_json(res->body), expected);
  }
}

TEST_F(GatewayTest, ContentErrors) {
  const std::string id = submit_prompt("x");
  json e = get("/v1/videos/" + id + "/content", 400);
  EXPECT_EQ(e, json({{"error",
                      {{"message", "Task is not completed yet, current status: NOT_START"},
                       {"type", "invalid_request_error"}}}}));
  main_route(id);
  e = get("/v1/videos/" + id + "/content", 400);
  EXPECT_EQ(e["error"]["message"], "Task is not completed yet, current status: QUEUED");
  e = get("/v1/videos/task_nope/content", 404);
  EXPECT_EQ(e,
            json({{"error", {{"message", "Task not found"}, {"type", "invalid_request_error"}}}}));
}

TEST_F(GatewayTest, ContentProxiesBytesAndRangeButNotIfRange) {
  const std::string id = server.create_succeeded_task(5000);
  auto res = client->Get("/v1/videos/" + id + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, MockServer::expected_video(id, 5000));
  EXPECT_EQ(res->get_header_value("ETag"), server.task(id)->etag);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=86400");
  const std::string old_etag = server.task(id)->etag;
  server.change_etag(id);
  // The If-Range is not forwarded: a stale validator still gets the range.
  res = client->Get("/v1/videos/" + id + "/content",
                    {{"Range", "bytes=100-199"}, {"If-Range", old_etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 206);
  EXPECT_EQ(res->body, MockServer::expected_video_range(id, 5000, 100, 100));
  // The reference dialect honours it.
  server.set_dialect(Dialect::Reference);
  res = client->Get("/v1/videos/" + id + "/content",
                    {{"Range", "bytes=100-199"}, {"If-Range", old_etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(res->has_header("X-Oneapi-Request-Id"));
}

TEST_F(GatewayTest, UpstreamRefusalIs502) {
  const std::string id = server.create_succeeded_task(100);
  auto res = client->Get("/v1/videos/" + id + "/content", {{"Range", "bytes=500-"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_EQ(
      parse_json(res->body),
      json({{"error",
             {{"message", "Upstream service returned status 416"}, {"type", "server_error"}}}}));
  server.add_fault("GET */content: status=502");
  res = client->Get("/v1/videos/" + id + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_FALSE(res->get_header_value("X-Oneapi-Request-Id").empty());
}

TEST_F(GatewayTest, CutContentClosesTheFirstDownloadPartWay) {
  server.set_polls_to_complete(1);
  const std::string id = submit_prompt("mock:cut-content");
  main_route(id);
  const std::uint64_t size = server.task(id)->video_size;
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all(raw_request("GET", "/v1/videos/" + id + "/content")));
  const std::string response = raw.read_to_eof();
  const std::size_t end = response.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_NE(response.find("Content-Length: " + std::to_string(size)), std::string::npos);
  EXPECT_EQ(response.size() - end - 4, size / 2);
  auto res = client->Get("/v1/videos/" + id + "/content");  // only the first one is cut
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, MockServer::expected_video(id, size));
}

// --- the reference dialect's words for the same markers -----------------------------------------

TEST_F(MockServerTest, MarkersInTheReferenceDialect) {
  server.set_polls_to_complete(1);
  const std::string swept = submit(*client, "mock:timeout-sweep");
  auto d = parse_json(client->Get("/v1/videos/" + swept)->body);
  EXPECT_EQ(d["status"], "FAILURE");
  EXPECT_EQ(d["fail_reason"], kSweepReason);
  const std::string unknown = submit(*client, "mock:stuck-unknown");
  EXPECT_EQ(parse_json(client->Get("/v1/videos/" + unknown)->body)["status"], "UNKNOWN");
  const std::string waiting = submit(*client, "mock:stuck-not-started");
  client->Get("/v1/videos/" + waiting);
  d = parse_json(client->Get("/v1/videos/" + waiting)->body);
  EXPECT_EQ(d["status"], "QUEUED");
  EXPECT_EQ(server.task(waiting)->gateway_status, "NOT_START");
}

}  // namespace
}  // namespace seedance::mock::test
