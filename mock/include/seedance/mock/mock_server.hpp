// An in-process mock of the Seedance 2.0 HTTP API on loopback, with scriptable faults and a
// request log, for testing clients (the SDK, the CLI, users' own code) against a real socket.
// It deliberately shares no code with the SDK so that it tests the SDK honestly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seedance::mock {

/// What an injected replacement response carries (see FaultRule).
enum class FaultBody {
  None,           ///< No replacement: the request is processed normally.
  ErrorObject,    ///< {"error":{"message","type","code"}} as JSON.
  Html,           ///< A proxy-style HTML error page (text/html).
  MalformedJson,  ///< Truncated JSON (application/json) that no parser accepts.
  Empty,          ///< A zero-length body (application/json).
  /// A valid task detail padded with one long string to FaultRule::body_size bytes, streamed
  /// (never held in memory), to test a client's limit on what it reads.
  Huge,
  /// A valid task detail with a member nested FaultRule::body_depth arrays deep, streamed.
  Nested,
  /// A valid task detail of FaultRule::body_size bytes whose member is an array of empty arrays
  /// (a million values in 3 MiB), streamed: a small body that builds a large document.
  Wide,
};

/// One scripted fault. It matches requests by method and path pattern and applies to the next
/// `times` matching requests; when several rules match a request, the one added first is used
/// (one rule per request), so rules added in order script a sequence.
///
/// Two families, which can be combined in one rule:
/// - Replacement (status/body): answered like a gateway would, *without* passing the request to
///   the API: no task is created, a poll does not advance the task.
/// - Delivery damage (close_before_response, close_after_bytes, delay, bytes_per_second, stall,
///   change_etag): the API processes the request normally (a POST creates its task, a poll
///   advances it) and the delivery of the response is then damaged.
struct FaultRule {
  /// Value of `times` that makes the rule apply to every matching request.
  static constexpr int kAlways = -1;
  /// Default of body_size: 200 MiB.
  static constexpr std::uint64_t kDefaultHugeBodySize = 200ULL * 1024 * 1024;
  /// Default of body_depth.
  static constexpr std::uint64_t kDefaultNestedBodyDepth = 100000;

  std::string method = "*";  ///< "GET", "POST", ... or "*" for any method.
  /// Matched against the whole path (without query): "*" matches any characters including '/',
  /// "{name}" matches one non-empty path segment. E.g. "/v1/videos/{id}" (polls only),
  /// "/v1/videos/*" (polls and downloads), "*/content" (downloads).
  std::string path = "*";
  int times = 1;  ///< How many matching requests it applies to; kAlways (< 0) for all of them.

  // Replacement response. status 0 with a body uses the body's default status (error 500,
  // html 502, malformed/empty 200); a status without a body means FaultBody::ErrorObject.
  /// HTTP status of the replacement response (200..599); 0: the body's default, or no replacement.
  int status = 0;
  /// Body of the replacement response; None with a status means ErrorObject.
  FaultBody body = FaultBody::None;
  std::string error_code;     ///< Overrides the error object's code (default from the status).
  std::string error_type;     ///< Overrides the error object's type.
  std::string error_message;  ///< Overrides the error object's message.
  /// FaultBody::Huge and Wide: the body's exact size in bytes (at least the detail's own).
  std::uint64_t body_size = kDefaultHugeBodySize;
  /// FaultBody::Nested: how many arrays deep the member is nested.
  std::uint64_t body_depth = kDefaultNestedBodyDepth;

  // Extra headers, added to whatever response is sent (replacement or normal).
  std::optional<long> retry_after_seconds;  ///< Retry-After: N
  std::optional<long> retry_after_ms;       ///< retry-after-ms: N
  /// Retry-After as an HTTP date (IMF-fixdate) this many seconds after the response is sent.
  std::optional<long> retry_after_date_seconds;
  /// Location: URL; with e.g. status=302 a redirect (to another origin, to test credentials).
  std::string location;
  /// Content-Type of whatever response is sent (a video, an error object...), e.g. "text/html";
  /// kNoContentType sends none. Empty: the response's own.
  std::string content_type;
  /// Value of content_type that sends no Content-Type.
  static constexpr const char* kNoContentType = "none";
  /// Send no validators (ETag, Last-Modified), like a server that cannot name a version.
  bool no_validator = false;

  // Delivery damage.
  bool close_before_response = false;  ///< Close the connection; the client gets zero bytes.
  /// Send the status line, the headers (with the full Content-Length) and this many body bytes,
  /// then close the connection.
  std::optional<std::uint64_t> close_after_bytes;
  std::chrono::milliseconds delay{0};   ///< Wait this long before responding.
  std::uint64_t bytes_per_second = 0;   ///< Throttle the body to this rate (0: unthrottled).
  std::uint64_t stall_after_bytes = 0;  ///< With `stall`: pause after this many body bytes.
  std::chrono::milliseconds stall{0};   ///< Pause the body this long (once).
  /// Before answering, change the validator (ETag, Last-Modified) of the video of the task named
  /// in the path, so an If-Range with the old one no longer matches. The bytes stay the same.
  bool change_etag = false;
  /// Downloads: answer as if the request had no Range header (the whole video, HTTP 200), like a
  /// server or proxy that does not support ranges.
  bool ignore_range = false;
  /// Downloads: send this Content-Range value instead of the true one (the body is unchanged),
  /// like a broken cache. Empty: the true value.
  std::string content_range;

  /// True when the rule answers with a replacement response instead of the API's.
  bool replaces_response() const noexcept { return status != 0 || body != FaultBody::None; }

  /// Parses the RULE syntax of `seedance-mock-server --fault` (see mock/README.md), e.g.
  /// "POST /v1/videos: status=503 times=2". Throws std::invalid_argument with a message.
  static FaultRule parse(const std::string& text);
  /// The rule in RULE syntax (what the request log records).
  std::string to_string() const;
};

/// Which service's answers the server imitates.
enum class Dialect {
  /// What the API reference describes: uppercase status words, progress "50%", result_url
  /// /v1/videos/{id}/content, fail_reason; business errors are HTTP 200 with an error object.
  Reference,
  /// What the public gateway (QuantumNous/new-api) really answers: an OpenAI video object on
  /// /v1/videos/{id}, a {"code","message","data"} task wrapper on /v1/video/generations/{id},
  /// task errors as {"code","message","data":null}, an X-Oneapi-Request-Id header (see
  /// mock/README.md).
  Gateway,
};

/// Configuration of a MockServer, fixed at construction (see the set_* functions for changes).
struct MockServerOptions {
  std::string host = "127.0.0.1";    ///< Address to listen on; default loopback.
  int port = 0;                      ///< 0 picks a free port.
  std::string api_key = "test-key";  ///< Key required as "Authorization: Bearer <key>".
  /// Polls of a task's detail until it is terminal: poll 1 reports QUEUED, the ones in between
  /// IN_PROGRESS, poll N SUCCESS (or FAILURE). Values below 1 count as 1.
  int polls_to_complete = 3;
  std::uint64_t video_size = 1024 * 1024;  ///< Size of each new task's video, in bytes.
  std::size_t threads = 8;  ///< Initial worker threads; one per open connection, more are added.
  std::size_t keep_alive_max_count = 100000;    ///< Requests per connection.
  std::chrono::seconds keep_alive_timeout{60};  ///< Idle time before the server closes one.
  std::chrono::seconds read_timeout{30};        ///< Socket read timeout, in seconds.
  std::chrono::seconds write_timeout{30};       ///< Socket write timeout, in seconds.
  Dialect dialect = Dialect::Reference;         ///< The shape of the answers.
};

/// One received request, as the server saw it.
struct RecordedRequest {
  std::uint64_t sequence = 0;  ///< 1, 2, 3, ... in order of arrival.
  std::string method;          ///< HTTP method, e.g. "GET" or "POST".
  std::string path;            ///< Without the query string.
  std::string target;          ///< As sent, with the query string.
  /// Request headers (name, value) in the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                                   ///< Request body as received.
  std::chrono::steady_clock::time_point received_at;  ///< When the whole request had arrived.
  std::string remote_addr;                            ///< Client IP address.
  int remote_port = 0;                                ///< Client TCP port.
  std::uint64_t connection_id = 0;                    ///< Distinct per accepted TCP connection.
  /// Status of the response, 0 when none was sent (close_before_response) or while the request
  /// is still being answered (e.g. during a delay).
  int status = 0;
  bool fault_applied = false;  ///< True when a FaultRule was applied to this request.
  std::string fault;           ///< The applied rule, in RULE syntax.

  /// Case-insensitive header look-up; empty when absent.
  std::string header(const std::string& name) const;
};

enum class TaskState { Queued, InProgress, Success, Failure };

/// How a task ends (the prompt markers of a submit select the same behaviours).
enum class Outcome {
  Succeed,          ///< SUCCESS at poll N.
  Fail,             ///< "mock:fail": the upstream fails at poll N (an error object, fail_reason).
  TimeoutSweep,     ///< "mock:timeout-sweep": the gateway's timeout sweep fails it at poll N,
                    ///< with a fail_reason and no error object.
  StuckUnknown,     ///< "mock:stuck-unknown": reports UNKNOWN at every poll, never finishes.
  StuckNotStarted,  ///< "mock:stuck-not-started": never leaves NOT_START (reference: QUEUED).
};

/// A task created directly, without a submit request.
struct TaskOptions {
  /// Queued behaves as just submitted; InProgress as polled twice; Success and Failure are
  /// terminal at once (a Success task is downloadable immediately).
  TaskState state = TaskState::Success;
  std::string model = "seedance-2.0";       ///< Model name the task reports.
  std::string prompt = "a mock task";       ///< Prompt the task reports.
  std::optional<std::uint64_t> video_size;  ///< Default: the server's current video size.
  bool return_last_frame = false;           ///< Serve a last frame (once the task succeeds).
  std::string fail_reason = "mock: generation failed";  ///< For Failure.
  /// How the task ends; with state Failure, TimeoutSweep makes it a swept failure.
  Outcome outcome = Outcome::Succeed;
  /// "mock:cut-content": the first download of /content is cut after half of its body, as the
  /// gateway's time limit on its upstream request does.
  bool cut_content = false;
};

/// What the server knows about a task.
struct TaskSnapshot {
  std::string id;      ///< Task id.
  std::string model;   ///< Model name.
  std::string prompt;  ///< Prompt text.
  std::string status;  ///< As the reference dialect reports it: QUEUED, IN_PROGRESS, SUCCESS...
  /// The gateway's word (model/task.go): NOT_START (never polled), QUEUED, IN_PROGRESS, SUCCESS,
  /// FAILURE or UNKNOWN.
  std::string gateway_status;
  Outcome outcome = Outcome::Succeed;  ///< How the task ends.
  int polls = 0;                       ///< Detail requests answered so far.
  std::uint64_t video_size = 0;        ///< Size of the task's video, in bytes.
  std::string etag;                    ///< Current strong validator of the video, with quotes.
  std::int64_t created_at = 0;         ///< Creation time, Unix seconds.
  bool return_last_frame = false;      ///< Whether a last frame is served on success.
};

/// The mock server. All member functions are thread-safe.
class MockServer {
 public:
  /// Configures the server; it does not listen until start().
  explicit MockServer(MockServerOptions options = {});
  ~MockServer();  ///< Stops the server.
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  /// Binds and returns once the server accepts connections. Throws std::runtime_error when the
  /// address cannot be bound and std::logic_error when already running. May be called again
  /// after stop() (tasks are kept; the port may change).
  void start();
  /// Stops serving, interrupting delays, stalls and downloads in progress. Idempotent.
  void stop();
  bool running() const;  ///< True between start() and stop().

  std::string base_url() const;  ///< "http://127.0.0.1:PORT" (once started).
  /// Where the "upstream storage" serves videos and last frames, without a key: the same port
  /// under another host name, so another origin ("http://localhost:PORT" for 127.0.0.1).
  std::string upstream_base_url() const;
  int port() const;             ///< The bound port; 0 before the first start().
  std::string api_key() const;  ///< The API key currently required.

  void set_api_key(const std::string& key);  ///< Changes the required API key.
  void set_polls_to_complete(int polls);     ///< For tasks created afterwards.
  void set_video_size(std::uint64_t bytes);  ///< For tasks created afterwards.
  void set_dialect(Dialect dialect);         ///< For the requests that follow.
  Dialect dialect() const;                   ///< The dialect currently spoken.

  // Faults.
  /// Appends a rule (ignored when times is 0); throws std::invalid_argument on a bad status.
  void add_fault(FaultRule rule);
  void add_fault(const std::string& rule);  ///< RULE syntax; throws std::invalid_argument.
  void clear_faults();                      ///< Removes all fault rules.
  std::size_t pending_faults() const;       ///< Rules not used up yet.

  // Tasks.
  /// Creates a task directly, without a submit request; returns its id.
  std::string create_task(const TaskOptions& options);
  std::string create_succeeded_task();  ///< With the server's current video size.
  /// Creates a SUCCESS task with a video of `video_size` bytes; returns its id.
  std::string create_succeeded_task(std::uint64_t video_size);
  /// The task's current state; empty when no task has this id.
  std::optional<TaskSnapshot> task(const std::string& task_id) const;
  std::size_t task_count() const;  ///< Number of tasks the server knows.
  /// Changes the validator of the task's video, as the change_etag fault does.
  void change_etag(const std::string& task_id);

  // Request log.
  std::vector<RecordedRequest> requests() const;  ///< A copy of the log, in order of arrival.
  /// Requests with this method ("" or "*": any) whose path starts with path_prefix.
  std::size_t count(const std::string& method, const std::string& path_prefix = "") const;
  /// Distinct TCP connections that carried the logged requests.
  std::size_t connections_opened() const;
  /// TCP connections open right now (accepted and not yet closed).
  std::size_t open_connections() const;
  /// The most connections open at once since start (or the last reset).
  std::size_t peak_open_connections() const;
  /// Starts the peak again from the connections open now.
  void reset_peak_open_connections();
  void clear_log();  ///< Empties the request log (sequence numbers keep counting).
  /// Called (on a server thread) for each request once its response status is known.
  void set_request_observer(std::function<void(const RecordedRequest&)> observer);

  // The content the server serves, so tests can compare.
  /// The whole video of a task of this size: an MP4 `ftyp` box, an `mdat` header, then
  /// pseudo-random bytes derived from the task id.
  static std::string expected_video(const std::string& task_id, std::uint64_t size);
  /// `length` bytes of that video from `offset` (clipped at its end).
  static std::string expected_video_range(const std::string& task_id, std::uint64_t size,
                                          std::uint64_t offset, std::size_t length);
  /// The PNG served as a task's last frame (at upstream-storage/{id}/last_frame.png).
  static std::string last_frame_png();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seedance::mock
