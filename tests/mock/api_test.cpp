// The API surface of the mock: auth, validation of submits, the task lifecycle and its aliases.
#include <chrono>
#include <ostream>
#include <string>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

void expect_error_object(const httplib::Result& res, int status, const std::string& type,
                         const std::string& code) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, status);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const json j = parse_json(res->body);
  ASSERT_TRUE(j.contains("error")) << res->body;
  EXPECT_EQ(j["error"].value("type", ""), type) << res->body;
  EXPECT_EQ(j["error"].value("code", ""), code) << res->body;
  EXPECT_FALSE(j["error"].value("message", "").empty()) << res->body;
  EXPECT_FALSE(j.contains("id")) << res->body;
}

// --- auth --------------------------------------------------------------------------------------

TEST_F(MockServerTest, MissingAuthorizationIs401) {
  httplib::Client bare(server.base_url());
  const std::string body = R"({"model":"seedance-2.0","prompt":"x"})";
  expect_error_object(bare.Post("/v1/videos", body, "application/json"), 401,
                      "authentication_error", "invalid_api_key");
  EXPECT_EQ(server.task_count(), 0u);
}

TEST_F(MockServerTest, WrongKeyOrSchemeIs401OnEveryEndpoint) {
  const std::string id = server.create_succeeded_task(1000);
  auto wrong = make_client(server, "not-the-key");
  const std::string body = R"({"model":"seedance-2.0","prompt":"x"})";
  expect_error_object(wrong->Post("/v1/videos", body, "application/json"), 401,
                      "authentication_error", "invalid_api_key");
  expect_error_object(wrong->Post("/v1/video/generations", body, "application/json"), 401,
                      "authentication_error", "invalid_api_key");
  expect_error_object(wrong->Get("/v1/videos/" + id), 401, "authentication_error",
                      "invalid_api_key");
  expect_error_object(wrong->Get("/v1/video/generations/" + id), 401, "authentication_error",
                      "invalid_api_key");
  expect_error_object(wrong->Get("/v1/videos/" + id + "/content"), 401, "authentication_error",
                      "invalid_api_key");
  httplib::Client basic(server.base_url());
  expect_error_object(basic.Get("/v1/videos/" + id, {{"Authorization", "Basic test-key"}}), 401,
                      "authentication_error", "invalid_api_key");
  // The SDK must still see the right key accepted.
  auto res = client->Get("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(MockServerTest, ApiKeyCanBeChanged) {
  server.set_api_key("other");
  EXPECT_EQ(server.api_key(), "other");
  auto res = client->Get("/v1/videos/task_nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  auto other = make_client(server, "other");
  res = other->Get("/v1/videos/task_nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

// --- validation: business errors are HTTP 200 with an error object ----------------------------

struct Invalid {
  const char* name;
  const char* body;
  const char* code;
  const char* field;  // must appear in the message (and in "param" when there is one)
};

void PrintTo(const Invalid& c, std::ostream* os) { *os << c.body; }

class ValidationTest : public MockServerTest, public ::testing::WithParamInterface<Invalid> {};

TEST_P(ValidationTest, RejectedWithHttp200ErrorObject) {
  const Invalid& c = GetParam();
  auto res = client->Post("/v1/videos", c.body, "application/json");
  expect_error_object(res, 200, "invalid_request_error", c.code);
  const json j = parse_json(res->body);
  EXPECT_NE(j["error"].value("message", "").find(c.field), std::string::npos) << res->body;
  if (j["error"].contains("param")) {
    EXPECT_EQ(j["error"]["param"], c.field);
  }
  EXPECT_EQ(server.task_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ValidationTest,
    ::testing::Values(
        Invalid{"NotJson", "{not json", "invalid_json", "JSON"},
        Invalid{"NotAnObject", "[1,2]", "invalid_request", "object"},
        Invalid{"MissingModel", R"({"prompt":"x"})", "missing_required_parameter", "model"},
        Invalid{"ModelNotString", R"({"model":2,"prompt":"x"})", "invalid_type", "model"},
        Invalid{"UnknownModel", R"({"model":"seedance-3.0","prompt":"x"})", "model_not_found",
                "model"},
        Invalid{"NoPromptNoVisual", R"({"model":"seedance-2.0"})", "missing_required_parameter",
                "prompt"},
        Invalid{"EmptyPrompt", R"({"model":"seedance-2.0","prompt":""})",
                "missing_required_parameter", "prompt"},
        Invalid{"PromptNotString", R"({"model":"seedance-2.0","prompt":5})", "invalid_type",
                "prompt"},
        Invalid{"DurationTooShort", R"({"model":"seedance-2.0","prompt":"x","duration":3})",
                "invalid_value", "duration"},
        Invalid{"DurationTooLong", R"({"model":"seedance-2.0","prompt":"x","duration":16})",
                "invalid_value", "duration"},
        Invalid{"DurationZero", R"({"model":"seedance-2.0","prompt":"x","duration":0})",
                "invalid_value", "duration"},
        Invalid{"DurationString", R"({"model":"seedance-2.0","prompt":"x","duration":"5"})",
                "invalid_type", "duration"},
        Invalid{"DurationFraction", R"({"model":"seedance-2.0","prompt":"x","duration":5.5})",
                "invalid_type", "duration"},
        Invalid{"MetadataDuration",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"duration":-2}})",
                "invalid_value", "metadata.duration"},
        Invalid{"SecondsNotDigits", R"({"model":"seedance-2.0","prompt":"x","seconds":"5s"})",
                "invalid_value", "seconds"},
        Invalid{"SecondsOutOfRange", R"({"model":"seedance-2.0","prompt":"x","seconds":"20"})",
                "invalid_value", "seconds"},
        Invalid{"SecondsNumber", R"({"model":"seedance-2.0","prompt":"x","seconds":5})",
                "invalid_type", "seconds"},
        Invalid{"FastWith1080p",
                R"({"model":"seedance-2.0-fast","prompt":"x","metadata":{"resolution":"1080p"}})",
                "unsupported_resolution", "metadata.resolution"},
        Invalid{"BadResolution",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"resolution":"4k"}})",
                "invalid_value", "metadata.resolution"},
        Invalid{"BadRatio", R"({"model":"seedance-2.0","prompt":"x","metadata":{"ratio":"2:1"}})",
                "invalid_value", "metadata.ratio"},
        Invalid{"BadServiceTier",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"service_tier":"gold"}})",
                "invalid_value", "metadata.service_tier"},
        Invalid{"SeedTooLarge",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"seed":4294967296}})",
                "invalid_value", "metadata.seed"},
        Invalid{"SeedTooSmall", R"({"model":"seedance-2.0","prompt":"x","metadata":{"seed":-2}})",
                "invalid_value", "metadata.seed"},
        Invalid{"WatermarkNotBool",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"watermark":"yes"}})",
                "invalid_type", "metadata.watermark"},
        Invalid{"ExpiryZero",
                R"({"model":"seedance-2.0","prompt":"x","metadata":{"execution_expires_after":0}})",
                "invalid_value", "metadata.execution_expires_after"},
        Invalid{"MetadataNotObject", R"({"model":"seedance-2.0","prompt":"x","metadata":"x"})",
                "invalid_type", "metadata"},
        Invalid{"ImagesNotStrings", R"({"model":"seedance-2.0","images":["",1]})", "invalid_type",
                "images[0]"},
        Invalid{"ContentBadType",
                R"({"model":"seedance-2.0","metadata":{"content":[{"type":"gif"}]}})",
                "invalid_value", "metadata.content[0].type"},
        Invalid{"ContentBadRole",
                R"({"model":"seedance-2.0","metadata":{"content":[{"type":"image_url",)"
                R"("image_url":{"url":"https://x/a.png"},"role":"middle"}]}})",
                "invalid_value", "metadata.content[0].role"},
        Invalid{"ContentMissingUrl",
                R"({"model":"seedance-2.0","metadata":{"content":[{"type":"video_url"}]}})",
                "missing_required_parameter", "metadata.content[0].video_url.url"},
        Invalid{
            "MultiImageWithoutRole",
            R"({"model":"seedance-2.0","metadata":{"content":[)"
            R"({"type":"image_url","image_url":{"url":"https://x/a.png"},"role":"first_frame"},)"
            R"({"type":"image_url","image_url":{"url":"https://x/b.png"}}]}})",
            "missing_required_parameter", "metadata.content[1].role"}),
    [](const ::testing::TestParamInfo<Invalid>& info) { return std::string(info.param.name); });

struct Valid {
  const char* name;
  const char* body;
};

void PrintTo(const Valid& c, std::ostream* os) { *os << c.body; }

class AcceptedTest : public MockServerTest, public ::testing::WithParamInterface<Valid> {};

TEST_P(AcceptedTest, GetsAReceipt) {
  auto res = client->Post("/v1/videos", GetParam().body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json j = parse_json(res->body);
  EXPECT_FALSE(j.contains("error")) << res->body;
  EXPECT_EQ(j.value("status", ""), "QUEUED") << res->body;
  EXPECT_EQ(server.task_count(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, AcceptedTest,
    ::testing::Values(
        Valid{"AutoDuration", R"({"model":"seedance-2.0","prompt":"x","duration":-1})"},
        Valid{"MinDuration", R"({"model":"seedance-2.0","prompt":"x","duration":4})"},
        Valid{"MaxDuration", R"({"model":"seedance-2.0","prompt":"x","duration":15})"},
        Valid{"Seconds", R"({"model":"seedance-2.0","prompt":"x","seconds":"10"})"},
        Valid{"ImageOnly", R"({"model":"seedance-2.0","image":"https://x/a.png"})"},
        Valid{"ImagesOnly", R"({"model":"seedance-2.0","images":["https://x/a.png"]})"},
        Valid{"ContentImageOnly",
              R"({"model":"seedance-2.0","metadata":{"content":[{"type":"image_url",)"
              R"("image_url":{"url":"data:image/png;base64,AAAA"}}]}})"},
        Valid{"ContentTextOnly",
              R"({"model":"seedance-2.0","metadata":{"content":[{"type":"text","text":"x"}]}})"},
        Valid{"VideoContinuation",
              R"({"model":"seedance-2.0","prompt":"go on","metadata":{"content":[)"
              R"({"type":"video_url","video_url":{"url":"https://x/v.mp4"}},)"
              R"({"type":"audio_url","audio_url":{"url":"https://x/a.mp3"}}]}})"},
        Valid{"FastAt720p",
              R"({"model":"seedance-2.0-fast","prompt":"x","metadata":{"resolution":"720p"}})"},
        Valid{"AllMetadata",
              R"({"model":"seedance-2.0","prompt":"x","metadata":{"resolution":"1080p",)"
              R"("ratio":"adaptive","duration":8,"seed":4294967295,"watermark":false,)"
              R"("generate_audio":true,"service_tier":"priority","execution_expires_after":172800,)"
              R"("return_last_frame":true,"callback_url":"https://x/cb","frames":121,)"
              R"("camera_fixed":false,"draft":true}})"},
        Valid{"UnknownFieldsIgnored", R"({"model":"seedance-2.0","prompt":"x","future":{"a":1}})"}),
    [](const ::testing::TestParamInfo<Valid>& info) { return std::string(info.param.name); });

// --- lifecycle ---------------------------------------------------------------------------------

TEST_F(MockServerTest, ReceiptHasTopLevelFieldsAndIntegerProgress) {
  const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto res = client->Post("/v1/videos", R"({"model":"seedance-2.0-fast","prompt":"x"})",
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json j = parse_json(res->body);
  ASSERT_TRUE(j["id"].is_string());
  EXPECT_EQ(j["id"].get<std::string>().rfind("task_", 0), 0u);
  EXPECT_EQ(j["task_id"], j["id"]);
  EXPECT_EQ(j["object"], "video");
  EXPECT_EQ(j["model"], "seedance-2.0-fast");
  EXPECT_EQ(j["status"], "QUEUED");
  ASSERT_TRUE(j["progress"].is_number_integer());
  EXPECT_EQ(j["progress"], 0);
  ASSERT_TRUE(j["created_at"].is_number_integer());
  EXPECT_GE(j["created_at"].get<long long>(), before);
  EXPECT_FALSE(j.contains("data"));
}

json poll(httplib::Client& client, const std::string& path) {
  auto res = client.Get(path);
  EXPECT_TRUE(res);
  if (!res) return json();
  EXPECT_EQ(res->status, 200);
  return parse_json(res->body);
}

TEST_F(MockServerTest, LifecycleAdvancesOnePollAtATime) {
  const std::string id = submit(*client);
  const std::string path = "/v1/videos/" + id;
  json d = poll(*client, path);
  EXPECT_EQ(d["id"], id);
  EXPECT_EQ(d["task_id"], id);
  EXPECT_EQ(d["object"], "video");
  EXPECT_EQ(d["model"], "seedance-2.0");
  EXPECT_TRUE(d["created_at"].is_number_integer());
  EXPECT_EQ(d["status"], "QUEUED");
  EXPECT_EQ(d["progress"], "0%");  // a string in the detail
  EXPECT_FALSE(d.contains("result_url"));

  d = poll(*client, path);
  EXPECT_EQ(d["status"], "IN_PROGRESS");
  EXPECT_EQ(d["progress"], "50%");
  EXPECT_FALSE(d.contains("result_url"));

  d = poll(*client, path);
  EXPECT_EQ(d["status"], "SUCCESS");
  EXPECT_EQ(d["progress"], "100%");
  EXPECT_EQ(d["result_url"], "/v1/videos/" + id + "/content");
  EXPECT_FALSE(d.contains("fail_reason"));
  EXPECT_FALSE(d.contains("last_frame_url"));

  d = poll(*client, path);  // terminal stays terminal
  EXPECT_EQ(d["status"], "SUCCESS");
  EXPECT_EQ(server.task(id)->polls, 4);
}

TEST_F(MockServerTest, AliasesShareTheTask) {
  const std::string id = submit(*client, "x", "/v1/video/generations");
  EXPECT_EQ(poll(*client, "/v1/video/generations/" + id)["status"], "QUEUED");
  EXPECT_EQ(poll(*client, "/v1/videos/" + id)["status"], "IN_PROGRESS");
  const json d = poll(*client, "/v1/video/generations/" + id);
  EXPECT_EQ(d["status"], "SUCCESS");
  EXPECT_EQ(d["result_url"], "/v1/videos/" + id + "/content");
  auto res = client->Get("/v1/video/generations/" + id + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, MockServer::expected_video(id, 1024 * 1024));
}

TEST_F(MockServerTest, PollsToCompleteIsConfigurable) {
  server.set_polls_to_complete(5);
  const std::string id = submit(*client);
  const char* expected[][2] = {{"QUEUED", "0%"},
                               {"IN_PROGRESS", "25%"},
                               {"IN_PROGRESS", "50%"},
                               {"IN_PROGRESS", "75%"},
                               {"SUCCESS", "100%"}};
  for (const auto& e : expected) {
    const json d = poll(*client, "/v1/videos/" + id);
    EXPECT_EQ(d["status"], e[0]);
    EXPECT_EQ(d["progress"], e[1]);
  }
  server.set_polls_to_complete(1);
  const std::string quick = submit(*client);
  EXPECT_EQ(poll(*client, "/v1/videos/" + quick)["status"], "SUCCESS");
}

TEST_F(MockServerTest, FailureMarkerEndsInFailure) {
  const std::string id = submit(*client, "a dog, mock:fail please");
  poll(*client, "/v1/videos/" + id);
  poll(*client, "/v1/videos/" + id);
  const json d = poll(*client, "/v1/videos/" + id);
  EXPECT_EQ(d["status"], "FAILURE");
  EXPECT_TRUE(d["fail_reason"].is_string());
  EXPECT_FALSE(d["fail_reason"].get<std::string>().empty());
  EXPECT_FALSE(d.contains("result_url"));
  expect_error_object(client->Get("/v1/videos/" + id + "/content"), 409, "invalid_request_error",
                      "task_failed");
}

TEST_F(MockServerTest, FailureMarkerInContentText) {
  server.set_polls_to_complete(1);
  auto res = client->Post(
      "/v1/videos",
      R"({"model":"seedance-2.0","metadata":{"content":[{"type":"text","text":"mock:fail"}]}})",
      "application/json");
  ASSERT_TRUE(res);
  const std::string id = parse_json(res->body).value("id", "");
  EXPECT_EQ(poll(*client, "/v1/videos/" + id)["status"], "FAILURE");
}

TEST_F(MockServerTest, LastFrameWhenRequested) {
  server.set_polls_to_complete(2);
  auto res =
      client->Post("/v1/videos",
                   R"({"model":"seedance-2.0","prompt":"x","metadata":{"return_last_frame":true}})",
                   "application/json");
  ASSERT_TRUE(res);
  const std::string id = parse_json(res->body).value("id", "");
  EXPECT_FALSE(poll(*client, "/v1/videos/" + id).contains("last_frame_url"));
  const std::string frame = "/upstream-storage/" + id + "/last_frame.png";
  httplib::Client storage(server.upstream_base_url());
  res = storage.Get(frame);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);  // not before SUCCESS
  const json d = poll(*client, "/v1/videos/" + id);
  EXPECT_EQ(d["status"], "SUCCESS");
  EXPECT_EQ(d["last_frame_url"], server.upstream_base_url() + frame);
  res = storage.Get(frame);  // no Authorization: another origin
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(res->body, MockServer::last_frame_png());
  EXPECT_EQ(res->body.substr(0, 8), "\x89PNG\r\n\x1a\n");

  const std::string plain = server.create_succeeded_task(10);
  res = storage.Get("/upstream-storage/" + plain + "/last_frame.png");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(MockServerTest, TheLastFrameRouteIsGone) {
  TaskOptions options;
  options.return_last_frame = true;
  const std::string id = server.create_task(options);
  for (const std::string& path :
       {"/v1/videos/" + id + "/last_frame", "/v1/video/generations/" + id + "/last_frame"}) {
    expect_error_object(client->Get(path), 404, "invalid_request_error", "not_found");
  }
}

TEST_F(MockServerTest, UpstreamStorageIsAnotherOrigin) {
  const std::string base = server.base_url();
  const std::string storage = server.upstream_base_url();
  EXPECT_EQ(storage, "http://localhost:" + std::to_string(server.port()));
  EXPECT_NE(storage, base);
  const std::string id = server.create_succeeded_task(1000);
  httplib::Client bare(storage);
  auto res = bare.Get("/upstream-storage/" + id + "/video.mp4", {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 206);
  EXPECT_EQ(res->body, MockServer::expected_video_range(id, 1000, 10, 10));
  EXPECT_EQ(res->get_header_value("ETag"), server.task(id)->etag);
  res = bare.Get("/upstream-storage/task_nope/video.mp4");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = bare.Get("/upstream-storage/" + id + "/other.bin");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(MockServerTest, UnknownTaskIs404) {
  for (const char* path : {"/v1/videos/task_nope", "/v1/video/generations/task_nope",
                           "/v1/videos/task_nope/content"}) {
    expect_error_object(client->Get(path), 404, "invalid_request_error", "task_not_found");
  }
}

TEST_F(MockServerTest, ContentBeforeSuccessIs409) {
  const std::string id = submit(*client);
  expect_error_object(client->Get("/v1/videos/" + id + "/content"), 409, "invalid_request_error",
                      "task_not_ready");
  poll(*client, "/v1/videos/" + id);
  expect_error_object(client->Get("/v1/videos/" + id + "/content"), 409, "invalid_request_error",
                      "task_not_ready");
}

TEST_F(MockServerTest, HeadDoesNotAdvanceTheTask) {
  const std::string id = submit(*client);
  auto res = client->Head("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(server.task(id)->polls, 0);
  EXPECT_EQ(poll(*client, "/v1/videos/" + id)["status"], "QUEUED");
}

TEST_F(MockServerTest, UnknownRoutesAndMethods) {
  expect_error_object(client->Get("/v2/nothing"), 404, "invalid_request_error", "not_found");
  expect_error_object(client->Get("/v1/videos/a/b/c"), 404, "invalid_request_error", "not_found");
  auto res = client->Get("/v1/videos");
  expect_error_object(res, 405, "invalid_request_error", "method_not_allowed");
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
  expect_error_object(client->Delete("/v1/videos/task_x"), 405, "invalid_request_error",
                      "method_not_allowed");
}

TEST_F(MockServerTest, PreCreatedTasks) {
  TaskOptions queued;
  queued.state = TaskState::Queued;
  const std::string q = server.create_task(queued);
  EXPECT_EQ(server.task(q)->status, "QUEUED");
  EXPECT_EQ(poll(*client, "/v1/videos/" + q)["status"], "QUEUED");

  TaskOptions running;
  running.state = TaskState::InProgress;
  const std::string r = server.create_task(running);
  EXPECT_EQ(server.task(r)->status, "IN_PROGRESS");
  EXPECT_EQ(poll(*client, "/v1/videos/" + r)["status"], "SUCCESS");  // 3 polls by default

  TaskOptions failed;
  failed.state = TaskState::Failure;
  failed.fail_reason = "content policy";
  const std::string f = server.create_task(failed);
  const json d = poll(*client, "/v1/videos/" + f);
  EXPECT_EQ(d["status"], "FAILURE");
  EXPECT_EQ(d["fail_reason"], "content policy");

  const std::string s = server.create_succeeded_task(1234);
  const auto snap = server.task(s);
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->status, "SUCCESS");
  EXPECT_EQ(snap->video_size, 1234u);
  EXPECT_FALSE(server.task("task_nope"));
  EXPECT_EQ(server.task_count(), 4u);
}

}  // namespace
}  // namespace seedance::mock::test
