// The HTTP layer under Client: an interface (injectable for tests) and the libcurl implementation.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "seedance/cancellation.hpp"

namespace seedance {

/// HTTP header fields as (name, value) pairs, in order.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive look-up of the first header called `name`.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

/// One HTTP request, as Client hands it to an HttpTransport.
struct HttpRequest {
  std::string method;   ///< "GET" or "POST".
  std::string url;      ///< Absolute URL.
  HttpHeaders headers;  ///< Sent as given.
  std::string body;     ///< Empty for GET.
  /// Open a new connection instead of reusing one. Used for submit: libcurl silently resends a
  /// request whose reused connection turned out dead, and a submit must never be sent twice.
  bool fresh_connection = false;
  /// Limit for the whole exchange; zero means none (downloads rely on stall detection instead).
  std::chrono::milliseconds timeout{0};
  /// Largest body collected into HttpResponse::body; a longer one ends the transfer at once with
  /// TransportError::TooLarge. Zero means no limit. Bodies streamed through on_body are not
  /// counted. Client sets ClientOptions::max_response_bytes here (and applies it to the answer
  /// of an HttpTransport of its own as well).
  std::size_t max_response_bytes = 0;
  /// Called once the status line and headers arrived, before the first body byte. Returning
  /// false aborts the transfer (TransportError::Aborted).
  std::function<bool(int status, const HttpHeaders& headers)> on_headers;
  /// When set, body bytes are streamed here instead of being collected in HttpResponse::body.
  /// Returning false aborts the transfer (TransportError::Aborted).
  std::function<bool(const char* data, std::size_t size)> on_body;
  /// Checked while the transfer runs; cancellation ends it with TransportError::Cancelled.
  std::optional<CancellationToken> cancel;
};

/// Why a transfer produced no complete response.
enum class TransportError {
  None,            ///< A complete response arrived (whatever its status).
  NameResolution,  ///< The host (or proxy) name did not resolve: nothing was sent.
  Connect,         ///< The TCP connection was refused or could not be made: nothing was sent.
  Tls,             ///< The TLS handshake failed: nothing was sent.
  /// The server's TLS certificate could not be verified (or the CA bundle could not be used):
  /// nothing was sent, and another try would fail the same way.
  Certificate,
  Timeout,         ///< The request timeout passed.
  Stalled,         ///< The transfer fell below the minimum rate for too long.
  ConnectionLost,  ///< The connection broke after the request may have been sent.
  Cancelled,       ///< The request's CancellationToken was cancelled.
  Aborted,         ///< on_headers or on_body returned false.
  TooLarge,        ///< The body exceeded HttpRequest::max_response_bytes; the rest was not read.
  Other,           ///< Anything else the HTTP library reported.
};

/// A short description for logs and messages, e.g. "connection lost".
std::string_view to_string(TransportError error) noexcept;

/// True when the failure happened before any byte of the request could reach the server, so even
/// a non-idempotent request can safely be sent again.
bool failed_before_sending(TransportError error) noexcept;

/// What an HttpTransport got back: a response, or the reason there is none.
struct HttpResponse {
  int status = 0;       ///< 0 when no status line arrived.
  HttpHeaders headers;  ///< Response headers, in order.
  std::string body;     ///< Empty when the request streamed it through on_body.
  TransportError error = TransportError::None;  ///< None when a complete response arrived.
  std::string error_detail;                     ///< The HTTP library's own words, for messages.

  /// Case-insensitive look-up of a response header.
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Sends one HTTP request; never throws for network failures (they are reported in the
/// response) and never retries. Implementations must be safe to call from many threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Performs the exchange; blocks until the response is complete or the transfer failed.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// Which HTTP version the libcurl transport speaks (TransportOptions::http_version).
enum class HttpVersion {
  /// HTTP/2 over TLS when the server offers it (ALPN), else HTTP/1.1; plain http:// is HTTP/1.1.
  Automatic,
  /// HTTP/1.1 only, also where the server offers HTTP/2.
  Http1_1,
  /// HTTP/2 from the first byte, with no fallback: over TLS, and over plain http:// ("h2c" with
  /// prior knowledge, for test servers that speak only HTTP/2 in clear text).
  Http2PriorKnowledge,
};

/// Settings of the libcurl transport (ClientOptions::transport_options).
struct TransportOptions {
  /// Limit for establishing the TCP connection and TLS session.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Stall detection: a transfer slower than low_speed_limit bytes/s for low_speed_time fails
  /// (TransportError::Stalled); a download then resumes, and gives up with NetworkError after
  /// RetryPolicy::max_attempts stalls that each moved less than one window at that rate. The
  /// defaults, 1 KiB/s over 30 s, never cut a link that works (even 2G moves several KiB/s) and
  /// end a server trickling a byte a second within about two minutes.
  std::chrono::seconds low_speed_time{30};
  long low_speed_limit = 1024;  ///< Bytes per second; see low_speed_time.
  std::string proxy;      ///< e.g. "http://proxy:3128"; empty uses the usual environment variables.
  std::string ca_bundle;  ///< PEM file of trusted CAs; empty uses the system's.
  std::string ca_path;    ///< Directory of trusted CAs; empty uses the system's.
  /// Verify TLS certificates and host names. Turning this off is insecure: Client logs a warning.
  bool verify_tls = true;
  std::string user_agent;  ///< Client sets "seedance-cpp/<version>".
  /// HTTP/2 where the server offers it (the default), HTTP/1.1 only, or HTTP/2 with prior
  /// knowledge. Over HTTP/2, TaskGroup multiplexes its polls and downloads on few connections;
  /// each submit still gets a connection of its own (see HttpRequest::fresh_connection).
  HttpVersion http_version = HttpVersion::Automatic;
  /// libcurl's receive buffer: larger buffers mean fewer write calls on fast links.
  std::size_t receive_buffer_bytes = 512 * 1024;
};

/// The libcurl transport: a pool of reused easy handles, so connections are kept alive across
/// calls and threads never share a handle.
std::shared_ptr<HttpTransport> make_curl_transport(const TransportOptions& options = {});

}  // namespace seedance
