// A response as the API logic decides it, before delivery (and a fault's damage) is applied,
// and the error objects both dialects share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seedance::mock::detail {

class GeneratedBody;

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, [offset, offset + length) of the task's video is streamed instead of `body`.
  bool video = false;
  std::string task_id;
  std::uint64_t video_size = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  // When set, streamed instead of `body`: a large body generated as it is sent.
  std::shared_ptr<const GeneratedBody> generated;
  // Close the connection after this many body bytes (a transfer cut by the gateway's limit).
  std::optional<std::uint64_t> cut_after;
};

/// A reply whose body is already made.
Reply body_reply(int status, std::string body);

/// {"error":{"message","type","code"[,"param"]}}
std::string error_json(const std::string& code, const std::string& type, const std::string& message,
                       const std::string& param = std::string());

Reply error_reply(int status, const std::string& code, const std::string& type,
                  const std::string& message, const std::string& param = std::string());

/// The error type and code a status gets when nothing more specific is known.
struct ErrorDefaults {
  const char* type;
  const char* code;
};
ErrorDefaults error_defaults(int status);

/// The reason phrase nginx writes for a status (its HTML error pages show it).
const char* reason_phrase(int status);

std::int64_t unix_now();
/// An IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t unix_seconds);

}  // namespace seedance::mock::detail
