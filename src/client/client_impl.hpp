// The shared state behind seedance::Client and the one retry loop every request goes through.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "client/poll_floor.hpp"
#include "http/retry.hpp"
#include "seedance/client.hpp"

namespace seedance {

struct Client::Impl {
  explicit Impl(ClientOptions options);

  std::string base_url;
  std::string api_key;
  std::string origin;         ///< The only origin the API key is ever sent to.
  std::string authorization;  ///< "Bearer <key>", built once.
  std::string route;          ///< "/v1/videos" or the alias "/v1/video/generations".
  std::chrono::milliseconds request_timeout;
  std::size_t max_response_bytes;  ///< Copied into every request (HttpRequest::max_response_bytes).
  RetryPolicy retry;
  HttpHeaders extra_headers;
  std::string user_agent;
  RequestLogger logger;
  std::shared_ptr<HttpTransport> transport;
  /// True when `transport` is the libcurl one made from transport_options (so the engine may
  /// drive its own libcurl multi handle with the same settings).
  bool default_transport = false;
  TransportOptions transport_options;
  std::shared_ptr<Clock> clock;
  mutable detail::RetryBudget budget;
  mutable detail::Jitter jitter;
  /// When each task was last polled: wait(), get() and the engine all keep 5 s from it.
  mutable detail::PollFloor poll_floor;
  /// The engine behind the *_async calls, started by the first one. Declared last: it is
  /// stopped (its thread joined) before anything it uses is destroyed.
  mutable std::mutex async_engine_mutex;
  mutable std::shared_ptr<detail::Engine> async_engine;

  std::string collection_url() const { return base_url + route; }
  /// Submits and status queries follow `route`; downloads always use the main route, the only
  /// one with /content.
  std::string task_url(std::string_view task_id) const;
  std::string content_url(std::string_view task_id) const;

  /// A request to `url` with the standard headers; Authorization only for the API's origin.
  HttpRequest make_request(std::string method, std::string url) const;

  /// One attempt, sent as is.
  HttpResponse send_once(const HttpRequest& request, int attempt) const;

  /// The retry loop of the synchronous calls: sends, and after a failure asks decide() and waits
  /// on the clock before the next attempt. Returns the last response, successful or not. Throws
  /// CancelledError when `between_attempts` (else the request's own token) is cancelled before
  /// an attempt or while waiting for one; only the request's token can end a transfer.
  HttpResponse send_with_retries(
      const HttpRequest& request, detail::Idempotency idempotency,
      const std::optional<CancellationToken>& between_attempts = std::nullopt) const;

  /// detail::decide_retry under this client's policy, budget and jitter: every retry of every
  /// request (the loops above and in the poller and downloads, and the engine) is decided here.
  detail::RetryDecision decide(const detail::FailedAttempt& failed) const;

  /// A success gives the retry budget a token back; logged as "done".
  void succeeded(const HttpRequest& request, const HttpResponse& response, int attempt,
                 std::chrono::milliseconds duration) const;

  void log(const HttpRequest& request, const HttpResponse& response, int attempt,
           std::chrono::milliseconds duration, std::string decision) const;
};

namespace detail {

using ClientImpl = Client::Impl;

/// Throws the seedance::Error that a failed exchange calls for: CancelledError, NetworkError,
/// or ApiError (from the body's error object or the HTTP status). `context` names the call.
[[noreturn]] void throw_for_response(const HttpResponse& response, std::string_view context);

/// What a submit's last response means: the receipt, or the error Client::submit throws
/// (SubmitOutcomeUnknownError whenever the request may have created a task).
Receipt receipt_from_submit_response(const HttpResponse& response);

/// A successful status answer as a Task (its id defaulting to `task_id`, the request id from the
/// headers); an answer that is nothing but an error throws ApiError with that request id.
Task task_from_response(const HttpResponse& response, std::string_view task_id);

/// The service's id for an exchange: the X-Oneapi-Request-Id or X-Request-Id header; empty if none.
std::string request_id_of(const HttpResponse& response);

}  // namespace detail
}  // namespace seedance
