// The libcurl HttpTransport: a pool of reused easy handles, each driven through its own private
// multi handle so cancellation is noticed within kPollIntervalMs even while the socket is idle.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "curl_wrappers.hpp"
#include "http_parse.hpp"
#include "seedance/transport.hpp"

namespace seedance {
namespace internal {

void ensure_curl_global_init() {
  // libcurl >= 7.84 makes this thread-safe itself; call_once also keeps it to a single call.
  static std::once_flag once;
  std::call_once(once, [] { (void)curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

bool is_tls_failure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:  // Also CURLE_SSL_CACERT (same value).
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

/// Header names must be tokens and values single-line: anything else could inject headers.
/// One pass per string with a lookup table: this runs for every header of every request.
constexpr std::array<bool, 256> kBadInName = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {':', '\r', '\n', '\0', ' ', '\t'}) table[c] = true;
  return table;
}();
constexpr std::array<bool, 256> kBadInValue = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {'\r', '\n', '\0'}) table[c] = true;
  return table;
}();

bool contains_any(const std::string& text, const std::array<bool, 256>& table) {
  for (const char c : text) {
    if (table[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> invalid_header(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty()) return std::string("a request header has an empty name");
    const bool bad_name = contains_any(name, kBadInName);
    const bool bad_value = contains_any(value, kBadInValue);
    // The value is never quoted: it may be a secret.
    if (bad_name) return "request header name \"" + name + "\" contains a forbidden character";
    if (bad_value)
      return "the value of request header \"" + name + "\" contains a line break or NUL";
  }
  return std::nullopt;
}

TransportError classify_curl_code(CURLcode code) noexcept {
  switch (code) {
    case CURLE_OK:
      return TransportError::None;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::NameResolution;
    case CURLE_COULDNT_CONNECT:
    case CURLE_PROXY:  // A SOCKS proxy refused the tunnel: nothing reached the server.
      return TransportError::Connect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return TransportError::ConnectionLost;
    default:
      return is_tls_failure(code) ? TransportError::Tls : TransportError::Other;
  }
}

}  // namespace internal

namespace {

using internal::CurlEasyPtr;
using internal::CurlMultiPtr;
using internal::CurlSharePtr;
using internal::CurlSlistPtr;

/// Idle handles kept for reuse; more concurrent callers get fresh handles that are freed after.
constexpr std::size_t kMaxIdleHandles = 16;
/// Longest wait inside libcurl between two looks at the cancellation token.
constexpr int kPollIntervalMs = 50;
/// Collected bodies (JSON) announced up to this size are reserved up front; larger ones grow as
/// they arrive, so a wrong Content-Length cannot make us allocate much before any byte came.
constexpr std::size_t kMaxBodyReserve = 8 * 1024 * 1024;
/// libcurl's smallest accepted CURLOPT_BUFFERSIZE.
constexpr std::size_t kMinReceiveBufferBytes = 1024;
/// How early libcurl's request timeout may fire by our clock and still count as the timeout.
constexpr std::chrono::milliseconds kTimeoutTolerance{20};
constexpr long kKeepAliveIdleSeconds = 30;
constexpr long kKeepAliveIntervalSeconds = 15;

/// One pooled connection context: an easy handle with its private multi handle. The multi owns
/// the connection cache, so the pair is always used together.
struct PooledHandle {
  // The request headers of the last transfer and libcurl's list of them, kept because most
  // requests of a Client repeat the same headers. Declared first: destroyed after the handles.
  HttpHeaders list_headers;
  bool list_has_expect = false;
  bool list_built = false;  // header_list is null for a request without headers
  CurlSlistPtr header_list;
  CurlEasyPtr easy;
  CurlMultiPtr multi;  // Declared after `easy`, so destroyed (closing connections) first.
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

/// The state of one send(), reached from libcurl's callbacks.
struct Exchange {
  enum class Stop { None, Aborted, Cancelled, Threw };

  const HttpRequest& request;
  HttpResponse& response;
  int block_status = 0;  // Status line of the header block being read (interim ones included).
  detail::HeaderBlockParser parser;
  bool headers_delivered = false;
  Stop stop = Stop::None;
  std::string stop_detail;
  std::exception_ptr exception;

  bool cancel_requested() const { return request.cancel && request.cancel->cancelled(); }
};

constexpr std::size_t kWriteFailed = CURL_WRITEFUNC_ERROR;

/// Hands the final response's status and headers to the caller; false aborts the transfer.
bool deliver_headers(Exchange& exchange) {
  exchange.headers_delivered = true;
  exchange.response.status = exchange.block_status;
  if (!exchange.request.on_body && exchange.request.method != "HEAD") {
    const auto length = detail::parse_content_length(exchange.response.headers);
    if (length && *length <= kMaxBodyReserve) exchange.response.body.reserve(*length);
  }
  if (exchange.request.on_headers &&
      !exchange.request.on_headers(exchange.response.status, exchange.response.headers)) {
    exchange.stop = Exchange::Stop::Aborted;
    exchange.stop_detail = "aborted by the on_headers callback";
    return false;
  }
  return true;
}

/// Records a callback's exception; it is rethrown from send() once the handle is back in the pool.
void record_exception(Exchange& exchange) {
  exchange.stop = Exchange::Stop::Threw;
  exchange.stop_detail = "a callback threw an exception";
  exchange.exception = std::current_exception();
}

bool note_cancellation(Exchange& exchange) {
  if (!exchange.cancel_requested()) return false;
  exchange.stop = Exchange::Stop::Cancelled;
  exchange.stop_detail = "cancelled";
  return true;
}

// libcurl calls this once per header line (CRLF included), for every response it reads: interim
// 1xx responses too, each starting with its status line.
std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange.headers_delivered) return bytes;  // Trailers of a chunked body: not collected.
  if (note_cancellation(exchange)) return kWriteFailed;
  try {
    using Line = detail::HeaderBlockParser::Line;
    const Line kind =
        exchange.parser.feed(std::string_view(data, bytes), exchange.response.headers);
    exchange.block_status = exchange.parser.status();
    if (kind == Line::End && exchange.parser.final_block() && !deliver_headers(exchange)) {
      return kWriteFailed;
    }
  } catch (...) {
    record_exception(exchange);
    return kWriteFailed;
  }
  return bytes;
}

// Body bytes go straight from libcurl's buffer to on_body (or the collected body), uncopied.
std::size_t on_body_bytes(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (note_cancellation(exchange)) return kWriteFailed;
  try {
    if (!exchange.headers_delivered && !deliver_headers(exchange)) return kWriteFailed;
    if (exchange.request.on_body) {
      if (!exchange.request.on_body(data, bytes)) {
        exchange.stop = Exchange::Stop::Aborted;
        exchange.stop_detail = "aborted by the on_body callback";
        return kWriteFailed;
      }
    } else {
      exchange.response.body.append(data, bytes);
    }
  } catch (...) {
    record_exception(exchange);
    return kWriteFailed;
  }
  return bytes;
}

/// Mutexes guarding the data libcurl shares between the pooled handles (DNS, TLS sessions).
struct ShareLocks {
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes;
};

void lock_shared_data(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].lock();
}

void unlock_shared_data(CURL*, curl_lock_data data, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].unlock();
}

/// CURLE_OPERATION_TIMEDOUT covers the request timeout, the connect timeout and the low-speed
/// limit; tell them apart by when it happened.
TransportError classify_timeout(CURL* easy, const HttpRequest& request,
                                std::chrono::steady_clock::duration elapsed) {
  // libcurl may fire its timer up to a millisecond early, hence the tolerance; a stall can only
  // be mistaken for a timeout when both limits expire at the same moment.
  if (request.timeout.count() > 0 && elapsed + kTimeoutTolerance >= request.timeout) {
    return TransportError::Timeout;
  }
  // libcurl stamps "pretransfer" once the request went out and checks the low-speed limit only
  // after that; before it, only the connect timeout can fire.
  curl_off_t pretransfer_us = 0;
  curl_off_t name_lookup_us = 0;
  (void)curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  (void)curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &name_lookup_us);
  if (pretransfer_us > 0) return TransportError::Stalled;
  if (name_lookup_us == 0) return TransportError::NameResolution;
  return TransportError::Connect;
}

TransportError classify(CURLcode code, const Exchange& exchange, CURL* easy,
                        std::chrono::steady_clock::duration elapsed) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return classify_timeout(easy, exchange.request, elapsed);
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      if (exchange.stop == Exchange::Stop::Cancelled) return TransportError::Cancelled;
      if (exchange.stop == Exchange::Stop::Aborted || exchange.stop == Exchange::Stop::Threw) {
        return TransportError::Aborted;
      }
      return TransportError::Other;
    default:
      return internal::classify_curl_code(code);
  }
}

bool has_header(const HttpHeaders& headers, std::string_view name) {
  return find_header(headers, name).has_value();
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    internal::ensure_curl_global_init();
    share_.reset(curl_share_init());
    if (share_) {
      CURLSH* share = share_.get();
      (void)curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_shared_data);
      (void)curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_shared_data);
      (void)curl_share_setopt(share, CURLSHOPT_USERDATA, share_locks_.get());
      // Connections stay per handle (sharing the cache costs a lock on every request).
      (void)curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      (void)curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  ~CurlTransport() override {
    // Handles reference the share, so they go first.
    std::lock_guard<std::mutex> lock(pool_mutex_);
    idle_.clear();
  }

  HttpResponse send(const HttpRequest& request) override {
    HttpResponse response;
    if (request.cancel && request.cancel->cancelled()) {
      return failure(std::move(response), TransportError::Cancelled, "cancelled before sending");
    }
    std::string setup_problem;
    std::unique_ptr<PooledHandle> handle = acquire(setup_problem);
    if (!handle) return failure(std::move(response), TransportError::Other, setup_problem);
    // libcurl may wait for "100 Continue" before sending a body; never wanted here.
    const bool add_expect = request.method != "GET" && request.method != "HEAD" &&
                            !has_header(request.headers, "Expect");
    if (!handle->list_built || handle->list_has_expect != add_expect ||
        handle->list_headers != request.headers) {
      // New headers: checked (they were when cached) and turned into a libcurl list.
      if (auto problem = internal::invalid_header(request.headers)) {
        release(std::move(handle));
        return failure(std::move(response), TransportError::Other, std::move(*problem));
      }
      CurlSlistPtr list;
      if (!build_header_list(request.headers, add_expect, list)) {
        release(std::move(handle));
        return failure(std::move(response), TransportError::Other, "out of memory");
      }
      handle->header_list = std::move(list);
      handle->list_headers = request.headers;
      handle->list_has_expect = add_expect;
      handle->list_built = true;
    }

    Exchange exchange{request, response, 0, {}, false, Exchange::Stop::None, {}, {}};
    const CURLcode setup = prepare(*handle, request, handle->header_list.get(), exchange);
    if (setup != CURLE_OK) {
      release(std::move(handle));
      return failure(std::move(response), TransportError::Other,
                     std::string("libcurl rejected the request: ") + curl_easy_strerror(setup));
    }

    const auto started = std::chrono::steady_clock::now();
    const std::optional<CURLcode> result = run(*handle, exchange);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CURL* easy = handle->easy.get();

    if (!exchange.headers_delivered) {
      // The header block did not complete; still report a status line that did arrive.
      long code = 0;
      (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
      if (code >= 200) response.status = static_cast<int>(code);
    }
    if (exchange.stop == Exchange::Stop::Cancelled) {
      response.error = TransportError::Cancelled;
      response.error_detail = exchange.stop_detail;
    } else if (!result) {
      response.error = TransportError::Other;
      response.error_detail = exchange.stop_detail;
    } else if (*result != CURLE_OK) {
      response.error = classify(*result, exchange, easy, elapsed);
      if (!exchange.stop_detail.empty()) {
        response.error_detail = exchange.stop_detail;
      } else if (handle->error_buffer[0] != '\0') {
        response.error_detail = handle->error_buffer.data();
      } else {
        response.error_detail = curl_easy_strerror(*result);
      }
    } else if (!exchange.headers_delivered && response.status != 0) {
      // Defensive: a response that ended without the blank line closing its headers.
      exchange.block_status = response.status;
      try {
        if (!deliver_headers(exchange)) {
          response.error = TransportError::Aborted;
          response.error_detail = exchange.stop_detail;
        }
      } catch (...) {
        record_exception(exchange);
      }
    }

    release(std::move(handle));
    if (exchange.exception) std::rethrow_exception(exchange.exception);
    return response;
  }

 private:
  static HttpResponse failure(HttpResponse response, TransportError error, std::string detail) {
    response.error = error;
    response.error_detail = std::move(detail);
    return response;
  }

  static bool build_header_list(const HttpHeaders& headers, bool add_expect, CurlSlistPtr& list) {
    std::string line;
    for (const auto& [name, value] : headers) {
      line = name;
      // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
      if (value.empty()) {
        line += ';';
      } else {
        line += ": ";
        line += value;
      }
      if (!internal::append_to_slist(list, line.c_str())) return false;
    }
    return !add_expect || internal::append_to_slist(list, "Expect:");
  }

  /// Sets every per-request option, so nothing of the previous request carries over.
  static CURLcode prepare(PooledHandle& handle, const HttpRequest& request, curl_slist* headers,
                          Exchange& exchange) {
    CURL* easy = handle.easy.get();
    handle.error_buffer[0] = '\0';
    CURLcode code = curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    const auto set = [&](auto option, auto value) {
      if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_NOBODY, request.method == "HEAD" ? 1L : 0L);
    if (request.method == "GET" || request.method == "HEAD") {
      if (request.method == "GET") set(CURLOPT_HTTPGET, 1L);
      set(CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
    } else {
      // The body is sent straight from the request (no copy); it outlives the transfer.
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, request.body.data());
      set(CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
    }
    set(CURLOPT_HTTPHEADER, headers);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    set(CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&exchange));
    set(CURLOPT_WRITEDATA, static_cast<void*>(&exchange));
    return code;
  }

  /// Drives the transfer; nullopt when the multi interface itself failed or it was cancelled.
  static std::optional<CURLcode> run(PooledHandle& handle, Exchange& exchange) {
    CURLM* multi = handle.multi.get();
    CURL* easy = handle.easy.get();
    CURLMcode status = curl_multi_add_handle(multi, easy);
    if (status != CURLM_OK) {
      exchange.stop_detail = curl_multi_strerror(status);
      return std::nullopt;
    }
    std::optional<CURLcode> result;
    while (true) {
      int running = 0;
      status = curl_multi_perform(multi, &running);
      if (status != CURLM_OK) break;
      if (running == 0) {
        int queued = 0;
        while (const CURLMsg* message = curl_multi_info_read(multi, &queued)) {
          if (message->msg == CURLMSG_DONE) result = message->data.result;
        }
        break;
      }
      if (note_cancellation(exchange)) break;
      status = curl_multi_poll(multi, nullptr, 0, kPollIntervalMs, nullptr);
      if (status != CURLM_OK) break;
    }
    // Removing an unfinished transfer closes its connection; a finished one returns to the cache.
    (void)curl_multi_remove_handle(multi, easy);
    if (status != CURLM_OK) exchange.stop_detail = curl_multi_strerror(status);
    if (!result && exchange.stop_detail.empty()) exchange.stop_detail = "the transfer did not end";
    return result;
  }

  std::unique_ptr<PooledHandle> acquire(std::string& problem) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (!idle_.empty()) {
        // Most recently used first: its connection is the likeliest to still be alive.
        std::unique_ptr<PooledHandle> handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    return create_handle(problem);
  }

  void release(std::unique_ptr<PooledHandle> handle) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (idle_.size() < kMaxIdleHandles) {
        idle_.push_back(std::move(handle));
        return;
      }
    }
    // Surplus handle: destroyed (closing its connection) outside the lock.
  }

  std::unique_ptr<PooledHandle> create_handle(std::string& problem) const {
    auto handle = std::make_unique<PooledHandle>();
    handle->easy.reset(curl_easy_init());
    handle->multi.reset(curl_multi_init());
    if (!handle->easy || !handle->multi) {
      problem = "could not create a libcurl handle";
      return nullptr;
    }
    CURL* easy = handle->easy.get();
    CURLcode code = CURLE_OK;
    const char* failed_option = nullptr;
    const auto set = [&](const char* name, auto option, auto value) {
      if (code != CURLE_OK) return;
      code = curl_easy_setopt(easy, option, value);
      if (code != CURLE_OK) failed_option = name;
    };
    set("NOSIGNAL", CURLOPT_NOSIGNAL, 1L);
    set("ERRORBUFFER", CURLOPT_ERRORBUFFER, handle->error_buffer.data());
    set("HEADERFUNCTION", CURLOPT_HEADERFUNCTION, on_header_line);
    set("WRITEFUNCTION", CURLOPT_WRITEFUNCTION, on_body_bytes);
    set("PROTOCOLS_STR", CURLOPT_PROTOCOLS_STR, "http,https");
    set("REDIR_PROTOCOLS_STR", CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set("FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, 0L);  // Client decides about redirects.
    // No multiplexing happens with one transfer per handle; HTTP/1.1 keeps downloads simple.
    set("HTTP_VERSION", CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set("CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(options_.connect_timeout.count()));
    set("LOW_SPEED_LIMIT", CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit);
    set("LOW_SPEED_TIME", CURLOPT_LOW_SPEED_TIME,
        static_cast<long>(options_.low_speed_time.count()));
    if (!options_.proxy.empty()) set("PROXY", CURLOPT_PROXY, options_.proxy.c_str());
    if (!options_.ca_bundle.empty()) set("CAINFO", CURLOPT_CAINFO, options_.ca_bundle.c_str());
    if (!options_.ca_path.empty()) set("CAPATH", CURLOPT_CAPATH, options_.ca_path.c_str());
    set("SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set("SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.user_agent.empty()) {
      set("USERAGENT", CURLOPT_USERAGENT, options_.user_agent.c_str());
    }
    const std::size_t buffer_bytes = std::clamp<std::size_t>(
        options_.receive_buffer_bytes, kMinReceiveBufferBytes, CURL_MAX_READ_SIZE);
    set("BUFFERSIZE", CURLOPT_BUFFERSIZE, static_cast<long>(buffer_bytes));
    set("TCP_KEEPALIVE", CURLOPT_TCP_KEEPALIVE, 1L);
    set("TCP_KEEPIDLE", CURLOPT_TCP_KEEPIDLE, kKeepAliveIdleSeconds);
    set("TCP_KEEPINTVL", CURLOPT_TCP_KEEPINTVL, kKeepAliveIntervalSeconds);
    set("SUPPRESS_CONNECT_HEADERS", CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    // A cancelled transfer still resolving a name must not wait for the resolver thread.
    set("QUICK_EXIT", CURLOPT_QUICK_EXIT, 1L);
    if (share_) set("SHARE", CURLOPT_SHARE, share_.get());
    if (code != CURLE_OK) {
      problem = std::string("libcurl rejected option CURLOPT_") + failed_option + ": " +
                curl_easy_strerror(code);
      return nullptr;
    }
    return handle;
  }

  const TransportOptions options_;
  // Declared before the pool: every handle must be gone before the share is cleaned up.
  std::unique_ptr<ShareLocks> share_locks_ = std::make_unique<ShareLocks>();
  CurlSharePtr share_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<PooledHandle>> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(const TransportOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace seedance
