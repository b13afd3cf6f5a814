// Helpers shared by the mock server tests: HTTP clients bound to a MockServer and raw sockets
// for the faults that must be observed byte by byte.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "seedance/mock/mock_server.hpp"

namespace seedance::mock::test {

using nlohmann::json;

/// An httplib client for `server` that sends the right Bearer key and keeps its connection.
std::unique_ptr<httplib::Client> make_client(const MockServer& server,
                                             const std::string& key = "test-key");

httplib::Headers auth(const std::string& key = "test-key");

/// Parses a JSON body, failing the test (and returning null) when it is not JSON.
json parse_json(const std::string& body);

/// Submits a valid text-to-video request and returns the task id (fails the test otherwise).
std::string submit(httplib::Client& client, const std::string& prompt = "a cat on a skateboard",
                   const std::string& path = "/v1/videos");

/// A blocking TCP connection to 127.0.0.1:port with a 10 s receive timeout.
class RawConnection {
 public:
  /// receive_buffer > 0 shrinks the socket's receive buffer (and so the TCP window), which makes
  /// the server wait for the client to read, as with a slow client.
  explicit RawConnection(int port, int receive_buffer = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send_all(const std::string& data);
  /// Reads until the server closes the connection (or resets it, or 10 s pass).
  std::string read_to_eof();
  /// Reads until the end of the response headers ("\r\n\r\n"); returns them, leaving the rest
  /// of what arrived in `leftover`.
  std::string read_headers(std::string& leftover);
  /// True when bytes arrive within `timeout`.
  bool readable_within(std::chrono::milliseconds timeout);
  bool eof_seen() const { return eof_; }
  void close();

 private:
  int fd_ = -1;
  bool eof_ = false;
};

/// "GET /path HTTP/1.1" with Host, Authorization and extra header lines.
std::string raw_request(const std::string& method, const std::string& path,
                        const std::string& body = std::string(),
                        const std::string& extra_headers = std::string());

/// A test fixture with a started server.
class MockServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    client = make_client(server);
  }

  MockServer server;
  std::unique_ptr<httplib::Client> client;
};

}  // namespace seedance::mock::test
