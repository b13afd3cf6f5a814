// Retry decisions shared by every request the client sends.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "seedance/cancellation.hpp"
#include "seedance/clock.hpp"
#include "seedance/log.hpp"
#include "seedance/retry.hpp"
#include "seedance/transport.hpp"

namespace seedance::detail {

/// Whether a request may be sent again after a failure that might have reached the server.
enum class Idempotency { Idempotent, NotIdempotent };

/// HTTP statuses worth another try: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status) noexcept;

/// Failures of the connection that another try may not hit (not a refused certificate, not a body
/// over the limit).
bool is_transient(TransportError error) noexcept;

/// Whether `response` (its status or its transport error) deserves another attempt, given
/// whether the request may be resent after it reached the server.
bool should_retry(const HttpResponse& response, Idempotency idempotency) noexcept;

/// Parses a Retry-After value: delta-seconds or an HTTP date (relative to `now`). Negative or
/// past values give zero; garbage gives nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// The delay a response asks for: retry-after-ms, else Retry-After; capped at `cap`.
std::optional<std::chrono::milliseconds> requested_delay(const HttpResponse& response,
                                                         std::chrono::milliseconds cap);

/// Exponential back-off with full jitter: uniform in [0, min(max, initial * multiplier^(n-1))].
/// `retry_number` counts from 1; `unit_random` is uniform in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry_number,
                                        double unit_random) noexcept;

/// The token bucket behind RetryPolicy::budget_tokens; thread-safe.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryPolicy& policy);
  /// Takes the tokens for one retry; false (and nothing taken) when the bucket is short.
  bool try_spend(TransportError error);
  /// A success gives one token back, up to the capacity.
  void refund();

 private:
  std::mutex mutex_;
  int capacity_;
  int tokens_;
  int retry_cost_;
  int timeout_retry_cost_;
};

/// A thread-safe source of jitter.
class Jitter {
 public:
  Jitter();
  double unit();  ///< Uniform in [0, 1).

 private:
  std::mutex mutex_;
  std::minstd_rand engine_;
};

/// What a cancelled caller makes of a failed attempt.
enum class OnCancel {
  /// A retry that would follow ends as cancelled; a failure that is not retried is still the
  /// answer (for a submit it may mean that a task was created).
  EndRetry,
  /// Any failure ends as cancelled (a wait: its answer no longer matters).
  EndAlways,
  /// No retry, but the answer is final rather than cancelled: the caller still reads it (the
  /// engine's submit, whose answer may carry the id of a created task).
  GiveUp,
};

/// One failed attempt, as the retry decision sees it.
struct FailedAttempt {
  const HttpResponse& response;
  /// Number of this attempt (1 for the first); a retry is allowed while it is below max_attempts.
  int attempt = 1;
  Idempotency idempotency = Idempotency::Idempotent;
  bool cancelled = false;  ///< The caller's token was cancelled.
  OnCancel on_cancel = OnCancel::EndRetry;
  /// The shortest wait before the retry (a status query keeps the 5 s poll floor).
  std::chrono::milliseconds min_delay{0};
};

/// What to do after a failed attempt. `text` is the RequestEvent::decision: "retry in 500 ms
/// (HTTP 503)", "give up: HTTP 404", "cancelled".
struct RetryDecision {
  enum class Action { Retry, GiveUp, Cancelled };
  Action action = Action::GiveUp;
  std::chrono::milliseconds delay{0};  ///< Retry: how long to wait first.
  std::string text;
};

/// The one retry decision of the SDK, for the loops that sleep and for the engine that schedules:
/// should_retry, the attempt limit, cancellation, then the budget (a token is spent only for a
/// retry that follows), then the delay (back-off with jitter, lengthened by a Retry-After up to
/// policy.max_retry_after, and by `failed.min_delay`).
RetryDecision decide_retry(const RetryPolicy& policy, RetryBudget& budget, Jitter& jitter,
                           const FailedAttempt& failed);

/// "HTTP 503", or the transport error and its detail: why an attempt failed, for messages.
std::string describe_failure(const HttpResponse& response);

/// The RequestEvent of one attempt, whatever logger it goes to.
RequestEvent make_request_event(const HttpRequest& request, const HttpResponse& response,
                                int attempt, std::chrono::milliseconds duration,
                                std::string decision);

/// Waits `delay` on `clock` before a retry. False when `cancel` fired first.
bool wait_before_retry(Clock& clock, std::chrono::milliseconds delay,
                       const CancellationToken& cancel);

}  // namespace seedance::detail
