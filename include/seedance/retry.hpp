// When and how often the SDK sends a failed request again.
#pragma once

#include <chrono>

namespace seedance {

/// Retries of status queries and downloads: on connection failures, timeouts and HTTP
/// 408/429/500/502/503/504, with exponential back-off and full jitter, honouring Retry-After
/// or retry-after-ms (capped by max_retry_after). A submit is resent only when it cannot have
/// reached the service (name resolution, connection refused, TLS handshake) or on HTTP 429.
struct RetryPolicy {
  int max_attempts = 4;  ///< Including the first; 1 turns retries off.
  /// Upper bound of the first back-off (full jitter: a random wait in 0..bound).
  std::chrono::milliseconds initial_backoff{500};
  /// The bound never grows beyond this.
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  /// The bound is multiplied by this after each attempt.
  double backoff_multiplier = 2.0;
  /// Longest Retry-After honoured; a longer one is cut to this.
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(120)};

  /// Shared retry budget of a Client (a token bucket, as in AWS's standard retry mode): each retry
  /// spends retry_cost tokens (timeout_retry_cost after a timeout), each success returns one, and
  /// no retry is made while the bucket is short. During an outage this keeps hundreds of tasks
  /// from multiplying the traffic; 0 tokens turns the budget off.
  int budget_tokens = 500;
  int retry_cost = 5;           ///< Tokens a retry spends.
  int timeout_retry_cost = 10;  ///< Tokens a retry after a timeout spends.

  /// A policy that never retries.
  static RetryPolicy none() {
    RetryPolicy policy;
    policy.max_attempts = 1;
    return policy;
  }
};

}  // namespace seedance
