#include "http/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "http/url.hpp"

namespace seedance::detail {

bool is_retryable_status(int status) noexcept {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

bool is_transient(TransportError error) noexcept {
  switch (error) {
    case TransportError::NameResolution:
    case TransportError::Connect:
    case TransportError::Tls:
    case TransportError::Timeout:
    case TransportError::Stalled:
    case TransportError::ConnectionLost:
      return true;
    default:
      return false;
  }
}

bool should_retry(const HttpResponse& response, Idempotency idempotency) noexcept {
  if (response.error != TransportError::None) {
    // A refused certificate or a body over the limit would come back the same on another try.
    if (!is_transient(response.error)) return false;
    return idempotency == Idempotency::Idempotent || failed_before_sending(response.error);
  }
  // A 429 means the request was turned away before it was processed, so even a submit may retry.
  if (idempotency == Idempotency::NotIdempotent) return response.status == 429;
  return is_retryable_status(response.status);
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd, the caller caps it
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  // An HTTP date (IMF-fixdate, RFC 850 or asctime): libcurl parses all three.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Compare in whole seconds: a date far in the future (year 20025) would overflow the
  // nanosecond time_point that from_time_t() returns.
  const time_t now_seconds = std::chrono::system_clock::to_time_t(now);
  if (when <= now_seconds) return std::chrono::milliseconds(0);
  constexpr time_t kFarFuture = 365LL * 24 * 3600;  // absurd, the caller caps it
  if (when - now_seconds > kFarFuture) return std::chrono::seconds(kFarFuture);
  const auto delay = std::chrono::system_clock::from_time_t(when) - now;
  if (delay <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delay);
}

std::optional<std::chrono::milliseconds> requested_delay(const HttpResponse& response,
                                                         std::chrono::milliseconds cap) {
  std::optional<std::chrono::milliseconds> delay;
  if (const auto ms = response.header("retry-after-ms")) {
    char* end = nullptr;
    const double value = std::strtod(ms->c_str(), &end);
    if (end != ms->c_str() && std::isfinite(value) && value >= 0) {
      delay = std::chrono::milliseconds(static_cast<long long>(std::min(value, 1e12)));
    }
  }
  if (!delay) {
    if (const auto header = response.header("retry-after")) {
      delay = parse_retry_after(*header, std::chrono::system_clock::now());
    }
  }
  if (delay && *delay > cap) delay = cap;
  return delay;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry_number,
                                        double unit_random) noexcept {
  const double initial = static_cast<double>(policy.initial_backoff.count());
  const double ceiling = static_cast<double>(policy.max_backoff.count());
  const double exponent = std::max(0, std::min(retry_number - 1, 62));
  const double bound = std::min(ceiling, initial * std::pow(policy.backoff_multiplier, exponent));
  return std::chrono::milliseconds(static_cast<long long>(bound * unit_random));
}

RetryBudget::RetryBudget(const RetryPolicy& policy)
    : capacity_(policy.budget_tokens),
      tokens_(policy.budget_tokens),
      retry_cost_(policy.retry_cost),
      timeout_retry_cost_(policy.timeout_retry_cost) {}

bool RetryBudget::try_spend(TransportError error) {
  if (capacity_ <= 0) return true;
  const int cost = (error == TransportError::Timeout || error == TransportError::Stalled)
                       ? timeout_retry_cost_
                       : retry_cost_;
  std::lock_guard<std::mutex> lock(mutex_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void RetryBudget::refund() {
  if (capacity_ <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (tokens_ < capacity_) ++tokens_;
}

RetryDecision decide_retry(const RetryPolicy& policy, RetryBudget& budget, Jitter& jitter,
                           const FailedAttempt& failed) {
  const HttpResponse& response = failed.response;
  using Action = RetryDecision::Action;
  const bool cancels = failed.on_cancel != OnCancel::GiveUp;
  if (cancels && response.error == TransportError::Cancelled) {
    return {Action::Cancelled, std::chrono::milliseconds(0), "cancelled"};
  }
  const bool retryable =
      should_retry(response, failed.idempotency) && failed.attempt < policy.max_attempts;
  if (failed.cancelled && cancels && (retryable || failed.on_cancel == OnCancel::EndAlways)) {
    return {Action::Cancelled, std::chrono::milliseconds(0), "cancelled"};
  }
  if (!retryable || failed.cancelled || !budget.try_spend(response.error)) {
    return {Action::GiveUp, std::chrono::milliseconds(0), "give up: " + describe_failure(response)};
  }
  auto delay = backoff_delay(policy, failed.attempt, jitter.unit());
  if (const auto requested = requested_delay(response, policy.max_retry_after)) {
    delay = std::max(delay, *requested);
  }
  delay = std::max(delay, failed.min_delay);
  return {Action::Retry, delay,
          "retry in " + std::to_string(delay.count()) + " ms (" + describe_failure(response) + ")"};
}

std::string describe_failure(const HttpResponse& response) {
  if (response.error != TransportError::None) {
    std::string text(to_string(response.error));
    if (!response.error_detail.empty()) text += ": " + response.error_detail;
    return text;
  }
  return "HTTP " + std::to_string(response.status);
}

RequestEvent make_request_event(const HttpRequest& request, const HttpResponse& response,
                                int attempt, std::chrono::milliseconds duration,
                                std::string decision) {
  RequestEvent event;
  event.method = request.method;
  event.path = path_of(request.url);
  event.attempt = attempt;
  event.status = response.status;
  event.error = response.error;
  event.duration = duration;
  event.decision = std::move(decision);
  return event;
}

bool wait_before_retry(Clock& clock, std::chrono::milliseconds delay,
                       const CancellationToken& cancel) {
  return clock.sleep_until(clock.now() + delay, cancel);
}

Jitter::Jitter() : engine_(std::random_device{}()) {}

double Jitter::unit() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

}  // namespace seedance::detail
