#include "reference.hpp"

namespace seedance::mock::detail {

using ojson = nlohmann::ordered_json;

ojson video_object(const Task& t, ojson status, ojson progress) {
  return {{"id", t.id},
          {"task_id", t.id},
          {"object", "video"},
          {"model", t.model},
          {"status", std::move(status)},
          {"progress", std::move(progress)},
          {"created_at", t.created_at}};
}

std::string video_receipt(const Task& t, const char* status) {
  return video_object(t, status, 0).dump();
}

std::string reference_detail(const Task& t, const std::string& storage) {
  ojson j = video_object(t, reference_status(t.phase), std::to_string(t.progress) + "%");
  if (t.phase == Phase::Success) {
    j["result_url"] = "/v1/videos/" + t.id + "/content";
    if (t.return_last_frame) j["last_frame_url"] = storage + "/last_frame.png";
  } else if (t.phase == Phase::Failure) {
    j["fail_reason"] = t.fail_reason;
  }
  return j.dump();
}

Reply reference_invalid_submit(const SubmitError& e) {
  // Business errors are HTTP 200 with an error object, as the reference says.
  return error_reply(200, e.code, "invalid_request_error", e.message, e.param);
}

Reply reference_task_not_found(const std::string& id) {
  return error_reply(404, "task_not_found", "invalid_request_error",
                     "Task " + id + " does not exist.");
}

Reply reference_no_video(const Task& t) {
  if (t.phase == Phase::Failure) {
    return error_reply(409, "task_failed", "invalid_request_error",
                       "Task " + t.id + " failed; it has no video.");
  }
  return error_reply(409, "task_not_ready", "invalid_request_error",
                     "Task " + t.id + " is " + reference_status(t.phase) +
                         "; its video can be downloaded once it is SUCCESS.");
}

Reply reference_unauthorized(const std::string& message) {
  Reply r = error_reply(401, "invalid_api_key", "authentication_error", message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Reply not_found(const std::string& path) {
  return error_reply(404, "not_found", "invalid_request_error", "No route for " + path + ".");
}

Reply method_not_allowed(const std::string& method, const std::string& allow) {
  Reply r = error_reply(405, "method_not_allowed", "invalid_request_error",
                        "Method " + method + " is not allowed here; use " + allow + ".");
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace seedance::mock::detail
