// Loopback helpers of the transport tests: no proxy in the way, and a listening socket.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "seedance/cancellation.hpp"

namespace seedance::testing {

// Requests must reach the in-process servers, whatever proxy the environment names.
class NoProxyEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    for (const char* name :
         {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      unsetenv(name);
    }
  }
};
// Inline: registered once per test program, whichever files include this.
inline const auto* const no_proxy_environment =
    ::testing::AddGlobalTestEnvironment(new NoProxyEnvironment);

/// A socket listening on 127.0.0.1 at a free port, which it stores in `port`.
inline int listen_on_loopback(int& port) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listener, 16) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (listener >= 0) close(listener);
    throw std::runtime_error("cannot listen on loopback");
  }
  port = ntohs(address.sin_port);
  return listener;
}

/// Answers every request on 127.0.0.1 with the same bytes, written as given (so folded header
/// lines are possible), then closes the connection, or keeps it silent until destroyed.
class CannedServer {
 public:
  CannedServer(std::string reply, bool hold_open) : reply_(std::move(reply)), hold_(hold_open) {
    listener_ = testing::listen_on_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~CannedServer() {
    release_.cancel();
    shutdown(listener_, SHUT_RDWR);  // Ends the blocked accept().
    acceptor_.join();
    for (std::thread& connection : connections_) connection.join();
    close(listener_);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void accept_loop() {
    while (true) {
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string request;
    char chunk[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t got = recv(fd, chunk, sizeof(chunk), 0);
      if (got <= 0) break;
      request.append(chunk, static_cast<std::size_t>(got));
    }
    (void)send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    if (hold_) release_.wait_for(std::chrono::seconds(20));
    close(fd);
  }

  const std::string reply_;
  const bool hold_;
  CancellationToken release_;
  int listener_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // Only the acceptor adds; joined after it.
};

}  // namespace seedance::testing
