#include "content.hpp"

#include <algorithm>
#include <cctype>

#include "gateway.hpp"
#include "reference.hpp"
#include "task_store.hpp"
#include "text.hpp"
#include "video_bytes.hpp"

namespace seedance::mock::detail {
namespace {

bool parse_position(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  out = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

/// The first and last byte a "first-last" spec asks of `total`; false when malformed (RFC 9110
/// lets a server ignore it). `satisfiable` tells whether any of it lies within the video.
bool parse_spec(const std::string& spec, std::uint64_t total, std::uint64_t& a, std::uint64_t& b,
                bool& satisfiable) {
  const std::size_t dash = spec.find('-');
  if (dash == std::string::npos) return false;
  const std::string first = trim(spec.substr(0, dash));
  const std::string last = trim(spec.substr(dash + 1));
  if (first.empty()) {
    if (!parse_position(last, b)) return false;
    // bytes=-n: the last n bytes.
    satisfiable = b > 0 && total > 0;
    a = total > b ? total - b : 0;
    b = total == 0 ? 0 : total - 1;
    return true;
  }
  if (!parse_position(first, a)) return false;
  if (last.empty()) {
    b = total == 0 ? 0 : total - 1;
  } else if (!parse_position(last, b) || b < a) {
    return false;
  }
  satisfiable = a < total;
  if (satisfiable) b = std::min(b, total - 1);
  return true;
}

}  // namespace

Reply video_reply(const Task& t, const RangeHeaders& headers, bool if_range) {
  Reply r;
  r.content_type = "video/mp4";
  r.headers = {
      {"Accept-Ranges", "bytes"}, {"ETag", etag_of(t)}, {"Last-Modified", last_modified_of(t)}};
  r.video = true;
  r.task_id = t.id;
  r.video_size = t.video_size;
  r.offset = 0;
  r.length = t.video_size;
  if (headers.range.empty()) return r;
  // If-Range: honour the Range only while the validator still matches (strong comparison).
  if (if_range && headers.if_range && *headers.if_range != etag_of(t) &&
      *headers.if_range != last_modified_of(t)) {
    return r;
  }
  return apply_range(r, headers.range);
}

Reply apply_range(Reply r, const std::string& range) {
  const std::uint64_t total = r.video_size;
  if (range.size() < 6 || !iequals(range.substr(0, 6), "bytes=")) return r;
  const std::string spec = trim(range.substr(6));
  // Several ranges: a server may answer with the whole content, and this one does.
  if (spec.find(',') != std::string::npos) return r;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  bool satisfiable = true;
  if (!parse_spec(spec, total, a, b, satisfiable)) return r;
  if (!satisfiable) {
    Reply u = error_reply(
        416, "range_not_satisfiable", "invalid_request_error",
        "Range " + range + " is outside the " + std::to_string(total) + " bytes of the video.");
    u.headers = r.headers;
    u.headers.emplace_back("Content-Range", "bytes */" + std::to_string(total));
    return u;
  }
  r.status = 206;
  r.offset = a;
  r.length = b - a + 1;
  r.headers.emplace_back("Content-Range", "bytes " + std::to_string(a) + "-" + std::to_string(b) +
                                              "/" + std::to_string(total));
  return r;
}

Reply reference_content(const std::optional<Task>& t, const std::string& id,
                        const RangeHeaders& headers) {
  if (!t) return reference_task_not_found(id);
  if (t->phase != Phase::Success) return reference_no_video(*t);
  return video_reply(*t, headers, true);
}

Reply gateway_content(const std::optional<Task>& t, const RangeHeaders& headers) {
  if (!t) return body_reply(404, gateway_proxy_error("invalid_request_error", "Task not found"));
  if (t->phase != Phase::Success) {
    return body_reply(400, gateway_proxy_error("invalid_request_error",
                                               std::string("Task is not completed yet, current "
                                                           "status: ") +
                                                   gateway_status(t->phase)));
  }
  // The upstream's answer passed through, Range forwarded and If-Range not; any status but
  // 200/206 becomes 502.
  Reply r = video_reply(*t, headers, false);
  if (r.status != 200 && r.status != 206) {
    return body_reply(502, gateway_proxy_error("server_error", "Upstream service returned status " +
                                                                   std::to_string(r.status)));
  }
  r.headers.emplace_back("Cache-Control", "public, max-age=86400");
  return r;
}

Reply storage_file(const std::optional<Task>& t, const std::string& id, const std::string& file,
                   const RangeHeaders& headers) {
  const bool video_file = file == "video.mp4";
  if (!t || t->phase != Phase::Success || (!video_file && !t->return_last_frame)) {
    return error_reply(404, "not_found", "invalid_request_error",
                       "No such object: " + id + "/" + file + ".");
  }
  if (video_file) return video_reply(*t, headers, true);
  Reply r;
  r.content_type = "image/png";
  r.body = last_frame_png();
  return r;
}

}  // namespace seedance::mock::detail
