// The bodies of the gateway dialect, in the shapes QuantumNous/new-api answers with (its Go
// structs' field order; a map's keys sorted, as Go's encoding/json writes them).
#pragma once

#include <cstdint>
#include <string>

#include "task.hpp"

namespace seedance::mock::detail {

/// fail_reason of a task failed by the gateway's timeout sweep (service/task_polling.go, with
/// the default TASK_TIMEOUT_MINUTES): "task timed out (1440 minutes)".
extern const char* const kTimeoutSweepReason;

/// GET /v1/videos/{id}: the OpenAI video object (ConvertToOpenAIVideo). `storage` is the task's
/// folder in the upstream storage, e.g. "http://localhost:PORT/upstream-storage/{id}".
std::string gateway_video_object(const Task& t, const std::string& storage);
/// GET /v1/video/generations/{id}: {"code":"success","message":"","data":TaskDto}.
std::string gateway_task_response(const Task& t, const std::string& storage);
/// A TaskError: {"code","message","data":null}.
std::string gateway_task_error(const std::string& code, const std::string& message);
/// A middleware refusal: {"error":{"message":"... (request id: ID)","type":"new_api_error",
/// "code":...}}.
std::string gateway_api_error(const std::string& message, const std::string& request_id,
                              const std::string& code);
/// The router's NoRoute answer: {"error":{"message":"Invalid URL (METHOD PATH)",...}}.
std::string gateway_invalid_url(const std::string& method, const std::string& path);
/// controller/video_proxy.go's errors: {"error":{"message","type"}}.
std::string gateway_proxy_error(const std::string& type, const std::string& message);
/// A new X-Oneapi-Request-Id value: a local time stamp, nanoseconds and 8 random characters.
std::string gateway_request_id();

}  // namespace seedance::mock::detail
