#include "http/curl/curl_handle.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "http/curl/curl_exchange.hpp"
#include "http/curl/curl_multi.hpp"
#include "platform/platform.hpp"

namespace seedance::detail {
namespace {

/// libcurl's smallest accepted CURLOPT_BUFFERSIZE.
constexpr std::size_t kMinReceiveBufferBytes = 1024;
constexpr long kKeepAliveIdleSeconds = 30;
constexpr long kKeepAliveIntervalSeconds = 15;
/// libcurl's default TLS versions, spelt two ways: its default maximum named (a submit's own
/// connection) or not (the rest).
constexpr long kTlsVersions = CURL_SSLVERSION_DEFAULT;
constexpr long kOwnConnectionTlsVersions =
    CURL_SSLVERSION_DEFAULT | static_cast<long>(CURL_SSLVERSION_MAX_DEFAULT);

/// Creates the socket as libcurl would (close-on-exec besides), and counts it.
curl_socket_t open_counted_socket(void* tag, curlsocktype /*purpose*/, curl_sockaddr* address) {
  const curl_socket_t descriptor =
      platform::open_socket(address->family, address->socktype, address->protocol);
  if (descriptor != CURL_SOCKET_BAD) {
    const auto& counted = *static_cast<detail::ConnectionGauge::Tag*>(tag);
    counted.gauge->on_open(counted.shared);
  }
  return descriptor;
}

int close_counted_socket(void* tag, curl_socket_t descriptor) {
  const auto& counted = *static_cast<detail::ConnectionGauge::Tag*>(tag);
  counted.gauge->on_close(counted.shared);
  return platform::close_socket(descriptor);
}

bool has_header(const HttpHeaders& headers, std::string_view name) {
  return find_header(headers, name).has_value();
}

bool build_header_list(const HttpHeaders& headers, bool add_expect, CurlSlistPtr& list) {
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
    if (!append_to_slist(list, line.c_str())) return false;
  }
  return !add_expect || append_to_slist(list, "Expect:");
}

}  // namespace

std::unique_ptr<CurlHandle> CurlHandle::create(const TransportOptions& options,
                                               const CurlProfile& profile, std::string& problem) {
  ensure_curl_global_init();
  std::unique_ptr<CurlHandle> handle(new CurlHandle(options, profile));
  handle->easy_.reset(curl_easy_init());
  if (!handle->easy_) {
    problem = "could not create a libcurl handle";
    return nullptr;
  }
  const char* failed_option = nullptr;
  const CURLcode code = handle->set_handle_options(options, profile, failed_option);
  if (code != CURLE_OK) {
    problem = std::string("libcurl rejected option CURLOPT_") + failed_option + ": " +
              curl_easy_strerror(code);
    return nullptr;
  }
  return handle;
}

CurlHandle::CurlHandle(const TransportOptions& options, const CurlProfile& profile)
    : close_fresh_connections_(profile.close_fresh_connections),
      wait_to_multiplex_(profile.wait_to_multiplex),
      http_version_(options.http_version),
      gauge_(profile.gauge) {}

bool clear_text_h2_single_use(HttpVersion version, const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  return version == HttpVersion::Http2PriorKnowledge && url.size() >= kScheme.size() &&
         std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
           return a == std::tolower(static_cast<unsigned char>(b));
         });
}

long curl_http_version(HttpVersion version) {
  switch (version) {
    case HttpVersion::Http1_1:
      return CURL_HTTP_VERSION_1_1;
    case HttpVersion::Http2PriorKnowledge:
      return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    case HttpVersion::Automatic:
      break;
  }
  return CURL_HTTP_VERSION_2TLS;
}

CURLcode CurlHandle::set_handle_options(const TransportOptions& options, const CurlProfile& profile,
                                        const char*& failed_option) {
  CURL* easy = easy_.get();
  CURLcode code = CURLE_OK;
  const auto set = [&](const char* name, auto option, auto value) {
    if (code != CURLE_OK) return;
    code = curl_easy_setopt(easy, option, value);
    if (code != CURLE_OK) failed_option = name;
  };
  set("NOSIGNAL", CURLOPT_NOSIGNAL, 1L);
  set("ERRORBUFFER", CURLOPT_ERRORBUFFER, error_buffer_.data());
  set("HEADERFUNCTION", CURLOPT_HEADERFUNCTION, &CurlExchange::on_header_line);
  set("WRITEFUNCTION", CURLOPT_WRITEFUNCTION, &CurlExchange::on_body_bytes);
  set("PROTOCOLS_STR", CURLOPT_PROTOCOLS_STR, "http,https");
  set("REDIR_PROTOCOLS_STR", CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set("FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, 0L);  // Client decides about redirects.
  set("HTTP_VERSION", CURLOPT_HTTP_VERSION, curl_http_version(options.http_version));
  set("CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(options.connect_timeout.count()));
  set("LOW_SPEED_LIMIT", CURLOPT_LOW_SPEED_LIMIT, options.low_speed_limit);
  set("LOW_SPEED_TIME", CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
  if (!options.proxy.empty()) set("PROXY", CURLOPT_PROXY, options.proxy.c_str());
  if (!options.ca_bundle.empty()) set("CAINFO", CURLOPT_CAINFO, options.ca_bundle.c_str());
  if (!options.ca_path.empty()) set("CAPATH", CURLOPT_CAPATH, options.ca_path.c_str());
  set("SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  set("SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.user_agent.empty()) set("USERAGENT", CURLOPT_USERAGENT, options.user_agent.c_str());
  if (profile.receive_buffer_bytes > 0) {
    const std::size_t bytes = std::clamp<std::size_t>(profile.receive_buffer_bytes,
                                                      kMinReceiveBufferBytes, CURL_MAX_READ_SIZE);
    set("BUFFERSIZE", CURLOPT_BUFFERSIZE, static_cast<long>(bytes));
  }
  set("TCP_KEEPALIVE", CURLOPT_TCP_KEEPALIVE, 1L);
  set("TCP_KEEPIDLE", CURLOPT_TCP_KEEPIDLE, kKeepAliveIdleSeconds);
  set("TCP_KEEPINTVL", CURLOPT_TCP_KEEPINTVL, kKeepAliveIntervalSeconds);
  set("SUPPRESS_CONNECT_HEADERS", CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  // A cancelled transfer still resolving a name must not wait for the resolver thread.
  set("QUICK_EXIT", CURLOPT_QUICK_EXIT, 1L);
  if (profile.share != nullptr) set("SHARE", CURLOPT_SHARE, profile.share);
  if (profile.gauge != nullptr) {
    set("OPENSOCKETFUNCTION", CURLOPT_OPENSOCKETFUNCTION, open_counted_socket);
    // The callbacks' data says which kind of connection a request opens: set per request.
    set("OPENSOCKETDATA", CURLOPT_OPENSOCKETDATA, static_cast<void*>(profile.gauge->tag(true)));
    set("CLOSESOCKETFUNCTION", CURLOPT_CLOSESOCKETFUNCTION, close_counted_socket);
    set("CLOSESOCKETDATA", CURLOPT_CLOSESOCKETDATA, static_cast<void*>(profile.gauge->tag(true)));
  }
  return code;
}

/// Checks the headers and turns them into libcurl's list, unless the last request had the same.
std::string CurlHandle::use_headers(const HttpHeaders& headers, bool add_expect) {
  if (list_built_ && list_has_expect_ == add_expect && list_headers_ == headers) return {};
  if (auto problem = invalid_header(headers)) return std::move(*problem);
  CurlSlistPtr list;
  if (!build_header_list(headers, add_expect, list)) return "out of memory";
  header_list_ = std::move(list);
  list_headers_ = headers;
  list_has_expect_ = add_expect;
  list_built_ = true;
  return {};
}

std::string CurlHandle::prepare(const HttpRequest& request, CurlExchange& exchange) {
  // libcurl may wait for "100 Continue" before sending a body; never wanted here.
  const bool bodyless = request.method == "GET" || request.method == "HEAD";
  std::string problem =
      use_headers(request.headers, !bodyless && !has_header(request.headers, "Expect"));
  if (!problem.empty()) return problem;
  CURL* easy = easy_.get();
  error_buffer_[0] = '\0';
  CURLcode code = curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  const auto set = [&](auto option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_NOBODY, request.method == "HEAD" ? 1L : 0L);
  if (bodyless) {
    if (request.method == "GET") set(CURLOPT_HTTPGET, 1L);
    set(CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
  } else {
    // The body is sent straight from the request (no copy); it outlives the transfer.
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());
    set(CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
  }
  set(CURLOPT_HTTPHEADER, header_list_.get());
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  // A submit gets a connection of its own: libcurl silently resends a request whose reused
  // connection turns out dead, and a submit must never be sent twice.
  const bool single_use = clear_text_h2_single_use(http_version_, request.url);
  set(CURLOPT_FRESH_CONNECT, request.fresh_connection || single_use ? 1L : 0L);
  const bool own_connection = close_fresh_connections_ && request.fresh_connection;
  set(CURLOPT_FORBID_REUSE, own_connection || single_use ? 1L : 0L);
  // The same TLS versions either way, but a connection is only shared between transfers of
  // equal TLS settings (see CurlProfile::close_fresh_connections).
  set(CURLOPT_SSLVERSION, own_connection ? kOwnConnectionTlsVersions : kTlsVersions);
  set(CURLOPT_PIPEWAIT, wait_to_multiplex_ && !request.fresh_connection && !single_use ? 1L : 0L);
  if (gauge_ != nullptr) {
    void* tag = static_cast<void*>(gauge_->tag(!request.fresh_connection));
    set(CURLOPT_OPENSOCKETDATA, tag);
    set(CURLOPT_CLOSESOCKETDATA, tag);
  }
  set(CURLOPT_HEADERDATA, static_cast<void*>(&exchange));
  set(CURLOPT_WRITEDATA, static_cast<void*>(&exchange));
  if (code != CURLE_OK) {
    return std::string("libcurl rejected the request: ") + curl_easy_strerror(code);
  }
  return {};
}

}  // namespace seedance::detail
