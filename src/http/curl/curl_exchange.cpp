#include "http/curl/curl_exchange.hpp"

#include <string_view>
#include <utility>

#include "http/curl/curl_wrappers.hpp"
#include "http/response_limit.hpp"

namespace seedance::detail {
namespace {

/// Collected bodies (JSON) announced up to this size are reserved up front; larger ones grow as
/// they arrive, so a wrong Content-Length cannot make us allocate much before any byte came.
constexpr std::size_t kMaxBodyReserve = 8 * 1024 * 1024;
/// How early libcurl's request timeout may fire by our clock and still count as the timeout.
constexpr std::chrono::milliseconds kTimeoutTolerance{20};
constexpr std::size_t kWriteFailed = CURL_WRITEFUNC_ERROR;

/// True when the request itself never started to leave: libcurl stamps "pretransfer" just before
/// it sends the request, after the connection, a proxy's CONNECT and the TLS handshake. (The
/// request size is no help: libcurl 7.88 counts a CONNECT request in it.) Measured in
/// microseconds from the start of a transfer that had to connect, so never 0 once stamped.
bool request_not_sent(CURL* easy) {
  curl_off_t pretransfer_us = 0;
  (void)curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  return pretransfer_us == 0;
}

}  // namespace

CurlExchange::CurlExchange(const HttpRequest& request, HttpResponse& response)
    : request_(request), response_(response) {}

void CurlExchange::stop(Stop why, std::string detail) {
  stop_ = why;
  stop_detail_ = std::move(detail);
}

bool CurlExchange::collects_body() const { return !request_.on_body && request_.method != "HEAD"; }

void CurlExchange::stop_too_large() {
  stop(Stop::TooLarge, too_large_detail(request_.max_response_bytes) + "; the rest was not read");
}

/// Hands the final response's status and headers to the caller; false aborts the transfer.
bool CurlExchange::deliver_headers(int status) {
  headers_delivered_ = true;
  response_.status = status;
  if (collects_body()) {
    const auto length = detail::parse_content_length(response_.headers);
    const std::size_t limit = request_.max_response_bytes;
    // An announced length past the limit fails before a single body byte is read.
    if (length && limit > 0 && *length > limit) {
      stop_too_large();
      return false;
    }
    if (length && *length <= kMaxBodyReserve) response_.body.reserve(*length);
  }
  if (request_.on_headers && !request_.on_headers(response_.status, response_.headers)) {
    stop(Stop::Aborted, "aborted by the on_headers callback");
    return false;
  }
  return true;
}

void CurlExchange::record_exception() {
  stop(Stop::Threw, "a callback threw an exception");
  exception_ = std::current_exception();
}

bool CurlExchange::note_cancellation() {
  if (!request_.cancel || !request_.cancel->cancelled()) return false;
  stop(Stop::Cancelled, "cancelled");
  return true;
}

void CurlExchange::set_failure_detail(std::string detail) {
  if (stop_detail_.empty()) stop_detail_ = std::move(detail);
}

// libcurl calls this once per header line (CRLF included), for every response it reads: interim
// 1xx responses too, each starting with its status line.
std::size_t CurlExchange::on_header_line(char* data, std::size_t size, std::size_t count,
                                         void* user) {
  auto& exchange = *static_cast<CurlExchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange.headers_delivered_) return bytes;  // Trailers of a chunked body: not collected.
  if (exchange.note_cancellation()) return kWriteFailed;
  try {
    using Line = detail::HeaderBlockParser::Line;
    HeaderBlockParser& parser = exchange.parser_;
    const Line kind = parser.feed(std::string_view(data, bytes), exchange.response_.headers);
    if (kind == Line::End && parser.final_block() && !exchange.deliver_headers(parser.status())) {
      return kWriteFailed;
    }
  } catch (...) {
    exchange.record_exception();
    return kWriteFailed;
  }
  return bytes;
}

// Body bytes go straight from libcurl's buffer to on_body (or the collected body), uncopied.
std::size_t CurlExchange::on_body_bytes(char* data, std::size_t size, std::size_t count,
                                        void* user) {
  auto& exchange = *static_cast<CurlExchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange.note_cancellation()) return kWriteFailed;
  try {
    if (!exchange.headers_delivered_ && !exchange.deliver_headers(exchange.parser_.status())) {
      return kWriteFailed;
    }
    const HttpRequest& request = exchange.request_;
    std::string& body = exchange.response_.body;
    if (request.on_body) {
      if (!request.on_body(data, bytes)) {
        exchange.stop(Stop::Aborted, "aborted by the on_body callback");
        return kWriteFailed;
      }
    } else if (const std::size_t limit = exchange.request_.max_response_bytes;
               limit > 0 && bytes > limit - body.size()) {
      exchange.stop_too_large();
      return kWriteFailed;
    } else {
      body.append(data, bytes);
    }
  } catch (...) {
    exchange.record_exception();
    return kWriteFailed;
  }
  return bytes;
}

/// CURLE_OPERATION_TIMEDOUT covers the request timeout, the connect timeout (name resolution
/// included) and the low-speed limit; tell them apart by when it happened.
TransportError CurlExchange::classify_timeout(CURL* easy) const {
  // libcurl may fire its timer up to a millisecond early, hence the tolerance; a stall can only
  // be mistaken for a timeout when both limits expire at the same moment.
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  if (request_.timeout.count() > 0 && elapsed + kTimeoutTolerance >= request_.timeout) {
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

TransportError CurlExchange::classify(CURLcode code, CURL* easy) const {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return classify_timeout(easy);
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      if (stop_ == Stop::Cancelled) return TransportError::Cancelled;
      if (stop_ == Stop::Aborted || stop_ == Stop::Threw) return TransportError::Aborted;
      if (stop_ == Stop::TooLarge) return TransportError::TooLarge;
      return TransportError::Other;
    default:
      return classify_connection_failure(code, easy);
  }
}

/// A connection that broke before the request left is no lost request: a proxy that answers
/// its CONNECT with an error (libcurl 7.88 says CURLE_RECV_ERROR, as for an answer cut short), or
/// one that closed during the tunnel's set-up, never passed the request on, so even a submit may
/// be sent again.
TransportError CurlExchange::classify_connection_failure(CURLcode code, CURL* easy) const {
  const TransportError error = classify_curl_code(code);
  if (error != TransportError::ConnectionLost) return error;
  long connect_code = 0;
  (void)curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  if (connect_code != 0 && (connect_code < 200 || connect_code > 299)) {
    return TransportError::Connect;
  }
  return request_not_sent(easy) ? TransportError::Connect : error;
}

void CurlExchange::finish(std::optional<CURLcode> result, CURL* easy, const char* error_message) {
  if (!headers_delivered_) {
    // The header block did not complete; still report a status line that did arrive.
    long code = 0;
    (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200) response_.status = static_cast<int>(code);
  }
  if (stop_ == Stop::Cancelled || !result) {
    response_.error = stop_ == Stop::Cancelled ? TransportError::Cancelled : TransportError::Other;
    response_.error_detail = stop_detail_;
  } else if (*result != CURLE_OK) {
    response_.error = classify(*result, easy);
    if (!stop_detail_.empty()) {
      response_.error_detail = stop_detail_;
    } else if (error_message != nullptr && error_message[0] != '\0') {
      response_.error_detail = error_message;
    } else {
      response_.error_detail = curl_easy_strerror(*result);
    }
  } else if (!headers_delivered_ && response_.status != 0) {
    // Defensive: a response that ended without the blank line closing its headers.
    try {
      if (!deliver_headers(response_.status)) {
        response_.error =
            stop_ == Stop::TooLarge ? TransportError::TooLarge : TransportError::Aborted;
        response_.error_detail = stop_detail_;
      }
    } catch (...) {
      record_exception();
    }
  }
}

}  // namespace seedance::detail
