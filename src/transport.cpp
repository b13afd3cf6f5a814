#include "seedance/transport.hpp"

#include <algorithm>
#include <cctype>

namespace seedance {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [header_name, value] : headers) {
    if (equals_ignoring_case(header_name, name)) return value;
  }
  return std::nullopt;
}

std::string_view to_string(TransportError error) noexcept {
  switch (error) {
    case TransportError::None:
      return "none";
    case TransportError::NameResolution:
      return "name resolution failed";
    case TransportError::Connect:
      return "connection failed";
    case TransportError::Tls:
      return "TLS handshake failed";
    case TransportError::Timeout:
      return "request timed out";
    case TransportError::Stalled:
      return "transfer stalled";
    case TransportError::ConnectionLost:
      return "connection lost";
    case TransportError::Cancelled:
      return "cancelled";
    case TransportError::Aborted:
      return "aborted";
    case TransportError::Other:
      return "transport error";
  }
  return "transport error";
}

bool failed_before_sending(TransportError error) noexcept {
  return error == TransportError::NameResolution || error == TransportError::Connect ||
         error == TransportError::Tls;
}

}  // namespace seedance
