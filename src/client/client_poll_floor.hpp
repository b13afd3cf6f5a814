// A Client's 5 s poll floor as wall-clock time, for callers that keep it across processes (the
// batch journal, the CLI's per-user cache).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "seedance/cancellation.hpp"
#include "seedance/client.hpp"

namespace seedance::detail {

/// Reads and feeds the floor that wait(), get() and the engine keep per task, so that a poll made
/// by another process counts like one made by this Client.
struct ClientPollFloor {
  using WallTime = std::chrono::system_clock::time_point;

  /// The task was polled at `at` (by an earlier process, say). A time in the future - a clock set
  /// back since - counts as now, so it can never hold a poll back for more than the floor.
  static void record(const Client& client, std::string_view task_id, WallTime at);

  /// When the task was last polled as far as `client` knows; empty when not within the floor.
  static std::optional<WallTime> last_poll(const Client& client, std::string_view task_id);

  /// How long until the task may be polled again; zero when it may be now.
  static std::chrono::milliseconds remaining(const Client& client, std::string_view task_id);

  /// Sleeps out remaining() on the client's clock (get() does not wait for the floor; wait()
  /// does). False when `cancel` ended the sleep.
  static bool wait(const Client& client, std::string_view task_id, const CancellationToken& cancel);
};

}  // namespace seedance::detail
