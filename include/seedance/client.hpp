// The Seedance client: submit, get, wait, download, generate.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "seedance/async.hpp"
#include "seedance/cancellation.hpp"
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

class TaskGroup;
namespace detail {
class Engine;
struct ClientPollFloor;
}  // namespace detail

/// The default of ClientOptions::max_response_bytes: 4 MiB.
inline constexpr std::size_t kDefaultMaxResponseBytes = 4 * 1024 * 1024;

/// Configuration of a Client; every member has a usable default.
struct ClientOptions {
  /// Service origin, e.g. "https://api.example.com"; a trailing "/" or "/v1" is accepted.
  /// Empty: the SEEDANCE_BASE_URL environment variable.
  std::string base_url;
  /// Sent as "Authorization: Bearer <key>", only to base_url's origin. Empty: SEEDANCE_API_KEY.
  std::string api_key;
  /// Submit and poll through the compatibility route /v1/video/generations instead of
  /// /v1/videos. Downloads always use /v1/videos/{id}/content: the alias has no /content.
  /// On the public gateway the alias's task detail also names the last frame.
  bool use_alias_routes = false;
  /// Limit for each non-download request (submit, status query).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  /// Largest answer read to a submit or status query (and of an error body), in bytes: past it
  /// the transfer is cut and the call throws ResponseError (a submit: SubmitOutcomeUnknownError)
  /// naming the limit, so a hostile or broken server cannot make the client hold an unbounded
  /// body. Real answers are a few KiB. Zero turns the limit off. Downloads are not affected.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  /// When and how failed requests are retried (back-off, Retry-After, retry budget).
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

/// Settings of Client::generate() beyond the request and the path.
struct GenerateOptions {
  /// Polling of the task. Its cancel token also stops the submit, but only before the request is
  /// sent (see Client::submit with a CancellationToken).
  WaitOptions wait;
  /// Options of the download.
  DownloadOptions download;
  /// One deadline for the whole call: submit, wait and download together. Zero (the default)
  /// sets none: the wait keeps WaitOptions::timeout and the download DownloadOptions::timeout.
  /// When set, it replaces both: the wait gets the time left after the submit, the download the
  /// time left after the wait; past it generate() throws TimeoutError carrying the task id (a
  /// download's part is kept for resuming). A submit on the wire is never cut off (it is bounded
  /// by ClientOptions::request_timeout), so a task it created is not lost.
  std::chrono::milliseconds timeout{0};
  /// Called once with the receipt as soon as the task exists, on the calling thread, before the
  /// wait: e.g. to show or store the task id, so that an interrupted run can resume it. An
  /// exception it throws is rethrown by generate() (the task is not waited for).
  std::function<void(const Receipt& receipt)> on_submitted;
};

/// What Client::generate() did: the submit's answer, the finished task and the download.
struct GenerateResult {
  Receipt receipt;          ///< The submit's answer.
  Task task;                ///< The task at SUCCESS.
  DownloadResult download;  ///< Where the video went and how many bytes it has.
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
  /// submit(), stopped by `cancel` with CancelledError before the request is sent or while it
  /// waits to retry one that was not. A request already sent is never cut off: it runs to its
  /// answer (within ClientOptions::request_timeout), so a task it created is not lost.
  Receipt submit(const VideoRequest& request, const CancellationToken& cancel) const;

  /// One status query of a task (retried on transient failures).
  Task get(std::string_view task_id) const;
  /// get(), ended promptly by `cancel` with CancelledError, also mid-transfer.
  Task get(std::string_view task_id, const CancellationToken& cancel) const;

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
  /// generate() with a hook on the submit (GenerateOptions::on_submitted) and the whole outcome
  /// returned. Every error after the submit carries the task's id (Error::task_id()).
  GenerateResult generate(const VideoRequest& request, const std::string& path,
                          const GenerateOptions& options) const;
  /// generate() streaming the video to `sink`, like download()'s ByteSink form (e.g. to stdout):
  /// no file and no part, so nothing to resume from after the call; GenerateResult::download has
  /// no path. DownloadOptions::resume, replace_existing and segments do not apply.
  GenerateResult generate(const VideoRequest& request, const ByteSink& sink,
                          const GenerateOptions& options) const;

  /// Streams the last frame of a finished task submitted with VideoRequest::return_last_frame
  /// (true) to `path`, like download(). The image's URL is the task's Task::last_frame_url (a
  /// path is resolved against the base URL; another origin gets no Authorization). When the
  /// detail names none, throws Error saying so: the API has no last-frame route, and none is
  /// guessed. This overload needs no status query.
  DownloadResult download_last_frame(const Task& task, const std::string& path,
                                     const DownloadOptions& options = {}) const;
  /// The same for a task id: one status query (get()) first, for its last_frame_url.
  DownloadResult download_last_frame(std::string_view task_id, const std::string& path,
                                     const DownloadOptions& options = {}) const;

  /// Asynchronous submit(), wait() and generate(). They return at once; the work runs on the
  /// Client's background engine, one thread for every asynchronous call of this Client and its
  /// copies (started at the first one), with the same polling rules, retries and errors as the
  /// synchronous calls. Invalid requests throw ValidationError at once. Callbacks in the options
  /// and ClientOptions::logger run on the engine's thread (download progress on a download
  /// thread); they must not destroy the last copy of the Client.
  ///@{
  AsyncResult<Receipt> submit_async(const VideoRequest& request) const;
  AsyncResult<Task> wait_async(std::string_view task_id, const WaitOptions& options = {}) const;
  AsyncResult<Task> generate_async(const VideoRequest& request, std::string path,
                                   const WaitOptions& wait_options = {},
                                   const DownloadOptions& download_options = {}) const;
  ///@}

  /// The normalised base URL, e.g. "https://api.example.com".
  const std::string& base_url() const noexcept;

  /// The shared state (internal: defined inside the library only, opaque to users).
  struct Impl;

 private:
  friend class TaskGroup;
  friend class detail::Engine;
  friend struct detail::ClientPollFloor;
  explicit Client(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  Receipt submit_task(const VideoRequest& request,
                      const std::optional<CancellationToken>& cancel) const;
  Task get_task(std::string_view task_id, const std::optional<CancellationToken>& cancel) const;
  /// generate()'s submit and wait, then `download_step` (to a file or a sink) for the video.
  GenerateResult generate_then(
      const VideoRequest& request, const GenerateOptions& options,
      const std::function<DownloadResult(const std::string& task_id,
                                         const DownloadOptions& download_options)>& download_step)
      const;
  Task wait_within(const std::string& task_id, const WaitOptions& wait_options,
                   const GenerateOptions& options) const;
  /// Streams `url` to `path` through the download machinery; `what` names it in errors.
  DownloadResult download_url(const std::string& url, const std::string& what,
                              const std::string& path, const DownloadOptions& options) const;

  std::shared_ptr<const Impl> impl_;
};

}  // namespace seedance
