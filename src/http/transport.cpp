#include "seedance/transport.hpp"

#include "http/http_parse.hpp"
#include "text.hpp"

namespace seedance {
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [header_name, value] : headers) {
    if (detail::equals_ignoring_case(header_name, name)) return value;
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
    case TransportError::Certificate:
      return "certificate verify failed";
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
    case TransportError::TooLarge:
      return "response too large";
    case TransportError::Other:
      return "transport error";
  }
  return "transport error";
}

bool failed_before_sending(TransportError error) noexcept {
  return error == TransportError::NameResolution || error == TransportError::Connect ||
         error == TransportError::Tls || error == TransportError::Certificate;
}

namespace detail {

int parse_status_line(std::string_view line) noexcept {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  const std::string_view rest = line.substr(space + 1);
  if (rest.size() < 3) return 0;
  int status = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = rest[i];
    if (c < '0' || c > '9') return 0;
    status = status * 10 + (c - '0');
  }
  return status;
}

std::optional<std::size_t> parse_content_length(const HttpHeaders& headers) {
  const auto value = find_header(headers, "Content-Length");
  if (!value || value->empty() || value->size() > 18) return std::nullopt;
  std::size_t length = 0;
  for (const char c : *value) {
    if (c < '0' || c > '9') return std::nullopt;
    length = length * 10 + static_cast<std::size_t>(c - '0');
  }
  return length;
}

HeaderBlockParser::Line HeaderBlockParser::feed(std::string_view line, HttpHeaders& headers) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    status_ = parse_status_line(line);
    headers.clear();      // Only the final response's headers are reported.
    headers.reserve(16);  // one allocation for the usual dozen fields
    return Line::Status;
  }
  if (line.empty()) return Line::End;
  if (line.front() == ' ' || line.front() == '\t') {
    if (headers.empty()) return Line::Ignored;
    // Obsolete line folding continues the previous value.
    const std::string_view more = trim(line);
    std::string& value = headers.back().second;
    if (!more.empty()) {
      if (!value.empty()) value += ' ';
      value += more;
    }
    return Line::Field;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return Line::Ignored;
  headers.emplace_back(std::string(trim(line.substr(0, colon))),
                       std::string(trim(line.substr(colon + 1))));
  return Line::Field;
}

}  // namespace detail
}  // namespace seedance
