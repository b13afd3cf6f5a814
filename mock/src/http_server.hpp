// The socket layer under the mock: cpp-httplib's Server with our own per-connection loop, so a
// handler can make the connection close without sending a byte (cpp-httplib 0.11.4 gives
// handlers no access to the socket) and so stop() interrupts every wait at once.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seedance::mock::detail {

/// One accepted TCP connection. Request handlers run on the thread that serves it, so they reach
/// it through current_connection() and steer what happens to the connection.
class Connection {
 public:
  Connection(socket_t fd, std::uint64_t id);

  socket_t fd() const noexcept { return fd_; }
  std::uint64_t id() const noexcept { return id_; }
  const std::string& remote_addr() const noexcept { return remote_addr_; }
  int remote_port() const noexcept { return remote_port_; }
  const std::string& local_addr() const noexcept { return local_addr_; }
  int local_port() const noexcept { return local_port_; }

  /// False once the peer has closed (or reset) the connection.
  bool peer_alive() const;

  /// Nothing more is written: the response in the making never reaches the client.
  bool drop_output = false;
  /// Close the connection once the current request is finished.
  bool close_after_response = false;
  /// Whether the current request reached the API handler (else cpp-httplib answered it itself).
  bool dispatched = false;
  /// The in-memory connection of HttpServer::warm_up(): not a client, not logged.
  bool warm_up = false;

 private:
  socket_t fd_;
  std::uint64_t id_;
  std::string remote_addr_;
  int remote_port_ = 0;
  std::string local_addr_;
  int local_port_ = 0;
};

/// The connection served by the calling thread, or nullptr outside a request.
Connection* current_connection() noexcept;

/// Runs each connection on a worker thread and starts another worker whenever all are busy, so
/// idle keep-alive connections never starve new ones (cpp-httplib's ThreadPool is fixed-size).
class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(std::size_t initial_threads, std::size_t max_threads);
  ~ElasticThreadPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void spawn_locked();
  void work();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  std::size_t max_threads_;
  bool shutdown_ = false;
};

class HttpServer final : public httplib::Server {
 public:
  struct Settings {
    std::size_t initial_threads = 8;
    std::size_t max_threads = 1024;
    std::function<void()> on_listening;  ///< Called on the listening thread once it serves.
    /// Called with +1 when a connection is accepted and -1 once it is closed.
    std::function<void(int delta)> on_connection;
  };

  explicit HttpServer(Settings settings);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds host:port (port 0: any free port) and listens; returns the port, or -1.
  int bind(const std::string& host, int port);
  /// Wakes every connection wait (keep-alive, reads, writes) for good; call before stop().
  void interrupt();
  /// Runs one request through cpp-httplib in memory on the calling thread. The function-local
  /// statics of its request path (in the uninstrumented shared library, so ThreadSanitizer
  /// cannot see their guards) are then initialised before any server thread exists; otherwise
  /// TSan reports false races between the first connections. Call before listening.
  void warm_up();

 private:
  bool process_and_close_socket(socket_t sock) override;
  void open_wake();

  Settings settings_;
  /// What interrupt() makes readable: a pipe (read end, write end), or on Windows one socket.
  socket_t wake_[2] = {INVALID_SOCKET, INVALID_SOCKET};
  std::mutex id_mutex_;
  std::uint64_t next_connection_id_ = 1;
};

}  // namespace seedance::mock::detail
