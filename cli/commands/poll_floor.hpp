// The service's 5 s floor between status queries of a task, kept across invocations.
#pragma once

#include <chrono>
#include <string>

#include "commands/support.hpp"
#include "poll_cache.hpp"

namespace seedance::cli {

/// "waiting 3.2 s: the service allows one status query per task every 5 s".
std::string floor_wait_message(std::chrono::milliseconds remaining);

/// Feeds the per-user PollCache's last poll of a task into the Client's own floor (so wait() keeps
/// 5 s from a `seedance status` run a moment ago), and on destruction stores the Client's last
/// poll of it back. A cache that cannot be read or written changes nothing.
class SharedPollFloor {
 public:
  SharedPollFloor(const Client& client, std::string task_id, Console& console,
                  PollCache cache = PollCache(PollCache::default_directory()));
  ~SharedPollFloor();
  SharedPollFloor(const SharedPollFloor&) = delete;
  SharedPollFloor& operator=(const SharedPollFloor&) = delete;

  /// Says on stderr how long the next poll has to wait, if at all.
  void announce_wait();
  /// announce_wait(), then sleeps it out (get() does not wait for the floor; wait() does).
  /// Throws CancelledError when `cancel` ends the sleep.
  void wait(const CancellationToken& cancel);

 private:
  const Client& client_;
  std::string task_id_;
  Console& console_;
  PollCache cache_;
};

}  // namespace seedance::cli
