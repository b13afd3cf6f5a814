// The bodies of the reference dialect, as the API reference describes them (OpenAI-style error
// objects; business errors are HTTP 200).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "reply.hpp"
#include "task.hpp"
#include "validation.hpp"

namespace seedance::mock::detail {

/// The OpenAI-style video object's first fields, which all three video answers (receipts, the
/// reference detail, the gateway's /v1/videos/{id}) share, in this order.
nlohmann::ordered_json video_object(const Task& t, nlohmann::ordered_json status,
                                    nlohmann::ordered_json progress);
/// The submit receipt: the same video object in both dialects (the gateway's doubao adaptor,
/// DoResponse), which word `status` differently ("QUEUED", "queued").
std::string video_receipt(const Task& t, const char* status);
/// GET /v1/videos/{id}. `storage` is the task's folder in the upstream storage.
std::string reference_detail(const Task& t, const std::string& storage);
/// A refused submit body: HTTP 200 with an error object.
Reply reference_invalid_submit(const SubmitError& e);
Reply reference_task_not_found(const std::string& id);
/// GET /v1/videos/{id}/content of a task without a video yet (or ever).
Reply reference_no_video(const Task& t);
/// A missing or wrong key.
Reply reference_unauthorized(const std::string& message);
Reply not_found(const std::string& path);
Reply method_not_allowed(const std::string& method, const std::string& allow);

}  // namespace seedance::mock::detail
