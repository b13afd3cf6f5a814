// The engine's pure scheduling logic, driven with plain time points: no clock, no I/O.
#include <gtest/gtest.h>

#include "engine/task_group_schedule.hpp"

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at(double s) {
  return TimePoint() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

ScheduleLimits limits(std::size_t in_flight, std::size_t requests, double rate) {
  ScheduleLimits l;
  l.max_in_flight = in_flight;
  l.max_concurrent_requests = requests;
  l.requests_per_second = rate;
  return l;
}

std::vector<JobId> jobs_of(const std::vector<Action>& actions) {
  std::vector<JobId> ids;
  for (const Action& action : actions) ids.push_back(action.job);
  return ids;
}

TEST(Scheduler, BoundsTheJobsInFlight) {
  Scheduler s(limits(2, 8, 0));
  for (JobId id = 1; id <= 4; ++id) s.add(id, ActionKind::Submit, at(0));
  auto due = s.take_due(at(0));
  EXPECT_EQ(jobs_of(due), (std::vector<JobId>{1, 2}));
  s.answered(1, ActionKind::Submit, at(0.1));
  s.schedule(1, ActionKind::Poll, at(0.1));
  EXPECT_EQ(jobs_of(s.take_due(at(0.1))), (std::vector<JobId>{1}));  // 3 still waits for a slot
  s.answered(1, ActionKind::Poll, at(0.2));
  s.finish(1);
  due = s.take_due(at(0.2));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].job, 3u);
  EXPECT_EQ(due[0].kind, ActionKind::Submit);
}

TEST(Scheduler, NeverReleasesAPollBeforeTheFloor) {
  Scheduler s(limits(8, 8, 0));
  s.add(1, ActionKind::Poll, at(0));
  ASSERT_EQ(s.take_due(at(0)).size(), 1u);
  s.answered(1, ActionKind::Poll, at(0.5));
  s.schedule(1, ActionKind::Poll, at(1));  // asks for 1 s: the floor says 5.5 s
  EXPECT_TRUE(s.take_due(at(5.4)).empty());
  EXPECT_EQ(s.next_wakeup(at(5.4)), at(5.5));
  EXPECT_EQ(s.take_due(at(5.5)).size(), 1u);
}

TEST(Scheduler, CapsTheRequestRate) {
  Scheduler s(limits(100, 100, 2.0));  // 2 a second, a burst of 2
  for (JobId id = 1; id <= 6; ++id) s.add(id, ActionKind::Submit, at(0));
  EXPECT_EQ(s.take_due(at(0)).size(), 2u);
  EXPECT_TRUE(s.take_due(at(0.1)).empty());
  const auto wakeup = s.next_wakeup(at(0.1));
  ASSERT_TRUE(wakeup.has_value());
  EXPECT_GE(*wakeup, at(0.5));
  EXPECT_LE(*wakeup, at(0.5001));
  EXPECT_EQ(s.take_due(*wakeup).size(), 1u);
  EXPECT_EQ(s.take_due(at(2.0)).size(), 2u);  // 1.5 s later: 3 tokens, but a burst of 2
  EXPECT_EQ(s.take_due(at(2.5)).size(), 1u);
}

TEST(Scheduler, BoundsTheRequestsOnTheWire) {
  Scheduler s(limits(10, 2, 0));
  for (JobId id = 1; id <= 3; ++id) s.add(id, ActionKind::Submit, at(0));
  EXPECT_EQ(s.take_due(at(0)).size(), 2u);
  EXPECT_FALSE(s.next_wakeup(at(0)).has_value());  // only an answer can unblock it
  s.answered(2, ActionKind::Submit, at(0.3));
  EXPECT_EQ(jobs_of(s.take_due(at(0.3))), (std::vector<JobId>{3}));
}

TEST(Scheduler, DeadlinesFireOnTimeWhateverTheLimits) {
  Scheduler s(limits(1, 1, 0.001));
  s.add(1, ActionKind::Poll, at(0));
  ASSERT_EQ(s.take_due(at(0)).size(), 1u);
  s.answered(1, ActionKind::Poll, at(1));
  s.schedule(1, ActionKind::Poll, at(40));
  s.set_deadline(1, at(30));
  EXPECT_EQ(s.next_wakeup(at(1)), at(30));
  const auto due = s.take_due(at(30));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].kind, ActionKind::Deadline);
}

TEST(Scheduler, FinishedJobsLeaveNoTimersBehind) {
  Scheduler s(limits(4, 4, 0));
  s.add(1, ActionKind::Poll, at(10));
  s.set_deadline(1, at(20));
  s.finish(1);
  EXPECT_FALSE(s.next_wakeup(at(0)).has_value());
  EXPECT_TRUE(s.take_due(at(100)).empty());
  EXPECT_EQ(s.jobs(), 0u);
  EXPECT_EQ(s.jobs_holding_slots(), 0u);
}

TEST(Scheduler, PollsDueFirstGoFirst) {
  Scheduler s(limits(10, 10, 0));
  s.add(1, ActionKind::Poll, at(7));
  s.add(2, ActionKind::Poll, at(3));
  s.add(3, ActionKind::Poll, at(5));
  EXPECT_EQ(jobs_of(s.take_due(at(10))), (std::vector<JobId>{2, 3, 1}));
}

TEST(RateLimiter, NoCapWhenTheRateIsZero) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.try_take(at(0)));
}

}  // namespace
}  // namespace seedance::detail
