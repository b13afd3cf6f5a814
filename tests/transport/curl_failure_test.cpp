// Answers the curl module must not trust and connections that failed before the request left,
// through both of its users (the blocking transport and TaskGroup's multi driver): a collected
// body over HttpRequest::max_response_bytes ends the transfer at once, and a proxy refusing its
// tunnel is a failure before sending (so even a submit may be sent again).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "curl_drivers.hpp"
#include "http/curl/curl_wrappers.hpp"
#include "loopback.hpp"
#include "seedance/transport.hpp"

namespace seedance {
namespace {

using testing::CannedServer;
using testing::Driver;

class CurlFailureTest : public ::testing::TestWithParam<Driver> {
 protected:
  static HttpRequest get(const std::string& url, std::size_t limit) {
    HttpRequest request = testing::get_request(url);
    request.max_response_bytes = limit;
    return request;
  }
  HttpResponse send(const HttpRequest& request, const TransportOptions& options = {}) const {
    return GetParam().send(options, request);
  }
};

// The servers below keep the connection open after their bytes: waiting for the rest would end
// in the 10 s request timeout, not in TooLarge.
TEST_P(CurlFailureTest, AnAnnouncedBodyOverTheLimitFailsBeforeItsFirstByte) {
  const CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 209715200\r\n\r\n", true);
  const HttpResponse response = send(get(server.url("/huge"), 1000));
  EXPECT_EQ(response.error, TransportError::TooLarge) << response.error_detail;
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.error_detail.find("limit of 1000 bytes"), std::string::npos)
      << response.error_detail;
  EXPECT_TRUE(response.body.empty());
}

TEST_P(CurlFailureTest, AnUnannouncedBodyOverTheLimitEndsTheTransferAtTheLimit) {
  const CannedServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + std::string(65536, 'x'), true);
  const HttpResponse response = send(get(server.url("/endless"), 1000));
  EXPECT_EQ(response.error, TransportError::TooLarge) << response.error_detail;
  EXPECT_LE(response.body.size(), 1000u);
}

TEST_P(CurlFailureTest, ABodyOfExactlyTheLimitIsKept) {
  const CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n" +
                                std::string(1000, 'x'),
                            false);
  const HttpResponse response = send(get(server.url("/fits"), 1000));
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.body.size(), 1000u);
}

TEST_P(CurlFailureTest, AStreamedBodyIsNotLimited) {
  const CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" +
                                std::string(5000, 'x'),
                            false);
  HttpRequest request = get(server.url("/video"), 10);
  std::size_t streamed = 0;
  request.on_body = [&streamed](const char*, std::size_t size) {
    streamed += size;
    return true;
  };
  const HttpResponse response = send(request);
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(streamed, 5000u);
}

TEST_P(CurlFailureTest, AProxyRefusingTheTunnelFailedBeforeSending) {
  const CannedServer proxy("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", false);
  TransportOptions options;
  options.proxy = proxy.url("");
  const HttpResponse response = send(get("https://127.0.0.1:9/v1/videos", 0), options);
  EXPECT_EQ(response.error, TransportError::Connect) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
}

TEST_P(CurlFailureTest, AProxyClosingWithoutAnAnswerFailedBeforeSending) {
  const CannedServer proxy("", false);
  TransportOptions options;
  options.proxy = proxy.url("");
  const HttpResponse response = send(get("https://127.0.0.1:9/v1/videos", 0), options);
  EXPECT_TRUE(failed_before_sending(response.error))
      << to_string(response.error) << ": " << response.error_detail;
}

INSTANTIATE_TEST_SUITE_P(BothTransports, CurlFailureTest, testing::both_drivers(),
                         testing::driver_name);

TEST(CurlCodes, CertificateProblemsAreNotHandshakeFailures) {
  using detail::classify_curl_code;
  for (const CURLcode code : {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
                              CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH}) {
    EXPECT_EQ(classify_curl_code(code), TransportError::Certificate) << code;
  }
  EXPECT_EQ(classify_curl_code(CURLE_SSL_CONNECT_ERROR), TransportError::Tls);
  EXPECT_EQ(classify_curl_code(CURLE_COULDNT_CONNECT), TransportError::Connect);
  EXPECT_EQ(classify_curl_code(CURLE_COULDNT_RESOLVE_PROXY), TransportError::NameResolution);
}

}  // namespace
}  // namespace seedance
