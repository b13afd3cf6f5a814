#include "gateway.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "reference.hpp"

namespace seedance::mock::detail {
namespace {

using ojson = nlohmann::ordered_json;
using sorted_json = nlohmann::json;  // keys sorted, like a Go map

std::string upstream_id(const Task& t) { return "cgt-" + t.id.substr(t.id.find('_') + 1); }

const char* upstream_status(const Task& t) {
  switch (t.phase) {
    case Phase::NotStart:
      return "";
    case Phase::Queued:
      return "queued";
    case Phase::Success:
      return "succeeded";
    case Phase::Failure:
      // A swept task keeps the last body the gateway polled: still running.
      return t.outcome == Outcome::TimeoutSweep ? "running" : "failed";
    case Phase::InProgress:
    case Phase::Unknown:
      break;
  }
  return "running";
}

bool upstream_failed(const Task& t) { return std::string(upstream_status(t)) == "failed"; }

/// The Volcengine Ark task the gateway stored as `data`; before its first poll only the submit
/// answer, {"id"}.
sorted_json upstream_body(const Task& t, const std::string& storage) {
  sorted_json j = {{"id", upstream_id(t)}};
  const std::string status = upstream_status(t);
  if (status.empty()) return j;
  j["model"] = t.model;
  j["status"] = status;
  j["created_at"] = t.created_at;
  j["updated_at"] = t.updated_at;
  if (status == "succeeded") {
    j["content"] = {{"video_url", storage + "/video.mp4"}};
    if (t.return_last_frame) j["content"]["last_frame_url"] = storage + "/last_frame.png";
  } else if (status == "failed") {
    j["error"] = {{"code", "InternalServiceError"}, {"message", t.fail_reason}};
  }
  return j;
}

const char* video_status(Phase phase) {
  // model/task.go ToVideoStatus: NOT_START and UNKNOWN fall to the default.
  switch (phase) {
    case Phase::Queued:
      return "queued";
    case Phase::InProgress:
      return "in_progress";
    case Phase::Success:
      return "completed";
    case Phase::Failure:
      return "failed";
    case Phase::NotStart:
    case Phase::Unknown:
      break;
  }
  return "unknown";
}

int gateway_progress(Phase phase) {
  switch (phase) {
    case Phase::Queued:
      return 10;
    case Phase::InProgress:
      return 50;
    case Phase::Success:
    case Phase::Failure:
      return 100;
    case Phase::NotStart:
    case Phase::Unknown:
      break;
  }
  return 0;
}

ojson task_dto(const Task& t, const std::string& storage) {
  ojson d = {{"id", t.created_at % 100000},
             {"created_at", t.created_at},
             {"updated_at", t.updated_at},
             {"task_id", t.id},
             {"platform", "54"},
             {"user_id", 1},
             {"group", "default"},
             {"channel_id", 1},
             {"quota", 0},
             {"action", "generate"},
             {"status", gateway_status(t.phase)},
             {"fail_reason", t.phase == Phase::Failure ? t.fail_reason : std::string()}};
  // GetResultURL falls back to fail_reason, so a failed task shows it as result_url too.
  const std::string result =
      t.phase == Phase::Success ? storage + "/video.mp4" : d["fail_reason"].get<std::string>();
  if (!result.empty()) d["result_url"] = result;
  d["submit_time"] = t.created_at;
  d["start_time"] = t.start_time;
  d["finish_time"] = t.finish_time;
  d["progress"] = std::to_string(gateway_progress(t.phase)) + "%";
  d["properties"] = {
      {"input", ""}, {"upstream_model_name", t.model}, {"origin_model_name", t.model}};
  d["data"] = upstream_body(t, storage);
  return d;
}

}  // namespace

const char* const kTimeoutSweepReason = "任务超时（1440分钟）";

std::string gateway_video_object(const Task& t, const std::string& storage) {
  ojson j = video_object(t, video_status(t.phase), gateway_progress(t.phase));
  j["completed_at"] = t.updated_at;
  if (upstream_failed(t)) {
    j["error"] = {{"message", t.fail_reason}, {"code", "InternalServiceError"}};
  }
  const bool succeeded = t.phase == Phase::Success;
  j["metadata"] = {{"url", succeeded ? storage + "/video.mp4" : std::string()}};
  return j.dump();
}

std::string gateway_task_response(const Task& t, const std::string& storage) {
  return ojson{{"code", "success"}, {"message", ""}, {"data", task_dto(t, storage)}}.dump();
}

std::string gateway_task_error(const std::string& code, const std::string& message) {
  return ojson{{"code", code}, {"message", message}, {"data", nullptr}}.dump();
}

std::string gateway_api_error(const std::string& message, const std::string& request_id,
                              const std::string& code) {
  const std::string text = message + " (request id: " + request_id + ")";
  return ojson{{"error", {{"message", text}, {"type", "new_api_error"}, {"code", code}}}}.dump();
}

std::string gateway_invalid_url(const std::string& method, const std::string& path) {
  const std::string text = "Invalid URL (" + method + " " + path + ")";
  return ojson{
      {"error",
       {{"message", text}, {"type", "invalid_request_error"}, {"param", ""}, {"code", ""}}}}
      .dump();
}

std::string gateway_proxy_error(const std::string& type, const std::string& message) {
  return ojson{{"error", {{"message", message}, {"type", type}}}}.dump();
}

std::string gateway_request_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
#ifdef _WIN32
  localtime_s(&tm, &t);  // the C runtime's thread-safe variant, arguments the other way round
#else
  localtime_r(&t, &tm);
#endif
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() %
      1000000000;
  std::string id = stamp + std::to_string(nanos);
  for (int i = 0; i < 8; ++i) id.push_back(kChars[rng() % (sizeof(kChars) - 1)]);
  return id;
}

}  // namespace seedance::mock::detail
