// RAII owners for libcurl handles (internal; libcurl never appears in public headers).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

#include "seedance/transport.hpp"

namespace seedance::detail {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* handle) const noexcept { curl_multi_cleanup(handle); }
};
struct CurlShareDeleter {
  void operator()(CURLSH* handle) const noexcept { curl_share_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSharePtr = std::unique_ptr<CURLSH, CurlShareDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

/// Runs curl_global_init exactly once per process, so users never have to.
void ensure_curl_global_init();

/// libcurl's result in the transport's words, shared by the easy and the multi transports. What
/// matters most is never to call a failure "before sending" when the request may have left: a
/// submit is then reported, never resent. CURLE_OPERATION_TIMEDOUT, CURLE_WRITE_ERROR and
/// CURLE_ABORTED_BY_CALLBACK depend on the transfer and come back as TransportError::Other, and a
/// broken connection as ConnectionLost, for the caller to refine (CurlExchange knows whether
/// the request had left).
TransportError classify_curl_code(CURLcode code) noexcept;

/// Why `headers` must not be sent (a name that is not a token, a value with a line break or NUL,
/// either of which could inject headers); nullopt when they are fine. Never quotes a value.
std::optional<std::string> invalid_header(const HttpHeaders& headers);

/// Appends `line` to `list`; returns false (leaving `list` intact) when libcurl is out of memory.
inline bool append_to_slist(CurlSlistPtr& list, const char* line) {
  curl_slist* const appended = curl_slist_append(list.get(), line);
  if (appended == nullptr) return false;
  (void)list.release();  // curl_slist_append returns the same head for a non-empty list.
  list.reset(appended);
  return true;
}

}  // namespace seedance::detail
