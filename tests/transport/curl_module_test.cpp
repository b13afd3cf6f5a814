// The one curl module seen from both of its users: the blocking transport (make_curl_transport)
// and the multi driver under TaskGroup (make_curl_multi_http) must report the same things for
// the same wire, including what the multi driver used to miss (a stall, a name that does not
// resolve in time, folded header lines).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "curl_drivers.hpp"
#include "loopback.hpp"
#include "seedance/cancellation.hpp"
#include "seedance/clock.hpp"
#include "seedance/transport.hpp"

namespace seedance {
namespace {

using std::chrono::milliseconds;

using testing::CannedServer;

using testing::Driver;

class CurlModuleTest : public ::testing::TestWithParam<Driver> {
 protected:
  static HttpRequest get(const std::string& url) { return testing::get_request(url); }
  HttpResponse send(const HttpRequest& request, const TransportOptions& options = {}) const {
    return GetParam().send(options, request);
  }
};

TEST_P(CurlModuleTest, FoldedHeaderLinesContinueTheirField) {
  const CannedServer server(
      "HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second\r\n\tthird\r\nContent-Length: 2\r\n"
      "Connection: close\r\n\r\nok",
      false);
  const HttpResponse response = send(get(server.url("/folded")));
  ASSERT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("X-Folded"), "first second third");
  EXPECT_EQ(response.body, "ok");
}

TEST_P(CurlModuleTest, OnlyTheFinalBlockOfInterimResponsesCounts) {
  const CannedServer server(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
      "HTTP/1.1 201 Created\r\nX-Final: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
      false);
  const HttpResponse response = send(get(server.url("/interim")));
  ASSERT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.header("X-Final"), "yes");
  EXPECT_FALSE(response.header("X-Interim").has_value());
}

TEST_P(CurlModuleTest, ABodyThatStopsComingIsStalled) {
  const CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", true);
  TransportOptions options;
  options.low_speed_limit = 1;
  options.low_speed_time = std::chrono::seconds(1);
  HttpRequest request = get(server.url("/stall"));
  request.timeout = milliseconds(0);  // Only the stall detection can end it.
  const HttpResponse response = send(request, options);
  EXPECT_EQ(response.error, TransportError::Stalled) << response.error_detail;
  EXPECT_EQ(response.status, 200);
}

TEST_P(CurlModuleTest, TheRequestTimeoutIsATimeoutNotAStall) {
  const CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", true);
  HttpRequest request = get(server.url("/slow"));
  request.timeout = milliseconds(300);
  const HttpResponse response = send(request);
  EXPECT_EQ(response.error, TransportError::Timeout) << response.error_detail;
}

TEST_P(CurlModuleTest, AConnectionCutMidBodyIsConnectionLostAndKeepsTheStatus) {
  const CannedServer server("HTTP/1.1 206 Partial Content\r\nContent-Length: 100\r\n\r\nabc",
                            false);
  const HttpResponse response = send(get(server.url("/cut")));
  EXPECT_EQ(response.error, TransportError::ConnectionLost) << response.error_detail;
  EXPECT_EQ(response.status, 206);
}

TEST_P(CurlModuleTest, ANameThatDoesNotResolveInTimeIsANameResolutionFailure) {
  TransportOptions options;
  // Whether the resolver answers "no such name" or nothing at all, the connect timeout (which
  // covers name resolution) comes first, and both are a name-resolution failure.
  options.connect_timeout = milliseconds(300);
  const HttpResponse response = send(get("http://seedance-curl-module-test.invalid/"), options);
  EXPECT_EQ(response.error, TransportError::NameResolution) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
  EXPECT_FALSE(response.error_detail.empty());
}

TEST_P(CurlModuleTest, AHeaderThatCouldInjectAnotherIsRefusedUnsent) {
  HttpRequest request = get("http://127.0.0.1:9/never");
  request.headers = {{"X-Injected", "a\r\nX-Other: b"}};
  const HttpResponse response = send(request);
  EXPECT_EQ(response.error, TransportError::Other);
  EXPECT_NE(response.error_detail.find("X-Injected"), std::string::npos) << response.error_detail;
}

INSTANTIATE_TEST_SUITE_P(BothTransports, CurlModuleTest, testing::both_drivers(),
                         testing::driver_name);

}  // namespace
}  // namespace seedance
