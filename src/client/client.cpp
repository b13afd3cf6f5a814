#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "client/client_impl.hpp"
#include "download/download_file.hpp"
#include "http/response_limit.hpp"
#include "http/url.hpp"
#include "model/json_codec.hpp"
#include "platform/platform.hpp"
#include "seedance/version.hpp"
#include "text.hpp"

namespace seedance {
namespace {

std::string from_env_if_empty(std::string value, const char* variable) {
  if (!value.empty()) return value;
  const char* env = std::getenv(variable);
  return env != nullptr ? std::string(env) : std::string();
}

std::chrono::milliseconds elapsed_ms(Clock::time_point since, Clock::time_point until) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(until - since);
}

// libcurl would only find out at the first https:// connection, as a certificate failure.
std::optional<std::string> unreadable_ca_bundle(const ClientOptions& options) {
  const std::string& path = options.transport_options.ca_bundle;
  if (options.transport || path.empty()) return std::nullopt;
  std::error_code error;
  if (std::filesystem::is_regular_file(detail::platform::to_path(path), error) &&
      std::ifstream(detail::platform::to_path(path)).good()) {
    return std::nullopt;
  }
  return "transport_options.ca_bundle: " + path + " is not a readable file";
}

ClientOptions checked(ClientOptions options) {
  options.base_url = from_env_if_empty(std::move(options.base_url), "SEEDANCE_BASE_URL");
  options.api_key = from_env_if_empty(std::move(options.api_key), "SEEDANCE_API_KEY");
  std::vector<std::string> problems;
  if (options.base_url.empty()) {
    problems.push_back(
        "base_url: required (pass ClientOptions::base_url or set SEEDANCE_BASE_URL)");
  }
  if (options.api_key.empty()) {
    problems.push_back("api_key: required (pass ClientOptions::api_key or set SEEDANCE_API_KEY)");
  } else if (options.api_key.find_first_of("\r\n") != std::string::npos) {
    problems.push_back("api_key: must not contain line breaks");
  }
  if (options.retry.max_attempts < 1) problems.push_back("retry.max_attempts: must be at least 1");
  if (auto problem = unreadable_ca_bundle(options)) problems.push_back(std::move(*problem));
  if (!problems.empty()) throw ValidationError(std::move(problems));
  return options;
}

void warn(const WarningHandler& on_warning, const std::string& warning) {
  if (on_warning) {
    on_warning(warning);
  } else {
    std::fprintf(stderr, "%s\n", warning.c_str());
  }
}

// Loopback: "localhost", 127.0.0.0/8 as a dotted quad, or [::1]; `origin` as origin_of() gives it.
bool is_loopback_origin(const std::string& origin) {
  const std::string authority = origin.substr(origin.find("://") + 3);
  if (authority.rfind("[::1]", 0) == 0) return true;
  const std::string host = authority.substr(0, authority.find(':'));
  if (host == "localhost") return true;
  return host.rfind("127.", 0) == 0 && host.find_first_not_of("0123456789.") == std::string::npos &&
         std::count(host.begin(), host.end(), '.') == 3;
}

}  // namespace

Client::Impl::Impl(ClientOptions options)
    : base_url(detail::normalize_base_url(options.base_url)),
      api_key(std::move(options.api_key)),
      origin(detail::origin_of(base_url)),
      authorization("Bearer " + api_key),
      route(options.use_alias_routes ? "/v1/video/generations" : "/v1/videos"),
      request_timeout(options.request_timeout),
      max_response_bytes(options.max_response_bytes),
      retry(options.retry),
      extra_headers(std::move(options.extra_headers)),
      user_agent("seedance-cpp/" + std::string(seedance::version())),
      logger(std::move(options.logger)),
      transport(std::move(options.transport)),
      clock(options.clock ? std::move(options.clock) : Clock::system()),
      budget(options.retry) {
  if (!options.transport_options.verify_tls) {
    warn(options.on_warning,
         "seedance: warning: TLS certificate verification is off "
         "(TransportOptions::verify_tls = false): anyone on the network path can read the API "
         "key and alter responses. Never use this in production.");
  }
  // Loopback stays quiet: the bundled mock and local gateways are served over plain http.
  if (origin.rfind("http://", 0) == 0 && !is_loopback_origin(origin)) {
    warn(options.on_warning, "seedance: warning: the API key is sent over plain http to " + origin +
                                 ": anyone on the network path can read it. Use https.");
  }
  if (!transport) {
    transport_options = options.transport_options;
    if (transport_options.user_agent.empty()) transport_options.user_agent = user_agent;
    transport = make_curl_transport(transport_options);
    default_transport = true;
  }
}

std::string Client::Impl::task_url(std::string_view task_id) const {
  detail::check_task_id(task_id);
  return collection_url() + "/" + std::string(task_id);
}

std::string Client::Impl::content_url(std::string_view task_id) const {
  detail::check_task_id(task_id);
  return base_url + "/v1/videos/" + std::string(task_id) + "/content";
}

HttpRequest Client::Impl::make_request(std::string method, std::string url) const {
  HttpRequest request;
  request.method = std::move(method);
  request.headers = extra_headers;
  request.headers.emplace_back("User-Agent", user_agent);
  request.headers.emplace_back("Accept", "application/json");
  // The key goes only to the configured origin, never to a redirect target or a foreign result_url.
  // Fast path: the URLs the client builds itself start with the (normalised) base URL.
  const bool under_base = url.size() >= base_url.size() &&
                          url.compare(0, base_url.size(), base_url) == 0 &&
                          (url.size() == base_url.size() || url[base_url.size()] == '/');
  if (under_base || detail::origin_of(url) == origin) {
    request.headers.emplace_back("Authorization", authorization);
  }
  request.url = std::move(url);
  request.timeout = request_timeout;
  request.max_response_bytes = max_response_bytes;
  return request;
}

HttpResponse Client::Impl::send_once(const HttpRequest& request, int /*attempt*/) const {
  HttpResponse response = transport->send(request);
  detail::enforce_response_limit(request, response);
  return response;
}

detail::RetryDecision Client::Impl::decide(const detail::FailedAttempt& failed) const {
  return detail::decide_retry(retry, budget, jitter, failed);
}

void Client::Impl::succeeded(const HttpRequest& request, const HttpResponse& response, int attempt,
                             std::chrono::milliseconds duration) const {
  budget.refund();
  log(request, response, attempt, duration, "done");
}

HttpResponse Client::Impl::send_with_retries(
    const HttpRequest& request, detail::Idempotency idempotency,
    const std::optional<CancellationToken>& between_attempts) const {
  // A pointer, not a copy: most calls have no token, and making one allocates.
  const CancellationToken* cancel = between_attempts ? &*between_attempts
                                    : request.cancel ? &*request.cancel
                                                     : nullptr;
  const auto cancelled = [&](const char* when) {
    return CancelledError(request.method + " " + detail::path_of(request.url) + ": cancelled" +
                          when);
  };
  for (int attempt = 1;; ++attempt) {
    if (cancel != nullptr && cancel->cancelled()) throw cancelled(" before sending");
    const auto started = clock->now();
    HttpResponse response = send_once(request, attempt);
    const auto duration = elapsed_ms(started, clock->now());
    if (response.error == TransportError::None && response.status < 400) {
      succeeded(request, response, attempt, duration);
      return response;
    }
    const detail::RetryDecision next =
        decide({response, attempt, idempotency, cancel != nullptr && cancel->cancelled()});
    log(request, response, attempt, duration, next.text);
    switch (next.action) {
      case detail::RetryDecision::Action::Cancelled:
        throw cancelled("");
      case detail::RetryDecision::Action::GiveUp:
        return response;
      case detail::RetryDecision::Action::Retry:
        break;
    }
    if (!detail::wait_before_retry(*clock, next.delay,
                                   cancel != nullptr ? *cancel : CancellationToken())) {
      throw cancelled(" while waiting to retry");
    }
  }
}

void Client::Impl::log(const HttpRequest& request, const HttpResponse& response, int attempt,
                       std::chrono::milliseconds duration, std::string decision) const {
  if (logger)
    logger(detail::make_request_event(request, response, attempt, duration, std::move(decision)));
}

namespace detail {

std::string request_id_of(const HttpResponse& response) {
  for (const char* name : {"X-Oneapi-Request-Id", "X-Request-Id"}) {
    if (auto value = response.header(name); value && !value->empty()) return *value;
  }
  return {};
}

namespace {

// The header's request id wins over one quoted in the message: it names this very exchange.
void add_request_id(Error& error, const HttpResponse& response) {
  std::string id = request_id_of(response);
  if (!id.empty()) error.set_request_id(std::move(id));
}

template <typename ErrorType>
[[noreturn]] void throw_with_request_id(ErrorType error, const HttpResponse& response) {
  add_request_id(error, response);
  throw std::move(error);
}

}  // namespace

void throw_for_response(const HttpResponse& response, std::string_view context) {
  const std::string where(context);
  if (response.error == TransportError::Cancelled) throw CancelledError(where + ": cancelled");
  if (response.error == TransportError::TooLarge) {
    throw_with_request_id(ResponseError(where + ": " + describe_failure(response), response.status),
                          response);
  }
  if (response.error == TransportError::Certificate) {
    throw CertificateError(where + ": " + describe_failure(response));
  }
  if (response.error != TransportError::None) {
    throw NetworkError(where + ": " + describe_failure(response), response.status);
  }
  const ApiError api_error = api_error_from_error_body(response.body, response.status);
  ApiError error(
      where + ": " + api_error.what() + " (HTTP " + std::to_string(response.status) + ")",
      response.status, api_error.type(), api_error.code());
  error.set_request_id(api_error.request_id());
  throw_with_request_id(std::move(error), response);
}

Task task_from_response(const HttpResponse& response, std::string_view task_id) {
  try {
    Task task = parse_task(response.body, response.status);
    if (task.task_id.empty()) task.task_id = std::string(task_id);
    task.request_id = request_id_of(response);
    return task;
  } catch (Error& error) {
    add_request_id(error, response);
    throw;
  }
}

}  // namespace detail

Client::Client(ClientOptions options)
    : impl_(std::make_shared<const Impl>(checked(std::move(options)))) {}

const std::string& Client::base_url() const noexcept { return impl_->base_url; }

Receipt Client::submit(const VideoRequest& request) const { return submit_task(request, {}); }

Receipt Client::submit(const VideoRequest& request, const CancellationToken& cancel) const {
  return submit_task(request, cancel);
}

Receipt Client::submit_task(const VideoRequest& request,
                            const std::optional<CancellationToken>& cancel) const {
  HttpRequest http = impl_->make_request("POST", impl_->collection_url());
  http.body = request.to_json();  // throws ValidationError: nothing is sent
  http.headers.emplace_back("Content-Type", "application/json");
  http.fresh_connection = true;
  // The token stays out of the transfer: cutting a sent submit off would lose the task id.
  return detail::receipt_from_submit_response(
      impl_->send_with_retries(http, detail::Idempotency::NotIdempotent, cancel));
}

namespace detail {

Receipt receipt_from_submit_response(const HttpResponse& response) {
  const std::string context = "submit";
  if (response.error != TransportError::None) {
    if (failed_before_sending(response.error)) detail::throw_for_response(response, context);
    const std::string what = response.error == TransportError::TooLarge
                                 ? "the answer was too large to read"
                                 : "the connection failed after the request was sent";
    throw_with_request_id(
        SubmitOutcomeUnknownError("submit: " + what + " (" + detail::describe_failure(response) +
                                  "); a task may have been created and billed, so it was not "
                                  "resent"),
        response);
  }
  if (response.status >= 500) {
    // Whatever the body says, a server error cannot promise that the task was not created
    // before the failure: the outcome is unknown, and the submit is not resent.
    const ApiError api_error = api_error_from_error_body(response.body, response.status);
    SubmitOutcomeUnknownError error(
        std::string("submit: ") + api_error.what() + " (HTTP " + std::to_string(response.status) +
            "); a task may have been created and billed, so the request was not resent",
        response.status, api_error.type(), api_error.code());
    error.set_request_id(api_error.request_id());
    throw_with_request_id(std::move(error), response);
  }
  if (response.status >= 300) detail::throw_for_response(response, context);
  try {
    Receipt receipt = parse_receipt(response.body, response.status);
    receipt.request_id = request_id_of(response);
    return receipt;
  } catch (const ResponseError& error) {
    // Neither a receipt nor an error: the task may exist.
    throw_with_request_id(
        SubmitOutcomeUnknownError(std::string("submit: the receipt could not be read (") +
                                      error.what() + "); a task may have been created",
                                  response.status),
        response);
  } catch (ApiError& error) {
    add_request_id(error, response);
    throw;
  }
}

}  // namespace detail

Task Client::get(std::string_view task_id) const { return get_task(task_id, {}); }

Task Client::get(std::string_view task_id, const CancellationToken& cancel) const {
  return get_task(task_id, cancel);
}

Task Client::get_task(std::string_view task_id,
                      const std::optional<CancellationToken>& cancel) const {
  HttpRequest http = impl_->make_request("GET", impl_->task_url(task_id));
  http.cancel = cancel;
  const HttpResponse response = impl_->send_with_retries(http, detail::Idempotency::Idempotent);
  impl_->poll_floor.record(task_id, impl_->clock->now());  // a later wait() keeps 5 s from it
  if (response.error != TransportError::None || response.status >= 300) {
    detail::throw_for_response(response, "get " + std::string(task_id));
  }
  return detail::task_from_response(response, task_id);
}

Task Client::generate(const VideoRequest& request, const std::string& path,
                      const WaitOptions& wait_options,
                      const DownloadOptions& download_options) const {
  GenerateOptions options;
  options.wait = wait_options;
  options.download = download_options;
  return generate(request, path, options).task;
}

namespace {

// What is left of generate()'s deadline for its next step; TimeoutError when nothing is (a zero
// would mean "no limit" to the step).
std::chrono::milliseconds time_left(Clock& clock, Clock::time_point deadline,
                                    const GenerateOptions& options, const std::string& step,
                                    const std::string& task_id, const std::optional<Task>& task) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock.now());
  if (left.count() > 0) return left;
  throw TimeoutError("generate: the timeout of " + detail::duration_text(options.timeout) +
                         " passed before the " + step,
                     task_id, task);
}

}  // namespace

// The wait of generate(): past the whole call's deadline, the error names that timeout as it was
// given, not the part of it that was left for the wait.
Task Client::wait_within(const std::string& task_id, const WaitOptions& wait_options,
                         const GenerateOptions& options) const {
  try {
    return wait(task_id, wait_options);
  } catch (const TimeoutError& error) {
    if (options.timeout.count() <= 0) throw;
    const auto& last = error.last_task();
    throw TimeoutError("generate: the timeout of " + detail::duration_text(options.timeout) +
                           " passed during the wait" +
                           (last ? " (last status " + last->status_text + ")" : ""),
                       task_id, last);
  }
}

GenerateResult Client::generate(const VideoRequest& request, const std::string& path,
                                const GenerateOptions& options) const {
  // Whatever would stop the download stops it before the task is paid for.
  detail::check_download_target(path, options.download);
  return generate_then(request, options,
                       [this, &path](const std::string& task_id, const DownloadOptions& download) {
                         return this->download(task_id, path, download);
                       });
}

GenerateResult Client::generate(const VideoRequest& request, const ByteSink& sink,
                                const GenerateOptions& options) const {
  return generate_then(request, options,
                       [this, &sink](const std::string& task_id, const DownloadOptions& download) {
                         return this->download(task_id, sink, download);
                       });
}

GenerateResult Client::generate_then(
    const VideoRequest& request, const GenerateOptions& options,
    const std::function<DownloadResult(const std::string& task_id,
                                       const DownloadOptions& download_options)>& download_step)
    const {
  if (options.timeout.count() < 0) {
    throw ValidationError({"timeout: must not be negative (0 sets none), got " +
                           std::to_string(options.timeout.count()) + " ms"});
  }
  Clock& clock = *impl_->clock;
  const auto deadline = clock.now() + options.timeout;
  GenerateResult result;
  result.receipt = options.wait.cancel ? submit(request, *options.wait.cancel) : submit(request);
  try {
    if (options.on_submitted) options.on_submitted(result.receipt);
    const std::string& task_id = result.receipt.task_id;
    WaitOptions wait_options = options.wait;
    if (options.timeout.count() > 0) {
      wait_options.timeout = time_left(clock, deadline, options, "wait", task_id, std::nullopt);
    }
    result.task = wait_within(task_id, wait_options, options);
    DownloadOptions download_options = options.download;
    if (options.timeout.count() > 0) {
      download_options.timeout =
          time_left(clock, deadline, options, "download", task_id, result.task);
    }
    result.download = download_step(task_id, download_options);
    return result;
  } catch (Error& error) {
    // The task exists and is paid for: make sure the caller can still find it.
    if (error.task_id().empty()) error.set_task_id(result.receipt.task_id);
    throw;
  }
}

DownloadResult Client::download_last_frame(const Task& task, const std::string& path,
                                           const DownloadOptions& options) const {
  // The API has no last-frame route: the image is wherever the task detail says.
  if (!task.last_frame_url || task.last_frame_url->empty()) {
    throw Error("download last frame of " + task.task_id +
                ": the task names no last frame (it needs return_last_frame(true) and status "
                "SUCCESS, and the service must report last_frame_url)");
  }
  const std::string url =
      detail::resolve_location(impl_->task_url(task.task_id), *task.last_frame_url);
  return detail::download_to_file(*impl_, url, "download last frame of " + task.task_id, path,
                                  options, detail::Media::Image);
}

DownloadResult Client::download_last_frame(std::string_view task_id, const std::string& path,
                                           const DownloadOptions& options) const {
  Task task = get(task_id);
  if (task.task_id.empty()) task.task_id = std::string(task_id);
  return download_last_frame(task, path, options);
}

}  // namespace seedance
