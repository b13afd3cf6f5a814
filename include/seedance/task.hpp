// What the service returns: the submission receipt and the task detail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seedance {

/// Where a task is in its lifecycle, normalised from whatever word the service used. The
/// reference says SUBMITTED/QUEUED/IN_PROGRESS/SUCCESS/FAILURE, the gateway's main route says
/// queued/in_progress/completed/failed, other gateways say pending, running, succeeded,
/// cancelled, expired...; parse_task_status() maps them all (docs/concepts.md has the table).
/// Task::status_text keeps the word as it was sent.
enum class TaskStatus {
  Queued,      ///< Accepted, not started (SUBMITTED, QUEUED, NOT_START, pending, ...).
  InProgress,  ///< Being generated (IN_PROGRESS, running, processing, ...).
  Success,     ///< Finished with a video (SUCCESS, completed, succeeded, done, ...).
  Failure,     ///< Finished without one (FAILURE, failed, error, cancelled, expired, ...).
  /// A word the SDK does not know, `unknown`, or no status at all. Not finished: a wait keeps
  /// polling it until its timeout or cancellation.
  Unknown,
};

/// The reference's word for a status: "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE" or "UNKNOWN".
std::string_view to_string(TaskStatus status) noexcept;

/// Maps a status word to a TaskStatus, ignoring case and treating '-' and ' ' like '_';
/// anything unrecognised (and "") is TaskStatus::Unknown.
TaskStatus parse_task_status(std::string_view text) noexcept;

/// True for Success and Failure, the two states a task never leaves.
bool is_terminal(TaskStatus status) noexcept;

/// An error object as the service sends it: `{"error": {"message", "type", "code"}}`, or the
/// `{"code", "message"}` form some routes use. Inside a task detail it describes why the task
/// failed (the gateway reports a failed task this way, with HTTP 200).
struct ServiceError {
  std::string message;  ///< The human-readable message.
  std::string code;     ///< The machine-readable code, as text ("" when absent).
  std::string type;     ///< The error type ("" when absent).
};

/// The answer to a submit: the task was created and will be processed asynchronously.
struct Receipt {
  std::string task_id;  ///< "task_..."; the id to poll and download, and the resume token.
  std::string object;   ///< "video" when the service says so.
  std::string model;    ///< The model id the task runs on.
  TaskStatus status = TaskStatus::Unknown;  ///< Usually Queued; Unknown when none was sent.
  std::string status_text;                  ///< The status word as the service sent it.
  int progress = 0;                         ///< 0..100.
  std::optional<std::int64_t> created_at;   ///< Unix seconds.
  /// The service's id for the HTTP exchange (X-Oneapi-Request-Id or X-Request-Id), for support.
  std::string request_id;
  std::string raw_json;  ///< The response body, for fields the SDK does not model.
};

/// The task detail returned by a status query. Optional fields that are absent or malformed are
/// left empty (the body stays in raw_json): an odd optional field never fails a status query.
struct Task {
  std::string task_id;                      ///< "task_..."
  std::string model;                        ///< The model id the task runs on.
  TaskStatus status = TaskStatus::Unknown;  ///< Normalised; Unknown when none was sent.
  std::string status_text;                  ///< The status word as the service sent it.
  int progress = 0;  ///< 0..100, from 50, "50%" or 42.7; out-of-range values are clamped.
  /// Where the service says the video is: result_url, else metadata.url, else content.video_url.
  /// Often an upstream URL that expires; Client::download() always uses /v1/videos/{id}/content.
  std::optional<std::string> result_url;
  /// Why the task failed: fail_reason, else the message of the task's error object.
  std::optional<std::string> fail_reason;
  /// The error object inside the detail, when there is one. With a failed (or missing) status it
  /// is the failure; with a queued or running status the task is still polled and it is kept here.
  std::optional<ServiceError> error;
  /// The last frame's image, when the task was submitted with return_last_frame(true) and the
  /// service names it: last_frame_url (also last_frame_image_url, last_frame) at the top level,
  /// in `content`, or in the upstream body (`data.content`). Usually on another origin.
  std::optional<std::string> last_frame_url;
  std::optional<std::int64_t> created_at;  ///< Unix seconds.
  /// The service's id for the HTTP exchange (X-Oneapi-Request-Id or X-Request-Id), for support.
  std::string request_id;
  std::string raw_json;  ///< The response body, for fields the SDK does not model.

  /// True once the task reached Success or Failure.
  bool finished() const noexcept { return is_terminal(status); }
};

/// Parses a submit response body: the receipt bare or in a success wrapper
/// (`{"code": "success", "data": {...}}`). Throws ApiError when the body is nothing but an error
/// (any shape: `{"error": ...}`, `{"code", "message"}`, `{"message"}`) and ResponseError when it
/// names no task id.
Receipt parse_receipt(std::string_view body, int http_status = 200);

/// Parses a task-detail body, bare or in a success wrapper (the alias route's `{"code":
/// "success", "data": {...}}`, or `{"data": {...}}` as a callback endpoint receives it). A body
/// with task fields (id, task_id or status) and an error object is a task (see Task::error).
/// Throws ApiError when the body is nothing but an error and ResponseError when it is not a JSON
/// object.
Task parse_task(std::string_view body, int http_status = 200);

}  // namespace seedance
