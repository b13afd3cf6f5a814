#include "seedance/error.hpp"

#include <utility>

namespace seedance {
namespace {

std::string join_problems(const std::vector<std::string>& problems) {
  std::string message = "invalid request: ";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) message += "; ";
    message += problems[i];
  }
  return message;
}

std::string failure_message(const Task& task) {
  std::string message = "task " + task.task_id + " failed";
  if (task.fail_reason && !task.fail_reason->empty()) {
    message += ": " + *task.fail_reason;
  } else {
    message += " (status " + (task.status_text.empty() ? std::string("absent") : task.status_text) +
               ", no reason given)";
  }
  return message;
}

std::string error_field(const Task& task, std::string ServiceError::*field) {
  return task.error ? (*task.error).*field : std::string();
}

}  // namespace

Error::Error(const std::string& message, int http_status, std::string type, std::string code)
    : std::runtime_error(message),
      http_status_(http_status),
      type_(std::move(type)),
      code_(std::move(code)) {}

ValidationError::ValidationError(std::vector<std::string> problems)
    : Error(join_problems(problems)), problems_(std::move(problems)) {}

TimeoutError::TimeoutError(const std::string& message, std::string task_id,
                           std::optional<Task> last_task)
    : Error(message), last_task_(std::move(last_task)) {
  set_task_id(std::move(task_id));
}

TaskFailedError::TaskFailedError(Task task)
    : Error(failure_message(task), 0, error_field(task, &ServiceError::type),
            error_field(task, &ServiceError::code)),
      task_(std::move(task)) {
  set_task_id(task_.task_id);
  set_request_id(task_.request_id);
}

}  // namespace seedance
