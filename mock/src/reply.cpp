#include "reply.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace seedance::mock::detail {

Reply body_reply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string error_json(const std::string& code, const std::string& type, const std::string& message,
                       const std::string& param) {
  nlohmann::ordered_json error = {{"message", message}, {"type", type}, {"code", code}};
  if (!param.empty()) error["param"] = param;
  return nlohmann::ordered_json{{"error", error}}.dump();
}

Reply error_reply(int status, const std::string& code, const std::string& type,
                  const std::string& message, const std::string& param) {
  return body_reply(status, error_json(code, type, message, param));
}

ErrorDefaults error_defaults(int status) {
  switch (status) {
    case 400:
      return {"invalid_request_error", "bad_request"};
    case 401:
      return {"authentication_error", "invalid_api_key"};
    case 403:
      return {"permission_error", "forbidden"};
    case 404:
      return {"invalid_request_error", "not_found"};
    case 405:
      return {"invalid_request_error", "method_not_allowed"};
    case 408:
      return {"server_error", "request_timeout"};
    case 409:
      return {"invalid_request_error", "conflict"};
    case 413:
      return {"invalid_request_error", "request_too_large"};
    case 416:
      return {"invalid_request_error", "range_not_satisfiable"};
    case 429:
      return {"rate_limit_error", "rate_limit_exceeded"};
    case 502:
      return {"server_error", "bad_gateway"};
    case 503:
      return {"server_error", "service_unavailable"};
    case 504:
      return {"server_error", "gateway_timeout"};
    default:
      break;
  }
  return status >= 400 && status < 500 ? ErrorDefaults{"invalid_request_error", "bad_request"}
                                       : ErrorDefaults{"server_error", "internal_error"};
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Temporarily Unavailable";
    case 504:
      return "Gateway Time-out";
    default:
      break;
  }
  return "Error";
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http_date(std::int64_t unix_seconds) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
#ifdef _WIN32
  gmtime_s(&tm, &t);  // the C runtime's thread-safe variant, arguments the other way round
#else
  gmtime_r(&t, &tm);
#endif
  char buf[64];
  // Formatted by hand: strftime's %a/%b follow the locale, HTTP dates must be English.
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

}  // namespace seedance::mock::detail
