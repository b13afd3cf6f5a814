#include "client/client_poll_floor.hpp"

#include <algorithm>

#include "client/client_impl.hpp"

namespace seedance::detail {

void ClientPollFloor::record(const Client& client, std::string_view task_id, WallTime at) {
  const Client::Impl& impl = *client.impl_;
  // Onto the Client's steady clock, where the floor is kept.
  const auto age = std::max(WallTime::duration::zero(), std::chrono::system_clock::now() - at);
  impl.poll_floor.record(task_id,
                         impl.clock->now() - std::chrono::duration_cast<Clock::duration>(age));
}

std::optional<ClientPollFloor::WallTime> ClientPollFloor::last_poll(const Client& client,
                                                                    std::string_view task_id) {
  const Client::Impl& impl = *client.impl_;
  const auto earliest = impl.poll_floor.earliest(task_id);
  if (earliest == Clock::time_point::min()) return std::nullopt;
  const auto age = impl.clock->now() - (earliest - kMinPollInterval);
  return std::chrono::system_clock::now() -
         std::chrono::duration_cast<std::chrono::system_clock::duration>(age);
}

std::chrono::milliseconds ClientPollFloor::remaining(const Client& client,
                                                     std::string_view task_id) {
  const Client::Impl& impl = *client.impl_;
  const auto earliest = impl.poll_floor.earliest(task_id);
  const auto now = impl.clock->now();
  if (earliest <= now) return std::chrono::milliseconds::zero();
  return std::chrono::ceil<std::chrono::milliseconds>(earliest - now);
}

bool ClientPollFloor::wait(const Client& client, std::string_view task_id,
                           const CancellationToken& cancel) {
  const Client::Impl& impl = *client.impl_;
  const auto earliest = impl.poll_floor.earliest(task_id);
  // time_point::min() (never polled) would overflow the clock's arithmetic.
  if (earliest == Clock::time_point::min()) return !cancel.cancelled();
  return impl.clock->sleep_until(earliest, cancel);
}

}  // namespace seedance::detail
