#include "exit_codes.hpp"

#include <string>
#include <vector>

#include "progress.hpp"
#include "seedance/error.hpp"

namespace seedance::cli {
namespace {

// The lines describing `error`, without the "seedance: " prefix.
std::vector<std::string> describe(const std::exception& error) {
  if (const auto* validation = dynamic_cast<const ValidationError*>(&error)) {
    std::vector<std::string> lines;
    for (const auto& problem : validation->problems()) lines.push_back("error: " + problem);
    if (lines.empty()) lines.push_back(std::string("error: ") + error.what());
    return lines;
  }
  if (dynamic_cast<const CancelledError*>(&error)) return {"cancelled"};
  if (const auto* timeout = dynamic_cast<const TimeoutError*>(&error)) {
    std::string line = std::string("error: ") + error.what();
    if (timeout->last_task()) {
      // Replaces the SDK's own "(last status WORD)", if any, by one with the progress too.
      line = line.substr(0, line.find(" (last status"));
      line += " (last status: " + format_status(*timeout->last_task()) + ")";
    }
    return {line};
  }
  if (dynamic_cast<const SubmitOutcomeUnknownError*>(&error)) {
    return {std::string("error: ") + error.what(),
            "the request may have created a task (and it may be billed); check your tasks before "
            "submitting again"};
  }
  return {std::string("error: ") + error.what()};
}

// What to do about a task that was already submitted when `error` happened.
std::string resume_hint(const std::exception& error) {
  const auto* sdk_error = dynamic_cast<const Error*>(&error);
  if (sdk_error == nullptr || sdk_error->task_id().empty()) return {};
  // A failed task cannot be resumed; a validation error is about the arguments, not the task.
  if (dynamic_cast<const TaskFailedError*>(&error) ||
      dynamic_cast<const ValidationError*>(&error)) {
    return {};
  }
  const std::string& id = sdk_error->task_id();
  return "task " + id + " was submitted; continue with `seedance wait " + id +
         "` and `seedance download " + id + " -o FILE`";
}

}  // namespace

int exit_code_for(const std::exception& error) noexcept {
  if (dynamic_cast<const ValidationError*>(&error)) return kExitInvalidInput;
  if (dynamic_cast<const TaskFailedError*>(&error)) return kExitTaskFailed;
  if (dynamic_cast<const ApiError*>(&error)) return kExitApiError;
  if (dynamic_cast<const ResponseError*>(&error)) return kExitApiError;
  if (dynamic_cast<const SubmitOutcomeUnknownError*>(&error)) return kExitSubmitOutcomeUnknown;
  // NetworkError, TimeoutError, CancelledError and everything else.
  return kExitNetworkError;
}

std::string redact(std::string text, const std::string& secret) {
  // A very short "key" (a test's "k") would match inside ordinary words and garble the message.
  if (secret.size() < kMinRedactedLength) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

int report_error(const std::exception& error, std::ostream& err, const std::string& api_key) {
  for (const auto& line : describe(error)) err << "seedance: " << redact(line, api_key) << '\n';
  const std::string hint = resume_hint(error);
  if (!hint.empty()) err << "seedance: " << redact(hint, api_key) << '\n';
  err.flush();
  return exit_code_for(error);
}

}  // namespace seedance::cli
