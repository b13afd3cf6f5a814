// Parsing what a metadata.callback_url endpoint receives.
#pragma once

#include <string_view>

#include "seedance/task.hpp"

namespace seedance {

/// Parses the body of a request that the service sends to VideoRequest::callback_url() into the
/// same Task a status query returns.
///
/// The API reference does not document that body, so this accepts what such callbacks carry in
/// practice: the task detail (task_id or id, status, progress, result_url, fail_reason, ...),
/// either bare or wrapped in a `data` object (`{"code":0,"data":{...}}`), with any unknown
/// fields ignored. Task::raw_json keeps the whole body for fields the SDK does not model.
///
/// Throws ResponseError when the body is not JSON, not an object, has no task id or no status,
/// or a known field has the wrong type; ApiError when it carries an `error` object.
Task parse_callback(std::string_view body);

}  // namespace seedance
