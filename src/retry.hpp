// Retry decisions shared by every request the client sends.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "seedance/retry.hpp"
#include "seedance/transport.hpp"

namespace seedance::detail {

/// Whether a request may be sent again after a failure that might have reached the server.
enum class Idempotency { Idempotent, NotIdempotent };

/// HTTP statuses worth another try: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status) noexcept;

/// Failures of the connection that another try may not hit.
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

}  // namespace seedance::detail
