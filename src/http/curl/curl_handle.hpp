// A libcurl easy handle set up the one way both transports use: the options every transfer
// needs (timeouts, low-speed limit, TLS, proxy, user agent, protocols and redirects, HTTP
// version, the callbacks of CurlExchange) once per handle, the request's own before each use.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>

#include "http/curl/curl_wrappers.hpp"
#include "seedance/transport.hpp"

namespace seedance::detail {
class ConnectionGauge;
}

namespace seedance::detail {

class CurlExchange;

/// What differs between the transports' handles; everything else is set the same way.
struct CurlProfile {
  /// libcurl's receive buffer; 0 keeps libcurl's default (enough for JSON answers).
  std::size_t receive_buffer_bytes = 0;
  /// DNS cache and TLS sessions shared with other handles; null when the handles of one multi
  /// handle share them already.
  CURLSH* share = nullptr;
  /// Counts the sockets libcurl opens and closes (its socket callbacks); null for none.
  detail::ConnectionGauge* gauge = nullptr;
  /// Close the connection of a fresh_connection request after it, so it never displaces a
  /// connection of a shared cache, and keep the other transfers of the cache from multiplexing
  /// on it meanwhile: libcurl marks a connection "reused" once a second transfer joins it, and
  /// resends a request that got nothing back on a reused connection that died, which a submit
  /// must never be. libcurl shares a TLS connection only between transfers whose TLS settings
  /// are equal, so a submit names libcurl's default maximum TLS version, which the others leave
  /// unnamed: the same versions, unequal settings. (Clear-text HTTP/2 has no such setting: its
  /// connections carry one request each, see clear_text_h2_single_use.)
  bool close_fresh_connections = false;
  /// CURLOPT_PIPEWAIT for the requests other than fresh_connection ones: wait for a connection
  /// being set up to multiplex on it over HTTP/2, instead of opening another. For a multi handle.
  bool wait_to_multiplex = false;
};

/// libcurl's CURLOPT_HTTP_VERSION value for `version`.
long curl_http_version(HttpVersion version);

/// Whether a clear-text HTTP/2 connection (prior knowledge, http://) carries one request only.
/// Always: libcurl before 8.0.0 fails every request it puts on such a connection it reuses
/// ("Error in the HTTP2 framing layer", curl issue 10634), and without TLS nothing keeps a poll
/// off a submit's connection (CurlProfile::close_fresh_connections). For test servers only.
bool clear_text_h2_single_use(HttpVersion version, const std::string& url);

class CurlHandle {
 public:
  /// A handle with every per-handle option set; null, with `problem`, when libcurl refuses.
  static std::unique_ptr<CurlHandle> create(const TransportOptions& options,
                                            const CurlProfile& profile, std::string& problem);

  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;

  CURL* get() const noexcept { return easy_.get(); }

  /// Sets every per-request option (nothing of the previous request carries over) and points
  /// the callbacks at `exchange`. Returns why the request cannot be sent, empty when ready.
  std::string prepare(const HttpRequest& request, CurlExchange& exchange);

  /// libcurl's own words about the last transfer's failure; empty when it had none.
  const char* error_message() const noexcept { return error_buffer_.data(); }

 private:
  CurlHandle(const TransportOptions& options, const CurlProfile& profile);

  CURLcode set_handle_options(const TransportOptions& options, const CurlProfile& profile,
                              const char*& failed_option);
  std::string use_headers(const HttpHeaders& headers, bool add_expect);

  const bool close_fresh_connections_;
  const bool wait_to_multiplex_;
  const HttpVersion http_version_;
  detail::ConnectionGauge* const gauge_;
  // The request headers of the last transfer and libcurl's list of them, kept because most
  // requests of a Client repeat the same headers. Declared first: destroyed after the handle.
  HttpHeaders list_headers_;
  bool list_has_expect_ = false;
  bool list_built_ = false;  // header_list_ is null for a request without headers
  CurlSlistPtr header_list_;
  CurlEasyPtr easy_;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
};

}  // namespace seedance::detail
