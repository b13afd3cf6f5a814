// The CLI's exit codes and how an exception maps onto one (and onto its message on stderr).
#pragma once

#include <cstddef>
#include <exception>
#include <ostream>
#include <string>

namespace seedance::cli {

/// The documented exit codes of `seedance` (see cli/README.md).
enum ExitCode : int {
  kExitSuccess = 0,
  kExitTaskFailed = 1,            ///< The task ended in FAILURE.
  kExitInvalidInput = 2,          ///< Invalid input; nothing was sent.
  kExitApiError = 3,              ///< An error object or HTTP error status from the service.
  kExitNetworkError = 4,          ///< Network error, timeout, cancellation, local I/O error.
  kExitSubmitOutcomeUnknown = 5,  ///< The submit may have created a task.
};

/// ValidationError 2; TaskFailedError 1; ApiError, ResponseError 3; NetworkError, TimeoutError,
/// CancelledError 4; SubmitOutcomeUnknownError 5. Anything else (a local I/O failure, an unexpected
/// exception) is 4: like a network failure it is worth retrying or resuming once fixed.
int exit_code_for(const std::exception& error) noexcept;

/// Secrets shorter than this are not redacted (see redact()).
inline constexpr std::size_t kMinRedactedLength = 6;

/// `text` with every occurrence of `secret` replaced by "***" (defence in depth: the SDK never puts
/// the API key in a message, and the CLI makes sure it cannot reach the terminal either). Secrets
/// shorter than kMinRedactedLength are left alone: no real key is that short, and redacting one
/// would garble ordinary words.
std::string redact(std::string text, const std::string& secret);

/// Writes the error to `err` as "seedance: error: ..." lines - one per problem of a
/// ValidationError - followed by a hint on what to do next when there is one (for instance how to
/// resume waiting on a task that was already submitted, or, for a refused key (HTTP 401 or 403),
/// `key_source`: where the key came from). Returns exit_code_for(error).
int report_error(const std::exception& error, std::ostream& err, const std::string& api_key,
                 const std::string& key_source = {});

/// The kind of failure as a word: "validation_error", "task_failed", "api_error",
/// "response_error", "submit_outcome_unknown", "timeout", "cancelled", "network_error", or
/// "local_error" for anything else.
std::string error_kind(const std::exception& error);

/// report_error() for --json: one line on `err`,
/// {"error":{"message","type","code","kind","exit_code","http_status","task_id","problems","hint"}}
/// (type and code: the API error object's, else the kind and ""; optional members only when
/// known). Returns exit_code_for(error).
int report_error_json(const std::exception& error, std::ostream& err, const std::string& api_key,
                      const std::string& key_source = {});

/// A command-line syntax error as that JSON object (kind and type "usage_error", exit code 2).
void report_usage_error_json(const std::string& message, std::ostream& err);

}  // namespace seedance::cli
