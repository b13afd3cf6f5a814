#include "exit_codes.hpp"

#include <nlohmann/json.hpp>
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

// What to do about a certificate that was not trusted; empty for any other error.
std::string certificate_hint(const std::exception& error) {
  if (dynamic_cast<const CertificateError*>(&error) == nullptr) return {};
  return "nothing was sent; if the server's certificate comes from a private CA (a company proxy, "
         "a test server), pass --ca-bundle FILE (or ca_bundle in the config file) with that CA's "
         "PEM file";
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

// Where the refused key came from, so the user knows which one to fix; empty for any other error.
std::string key_source_hint(const std::exception& error, const std::string& key_source) {
  const auto* api_error = dynamic_cast<const ApiError*>(&error);
  if (api_error == nullptr || key_source.empty()) return {};
  if (api_error->http_status() != 401 && api_error->http_status() != 403) return {};
  return "the API key came from " + key_source;
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

// "request id: ..." when the service named the failed exchange, for support.
std::string request_id_line(const std::exception& error) {
  const auto* sdk_error = dynamic_cast<const Error*>(&error);
  if (sdk_error == nullptr || sdk_error->request_id().empty()) return {};
  return "request id: " + sdk_error->request_id();
}

int report_error(const std::exception& error, std::ostream& err, const std::string& api_key,
                 const std::string& key_source) {
  for (const auto& line : describe(error)) err << "seedance: " << redact(line, api_key) << '\n';
  const std::string request_id = request_id_line(error);
  if (!request_id.empty()) err << "seedance: " << redact(request_id, api_key) << '\n';
  for (const std::string& hint :
       {resume_hint(error), certificate_hint(error), key_source_hint(error, key_source)}) {
    if (!hint.empty()) err << "seedance: " << redact(hint, api_key) << '\n';
  }
  err.flush();
  return exit_code_for(error);
}

std::string error_kind(const std::exception& error) {
  if (dynamic_cast<const ValidationError*>(&error)) return "validation_error";
  if (dynamic_cast<const TaskFailedError*>(&error)) return "task_failed";
  if (dynamic_cast<const ApiError*>(&error)) return "api_error";
  if (dynamic_cast<const ResponseError*>(&error)) return "response_error";
  if (dynamic_cast<const SubmitOutcomeUnknownError*>(&error)) return "submit_outcome_unknown";
  if (dynamic_cast<const TimeoutError*>(&error)) return "timeout";
  if (dynamic_cast<const CancelledError*>(&error)) return "cancelled";
  if (dynamic_cast<const NetworkError*>(&error)) return "network_error";
  return "local_error";
}

int report_error_json(const std::exception& error, std::ostream& err, const std::string& api_key,
                      const std::string& key_source) {
  const int exit_code = exit_code_for(error);
  const std::string kind = error_kind(error);
  nlohmann::json object = {{"message", redact(error.what(), api_key)},
                           {"type", kind},
                           {"code", ""},
                           {"kind", kind},
                           {"exit_code", exit_code}};
  if (const auto* sdk_error = dynamic_cast<const Error*>(&error)) {
    if (!sdk_error->type().empty()) object["type"] = redact(sdk_error->type(), api_key);
    object["code"] = redact(sdk_error->code(), api_key);
    if (sdk_error->http_status() != 0) object["http_status"] = sdk_error->http_status();
    if (!sdk_error->task_id().empty()) object["task_id"] = sdk_error->task_id();
    if (!sdk_error->request_id().empty()) {
      object["request_id"] = redact(sdk_error->request_id(), api_key);
    }
  }
  if (const auto* validation = dynamic_cast<const ValidationError*>(&error)) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : validation->problems()) problems.push_back(redact(problem, api_key));
    object["problems"] = std::move(problems);
  }
  if (const auto* failure = dynamic_cast<const TaskFailedError*>(&error)) {
    if (failure->task().fail_reason) {
      object["fail_reason"] = redact(*failure->task().fail_reason, api_key);
    }
  }
  std::string hint = resume_hint(error);
  if (hint.empty()) hint = certificate_hint(error);
  if (hint.empty()) hint = key_source_hint(error, key_source);
  if (!hint.empty()) object["hint"] = redact(hint, api_key);
  // Replacement of invalid UTF-8 keeps a strange server message from making dump() throw.
  err << nlohmann::json{{"error", object}}.dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace)
      << '\n'
      << std::flush;
  return exit_code;
}

void report_usage_error_json(const std::string& message, std::ostream& err) {
  const nlohmann::json object = {{"error",
                                  {{"message", message},
                                   {"type", "usage_error"},
                                   {"code", ""},
                                   {"kind", "usage_error"},
                                   {"exit_code", static_cast<int>(kExitInvalidInput)}}}};
  err << object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n'
      << std::flush;
}

}  // namespace seedance::cli
