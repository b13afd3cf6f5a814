// A task as the mock keeps it, and how each dialect words its state.
#pragma once

#include <cstdint>
#include <string>

#include "seedance/mock/mock_server.hpp"

namespace seedance::mock::detail {

/// The gateway's task states (model/task.go); the reference dialect words them differently.
enum class Phase { NotStart, Queued, InProgress, Success, Failure, Unknown };

struct Task {
  std::string id;
  std::string model;
  std::string prompt;
  Outcome outcome = Outcome::Succeed;
  std::string fail_reason;
  bool return_last_frame = false;
  bool cut_content = false;  // cleared by the first download it cuts
  int polls = 0;
  int polls_to_complete = 3;
  Phase phase = Phase::NotStart;
  int progress = 0;  // the reference dialect's percentage
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t start_time = 0;   // first IN_PROGRESS
  std::int64_t finish_time = 0;  // SUCCESS or FAILURE
  std::uint64_t video_size = 0;
  std::uint64_t generation = 0;  // bumped by change_etag

  bool terminal() const { return phase == Phase::Success || phase == Phase::Failure; }
};

/// QUEUED, IN_PROGRESS, ... as the reference dialect reports them (NOT_START reads QUEUED).
const char* reference_status(Phase phase);
/// NOT_START, QUEUED, ... as the gateway's task model stores them.
const char* gateway_status(Phase phase);

}  // namespace seedance::mock::detail
