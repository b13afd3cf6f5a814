// The exceptions the SDK throws: one hierarchy rooted in seedance::Error.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "seedance/task.hpp"

namespace seedance {

/// Base of every exception the SDK throws. Messages never contain the API key.
class Error : public std::runtime_error {
 public:
  /// `message` is what what() returns; the other fields come from the API's error object.
  explicit Error(const std::string& message, int http_status = 0, std::string type = {},
                 std::string code = {});

  /// HTTP status of the response that caused the error; 0 when there was no response.
  int http_status() const noexcept { return http_status_; }
  /// The API error object's `type`, empty when the error did not come from one.
  const std::string& type() const noexcept { return type_; }
  /// The API error object's `code`, empty when the error did not come from one.
  const std::string& code() const noexcept { return code_; }
  /// The task the failed operation concerned, when there is one: after a failure past the
  /// submit (Client::generate), the id to wait on or download later. Empty otherwise.
  const std::string& task_id() const noexcept { return task_id_; }
  /// Records the task the error concerns (done by the SDK).
  void set_task_id(std::string task_id) { task_id_ = std::move(task_id); }
  /// The service's id for the failed exchange (the X-Oneapi-Request-Id or X-Request-Id header,
  /// or "request id: ..." in its message); quote it to support, above all for
  /// SubmitOutcomeUnknownError. Empty when the service named none.
  const std::string& request_id() const noexcept { return request_id_; }
  /// Records the service's request id (done by the SDK).
  void set_request_id(std::string request_id) { request_id_ = std::move(request_id); }

 private:
  int http_status_;
  std::string type_;
  std::string code_;
  std::string task_id_;
  std::string request_id_;
};

/// The request is invalid; nothing was sent. problems() lists every problem, each naming the field
/// and the rule it breaks.
class ValidationError : public Error {
 public:
  /// The message lists every problem.
  explicit ValidationError(std::vector<std::string> problems);
  /// Every problem, e.g. "duration: must be 4..15 seconds or -1 (automatic), got 60".
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// The service refused the call: a body that is nothing but an error (`{"error": ...}`,
/// `{"code", "message"}` or `{"message"}`, even with HTTP 200, as the API reports business
/// failures) or an HTTP error status. what() is the service's human message, never raw JSON.
class ApiError : public Error {
 public:
  using Error::Error;
};

/// The service answered, but not in the documented shape (a proxy's HTML page, a wrong-typed
/// field). The message names the field or the HTTP status and quotes a short excerpt of the body.
class ResponseError : public Error {
 public:
  using Error::Error;
};

/// No usable answer: name resolution, connection, TLS, a dropped connection or a request timeout.
class NetworkError : public Error {
 public:
  using Error::Error;
};

/// The server's TLS certificate was not trusted (or the CA bundle could not be used), so nothing
/// was sent. Not retried: another try fails the same way. A server with a certificate from a
/// private CA needs its CA in TransportOptions::ca_bundle.
class CertificateError : public NetworkError {
 public:
  using NetworkError::NetworkError;
};

/// An overall deadline passed (WaitOptions::timeout). last_task() is the last status seen, if any.
class TimeoutError : public Error {
 public:
  /// `task_id` becomes Error::task_id().
  TimeoutError(const std::string& message, std::string task_id, std::optional<Task> last_task);
  /// The last status seen before the deadline, if any poll succeeded.
  const std::optional<Task>& last_task() const noexcept { return last_task_; }

 private:
  std::optional<Task> last_task_;
};

/// A submit failed after the request may have reached the service, so a task may exist (and be
/// billed). The SDK never resends it; check the account before submitting again.
class SubmitOutcomeUnknownError : public Error {
 public:
  using Error::Error;
};

/// The task ended in FAILURE (or failed, cancelled, expired...). task() carries the detail,
/// fail_reason included; code() and type() are those of the task's error object, if any.
class TaskFailedError : public Error {
 public:
  /// The message quotes the task's fail_reason.
  explicit TaskFailedError(Task task);
  /// The failed task, fail_reason included.
  const Task& task() const noexcept { return task_; }

 private:
  Task task_;
};

/// The operation was stopped through its CancellationToken.
class CancelledError : public Error {
 public:
  using Error::Error;
};

}  // namespace seedance
