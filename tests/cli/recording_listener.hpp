// A loopback TCP listener for the CLI's network tests: it plays a proxy that refuses CONNECT, a
// peer that speaks no TLS, or a proxy that answers for the server, and records every byte it is
// sent, so a test can prove what reached it (a POST or not).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace seedance::testing {

/// A socket listening on 127.0.0.1 at a port the kernel chose (set in `port`); -1 on failure.
inline int listen_on_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

class RecordingListener {
 public:
  /// Each connection gets `reply` once its request's header block arrived (or, for bytes that
  /// are not HTTP such as a TLS ClientHello, as soon as any arrived), then is closed.
  explicit RecordingListener(std::string reply) : reply_(std::move(reply)) {
    listener_ = listen_on_loopback(port_);
    if (listener_ < 0) throw std::runtime_error("cannot listen on loopback");
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~RecordingListener() {
    ::shutdown(listener_, SHUT_RDWR);  // ends the blocked accept()
    acceptor_.join();
    ::close(listener_);
  }
  RecordingListener(const RecordingListener&) = delete;
  RecordingListener& operator=(const RecordingListener&) = delete;

  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }

  /// Everything every connection sent so far, in order.
  std::string received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

  int connections() {
    std::lock_guard<std::mutex> lock(mutex_);
    return connections_;
  }

 private:
  void accept_loop() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      serve(fd);
    }
  }

  void serve(int fd) {
    timeval patience{5, 0};  // a client that sends nothing cannot hold the listener for long
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    std::string request;
    char chunk[4096];
    for (;;) {
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) break;
      request.append(chunk, static_cast<std::size_t>(got));
      const bool text = static_cast<unsigned char>(request[0]) >= 'A';
      if (!text || request.find("\r\n\r\n") != std::string::npos) break;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      received_ += request;
      ++connections_;
    }
    (void)::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    ::close(fd);
  }

  const std::string reply_;
  int listener_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::string received_;
  int connections_ = 0;
};

}  // namespace seedance::testing
