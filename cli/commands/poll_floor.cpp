#include "commands/poll_floor.hpp"

#include <cstdio>
#include <utility>

#include "client/client_poll_floor.hpp"

namespace seedance::cli {

using detail::ClientPollFloor;

std::string floor_wait_message(std::chrono::milliseconds remaining) {
  // Tenths rounded up, so a wait never reads shorter than it is ("0.1 s", never "0.0 s").
  const long long tenths = (remaining.count() + 99) / 100;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%lld.%lld", tenths / 10, tenths % 10);
  return std::string("waiting ") + seconds + " s: the service allows one status query per task " +
         "every " + std::to_string(kMinPollInterval.count()) + " s";
}

SharedPollFloor::SharedPollFloor(const Client& client, std::string task_id, Console& console,
                                 PollCache cache)
    : client_(client), task_id_(std::move(task_id)), console_(console), cache_(std::move(cache)) {
  if (const auto last = cache_.last_poll(client_.base_url(), task_id_)) {
    ClientPollFloor::record(client_, task_id_, *last);
  }
}

SharedPollFloor::~SharedPollFloor() {
  try {
    if (const auto last = ClientPollFloor::last_poll(client_, task_id_)) {
      cache_.record(client_.base_url(), task_id_, *last);
    }
  } catch (...) {
    // The cache never fails a command (nor throws from a destructor).
  }
}

void SharedPollFloor::announce_wait() {
  const auto remaining = ClientPollFloor::remaining(client_, task_id_);
  if (remaining.count() > 0) console_.message(floor_wait_message(remaining));
}

void SharedPollFloor::wait(const CancellationToken& cancel) {
  announce_wait();
  if (!ClientPollFloor::wait(client_, task_id_, cancel)) {
    throw CancelledError("status " + task_id_ + ": cancelled");
  }
}

}  // namespace seedance::cli
