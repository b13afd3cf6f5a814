// The bytes the mock serves: a task's video on /content (per dialect) and in the upstream
// storage, honouring Range and If-Range, and the last-frame PNG.
#pragma once

#include <optional>
#include <string>

#include "reply.hpp"
#include "task.hpp"

namespace seedance::mock::detail {

/// The request headers a download depends on.
struct RangeHeaders {
  std::string range;                    ///< Range, trimmed; empty when absent.
  std::optional<std::string> if_range;  ///< If-Range, trimmed, when sent.
};

/// The task's video, honouring the Range (and, when `if_range`, the If-Range).
Reply video_reply(const Task& t, const RangeHeaders& headers, bool if_range);
/// `whole` (the whole video) narrowed to a single "bytes=" range; a 416 when it is outside the
/// video; `whole` itself when the header is malformed or asks for several ranges.
Reply apply_range(Reply whole, const std::string& range);

/// GET /v1/videos/{id}/content in the reference dialect (`t` null: no such task).
Reply reference_content(const std::optional<Task>& t, const std::string& id,
                        const RangeHeaders& headers);
/// The same route in the gateway dialect: its video proxy (controller/video_proxy.go).
Reply gateway_content(const std::optional<Task>& t, const RangeHeaders& headers);
/// GET /upstream-storage/{id}/{file}: the files of a succeeded task, with no key required.
Reply storage_file(const std::optional<Task>& t, const std::string& id, const std::string& file,
                   const RangeHeaders& headers);

}  // namespace seedance::mock::detail
