// The Seedance client: submit, get, wait, download, generate.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
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

namespace detail {
struct ClientInternals;
}  // namespace detail

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

  /// Streams the task's video to `path`: bytes go to "<path>.part", which is fsync'd and renamed
  /// over `path` only once complete and checked, so an existing `path` is never damaged. An
  /// interrupted download (network failure, stall, cancellation, killed process) resumes from the
  /// part with Range and If-Range; transient failures resume within the call. Throws
  /// CancelledError (the part is kept), NetworkError, ApiError, ResponseError (e.g. a size or
  /// SHA-256 mismatch, a wrong Content-Range) or Error (the disk refused the bytes).
  DownloadResult download(std::string_view task_id, const std::string& path,
                          const DownloadOptions& options = {}) const;

  /// Streams the task's video to `out`, resuming within the call after transient failures. Bytes
  /// already written cannot be taken back, so a video that changes midway is a ResponseError.
  /// `resume` and `segments` do not apply. Throws Error when `out` fails.
  DownloadResult download(std::string_view task_id, std::ostream& out,
                          const DownloadOptions& options = {}) const;

  /// Streams the task's video to `sink`, like the std::ostream form.
  DownloadResult download(std::string_view task_id, const ByteSink& sink,
                          const DownloadOptions& options = {}) const;

  /// Up to `length` bytes of the task's video from byte `offset` (fewer at its end), e.g. to seek
  /// while playing or to show a preview. Throws ApiError (HTTP 416) when `offset` is at or past
  /// the end. `resume` and `segments` do not apply.
  std::string read_range(std::string_view task_id, std::uint64_t offset, std::uint64_t length,
                         const DownloadOptions& options = {}) const;

  /// The same range, streamed to `sink`; DownloadResult::bytes is the number of bytes delivered.
  DownloadResult read_range(std::string_view task_id, std::uint64_t offset, std::uint64_t length,
                            const ByteSink& sink, const DownloadOptions& options = {}) const;

  /// submit + wait + download. Returns the finished task; the video is at `path`.
  Task generate(const VideoRequest& request, const std::string& path,
                const WaitOptions& wait_options = {},
                const DownloadOptions& download_options = {}) const;

  /// The normalised base URL, e.g. "https://api.example.com".
  const std::string& base_url() const noexcept;

 private:
  friend struct detail::ClientInternals;
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace seedance
