// What the service returns: the submission receipt and the task detail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seedance {

/// Lifecycle state of a task. Statuses the SDK does not know (a gateway may add "EXPIRED" or
/// "CANCELLED") are Unknown, with the raw word kept in `status_text`; they count as not finished,
/// so waiting on them ends only by the wait's timeout or cancellation.
enum class TaskStatus { Submitted, Queued, InProgress, Success, Failure, Unknown };

/// The API's word for a status ("SUBMITTED", ...); "UNKNOWN" for TaskStatus::Unknown.
std::string_view to_string(TaskStatus status) noexcept;

/// Maps the API's word to a TaskStatus; anything unrecognised is TaskStatus::Unknown.
TaskStatus parse_task_status(std::string_view text) noexcept;

/// True for Success and Failure, the two states a task never leaves.
bool is_terminal(TaskStatus status) noexcept;

/// The answer to a submit: the task was created and will be processed asynchronously.
struct Receipt {
  std::string task_id;  ///< "task_..."; the id to poll and download, and the resume token.
  std::string object;   ///< Always "video".
  std::string model;    ///< The model id the task runs on.
  TaskStatus status = TaskStatus::Submitted;  ///< Usually Submitted.
  std::string status_text;                    ///< The status word as the service sent it.
  int progress = 0;                           ///< 0..100.
  std::optional<std::int64_t> created_at;     ///< Unix seconds.
  std::string raw_json;  ///< The response body, for fields the SDK does not model.
};

/// The task detail returned by a status query.
struct Task {
  std::string task_id;                        ///< "task_..."
  std::string model;                          ///< The model id the task runs on.
  TaskStatus status = TaskStatus::Submitted;  ///< Where the task is in its lifecycle.
  std::string status_text;                    ///< The status word as the service sent it.
  int progress = 0;                           ///< 0..100, parsed from either 50 or "50%".
  std::optional<std::string> result_url;      ///< Present when status is Success.
  std::optional<std::string> fail_reason;     ///< Present when status is Failure.
  /// The last frame's image, when the task was submitted with return_last_frame(true) and the
  /// detail names it. The reference does not name the field: last_frame_url is read, then
  /// last_frame_image_url, last_frame (a string or {"url": ...}); raw_json has the rest.
  std::optional<std::string> last_frame_url;
  std::optional<std::int64_t> created_at;  ///< Unix seconds.
  std::string raw_json;  ///< The response body, for fields the SDK does not model.

  /// True once the task reached Success or Failure.
  bool finished() const noexcept { return is_terminal(status); }
};

/// Parses a submit response body. Throws ApiError when the body carries an `error` object and
/// ResponseError when it is not the documented shape (the message names the field).
Receipt parse_receipt(std::string_view body, int http_status = 200);

/// Parses a task-detail body; throws like parse_receipt(). Also accepts the body that a
/// `metadata.callback_url` endpoint receives: the task detail, bare or wrapped in {"data": ...}.
Task parse_task(std::string_view body, int http_status = 200);

}  // namespace seedance
