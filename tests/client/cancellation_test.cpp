// Cancelling get() and submit(): a token stops a get anywhere, and a submit only before it is
// sent, so a task a sent submit created is never lost. Fake transport and clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using testing::FakeClock;
using testing::FakeTransport;
using ::testing::HasSubstr;

constexpr const char* kReceipt =
    R"({"id":"task_1","task_id":"task_1","object":"video","model":"seedance-2.0",)"
    R"("status":"QUEUED","progress":0,"created_at":1700000000})";
constexpr const char* kRunning = R"({"task_id":"task_1","status":"IN_PROGRESS","progress":"50%"})";

class CancellationTest : public ::testing::Test {
 protected:
  CancellationTest()
      : clock_(std::make_shared<FakeClock>()),
        transport_(std::make_shared<FakeTransport>(clock_)) {}

  Client make_client() const {
    ClientOptions options;
    options.base_url = "https://api.example.com/v1/";
    options.api_key = "sk-test";
    options.transport = transport_;
    options.clock = clock_;
    return Client(options);
  }

  static VideoRequest request() { return VideoRequest().prompt("a paper boat on a river"); }

  /// Replies with `response` after cancelling `token`, as if it was cancelled mid-transfer.
  void reply_cancelling(const CancellationToken& token, HttpResponse response) {
    transport_->handle([token, response](const HttpRequest&) {
      token.cancel();
      return response;
    });
  }

  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<FakeTransport> transport_;
};

TEST_F(CancellationTest, ACancelledGetSendsNothing) {
  const CancellationToken cancel;
  cancel.cancel();
  EXPECT_THROW(make_client().get("task_1", cancel), CancelledError);
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(CancellationTest, GetHandsItsTokenToTheTransfer) {
  const CancellationToken cancel;
  transport_->reply(200, kRunning);
  EXPECT_EQ(make_client().get("task_1", cancel).progress, 50);
  ASSERT_EQ(transport_->count(), 1u);
  const HttpRequest sent = transport_->sent().front().request;
  ASSERT_TRUE(sent.cancel.has_value());
  cancel.cancel();
  EXPECT_TRUE(sent.cancel->cancelled());  // the transport watches this very token
}

TEST_F(CancellationTest, AGetCancelledDuringTheTransferIsNotRetried) {
  const CancellationToken cancel;
  HttpResponse cut;
  cut.error = TransportError::Cancelled;
  reply_cancelling(cancel, cut);
  EXPECT_THROW(make_client().get("task_1", cancel), CancelledError);
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(CancellationTest, AGetCancelledWhileWaitingToRetryStopsThere) {
  const CancellationToken cancel;
  transport_->reply(503, "{}");
  clock_->on_sleep = [&cancel](FakeClock::time_point) { cancel.cancel(); };
  try {
    make_client().get("task_1", cancel);
    FAIL() << "expected CancelledError";
  } catch (const CancelledError& error) {
    EXPECT_THAT(error.what(), HasSubstr("waiting to retry"));
  }
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(CancellationTest, ACancelledSubmitSendsNothing) {
  const CancellationToken cancel;
  cancel.cancel();
  EXPECT_THROW(make_client().submit(request(), cancel), CancelledError);
  EXPECT_EQ(transport_->count(), 0u);
}

TEST_F(CancellationTest, ASubmitOnTheWireRunsToItsAnswerSoTheTaskIsNotLost) {
  const CancellationToken cancel;
  HttpResponse receipt;
  receipt.status = 200;
  receipt.body = kReceipt;
  reply_cancelling(cancel, receipt);
  EXPECT_EQ(make_client().submit(request(), cancel).task_id, "task_1");
  ASSERT_EQ(transport_->count(), 1u);
  // The transfer never sees the token, so nothing can cut the sent request off.
  EXPECT_FALSE(transport_->sent().front().request.cancel.has_value());
}

TEST_F(CancellationTest, ASubmitThatNeverLeftIsCancelledInsteadOfRetried) {
  const CancellationToken cancel;
  HttpResponse refused;
  refused.error = TransportError::Connect;  // not sent: a retry would be safe, but not wanted
  reply_cancelling(cancel, refused);
  EXPECT_THROW(make_client().submit(request(), cancel), CancelledError);
  EXPECT_EQ(transport_->count(), 1u);
}

TEST_F(CancellationTest, ACancelledSubmitAfterASentFailureStillSaysTheOutcomeIsUnknown) {
  const CancellationToken cancel;
  HttpResponse cut;
  cut.error = TransportError::ConnectionLost;  // after sending: a task may exist
  reply_cancelling(cancel, cut);
  EXPECT_THROW(make_client().submit(request(), cancel), SubmitOutcomeUnknownError);
  EXPECT_EQ(transport_->count(), 1u);
}

}  // namespace
}  // namespace seedance
