// What a Client makes of answers it must not trust: a body over ClientOptions::max_response_bytes
// and a refused certificate are final (never retried), and a connection that failed before the
// request left is retried even for a submit. Fake transport and clock: no network, no sleeping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fakes.hpp"
#include "http/retry.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using testing::FakeClock;
using testing::FakeTransport;
using ::testing::HasSubstr;

constexpr const char* kReceipt = R"({"id":"task_1","task_id":"task_1","status":"QUEUED"})";

class ResponseBoundsTest : public ::testing::Test {
 protected:
  Client make_client(std::size_t max_response_bytes = kDefaultMaxResponseBytes) {
    ClientOptions options;
    options.base_url = "https://api.example.com";
    options.api_key = "sk-bounds-test-key";
    options.transport = transport_;
    options.clock = clock_;
    options.max_response_bytes = max_response_bytes;
    return Client(options);
  }

  // A valid task detail padded to `size` bytes.
  static std::string detail_of_size(std::size_t size) {
    std::string body = R"({"id":"task_1","status":"QUEUED","padding":")";
    body.append(size - body.size() - 2, 'x');
    return body + "\"}";
  }

  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>(clock_);
};

TEST_F(ResponseBoundsTest, EveryRequestCarriesTheLimit) {
  transport_->reply(200, kReceipt);
  (void)make_client(12345).submit(VideoRequest().prompt("x"));
  EXPECT_EQ(transport_->sent().at(0).request.max_response_bytes, 12345u);
  EXPECT_EQ(ClientOptions().max_response_bytes, 4u * 1024 * 1024);
}

TEST_F(ResponseBoundsTest, AStatusAnswerOverTheLimitIsAResponseErrorNamingItAndIsNotRetried) {
  transport_->reply(200, detail_of_size(1001));
  try {
    (void)make_client(1000).get("task_1");
    ADD_FAILURE() << "an answer over the limit was accepted";
  } catch (const ResponseError& error) {
    EXPECT_THAT(error.what(), HasSubstr("exceeds the limit of 1000 bytes (max_response_bytes)"));
  }
  EXPECT_EQ(transport_->sent().size(), 1u);
  transport_->reply(200, detail_of_size(1000));
  EXPECT_EQ(make_client(1000).get("task_1").task_id, "task_1");
}

TEST_F(ResponseBoundsTest, ZeroTurnsTheLimitOff) {
  transport_->reply(200, detail_of_size(5 * 1024 * 1024));
  EXPECT_EQ(make_client(0).get("task_1").task_id, "task_1");
}

TEST_F(ResponseBoundsTest, AnErrorBodyOverTheLimitIsAlsoRefused) {
  transport_->reply(404, std::string(2000, 'x'));
  EXPECT_THROW((void)make_client(1000).get("task_1"), ResponseError);
}

TEST_F(ResponseBoundsTest, ASubmitAnswerOverTheLimitMayHaveCreatedATask) {
  HttpResponse too_large;
  too_large.status = 200;
  too_large.error = TransportError::TooLarge;
  too_large.error_detail = "the response body exceeds the limit of 1000 bytes";
  transport_->reply(too_large);
  try {
    (void)make_client(1000).submit(VideoRequest().prompt("x"));
    ADD_FAILURE() << "a submit answer over the limit was accepted";
  } catch (const SubmitOutcomeUnknownError& error) {
    EXPECT_THAT(error.what(), HasSubstr("too large to read"));
    EXPECT_THAT(error.what(), HasSubstr("1000 bytes"));
  }
  EXPECT_EQ(transport_->sent().size(), 1u);
}

TEST_F(ResponseBoundsTest, ARefusedCertificateIsACertificateErrorAndIsNeverRetried) {
  for (const bool submit : {true, false}) {
    transport_->fail(TransportError::Certificate);
    const Client client = make_client();
    try {
      if (submit) {
        (void)client.submit(VideoRequest().prompt("x"));
      } else {
        (void)client.get("task_1");
      }
      ADD_FAILURE() << "a refused certificate was accepted";
    } catch (const CertificateError& error) {
      EXPECT_THAT(error.what(), HasSubstr("certificate verify failed"));
    }
  }
  EXPECT_EQ(transport_->sent().size(), 2u);
}

TEST_F(ResponseBoundsTest, ASubmitThatFailedBeforeSendingIsRetriedThenANetworkError) {
  for (int attempt = 0; attempt < 4; ++attempt) transport_->fail(TransportError::Connect);
  EXPECT_THROW((void)make_client().submit(VideoRequest().prompt("x")), NetworkError);
  EXPECT_EQ(transport_->sent().size(), 4u);
}

TEST(RetryOfFinalFailures, CertificateAndTooLargeAreNotRetriedEvenWhenIdempotent) {
  HttpResponse response;
  for (const auto error : {TransportError::Certificate, TransportError::TooLarge}) {
    response.error = error;
    EXPECT_FALSE(detail::should_retry(response, detail::Idempotency::Idempotent));
    EXPECT_FALSE(detail::should_retry(response, detail::Idempotency::NotIdempotent));
  }
  EXPECT_TRUE(failed_before_sending(TransportError::Certificate));
  EXPECT_FALSE(failed_before_sending(TransportError::TooLarge));
}

TEST(CaBundle, AFileThatCannotBeReadIsAValidationErrorNamingIt) {
  ClientOptions options;
  options.base_url = "https://api.example.com";
  options.api_key = "sk-bounds-test-key";
  options.transport_options.ca_bundle = "/nonexistent/seedance-ca.pem";
  try {
    const Client client(options);
    ADD_FAILURE() << "an unreadable CA bundle was accepted";
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/seedance-ca.pem is not a readable file"));
  }
}

}  // namespace
}  // namespace seedance
