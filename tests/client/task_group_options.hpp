// TaskGroup options of the TaskGroup tests, whether against fakes or the mock server.
#pragma once

#include <chrono>

#include "seedance/task_group.hpp"

namespace seedance::testing {

/// Polls exactly every 5 s (no jitter, so poll times are predictable) at a request rate that never
/// holds a test back.
inline TaskGroupOptions steady_group_options() {
  TaskGroupOptions options;
  options.wait.poll_interval = std::chrono::seconds(5);
  options.wait.poll_jitter = std::chrono::milliseconds(0);
  options.max_requests_per_second = 1000;
  return options;
}

}  // namespace seedance::testing
