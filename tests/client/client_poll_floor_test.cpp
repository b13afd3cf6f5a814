// A Client's poll floor fed and read as wall-clock time (how the CLI and the batch journal carry
// it across processes), on a fake clock, so nothing sleeps.
#include "client/client_poll_floor.hpp"

#include "client/poll_floor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "fake_clock.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using detail::ClientPollFloor;
using std::chrono::milliseconds;
using std::chrono::system_clock;

class ClientPollFloorTest : public ::testing::Test {
 protected:
  // Far from the fake clock's zero, as a steady clock is: a poll 2 s earlier is representable.
  ClientPollFloorTest() : client_(options()) { clock_->advance(std::chrono::hours(1)); }

  ClientOptions options() {
    ClientOptions options;
    options.base_url = "http://127.0.0.1:9";  // Never contacted.
    options.api_key = "sk-floor-unit-test";
    options.clock = clock_;
    return options;
  }

  std::shared_ptr<testing::FakeClock> clock_ = std::make_shared<testing::FakeClock>();
  Client client_;
};

TEST_F(ClientPollFloorTest, APollElsewhereLeavesTheRestOfTheFloor) {
  ClientPollFloor::record(client_, "task_1", system_clock::now() - milliseconds(2000));
  const auto remaining = ClientPollFloor::remaining(client_, "task_1");
  EXPECT_GE(remaining, milliseconds(2900));
  EXPECT_LE(remaining, milliseconds(3000));
  EXPECT_EQ(ClientPollFloor::remaining(client_, "task_2"), milliseconds(0));

  const auto before = clock_->now();
  EXPECT_TRUE(ClientPollFloor::wait(client_, "task_1", CancellationToken()));
  EXPECT_EQ(std::chrono::ceil<milliseconds>(clock_->now() - before), remaining);
  EXPECT_EQ(ClientPollFloor::remaining(client_, "task_1"), milliseconds(0));
}

TEST_F(ClientPollFloorTest, ReadsBackAsWallClockTime) {
  const auto polled = system_clock::now() - milliseconds(1500);
  ClientPollFloor::record(client_, "task_1", polled);
  const auto last = ClientPollFloor::last_poll(client_, "task_1");
  ASSERT_TRUE(last.has_value());
  EXPECT_LE(*last - polled, milliseconds(100));
  EXPECT_LE(polled - *last, milliseconds(100));
  EXPECT_FALSE(ClientPollFloor::last_poll(client_, "task_2").has_value());
}

// A clock set back since the poll must not hold the next one back for longer than the floor.
TEST_F(ClientPollFloorTest, APollInTheFutureCountsAsNow) {
  ClientPollFloor::record(client_, "task_1", system_clock::now() + std::chrono::hours(1));
  EXPECT_EQ(ClientPollFloor::remaining(client_, "task_1"), milliseconds(kMinPollInterval));
}

TEST_F(ClientPollFloorTest, NeverPolledWaitsNotAtAll) {
  const auto before = clock_->now();
  EXPECT_TRUE(ClientPollFloor::wait(client_, "task_1", CancellationToken()));
  EXPECT_EQ(clock_->now(), before);
  CancellationToken cancelled;
  cancelled.cancel();
  ClientPollFloor::record(client_, "task_1", system_clock::now());
  EXPECT_FALSE(ClientPollFloor::wait(client_, "task_1", cancelled));
}

// A TaskGroup of 10,000 tasks keeps them all within the floor at once: each keeps its own, and
// the ones past the floor are forgotten as new tasks come.
TEST(PollFloorTest, ManyTasksWithinTheFloorKeepTheirsAndOldOnesAreForgotten) {
  detail::PollFloor floor;
  const Clock::time_point polled{std::chrono::hours(1)};
  for (int i = 0; i < 10000; ++i) floor.record("task_" + std::to_string(i), polled);
  EXPECT_EQ(floor.size(), 10000u);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(floor.earliest("task_" + std::to_string(i)), polled + kMinPollInterval);
  }

  const Clock::time_point later = polled + std::chrono::minutes(1);
  for (int i = 0; i < 20000; ++i) floor.record("new_" + std::to_string(i), later);
  EXPECT_EQ(floor.size(), 20000u);  // the 10,000 first ones are gone
  EXPECT_EQ(floor.earliest("task_0"), Clock::time_point::min());
  EXPECT_EQ(floor.earliest("new_0"), later + kMinPollInterval);
}

}  // namespace
}  // namespace seedance
