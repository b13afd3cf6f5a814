#include "seedance/task.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "json_codec.hpp"
#include "seedance/error.hpp"

namespace seedance {
namespace {

using nlohmann::json;

bool equals_ignoring_case(std::string_view text, std::string_view upper_word) noexcept {
  if (text.size() != upper_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_word[i]) return false;
  }
  return true;
}

std::string_view trim_ascii_space(std::string_view text) noexcept {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// "50", "50%", " 50 % ", "33.5%" -> the whole percent; std::nullopt when it is not such a number.
std::optional<int> parse_percent_text(std::string_view text) noexcept {
  text = trim_ascii_space(text);
  if (!text.empty() && text.back() == '%') text = trim_ascii_space(text.substr(0, text.size() - 1));
  const std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  if (point != std::string_view::npos) {
    const std::string_view fraction = text.substr(point + 1);
    if (fraction.empty()) return std::nullopt;
    for (const char c : fraction) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  if (whole.empty() || whole.size() > 3) return std::nullopt;
  int value = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Reads the members of one response object. A member that is absent or null counts as absent; a
// member of the wrong type throws ResponseError naming it and quoting the body.
class ResponseReader {
 public:
  ResponseReader(const json& object, std::string_view body, int http_status, const char* what)
      : object_(object), body_(body), http_status_(http_status), what_(what) {}

  const json* member(const char* key) const {
    const auto found = object_.find(key);
    if (found == object_.end() || found->is_null()) return nullptr;
    return &*found;
  }

  bool read_string(const char* key, std::string& out) const {
    const json* value = member(key);
    if (value == nullptr) return false;
    if (!value->is_string()) fail(key, "must be a string", *value);
    out = value->get_ref<const std::string&>();
    return true;
  }

  std::optional<std::string> optional_string(const char* key) const {
    std::optional<std::string> out;
    const json* value = member(key);
    if (value == nullptr) return out;
    if (!value->is_string()) fail(key, "must be a string", *value);
    out.emplace(value->get_ref<const std::string&>());
    return out;
  }

  std::optional<std::int64_t> optional_integer(const char* key) const {
    const json* value = member(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_integer() && !value->is_number_unsigned()) {
      return value->get<std::int64_t>();
    }
    if (value->is_number_unsigned()) {
      const auto unsigned_value = value->get<std::uint64_t>();
      if (unsigned_value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(unsigned_value);
      }
    } else if (value->is_number_float()) {
      // Tolerated when whole, e.g. 1700000000.0 from a gateway that stores numbers as doubles.
      const double number = value->get<double>();
      if (std::trunc(number) == number && number >= -9.2e18 && number <= 9.2e18) {
        return static_cast<std::int64_t>(number);
      }
    }
    fail(key, "must be an integer", *value);
  }

  // The API sends progress as an integer in the receipt and as "50%" in the task detail; both are
  // accepted everywhere. An empty string counts as absent.
  std::optional<int> optional_progress(const char* key) const {
    const json* value = member(key);
    if (value == nullptr) return std::nullopt;
    std::optional<int> percent;
    if (value->is_string()) {
      const auto& text = value->get_ref<const std::string&>();
      if (trim_ascii_space(text).empty()) return std::nullopt;
      percent = parse_percent_text(text);
    } else if (value->is_number_integer() && !value->is_number_unsigned()) {
      const auto number = value->get<std::int64_t>();
      if (number >= 0 && number <= 100) percent = static_cast<int>(number);
    } else if (value->is_number_unsigned()) {
      const auto number = value->get<std::uint64_t>();
      if (number <= 100) percent = static_cast<int>(number);
    } else if (value->is_number_float()) {
      const double number = value->get<double>();
      if (number >= 0.0 && number <= 100.0) percent = static_cast<int>(number);
    }
    if (!percent || *percent > 100) {
      fail(key, "must be an integer 0..100 or a percentage string such as \"50%\"", *value);
    }
    return percent;
  }

  // task_id is preferred; id (the OpenAI-compatible copy) is the fallback.
  std::string task_id() const {
    std::string id;
    if (read_string("task_id", id) && !id.empty()) return id;
    read_string("id", id);
    return id;
  }

  void read_status(TaskStatus& status, std::string& status_text) const {
    if (read_string("status", status_text)) status = parse_task_status(status_text);
  }

  [[noreturn]] void fail(const char* key, std::string_view rule, const json& value) const {
    std::string message = malformed_prefix();
    message += "field \"";
    message += key;
    message += "\" ";
    message += rule;
    message += ", got ";
    message += describe(value);
    append_body(message);
    throw ResponseError(message, http_status_);
  }

  [[noreturn]] void fail(std::string_view problem) const {
    std::string message = malformed_prefix();
    message += problem;
    append_body(message);
    throw ResponseError(message, http_status_);
  }

 private:
  static std::string describe(const json& value) {
    if (value.is_object()) return "an object";
    if (value.is_array()) return "an array";
    return detail::body_excerpt(value.dump(), 40);
  }

  std::string malformed_prefix() const {
    return std::string("malformed ") + what_ + " (HTTP " + std::to_string(http_status_) + "): ";
  }

  void append_body(std::string& message) const {
    message += "; body: ";
    message += detail::body_excerpt(body_);
  }

  const json& object_;
  std::string_view body_;
  int http_status_;
  const char* what_;
};

// Parses `body` as a JSON object, throwing ApiError for an `error` object and ResponseError for
// anything that is not a JSON object.
json parse_response_object(std::string_view body, int http_status, const char* what) {
  const auto fail = [&](const char* problem) {
    std::string message = std::string("malformed ") + what + " (HTTP " +
                          std::to_string(http_status) + "): " + problem;
    if (!body.empty()) message += ": " + detail::body_excerpt(body);
    throw ResponseError(message, http_status);
  };
  if (trim_ascii_space(body).empty()) fail("the body is empty");
  json document =
      json::parse(body.data(), body.data() + body.size(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) fail("the body is not JSON");
  if (!document.is_object()) fail("the body is not a JSON object");
  if (auto error = detail::api_error_from_json(document, http_status)) throw std::move(*error);
  return document;
}

// A callback endpoint may receive the task detail wrapped as {"data": {...}}; a bare detail has
// its fields at the top level.
const json& task_object(const json& document) {
  const auto data = document.find("data");
  if (data == document.end() || !data->is_object()) return document;
  if (document.contains("task_id") || document.contains("id") || document.contains("status")) {
    return document;
  }
  return *data;
}

// The reference does not name the field of the last frame: the mock's last_frame_url first,
// then spellings gateways use, a bare string or an object with a url.
std::optional<std::string> read_last_frame_url(const ResponseReader& reader) {
  for (const char* key : {"last_frame_url", "last_frame_image_url"}) {
    if (auto url = reader.optional_string(key)) return url;
  }
  const json* value = reader.member("last_frame");
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  if (value->is_object()) {
    const auto url = value->find("url");
    if (url != value->end() && url->is_string()) return url->get<std::string>();
  }
  return std::nullopt;
}

[[noreturn]] void rethrow_as_response_error(const std::exception& error, std::string_view body,
                                            int http_status, const char* what) {
  throw ResponseError(std::string("malformed ") + what + " (HTTP " + std::to_string(http_status) +
                          "): " + error.what() + "; body: " + detail::body_excerpt(body),
                      http_status);
}

}  // namespace

std::string_view to_string(TaskStatus status) noexcept {
  switch (status) {
    case TaskStatus::Submitted:
      return "SUBMITTED";
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

// Case is ignored: the words come from the service, and a gateway writing "success" means SUCCESS.
TaskStatus parse_task_status(std::string_view text) noexcept {
  if (equals_ignoring_case(text, "SUBMITTED")) return TaskStatus::Submitted;
  if (equals_ignoring_case(text, "QUEUED")) return TaskStatus::Queued;
  if (equals_ignoring_case(text, "IN_PROGRESS")) return TaskStatus::InProgress;
  if (equals_ignoring_case(text, "SUCCESS")) return TaskStatus::Success;
  if (equals_ignoring_case(text, "FAILURE")) return TaskStatus::Failure;
  return TaskStatus::Unknown;
}

bool is_terminal(TaskStatus status) noexcept {
  return status == TaskStatus::Success || status == TaskStatus::Failure;
}

Receipt parse_receipt(std::string_view body, int http_status) {
  static constexpr const char* kWhat = "submit response";
  try {
    const json document = parse_response_object(body, http_status, kWhat);
    const ResponseReader reader(document, body, http_status, kWhat);
    Receipt receipt;
    receipt.task_id = reader.task_id();
    if (receipt.task_id.empty()) reader.fail("no task id (task_id or id)");
    reader.read_string("object", receipt.object);
    reader.read_string("model", receipt.model);
    reader.read_status(receipt.status, receipt.status_text);
    receipt.progress = reader.optional_progress("progress").value_or(0);
    receipt.created_at = reader.optional_integer("created_at");
    receipt.raw_json.assign(body.data(), body.size());
    return receipt;
  } catch (const nlohmann::json::exception& error) {
    // Not expected (every access is type-checked first), but nlohmann must never leak out.
    rethrow_as_response_error(error, body, http_status, kWhat);
  }
}

Task parse_task(std::string_view body, int http_status) {
  static constexpr const char* kWhat = "task response";
  try {
    const json document = parse_response_object(body, http_status, kWhat);
    const ResponseReader reader(task_object(document), body, http_status, kWhat);
    Task task;
    task.task_id = reader.task_id();
    reader.read_string("model", task.model);
    reader.read_status(task.status, task.status_text);
    task.progress = reader.optional_progress("progress").value_or(0);
    task.result_url = reader.optional_string("result_url");
    task.fail_reason = reader.optional_string("fail_reason");
    task.last_frame_url = read_last_frame_url(reader);
    task.created_at = reader.optional_integer("created_at");
    task.raw_json.assign(body.data(), body.size());
    return task;
  } catch (const nlohmann::json::exception& error) {
    rethrow_as_response_error(error, body, http_status, kWhat);
  }
}

}  // namespace seedance
