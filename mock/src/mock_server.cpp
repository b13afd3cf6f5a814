#include "seedance/mock/mock_server.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "fault_match.hpp"
#include "gateway.hpp"
#include "http_server.hpp"
#include "task.hpp"
#include "validation.hpp"
#include "video_bytes.hpp"

namespace seedance::mock {
namespace {

using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 256 * 1024;  // per write of a streamed body
constexpr const char* kStoragePrefix = "/upstream-storage/";

using detail::Phase;
using detail::Task;

/// The prompt markers that choose how a submitted task ends, and their fail_reason.
struct Marker {
  const char* text;
  Outcome outcome;
  const char* fail_reason;
};
const Marker kMarkers[] = {
    {"mock:fail", Outcome::Fail, "mock: generation failed (the prompt contains mock:fail)"},
    {"mock:timeout-sweep", Outcome::TimeoutSweep, detail::kTimeoutSweepReason},
    {"mock:stuck-unknown", Outcome::StuckUnknown, ""},
    {"mock:stuck-not-started", Outcome::StuckNotStarted, ""},
};
constexpr const char* kCutContentMarker = "mock:cut-content";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http_date(std::int64_t unix_seconds) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  // Formatted by hand: strftime's %a/%b follow the locale, HTTP dates must be English.
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string error_json(const std::string& code, const std::string& type, const std::string& message,
                       const std::string& param = std::string()) {
  ojson error = {{"message", message}, {"type", type}, {"code", code}};
  if (!param.empty()) error["param"] = param;
  return ojson{{"error", error}}.dump();
}

struct ErrorDefaults {
  const char* type;
  const char* code;
};

ErrorDefaults error_defaults(int status) {
  switch (status) {
    case 400:
      return {"invalid_request_error", "bad_request"};
    case 401:
      return {"authentication_error", "invalid_api_key"};
    case 403:
      return {"permission_error", "forbidden"};
    case 404:
      return {"invalid_request_error", "not_found"};
    case 405:
      return {"invalid_request_error", "method_not_allowed"};
    case 408:
      return {"server_error", "request_timeout"};
    case 409:
      return {"invalid_request_error", "conflict"};
    case 413:
      return {"invalid_request_error", "request_too_large"};
    case 416:
      return {"invalid_request_error", "range_not_satisfiable"};
    case 429:
      return {"rate_limit_error", "rate_limit_exceeded"};
    case 502:
      return {"server_error", "bad_gateway"};
    case 503:
      return {"server_error", "service_unavailable"};
    case 504:
      return {"server_error", "gateway_timeout"};
    default:
      break;
  }
  return status >= 400 && status < 500 ? ErrorDefaults{"invalid_request_error", "bad_request"}
                                       : ErrorDefaults{"server_error", "internal_error"};
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Temporarily Unavailable";
    case 504:
      return "Gateway Time-out";
    default:
      break;
  }
  return "Error";
}

/// A response the API logic decided on, before delivery (and its faults) are applied.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, [offset, offset + length) of the task's video is streamed instead of `body`.
  bool video = false;
  std::string task_id;
  std::uint64_t video_size = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  // Close the connection after this many body bytes (a transfer cut by the gateway's limit).
  std::optional<std::uint64_t> cut_after;
};

Reply error_reply(int status, const std::string& code, const std::string& type,
                  const std::string& message, const std::string& param = std::string()) {
  Reply r;
  r.status = status;
  r.body = error_json(code, type, message, param);
  return r;
}

struct Route {
  enum Kind { Collection, Detail, Content, Storage, Unknown } kind = Unknown;
  std::string id;
  bool alias = false;  // under /v1/video/generations
  std::string file;    // Storage: "video.mp4" or "last_frame.png"
};

Route parse_storage_route(const std::string& path) {
  const std::string rest = path.substr(std::strlen(kStoragePrefix));
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string::npos) return {};
  Route r{Route::Storage, rest.substr(0, slash), false, rest.substr(slash + 1)};
  if (r.file != "video.mp4" && r.file != "last_frame.png") return {};
  return r;
}

Route parse_route(const std::string& path) {
  if (starts_with(path, kStoragePrefix)) return parse_storage_route(path);
  for (const char* base : {"/v1/videos", "/v1/video/generations"}) {
    const std::string b = base;
    const bool alias = b != "/v1/videos";
    if (path == b) return {Route::Collection, "", alias, ""};
    if (!starts_with(path, b + "/")) continue;
    const std::string rest = path.substr(b.size() + 1);
    const std::size_t slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (id.empty()) return {};
    if (slash == std::string::npos) return {Route::Detail, id, alias, ""};
    if (rest.substr(slash + 1) == "content") return {Route::Content, id, alias, ""};
    return {};
  }
  return {};
}

std::string etag_of(const Task& t) {
  return "\"" + hex64(detail::fnv1a64(t.id)) + "-" + std::to_string(t.video_size) + "-" +
         std::to_string(t.generation) + "\"";
}

std::string last_modified_of(const Task& t) {
  return http_date(t.created_at + static_cast<std::int64_t>(t.generation));
}

/// What one request needs to know of the dialect it is answered in.
struct Exchange {
  Dialect dialect = Dialect::Reference;
  std::string request_id;  // gateway: the X-Oneapi-Request-Id
  bool gateway() const { return dialect == Dialect::Gateway; }
};

// Delivery damage of a fault, applied while a body is streamed.
struct Pacing {
  std::optional<std::uint64_t> close_after;
  std::uint64_t rate = 0;
  std::uint64_t stall_after = 0;
  std::chrono::milliseconds stall{0};

  bool active() const { return close_after.has_value() || rate > 0 || stall.count() > 0; }
};

}  // namespace

const char* detail::reference_status(Phase phase) {
  switch (phase) {
    case Phase::NotStart:
    case Phase::Queued:
      return "QUEUED";
    case Phase::InProgress:
      return "IN_PROGRESS";
    case Phase::Success:
      return "SUCCESS";
    case Phase::Failure:
      return "FAILURE";
    case Phase::Unknown:
      break;
  }
  return "UNKNOWN";
}

const char* detail::gateway_status(Phase phase) {
  return phase == Phase::NotStart ? "NOT_START" : reference_status(phase);
}

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& h : headers) {
    if (iequals(h.first, name)) return h.second;
  }
  return std::string();
}

struct MockServer::Impl {
  explicit Impl(MockServerOptions o) : options(std::move(o)) {
    std::random_device rd;
    id_salt = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }

  MockServerOptions options;  // api_key, polls_to_complete and video_size under settings_mutex
  mutable std::mutex settings_mutex;

  std::mutex run_mutex;  // start/stop
  std::unique_ptr<detail::HttpServer> server;
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::int64_t> peak_open_connections{0};
  std::thread listen_thread;
  std::atomic<int> port{0};

  std::mutex listening_mutex;
  std::condition_variable listening_cv;
  bool listening = false;

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;

  mutable std::mutex tasks_mutex;
  std::map<std::string, Task> tasks;
  std::uint64_t next_task = 1;
  std::uint64_t id_salt = 0;

  mutable std::mutex faults_mutex;
  std::vector<FaultRule> faults;

  mutable std::mutex log_mutex;
  std::vector<RecordedRequest> log;
  std::uint64_t next_sequence = 1;
  std::function<void(const RecordedRequest&)> observer;

  // --- waiting -------------------------------------------------------------------------------

  bool is_stopping() {
    std::lock_guard<std::mutex> lock(stop_mutex);
    return stopping;
  }

  /// Sleeps until `deadline`; false when stop() interrupted it or, with `conn`, the client left.
  bool pause_until(Clock::time_point deadline, const detail::Connection* conn) {
    std::unique_lock<std::mutex> lock(stop_mutex);
    while (!stopping) {
      const auto now = Clock::now();
      if (now >= deadline) return true;
      auto slice = deadline - now;
      // Wake now and then to notice a client that gave up, so its thread is freed.
      if (conn) slice = std::min<Clock::duration>(slice, std::chrono::milliseconds(20));
      stop_cv.wait_for(lock, slice);
      if (conn && !conn->peer_alive()) return false;
    }
    return false;
  }

  bool pause(std::chrono::milliseconds d, const detail::Connection* conn) {
    return pause_until(Clock::now() + d, conn);
  }

  // --- request log ---------------------------------------------------------------------------

  std::uint64_t record(const httplib::Request& req, const detail::Connection* conn) {
    RecordedRequest r;
    r.method = req.method;
    r.path = req.path;
    r.target = req.target;
    for (const auto& h : req.headers) {
      // cpp-httplib adds these pseudo headers itself; they were not sent by the client.
      if (h.first == "REMOTE_ADDR" || h.first == "REMOTE_PORT" || h.first == "LOCAL_ADDR" ||
          h.first == "LOCAL_PORT") {
        continue;
      }
      r.headers.emplace_back(h.first, h.second);
    }
    r.body = req.body;
    r.received_at = Clock::now();
    r.remote_addr = conn ? conn->remote_addr() : req.remote_addr;
    r.remote_port = conn ? conn->remote_port() : req.remote_port;
    r.connection_id = conn ? conn->id() : 0;
    std::lock_guard<std::mutex> lock(log_mutex);
    r.sequence = next_sequence++;
    log.push_back(std::move(r));
    return log.back().sequence;
  }

  RecordedRequest* find_entry(std::uint64_t sequence) {
    // Entries are in sequence order; recent ones are at the end.
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
      if (it->sequence == sequence) return &*it;
      if (it->sequence < sequence) break;
    }
    return nullptr;
  }

  void mark_fault(std::uint64_t sequence, const std::string& rule) {
    std::lock_guard<std::mutex> lock(log_mutex);
    if (RecordedRequest* r = find_entry(sequence)) {
      r->fault_applied = true;
      r->fault = rule;
    }
  }

  void finish(std::uint64_t sequence, int status) {
    std::function<void(const RecordedRequest&)> notify;
    RecordedRequest copy;
    {
      std::lock_guard<std::mutex> lock(log_mutex);
      RecordedRequest* r = find_entry(sequence);
      if (!r) return;
      r->status = status;
      if (observer) {
        notify = observer;
        copy = *r;
      }
    }
    if (notify) notify(copy);
  }

  // --- faults --------------------------------------------------------------------------------

  std::optional<FaultRule> take_fault(const std::string& method, const std::string& path) {
    std::lock_guard<std::mutex> lock(faults_mutex);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!detail::method_matches(it->method, method) || !detail::path_matches(it->path, path)) {
        continue;
      }
      FaultRule applied = *it;
      if (it->times > 0 && --it->times == 0) faults.erase(it);
      return applied;
    }
    return std::nullopt;
  }

  bool next_fault_closes(const std::string& method, const std::string& path) {
    std::lock_guard<std::mutex> lock(faults_mutex);
    for (const auto& f : faults) {
      if (detail::method_matches(f.method, method) && detail::path_matches(f.path, path)) {
        return f.close_before_response;
      }
    }
    return false;
  }

  static Reply fault_reply(const FaultRule& f) {
    const FaultBody body = f.body == FaultBody::None ? FaultBody::ErrorObject : f.body;
    Reply r;
    r.status = f.status != 0                    ? f.status
               : body == FaultBody::ErrorObject ? 500
               : body == FaultBody::Html        ? 502
                                                : 200;
    switch (body) {
      case FaultBody::None:
      case FaultBody::ErrorObject: {
        const ErrorDefaults d = error_defaults(r.status);
        r.body = error_json(f.error_code.empty() ? d.code : f.error_code,
                            f.error_type.empty() ? d.type : f.error_type,
                            f.error_message.empty()
                                ? "mock: injected error (HTTP " + std::to_string(r.status) + ")"
                                : f.error_message);
        break;
      }
      case FaultBody::Html: {
        const std::string title = std::to_string(r.status) + " " + reason_phrase(r.status);
        r.content_type = "text/html";
        r.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
                 title + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        break;
      }
      case FaultBody::MalformedJson:
        r.body = R"({"id":"task_malformed","status":"QUEUED","progress":)";
        break;
      case FaultBody::Empty:
        break;
    }
    return r;
  }

  // --- tasks ---------------------------------------------------------------------------------

  std::string new_task_id_locked() {
    static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    // mix64 is a bijection, so distinct counters give distinct ids.
    std::uint64_t v = mix64(id_salt + next_task++);
    std::string digits;
    for (int i = 0; i < 13; ++i) {
      digits.push_back(kDigits[v % 36]);
      v /= 36;
    }
    return "task_" + digits;
  }

  static void set_phase(Task& t, Phase phase) {
    if (t.phase == phase) return;
    t.phase = phase;
    t.updated_at = unix_now();
    if (phase == Phase::InProgress && t.start_time == 0) t.start_time = t.updated_at;
    if (t.terminal() && t.finish_time == 0) t.finish_time = t.updated_at;
  }

  static void advance(Task& t) {
    if (t.outcome == Outcome::StuckNotStarted) return set_phase(t, Phase::NotStart);
    if (t.outcome == Outcome::StuckUnknown) return set_phase(t, Phase::Unknown);
    const int total = std::max(1, t.polls_to_complete);
    if (t.polls >= total) {
      t.progress = 100;
      set_phase(t, t.outcome == Outcome::Succeed ? Phase::Success : Phase::Failure);
    } else if (t.polls <= 1) {
      t.progress = 0;
      set_phase(t, Phase::Queued);
    } else {
      t.progress = (t.polls - 1) * 100 / (total - 1);
      set_phase(t, Phase::InProgress);
    }
  }

  /// The task's folder in the upstream storage (another origin: no key is sent there).
  std::string storage_url(const std::string& id) const {
    return upstream_base_url() + "/upstream-storage/" + id;
  }

  std::string upstream_base_url() const {
    std::string host = options.host;
    // Another host name for the same address is another origin.
    if (host.empty() || host == "0.0.0.0" || host == "127.0.0.1") return base_url("localhost");
    if (host == "localhost") return base_url("127.0.0.1");
    return base_url(host);
  }

  std::string base_url(std::string host) const {
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(port.load());
  }

  std::string reference_detail(const Task& t) const {
    ojson j = {{"id", t.id},
               {"task_id", t.id},
               {"object", "video"},
               {"model", t.model},
               {"status", detail::reference_status(t.phase)},
               {"progress", std::to_string(t.progress) + "%"},
               {"created_at", t.created_at}};
    if (t.phase == Phase::Success) {
      j["result_url"] = "/v1/videos/" + t.id + "/content";
      if (t.return_last_frame) j["last_frame_url"] = storage_url(t.id) + "/last_frame.png";
    } else if (t.phase == Phase::Failure) {
      j["fail_reason"] = t.fail_reason;
    }
    return j.dump();
  }

  static TaskSnapshot snapshot(const Task& t) {
    TaskSnapshot s;
    s.id = t.id;
    s.model = t.model;
    s.prompt = t.prompt;
    s.status = detail::reference_status(t.phase);
    s.gateway_status = detail::gateway_status(t.phase);
    s.outcome = t.outcome;
    s.polls = t.polls;
    s.video_size = t.video_size;
    s.etag = etag_of(t);
    s.created_at = t.created_at;
    s.return_last_frame = t.return_last_frame;
    return s;
  }

  void bump_generation(const std::string& id) {
    std::lock_guard<std::mutex> lock(tasks_mutex);
    auto it = tasks.find(id);
    if (it != tasks.end()) ++it->second.generation;
  }

  void add_task(Task& t) {
    std::lock_guard<std::mutex> lock(tasks_mutex);
    t.id = new_task_id_locked();
    tasks.emplace(t.id, t);
  }

  std::optional<Task> find_task(const std::string& id) const {
    std::lock_guard<std::mutex> lock(tasks_mutex);
    auto it = tasks.find(id);
    if (it == tasks.end()) return std::nullopt;
    return it->second;
  }

  // --- the API -------------------------------------------------------------------------------

  Exchange exchange() const {
    Exchange ex;
    {
      std::lock_guard<std::mutex> lock(settings_mutex);
      ex.dialect = options.dialect;
    }
    if (ex.gateway()) ex.request_id = detail::gateway_request_id();
    return ex;
  }

  bool authorized(const httplib::Request& req, const Exchange& ex, Reply& reply) {
    std::string key;
    {
      std::lock_guard<std::mutex> lock(settings_mutex);
      key = options.api_key;
    }
    const std::string value = trim(req.get_header_value("Authorization"));
    std::string message;
    if (value.empty()) {
      message = "Missing API key: send 'Authorization: Bearer <key>'.";
    } else if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ") ||
               trim(value.substr(7)) != key) {
      message = "Invalid API key.";
    } else {
      return true;
    }
    if (ex.gateway()) {
      // middleware/auth.go: every refused key is the same "invalid token", without a code.
      reply.status = 401;
      reply.body = detail::gateway_api_error("Invalid token", ex.request_id, "");
      return false;
    }
    reply = error_reply(401, "invalid_api_key", "authentication_error", message);
    reply.headers.emplace_back("WWW-Authenticate", "Bearer");
    return false;
  }

  static Reply not_found(const std::string& path) {
    return error_reply(404, "not_found", "invalid_request_error", "No route for " + path + ".");
  }

  static Reply method_not_allowed(const std::string& method, const std::string& allow) {
    Reply r = error_reply(405, "method_not_allowed", "invalid_request_error",
                          "Method " + method + " is not allowed here; use " + allow + ".");
    r.headers.emplace_back("Allow", allow);
    return r;
  }

  /// The gateway has no route for this request (it answers before any key check).
  static bool gateway_unrouted(const httplib::Request& req, const Route& route) {
    const bool get = req.method == "GET" || req.method == "HEAD";
    switch (route.kind) {
      case Route::Collection:
        return req.method != "POST";
      case Route::Detail:
        return !get;
      case Route::Content:
        return !get || route.alias;  // no alias for /content
      case Route::Storage:
        return false;
      case Route::Unknown:
        break;
    }
    return true;
  }

  Reply api(const httplib::Request& req, const Exchange& ex) {
    const Route route = parse_route(req.path);
    if (route.kind == Route::Storage) return storage(req, route);
    if (ex.gateway() && gateway_unrouted(req, route)) {
      Reply r;
      r.status = 404;
      r.body = detail::gateway_invalid_url(req.method, req.path);
      return r;
    }
    if (route.kind == Route::Unknown && !starts_with(req.path, "/v1/")) return not_found(req.path);
    Reply reply;
    if (!authorized(req, ex, reply)) return reply;
    const bool get = req.method == "GET" || req.method == "HEAD";
    switch (route.kind) {
      case Route::Collection:
        return req.method == "POST" ? submit(req.body, ex) : method_not_allowed(req.method, "POST");
      case Route::Detail:
        // HEAD reports without advancing the task: it must not have side effects.
        return get ? detail(route, req.method == "GET", ex) : method_not_allowed(req.method, "GET");
      case Route::Content:
        return get ? content(req, route.id, ex) : method_not_allowed(req.method, "GET");
      case Route::Storage:
      case Route::Unknown:
        break;
    }
    return not_found(req.path);
  }

  Task new_task(const std::string& model, const std::string& prompt) {
    Task t;
    t.model = model;
    t.prompt = prompt;
    t.created_at = unix_now();
    t.updated_at = t.created_at;
    std::lock_guard<std::mutex> lock(settings_mutex);
    t.polls_to_complete = std::max(1, options.polls_to_complete);
    t.video_size = options.video_size;
    return t;
  }

  static void apply_markers(Task& t, const std::string& text) {
    for (const Marker& m : kMarkers) {
      if (text.find(m.text) == std::string::npos) continue;
      t.outcome = m.outcome;
      t.fail_reason = m.fail_reason;
      break;
    }
    t.cut_content = text.find(kCutContentMarker) != std::string::npos;
  }

  Reply submit(const std::string& body, const Exchange& ex) {
    detail::Submission s;
    if (auto e = detail::validate_submit(body, s)) {
      Reply r;
      if (ex.gateway()) {
        // relay/common: a refused body is a TaskError with HTTP 400.
        r.status = 400;
        r.body = detail::gateway_task_error("invalid_request", e->message);
        return r;
      }
      // Business errors are HTTP 200 with an error object, as the reference says.
      return error_reply(200, e->code, "invalid_request_error", e->message, e->param);
    }
    Task t = new_task(s.model, s.text);
    apply_markers(t, s.text);
    t.return_last_frame = s.return_last_frame;
    add_task(t);
    Reply r;
    r.body = ex.gateway() ? detail::gateway_receipt(t)
                          : ojson{{"id", t.id},
                                  {"task_id", t.id},
                                  {"object", "video"},
                                  {"model", t.model},
                                  {"status", "QUEUED"},
                                  {"progress", 0},
                                  {"created_at", t.created_at}}
                                .dump();
    return r;
  }

  static Reply task_not_found(const std::string& id, const Exchange& ex) {
    if (!ex.gateway()) {
      return error_reply(404, "task_not_found", "invalid_request_error",
                         "Task " + id + " does not exist.");
    }
    Reply r;
    r.status = 400;
    r.body = detail::gateway_task_error("task_not_exist", "task_not_exist");
    return r;
  }

  Reply detail(const Route& route, bool advance_task, const Exchange& ex) {
    Task t;
    {
      std::lock_guard<std::mutex> lock(tasks_mutex);
      auto it = tasks.find(route.id);
      if (it == tasks.end()) return task_not_found(route.id, ex);
      if (advance_task) {
        ++it->second.polls;
        if (!it->second.terminal()) advance(it->second);
      }
      t = it->second;
    }
    Reply r;
    if (!ex.gateway()) {
      r.body = reference_detail(t);
    } else if (route.alias) {
      r.body = detail::gateway_task_response(t, storage_url(t.id));
    } else {
      r.body = detail::gateway_video_object(t, storage_url(t.id));
    }
    return r;
  }

  /// Takes the task's one cut download, if it has one left.
  bool take_cut(const std::string& id) {
    std::lock_guard<std::mutex> lock(tasks_mutex);
    auto it = tasks.find(id);
    if (it == tasks.end() || !it->second.cut_content) return false;
    it->second.cut_content = false;
    return true;
  }

  Reply content(const httplib::Request& req, const std::string& id, const Exchange& ex) {
    const std::optional<Task> t = find_task(id);
    Reply r;
    if (!t && ex.gateway()) {
      r.status = 404;
      r.body = detail::gateway_proxy_error("invalid_request_error", "Task not found");
    } else if (!t) {
      r = task_not_found(id, ex);
    } else if (ex.gateway()) {
      r = proxied_video(req, *t);
    } else if (t->phase == Phase::Failure) {
      r = error_reply(409, "task_failed", "invalid_request_error",
                      "Task " + id + " failed; it has no video.");
    } else if (t->phase != Phase::Success) {
      r = error_reply(409, "task_not_ready", "invalid_request_error",
                      "Task " + id + " is " + detail::reference_status(t->phase) +
                          "; its video can be downloaded once it is SUCCESS.");
    } else {
      r = video(req, *t, true);
    }
    if (r.video && r.length > 0 && take_cut(id)) r.cut_after = r.length / 2;
    return r;
  }

  /// controller/video_proxy.go: the upstream's answer passed through, Range forwarded and
  /// If-Range not; any status but 200/206 becomes 502.
  Reply proxied_video(const httplib::Request& req, const Task& t) {
    Reply r;
    if (t.phase != Phase::Success) {
      r.status = 400;
      r.body = detail::gateway_proxy_error(
          "invalid_request_error", std::string("Task is not completed yet, current status: ") +
                                       detail::gateway_status(t.phase));
      return r;
    }
    r = video(req, t, false);
    if (r.status != 200 && r.status != 206) {
      const int upstream = r.status;
      r = Reply();
      r.status = 502;
      r.body = detail::gateway_proxy_error(
          "server_error", "Upstream service returned status " + std::to_string(upstream));
      return r;
    }
    r.headers.emplace_back("Cache-Control", "public, max-age=86400");
    return r;
  }

  /// The upstream storage: the files of a succeeded task, with no key required.
  Reply storage(const httplib::Request& req, const Route& route) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req.method, "GET");
    const std::optional<Task> t = find_task(route.id);
    const bool video_file = route.file == "video.mp4";
    if (!t || t->phase != Phase::Success || (!video_file && !t->return_last_frame)) {
      return error_reply(404, "not_found", "invalid_request_error",
                         "No such object: " + route.id + "/" + route.file + ".");
    }
    if (video_file) return video(req, *t, true);
    Reply r;
    r.content_type = "image/png";
    r.body = detail::last_frame_png();
    return r;
  }

  /// The task's video, honouring Range (and, when `if_range`, If-Range).
  static Reply video(const httplib::Request& req, const Task& t, bool if_range) {
    const std::uint64_t total = t.video_size;
    Reply r;
    r.content_type = "video/mp4";
    r.headers = {
        {"Accept-Ranges", "bytes"}, {"ETag", etag_of(t)}, {"Last-Modified", last_modified_of(t)}};
    r.video = true;
    r.task_id = t.id;
    r.video_size = total;
    r.offset = 0;
    r.length = total;

    const std::string range = trim(req.get_header_value("Range"));
    if (range.empty()) return r;
    // If-Range: honour the Range only while the validator still matches (strong comparison).
    if (if_range && req.has_header("If-Range")) {
      const std::string validator = trim(req.get_header_value("If-Range"));
      if (validator != etag_of(t) && validator != last_modified_of(t)) return r;
    }
    return apply_range(r, range);
  }

  static Reply apply_range(Reply r, const std::string& range) {
    const std::uint64_t total = r.video_size;
    if (range.size() < 6 || !iequals(range.substr(0, 6), "bytes=")) return r;
    const std::string spec = trim(range.substr(6));
    // Several ranges: a server may answer with the whole content, and this one does.
    if (spec.find(',') != std::string::npos) return r;
    const std::size_t dash = spec.find('-');
    if (dash == std::string::npos) return r;
    const std::string first = trim(spec.substr(0, dash));
    const std::string last = trim(spec.substr(dash + 1));
    auto parse = [](const std::string& s, std::uint64_t& out) {
      if (s.empty() || s.size() > 19) return false;
      out = 0;
      for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        out = out * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return true;
    };
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    bool satisfiable = true;
    if (first.empty()) {
      if (!parse(last, b)) return r;  // malformed: ignored, as RFC 9110 allows
      // bytes=-n: the last n bytes.
      satisfiable = b > 0 && total > 0;
      a = total > b ? total - b : 0;
      b = total == 0 ? 0 : total - 1;
    } else {
      if (!parse(first, a)) return r;
      if (last.empty()) {
        b = total == 0 ? 0 : total - 1;
      } else if (!parse(last, b) || b < a) {
        return r;
      }
      satisfiable = a < total;
      if (satisfiable) b = std::min(b, total - 1);
    }
    if (!satisfiable) {
      Reply u = error_reply(
          416, "range_not_satisfiable", "invalid_request_error",
          "Range " + range + " is outside the " + std::to_string(total) + " bytes of the video.");
      u.headers = r.headers;
      u.headers.emplace_back("Content-Range", "bytes */" + std::to_string(total));
      return u;
    }
    r.status = 206;
    r.offset = a;
    r.length = b - a + 1;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(a) + "-" + std::to_string(b) +
                                                "/" + std::to_string(total));
    return r;
  }

  // --- delivery ------------------------------------------------------------------------------

  using Fill = std::function<void(std::uint64_t offset, char* out, std::size_t n)>;

  httplib::ContentProvider make_provider(Fill fill, Pacing pacing) {
    struct State {
      std::vector<char> buffer;
      bool stalled = false;
      bool started = false;
      Clock::time_point start;
    };
    auto state = std::make_shared<State>();
    // `offset` counts the body bytes already sent in this response.
    return [this, fill = std::move(fill), pacing, state](std::size_t offset, std::size_t length,
                                                         httplib::DataSink& sink) -> bool {
      if (is_stopping()) return false;
      const detail::Connection* conn = detail::current_connection();
      if (pacing.stall.count() > 0 && !state->stalled && offset >= pacing.stall_after) {
        state->stalled = true;
        if (!pause(pacing.stall, conn)) return false;
      }
      // Returning false makes cpp-httplib give up the response; the connection is then closed.
      if (pacing.close_after && offset >= *pacing.close_after) return false;
      std::size_t n = std::min(length, kChunk);
      if (pacing.close_after)
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *pacing.close_after - offset));
      if (pacing.stall.count() > 0 && !state->stalled) {
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, pacing.stall_after - offset));
      }
      if (pacing.rate > 0) {
        n = std::min<std::size_t>(n, std::max<std::uint64_t>(1, pacing.rate / 20));
        if (!state->started) {
          state->started = true;
          state->start = Clock::now();
        }
        const auto due = state->start +
                         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                             static_cast<double>(offset) / static_cast<double>(pacing.rate)));
        if (!pause_until(due, conn)) return false;
      }
      state->buffer.resize(n);
      fill(offset, state->buffer.data(), n);
      return sink.write(state->buffer.data(), n);
    };
  }

  void deliver(const Reply& reply, const FaultRule* fault, httplib::Response& res,
               detail::Connection* conn) {
    res.status = reply.status;
    for (const auto& h : reply.headers) res.set_header(h.first, h.second);
    Pacing pacing;
    if (fault) {
      pacing.close_after = fault->close_after_bytes;
      pacing.rate = fault->bytes_per_second;
      pacing.stall_after = fault->stall_after_bytes;
      pacing.stall = fault->stall;
      if (fault->close_after_bytes && conn) conn->close_after_response = true;
    }
    if (reply.cut_after && !pacing.close_after) {
      pacing.close_after = reply.cut_after;
      if (conn) conn->close_after_response = true;
    }
    if (reply.video && reply.length > 0) {
      auto gen = std::make_shared<const detail::VideoGenerator>(reply.task_id, reply.video_size);
      const std::uint64_t base = reply.offset;
      res.set_content_provider(
          static_cast<std::size_t>(reply.length), reply.content_type,
          make_provider([gen, base](std::uint64_t offset, char* out,
                                    std::size_t n) { gen->fill(base + offset, out, n); },
                        pacing));
    } else if (pacing.active() && !reply.body.empty()) {
      auto body = std::make_shared<const std::string>(reply.body);
      res.set_content_provider(
          body->size(), reply.content_type,
          make_provider([body](std::uint64_t offset, char* out,
                               std::size_t n) { std::memcpy(out, body->data() + offset, n); },
                        pacing));
    } else {
      res.set_content(reply.body, reply.content_type);
    }
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    detail::Connection* conn = detail::current_connection();
    if (conn) {
      conn->dispatched = true;
      conn->drop_output = false;  // may have been set for the 100 Continue
    }
    // cpp-httplib would cut every body we return (error objects included) by the Range header
    // and cannot answer 416; ranges are applied here instead. The Request object inside
    // cpp-httplib is not const, so writing through the cast is well-defined.
    const_cast<httplib::Request&>(req).ranges.clear();
    if (conn && conn->warm_up) {
      res.set_content("{\"warm\":\"up\"}", "application/json");
      return;
    }

    const std::uint64_t sequence = record(req, conn);
    const std::optional<FaultRule> fault = take_fault(req.method, req.path);
    if (fault) mark_fault(sequence, fault->to_string());
    if (fault && fault->delay.count() > 0) pause(fault->delay, nullptr);
    if (fault && fault->change_etag) {
      const Route route = parse_route(req.path);
      if (!route.id.empty()) bump_generation(route.id);
    }

    if (fault && fault->ignore_range) {
      // The request object inside cpp-httplib is not const (see above).
      auto& headers = const_cast<httplib::Request&>(req).headers;
      headers.erase("Range");
      headers.erase("If-Range");
    }
    const Exchange ex = exchange();
    Reply reply = fault && fault->replaces_response() ? fault_reply(*fault) : api(req, ex);
    if (ex.gateway()) reply.headers.emplace_back("X-Oneapi-Request-Id", ex.request_id);
    if (fault && !fault->content_range.empty()) {
      for (auto& header : reply.headers) {
        if (header.first == "Content-Range") header.second = fault->content_range;
      }
    }
    if (fault && fault->retry_after_seconds) {
      reply.headers.emplace_back("Retry-After", std::to_string(*fault->retry_after_seconds));
    }
    if (fault && fault->retry_after_ms) {
      reply.headers.emplace_back("retry-after-ms", std::to_string(*fault->retry_after_ms));
    }
    if (fault && fault->retry_after_date_seconds) {
      reply.headers.emplace_back("Retry-After",
                                 http_date(unix_now() + *fault->retry_after_date_seconds));
    }
    if (fault && !fault->location.empty()) reply.headers.emplace_back("Location", fault->location);

    if (fault && fault->close_before_response) {
      // The request was processed (a POST created its task); its response is lost.
      if (conn) {
        conn->drop_output = true;
        conn->close_after_response = true;
      }
      res.status = reply.status;
      finish(sequence, 0);
      return;
    }
    deliver(reply, fault ? &*fault : nullptr, res, conn);
    finish(sequence, reply.status);
  }

  void configure(detail::HttpServer& svr) {
    const httplib::Server::Handler handler = [this](const httplib::Request& req,
                                                    httplib::Response& res) { handle(req, res); };
    // One catch-all route per method: routing, logging and faults are done in handle().
    svr.Get(".*", handler);
    svr.Post(".*", handler);
    svr.Put(".*", handler);
    svr.Patch(".*", handler);
    svr.Delete(".*", handler);
    svr.Options(".*", handler);

    // Requests cpp-httplib answers itself (a malformed request line, a Range header it cannot
    // parse) get an error object too, are logged, and end their connection as a real server's
    // would (cpp-httplib would go on reading the rest of a broken request as new ones).
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          detail::Connection* conn = detail::current_connection();
          if (conn && conn->dispatched) return httplib::Server::HandlerResponse::Unhandled;
          if (res.status == 416 && (req.method == "GET" || req.method == "HEAD")) {
            // A Range header cpp-httplib rejects (another unit, first > last) must be ignored
            // (RFC 9110 14.2): answer normally; content() ignores what it cannot parse.
            res.headers.clear();
            res.body.clear();
            handle(req, res);
            return httplib::Server::HandlerResponse::Handled;
          }
          if (conn) conn->close_after_response = true;
          const_cast<httplib::Request&>(req).ranges.clear();
          const ErrorDefaults d = error_defaults(res.status);
          res.set_content(
              error_json(d.code, d.type,
                         "The request was rejected (HTTP " + std::to_string(res.status) + ")."),
              "application/json");
          return httplib::Server::HandlerResponse::Handled;
        }));
    svr.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      const detail::Connection* conn = detail::current_connection();
      if (conn && conn->dispatched) return;
      finish(record(req, conn), res.status);
    });
    svr.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response&) {
      // "Close before response" means zero bytes, the interim 100 Continue included. The client
      // then sends its body after its own expect timeout (curl: 1 s).
      if (next_fault_closes(req.method, req.path)) {
        if (detail::Connection* conn = detail::current_connection()) conn->drop_output = true;
      }
      return 100;
    });
  }
};

MockServer::MockServer(MockServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MockServer::~MockServer() { stop(); }

void MockServer::start() {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> run(impl.run_mutex);
  if (impl.server) throw std::logic_error("MockServer::start: already running");
  {
    std::lock_guard<std::mutex> lock(impl.stop_mutex);
    impl.stopping = false;
  }
  {
    std::lock_guard<std::mutex> lock(impl.listening_mutex);
    impl.listening = false;
  }
  detail::HttpServer::Settings settings;
  settings.initial_threads = impl.options.threads;
  settings.max_threads = std::max<std::size_t>(impl.options.threads, 1024);
  settings.on_listening = [&impl] {
    {
      std::lock_guard<std::mutex> lock(impl.listening_mutex);
      impl.listening = true;
    }
    impl.listening_cv.notify_all();
  };
  settings.on_connection = [&impl](int delta) {
    const std::int64_t now = impl.open_connections.fetch_add(delta) + delta;
    std::int64_t peak = impl.peak_open_connections.load();
    while (now > peak && !impl.peak_open_connections.compare_exchange_weak(peak, now)) {
    }
  };
  auto server = std::make_unique<detail::HttpServer>(std::move(settings));
  impl.configure(*server);
  server->set_keep_alive_max_count(std::max<std::size_t>(1, impl.options.keep_alive_max_count));
  server->set_keep_alive_timeout(static_cast<time_t>(impl.options.keep_alive_timeout.count()));
  server->set_read_timeout(static_cast<time_t>(impl.options.read_timeout.count()));
  server->set_write_timeout(static_cast<time_t>(impl.options.write_timeout.count()));
  const int port = server->bind(impl.options.host, impl.options.port);
  if (port <= 0) {
    throw std::runtime_error("MockServer::start: cannot listen on " + impl.options.host + ":" +
                             std::to_string(impl.options.port));
  }
  server->warm_up();
  detail::HttpServer* raw = server.get();
  impl.listen_thread = std::thread([raw] { raw->listen_after_bind(); });
  {
    std::unique_lock<std::mutex> lock(impl.listening_mutex);
    impl.listening_cv.wait(lock, [&impl] { return impl.listening; });
  }
  impl.server = std::move(server);
  impl.port = port;
}

void MockServer::stop() {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> run(impl.run_mutex);
  if (!impl.server) return;
  {
    std::lock_guard<std::mutex> lock(impl.stop_mutex);
    impl.stopping = true;
  }
  impl.stop_cv.notify_all();
  impl.server->interrupt();
  impl.server->stop();
  impl.listen_thread.join();
  impl.server.reset();
}

bool MockServer::running() const {
  std::lock_guard<std::mutex> run(impl_->run_mutex);
  return impl_->server != nullptr;
}

std::string MockServer::base_url() const { return impl_->base_url(impl_->options.host); }

std::string MockServer::upstream_base_url() const { return impl_->upstream_base_url(); }

int MockServer::port() const { return impl_->port.load(); }

std::string MockServer::api_key() const {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  return impl_->options.api_key;
}

void MockServer::set_api_key(const std::string& key) {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  impl_->options.api_key = key;
}

void MockServer::set_polls_to_complete(int polls) {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  impl_->options.polls_to_complete = polls;
}

void MockServer::set_video_size(std::uint64_t bytes) {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  impl_->options.video_size = bytes;
}

void MockServer::set_dialect(Dialect dialect) {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  impl_->options.dialect = dialect;
}

Dialect MockServer::dialect() const {
  std::lock_guard<std::mutex> lock(impl_->settings_mutex);
  return impl_->options.dialect;
}

void MockServer::add_fault(FaultRule rule) {
  if (rule.times == 0) return;
  if (rule.status != 0 && (rule.status < 200 || rule.status > 599)) {
    throw std::invalid_argument("FaultRule: status must be in 200..599");
  }
  std::lock_guard<std::mutex> lock(impl_->faults_mutex);
  impl_->faults.push_back(std::move(rule));
}

void MockServer::add_fault(const std::string& rule) { add_fault(FaultRule::parse(rule)); }

void MockServer::clear_faults() {
  std::lock_guard<std::mutex> lock(impl_->faults_mutex);
  impl_->faults.clear();
}

std::size_t MockServer::pending_faults() const {
  std::lock_guard<std::mutex> lock(impl_->faults_mutex);
  return impl_->faults.size();
}

std::string MockServer::create_task(const TaskOptions& options) {
  Task t = impl_->new_task(options.model, options.prompt);
  t.return_last_frame = options.return_last_frame;
  t.fail_reason =
      options.outcome == Outcome::TimeoutSweep ? detail::kTimeoutSweepReason : options.fail_reason;
  t.outcome = options.outcome;
  t.cut_content = options.cut_content;
  if (options.video_size) t.video_size = *options.video_size;
  switch (options.state) {
    case TaskState::Queued:
      break;
    case TaskState::InProgress:
      // As if polled twice (the second poll is the first IN_PROGRESS one).
      t.polls_to_complete = std::max(3, t.polls_to_complete);
      t.polls = 2;
      Impl::advance(t);
      break;
    case TaskState::Success:
      t.outcome = Outcome::Succeed;
      t.progress = 100;
      Impl::set_phase(t, Phase::Success);
      break;
    case TaskState::Failure:
      if (t.outcome != Outcome::TimeoutSweep) t.outcome = Outcome::Fail;
      t.progress = 100;
      Impl::set_phase(t, Phase::Failure);
      break;
  }
  impl_->add_task(t);
  return t.id;
}

std::string MockServer::create_succeeded_task() { return create_task(TaskOptions{}); }

std::string MockServer::create_succeeded_task(std::uint64_t video_size) {
  TaskOptions options;
  options.video_size = video_size;
  return create_task(options);
}

std::optional<TaskSnapshot> MockServer::task(const std::string& task_id) const {
  std::lock_guard<std::mutex> lock(impl_->tasks_mutex);
  auto it = impl_->tasks.find(task_id);
  if (it == impl_->tasks.end()) return std::nullopt;
  return Impl::snapshot(it->second);
}

std::size_t MockServer::task_count() const {
  std::lock_guard<std::mutex> lock(impl_->tasks_mutex);
  return impl_->tasks.size();
}

void MockServer::change_etag(const std::string& task_id) { impl_->bump_generation(task_id); }

std::vector<RecordedRequest> MockServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  return impl_->log;
}

std::size_t MockServer::count(const std::string& method, const std::string& path_prefix) const {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  return static_cast<std::size_t>(
      std::count_if(impl_->log.begin(), impl_->log.end(), [&](const RecordedRequest& r) {
        return detail::method_matches(method, r.method) && starts_with(r.path, path_prefix);
      }));
}

std::size_t MockServer::open_connections() const {
  return static_cast<std::size_t>(std::max<std::int64_t>(0, impl_->open_connections.load()));
}

std::size_t MockServer::peak_open_connections() const {
  return static_cast<std::size_t>(impl_->peak_open_connections.load());
}

void MockServer::reset_peak_open_connections() {
  impl_->peak_open_connections.store(impl_->open_connections.load());
}

std::size_t MockServer::connections_opened() const {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  std::set<std::uint64_t> ids;
  for (const auto& r : impl_->log) ids.insert(r.connection_id);
  return ids.size();
}

void MockServer::clear_log() {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  impl_->log.clear();
}

void MockServer::set_request_observer(std::function<void(const RecordedRequest&)> observer) {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  impl_->observer = std::move(observer);
}

std::string MockServer::expected_video(const std::string& task_id, std::uint64_t size) {
  return expected_video_range(task_id, size, 0, static_cast<std::size_t>(size));
}

std::string MockServer::expected_video_range(const std::string& task_id, std::uint64_t size,
                                             std::uint64_t offset, std::size_t length) {
  if (offset >= size) return std::string();
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, size - offset));
  std::string out(n, '\0');
  detail::VideoGenerator(task_id, size).fill(offset, out.data(), n);
  return out;
}

std::string MockServer::last_frame_png() { return detail::last_frame_png(); }

}  // namespace seedance::mock
