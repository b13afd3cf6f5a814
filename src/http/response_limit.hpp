// The limit on collected response bodies (HttpRequest::max_response_bytes): its message, and its
// check of what an injected HttpTransport returned (the libcurl transports stop reading at the
// limit themselves).
#pragma once

#include <cstddef>
#include <string>

#include "seedance/transport.hpp"

namespace seedance::detail {

/// The error_detail of TransportError::TooLarge; names the limit.
inline std::string too_large_detail(std::size_t limit) {
  return "the response body exceeds the limit of " + std::to_string(limit) +
         " bytes (max_response_bytes)";
}

/// Turns a complete response whose collected body is over the request's limit into
/// TransportError::TooLarge, as the libcurl transports report it.
inline void enforce_response_limit(const HttpRequest& request, HttpResponse& response) {
  const std::size_t limit = request.max_response_bytes;
  if (limit == 0 || request.on_body || response.error != TransportError::None ||
      response.body.size() <= limit) {
    return;
  }
  response.error = TransportError::TooLarge;
  response.error_detail = too_large_detail(limit);
  std::string().swap(response.body);
}

}  // namespace seedance::detail
