#include "seedance/task.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "model/json_codec.hpp"
#include "seedance/error.hpp"
#include "text.hpp"

namespace seedance {
namespace {

using detail::trim;
using nlohmann::json;

// "50", "50%", " 50 % ", "33.5%", "-1", "101%" -> the whole percent clamped to 0..100;
// std::nullopt when it is not such a number ("N/A").
std::optional<int> parse_percent_text(std::string_view text) noexcept {
  text = trim(text);
  if (!text.empty() && text.back() == '%') text = trim(text.substr(0, text.size() - 1));
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() || (point != std::string_view::npos && fraction.empty())) return std::nullopt;
  int value = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + (c - '0'), 1000);  // clamped below; never overflows
  }
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return negative ? 0 : std::min(value, 100);
}

// Reads the members of one response object leniently: a member that is absent, null or of an
// unexpected type counts as absent (the body stays in raw_json), so an odd optional field never
// fails a status query.
class ResponseReader {
 public:
  explicit ResponseReader(const json& object) : object_(object) {}

  const json* member(const char* key) const { return member_of(object_, key); }

  static const json* member_of(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return nullptr;
    return &*found;
  }

  std::optional<std::string> optional_string(const char* key) const {
    return string_of(member(key));
  }

  static std::optional<std::string> string_of(const json* value) {
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
  }

  // Integers, whole doubles (1700000000.0 from a gateway that stores numbers as doubles) and
  // strings of digits; anything else is absent.
  std::optional<std::int64_t> optional_integer(const char* key) const {
    const json* value = member(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_unsigned()) {
      const auto number = value->get<std::uint64_t>();
      if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(number);
      }
    } else if (value->is_number_integer()) {
      return value->get<std::int64_t>();
    } else if (value->is_number_float()) {
      const double number = value->get<double>();
      if (std::trunc(number) == number && number >= -9.2e18 && number <= 9.2e18) {
        return static_cast<std::int64_t>(number);
      }
    } else if (value->is_string()) {
      const std::string_view text = trim(value->get_ref<const std::string&>());
      std::int64_t number = 0;
      if (text.empty() || text.size() > 18) return std::nullopt;
      for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
      }
      return number;
    }
    return std::nullopt;
  }

  // The receipt says 0, the detail "50%"; both are accepted everywhere, and anything else that is
  // a number (42.7, -1, "101%") is clamped to 0..100. Not a number ("N/A"): absent.
  std::optional<int> optional_progress(const char* key) const {
    const json* value = member(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_string()) return parse_percent_text(value->get_ref<const std::string&>());
    if (value->is_number_unsigned()) {
      return static_cast<int>(std::min<std::uint64_t>(value->get<std::uint64_t>(), 100));
    }
    if (value->is_number_integer()) {
      return static_cast<int>(std::clamp<std::int64_t>(value->get<std::int64_t>(), 0, 100));
    }
    if (value->is_number_float()) {
      const double number = value->get<double>();
      if (std::isnan(number)) return std::nullopt;
      return static_cast<int>(std::clamp(number, 0.0, 100.0));
    }
    return std::nullopt;
  }

  // task_id is preferred; id (the OpenAI-compatible copy) is the fallback.
  std::string task_id() const {
    if (auto id = optional_string("task_id"); id && !id->empty()) return *id;
    return optional_string("id").value_or(std::string());
  }

  void read_status(TaskStatus& status, std::string& status_text) const {
    if (auto text = optional_string("status")) {
      status_text = std::move(*text);
      status = parse_task_status(status_text);
    }
  }

  // A non-empty string, or an object's "url" string ({"url": "..."}).
  static std::optional<std::string> url_of(const json* value) {
    if (value != nullptr && value->is_object()) value = member_of(*value, "url");
    auto url = string_of(value);
    if (url && url->empty()) url.reset();
    return url;
  }

 private:
  const json& object_;
};

[[noreturn]] void fail(std::string_view body, int http_status, const char* what,
                       std::string_view problem) {
  std::string message = std::string("malformed ") + what + " (HTTP " + std::to_string(http_status) +
                        "): " + std::string(problem);
  if (!body.empty()) message += "; body: " + detail::body_excerpt(body);
  throw ResponseError(message, http_status);
}

// Parses `body` as a JSON object, throwing ApiError when it is nothing but an error and
// ResponseError when it is not a JSON object.
json parse_response_object(std::string_view body, int http_status, const char* what) {
  if (trim(body).empty()) fail({}, http_status, what, "the body is empty");
  if (const auto problem = detail::json_limit_problem(body)) {
    fail(body, http_status, what, "the body " + *problem);
  }
  json document =
      json::parse(body.data(), body.data() + body.size(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) fail(body, http_status, what, "the body is not JSON");
  if (!document.is_object()) fail(body, http_status, what, "the body is not a JSON object");
  if (auto error = detail::api_error_from_json(document, http_status)) throw std::move(*error);
  return document;
}

// The first of `keys` that holds a URL (a string or {"url": ...}) in `object`.
std::optional<std::string> first_url(const json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (auto url = ResponseReader::url_of(ResponseReader::member_of(object, key))) return url;
  }
  return std::nullopt;
}

// Where services put a URL of the result: at the top level, in `content` (the upstream's shape),
// or in the upstream body the alias route passes on (`data.content`).
std::optional<std::string> find_result_url(const json& task,
                                           std::initializer_list<const char*> keys) {
  if (auto url = first_url(task, keys)) return url;
  const json* content = ResponseReader::member_of(task, "content");
  if (content != nullptr) {
    if (auto url = first_url(*content, keys)) return url;
  }
  const json* upstream = ResponseReader::member_of(task, "data");
  const json* upstream_content =
      upstream != nullptr ? ResponseReader::member_of(*upstream, "content") : nullptr;
  if (upstream_content != nullptr) return first_url(*upstream_content, keys);
  return std::nullopt;
}

std::optional<std::string> read_video_url(const json& task) {
  if (auto url = first_url(task, {"result_url"})) return url;
  const json* metadata = ResponseReader::member_of(task, "metadata");
  if (metadata != nullptr) {
    if (auto url = first_url(*metadata, {"url"})) return url;
  }
  return find_result_url(task, {"video_url"});
}

// fail_reason as a string, or the message of an object in its place. The alias route always
// sends the member, "" when there is no reason: that counts as absent.
std::optional<std::string> read_fail_reason(const ResponseReader& reader) {
  const json* value = reader.member("fail_reason");
  if (value != nullptr && value->is_object()) value = ResponseReader::member_of(*value, "message");
  auto reason = ResponseReader::string_of(value);
  if (reason && reason->empty()) reason.reset();
  return reason;
}

// The error object inside a task: with a failed or missing status it is the failure itself.
void apply_task_error(const json& task_object, Task& task) {
  task.error = detail::service_error_of(task_object);
  if (!task.error) return;
  if (task.status_text.empty()) task.status = TaskStatus::Failure;
  if (task.status == TaskStatus::Failure && !task.fail_reason && !task.error->message.empty()) {
    task.fail_reason = task.error->message;
  }
}

}  // namespace

std::string_view to_string(TaskStatus status) noexcept {
  switch (status) {
    case TaskStatus::Queued:
      return "QUEUED";
    case TaskStatus::InProgress:
      return "IN_PROGRESS";
    case TaskStatus::Success:
      return "SUCCESS";
    case TaskStatus::Failure:
      return "FAILURE";
    case TaskStatus::Unknown:
      break;
  }
  return "UNKNOWN";
}

namespace {

// Every status word a service in front of the models is known to use, lower-case with '_'.
struct StatusWord {
  std::string_view word;
  TaskStatus status;
};
constexpr StatusWord kStatusWords[] = {
    {"submitted", TaskStatus::Queued},      {"queued", TaskStatus::Queued},
    {"not_start", TaskStatus::Queued},      {"not_started", TaskStatus::Queued},
    {"pending", TaskStatus::Queued},        {"waiting", TaskStatus::Queued},
    {"created", TaskStatus::Queued},        {"in_progress", TaskStatus::InProgress},
    {"running", TaskStatus::InProgress},    {"processing", TaskStatus::InProgress},
    {"generating", TaskStatus::InProgress}, {"started", TaskStatus::InProgress},
    {"success", TaskStatus::Success},       {"succeeded", TaskStatus::Success},
    {"succeed", TaskStatus::Success},       {"completed", TaskStatus::Success},
    {"complete", TaskStatus::Success},      {"done", TaskStatus::Success},
    {"finished", TaskStatus::Success},      {"failure", TaskStatus::Failure},
    {"failed", TaskStatus::Failure},        {"fail", TaskStatus::Failure},
    {"error", TaskStatus::Failure},         {"cancelled", TaskStatus::Failure},
    {"canceled", TaskStatus::Failure},      {"expired", TaskStatus::Failure},
    {"timeout", TaskStatus::Failure},       {"timed_out", TaskStatus::Failure},
};

}  // namespace

TaskStatus parse_task_status(std::string_view text) noexcept {
  text = trim(text);
  char folded[16];
  if (text.empty() || text.size() > sizeof folded) return TaskStatus::Unknown;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = detail::to_lower_ascii(text[i]);
    if (c == '-' || c == ' ') c = '_';
    folded[i] = c;
  }
  const std::string_view word(folded, text.size());
  for (const auto& known : kStatusWords) {
    if (known.word == word) return known.status;
  }
  return TaskStatus::Unknown;
}

bool is_terminal(TaskStatus status) noexcept {
  return status == TaskStatus::Success || status == TaskStatus::Failure;
}

Receipt parse_receipt(std::string_view body, int http_status) {
  static constexpr const char* kWhat = "submit response";
  const json document = parse_response_object(body, http_status, kWhat);
  const ResponseReader reader(detail::unwrap_task(document));
  Receipt receipt;
  receipt.task_id = reader.task_id();
  if (receipt.task_id.empty()) fail(body, http_status, kWhat, "no task id (task_id or id)");
  receipt.object = reader.optional_string("object").value_or(std::string());
  receipt.model = reader.optional_string("model").value_or(std::string());
  reader.read_status(receipt.status, receipt.status_text);
  receipt.progress = reader.optional_progress("progress").value_or(0);
  receipt.created_at = reader.optional_integer("created_at");
  receipt.raw_json.assign(body.data(), body.size());
  return receipt;
}

Task parse_task(std::string_view body, int http_status) {
  const json document = parse_response_object(body, http_status, "task response");
  const json& object = detail::unwrap_task(document);
  const ResponseReader reader(object);
  Task task;
  task.task_id = reader.task_id();
  task.model = reader.optional_string("model").value_or(std::string());
  reader.read_status(task.status, task.status_text);
  task.progress = reader.optional_progress("progress").value_or(0);
  // Only a finished task has a video: the gateway fills the field with "" before, and with the
  // failure reason after a failure.
  if (task.status == TaskStatus::Success) task.result_url = read_video_url(object);
  task.fail_reason = read_fail_reason(reader);
  apply_task_error(object, task);
  task.last_frame_url =
      find_result_url(object, {"last_frame_url", "last_frame_image_url", "last_frame"});
  task.created_at = reader.optional_integer("created_at");
  task.raw_json.assign(body.data(), body.size());
  return task;
}

}  // namespace seedance
