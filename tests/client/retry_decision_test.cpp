// The one retry decision (decide_retry) every loop and the engine share, and its helpers.
#include <gtest/gtest.h>

#include "fake_clock.hpp"
#include "http/retry.hpp"

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;
using Action = RetryDecision::Action;

HttpResponse answer(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse failure(TransportError error) {
  HttpResponse response;
  response.error = error;
  return response;
}

class RetryDecisionTest : public ::testing::Test {
 protected:
  RetryDecisionTest() {
    policy.max_attempts = 3;
    policy.initial_backoff = milliseconds(100);
    policy.budget_tokens = 10;
    policy.retry_cost = 5;
  }

  RetryDecision decide(const FailedAttempt& failed) {
    if (!budget) budget.emplace(policy);
    return decide_retry(policy, *budget, jitter, failed);
  }

  RetryPolicy policy;
  std::optional<RetryBudget> budget;
  Jitter jitter;
};

TEST_F(RetryDecisionTest, RetriesARetryableStatusWithinTheBackOff) {
  const HttpResponse response = answer(503);
  const RetryDecision next = decide({response, 1});
  EXPECT_EQ(next.action, Action::Retry);
  EXPECT_LE(next.delay, milliseconds(100));
  EXPECT_EQ(next.text, "retry in " + std::to_string(next.delay.count()) + " ms (HTTP 503)");
}

TEST_F(RetryDecisionTest, RetryAfterAndTheFloorOnlyLengthenTheWait) {
  HttpResponse response = answer(429);
  response.headers.emplace_back("Retry-After", "3");
  EXPECT_EQ(decide({response, 1}).delay, milliseconds(3000));
  const HttpResponse plain = answer(503);
  const RetryDecision floored =
      decide({plain, 1, Idempotency::Idempotent, false, OnCancel::EndAlways, milliseconds(5000)});
  EXPECT_EQ(floored.delay, milliseconds(5000));
  EXPECT_EQ(floored.text, "retry in 5000 ms (HTTP 503)");
}

TEST_F(RetryDecisionTest, GivesUpAtTheLastAttemptOrOnAFinalStatus) {
  const HttpResponse unavailable = answer(503);
  EXPECT_EQ(decide({unavailable, 3}).action, Action::GiveUp);
  const HttpResponse missing = answer(404);
  const RetryDecision next = decide({missing, 1});
  EXPECT_EQ(next.action, Action::GiveUp);
  EXPECT_EQ(next.text, "give up: HTTP 404");
  // Neither took a token: two retries still fit the budget of 10.
  EXPECT_EQ(decide({unavailable, 1}).action, Action::Retry);
  EXPECT_EQ(decide({unavailable, 1}).action, Action::Retry);
  EXPECT_EQ(decide({unavailable, 1}).text, "give up: HTTP 503");  // the budget is spent
}

TEST_F(RetryDecisionTest, ASubmitIsRetriedOnlyWhenNothingCanHaveBeenSent) {
  const HttpResponse server_error = answer(500);
  EXPECT_EQ(decide({server_error, 1, Idempotency::NotIdempotent}).action, Action::GiveUp);
  const HttpResponse too_many = answer(429);
  EXPECT_EQ(decide({too_many, 1, Idempotency::NotIdempotent}).action, Action::Retry);
  const HttpResponse refused = failure(TransportError::Connect);
  EXPECT_EQ(decide({refused, 1, Idempotency::NotIdempotent}).action, Action::Retry);
  const HttpResponse lost = failure(TransportError::ConnectionLost);
  EXPECT_EQ(decide({lost, 1, Idempotency::NotIdempotent}).action, Action::GiveUp);
}

TEST_F(RetryDecisionTest, CancellationFollowsTheCallersMode) {
  const HttpResponse unavailable = answer(503);
  const HttpResponse missing = answer(404);
  const HttpResponse cut = failure(TransportError::Cancelled);
  const auto idem = Idempotency::Idempotent;
  // A loop that returns final failures: only a retry that would follow is cancelled.
  EXPECT_EQ(decide({unavailable, 1, idem, true, OnCancel::EndRetry}).action, Action::Cancelled);
  EXPECT_EQ(decide({missing, 1, idem, true, OnCancel::EndRetry}).action, Action::GiveUp);
  EXPECT_EQ(decide({cut, 1, idem, false, OnCancel::EndRetry}).text, "cancelled");
  // A wait: any failure.
  EXPECT_EQ(decide({missing, 1, idem, true, OnCancel::EndAlways}).action, Action::Cancelled);
  // The engine's submit: no retry, but the answer stays final.
  const RetryDecision submit =
      decide({unavailable, 1, Idempotency::NotIdempotent, true, OnCancel::GiveUp});
  EXPECT_EQ(submit.action, Action::GiveUp);
  EXPECT_EQ(submit.text, "give up: HTTP 503");
  EXPECT_EQ(decide({cut, 1, idem, false, OnCancel::GiveUp}).action, Action::GiveUp);
  // Cancelled decisions took no token: both retries of the budget are still there.
  EXPECT_EQ(decide({unavailable, 1}).action, Action::Retry);
  EXPECT_EQ(decide({unavailable, 1}).action, Action::Retry);
}

TEST(RequestEvent, CarriesTheAttemptAndTheDecision) {
  HttpRequest request;
  request.method = "GET";
  request.url = "https://api.example.com/v1/videos/task_1?x=1";
  const HttpResponse response = failure(TransportError::Timeout);
  const RequestEvent event =
      make_request_event(request, response, 2, milliseconds(40), "give up: timeout");
  EXPECT_EQ(event.method, "GET");
  EXPECT_EQ(event.path, "/v1/videos/task_1");
  EXPECT_EQ(event.attempt, 2);
  EXPECT_EQ(event.status, 0);
  EXPECT_EQ(event.error, TransportError::Timeout);
  EXPECT_EQ(event.duration, milliseconds(40));
  EXPECT_EQ(event.decision, "give up: timeout");
}

TEST(WaitBeforeRetry, SleepsOnTheClockUnlessCancelled) {
  testing::FakeClock clock;
  const auto start = clock.now();
  EXPECT_TRUE(wait_before_retry(clock, milliseconds(250), CancellationToken()));
  EXPECT_EQ(clock.now() - start, milliseconds(250));
  CancellationToken cancel;
  cancel.cancel();
  EXPECT_FALSE(wait_before_retry(clock, milliseconds(250), cancel));
}

}  // namespace
}  // namespace seedance::detail
