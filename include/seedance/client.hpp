// The Seedance client: submit, get, wait, download, generate.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "seedance/clock.hpp"
#include "seedance/download.hpp"
#include "seedance/error.hpp"
#include "seedance/log.hpp"
#include "seedance/request.hpp"
#include "seedance/retry.hpp"
#include "seedance/task.hpp"
#include "seedance/transport.hpp"
#include "seedance/wait.hpp"

namespace seedance {

struct ClientOptions {
  /// Service origin, e.g. "https://api.example.com"; a trailing "/" or "/v1" is accepted.
  /// Empty: the SEEDANCE_BASE_URL environment variable.
  std::string base_url;
  /// Sent as "Authorization: Bearer <key>", only to base_url's origin. Empty: SEEDANCE_API_KEY.
  std::string api_key;
  /// Use the compatibility routes /v1/video/generations[...] instead of /v1/videos[...].
  bool use_alias_routes = false;
  /// Limit for each non-download request (submit, status query).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  RetryPolicy retry;
  /// Connection, TLS, proxy and stall settings for the default libcurl transport.
  TransportOptions transport_options;
  /// Extra headers sent with every request.
  HttpHeaders extra_headers;
  /// Receives one event per HTTP attempt; secrets are never in it.
  RequestLogger logger;
  /// Receives configuration warnings (e.g. TLS verification off). Null: printed to stderr.
  WarningHandler on_warning;
  /// Replaces the libcurl transport (tests, custom stacks). Null: make_curl_transport().
  std::shared_ptr<HttpTransport> transport;
  /// Replaces the real clock (tests). Null: Clock::system().
  std::shared_ptr<Clock> clock;
};

/// A client of the Seedance 2.0 API. Cheap to copy (copies share one connection pool) and safe
/// to use from many threads at once. Every method throws a seedance::Error subclass on failure.
class Client {
 public:
  /// Throws ValidationError when no base URL or API key is configured or the base URL is malformed.
  explicit Client(ClientOptions options = {});

  /// Validates and submits a request. Never sent twice: if the outcome is unknown (the connection
  /// broke after sending) it throws SubmitOutcomeUnknownError.
  Receipt submit(const VideoRequest& request) const;

  /// One status query of a task (retried on transient failures).
  Task get(std::string_view task_id) const;

  /// Polls until the task reaches SUCCESS or FAILURE, never two polls less than 5 s apart.
  Task wait(std::string_view task_id, const WaitOptions& options = {}) const;

  /// Streams the task's video to `path` (through "<path>.part", renamed when complete).
  DownloadResult download(std::string_view task_id, const std::string& path,
                          const DownloadOptions& options = {}) const;

  /// submit + wait + download. Returns the finished task; the video is at `path`.
  Task generate(const VideoRequest& request, const std::string& path,
                const WaitOptions& wait_options = {},
                const DownloadOptions& download_options = {}) const;

  /// The normalised base URL, e.g. "https://api.example.com".
  const std::string& base_url() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace seedance
