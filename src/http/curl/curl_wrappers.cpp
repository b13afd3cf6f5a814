// The libcurl pieces both transports build on: global initialisation, header checks and the
// mapping of libcurl's result codes.
#include "http/curl/curl_wrappers.hpp"

#include <array>
#include <mutex>

namespace seedance::detail {

void ensure_curl_global_init() {
  // libcurl >= 7.84 makes this thread-safe itself; call_once also keeps it to a single call.
  static std::once_flag once;
  std::call_once(once, [] { (void)curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

bool is_tls_failure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

/// The server's certificate was refused, or the TLS settings cannot work (an unreadable CA
/// bundle, a client certificate or engine problem): the same on every try.
bool is_certificate_failure(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:  // Also CURLE_SSL_CACERT (same value).
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
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
      if (is_certificate_failure(code)) return TransportError::Certificate;
      return is_tls_failure(code) ? TransportError::Tls : TransportError::Other;
  }
}

}  // namespace seedance::detail
