#include "http_server.hpp"

#include "stop_signals.hpp"

// The mock's one file with OS headers: its sockets, and the program's stop signals.
#ifdef _WIN32
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace seedance::mock::detail {
namespace {

thread_local Connection* t_connection = nullptr;

#ifdef _WIN32
// Windows has no poll(2) but WSAPoll, whose pollfd is WSAPOLLFD, and no POLLRDHUP: a closed peer
// shows as POLLHUP. Its sockets are made non-blocking once (Connection), for want of MSG_DONTWAIT.
using pollfd = WSAPOLLFD;
constexpr short kPollRdHup = 0;
constexpr int kDontWait = 0;
constexpr int kNoSignal = 0;
int poll_sockets(pollfd* fds, unsigned count, int timeout_ms) {
  return ::WSAPoll(fds, count, timeout_ms);
}
bool interrupted_call() { return false; }
bool would_block() { return ::WSAGetLastError() == WSAEWOULDBLOCK; }
int close_socket(socket_t sock) { return ::closesocket(sock); }
constexpr int kShutdownBoth = SD_BOTH;
#else
constexpr short kPollRdHup = POLLRDHUP;
constexpr int kDontWait = MSG_DONTWAIT;
constexpr int kNoSignal = MSG_NOSIGNAL;
int poll_sockets(pollfd* fds, unsigned count, int timeout_ms) {
  return ::poll(fds, count, timeout_ms);
}
bool interrupted_call() { return errno == EINTR; }
bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK; }
int close_socket(socket_t sock) { return ::close(sock); }
constexpr int kShutdownBoth = SHUT_RDWR;
#endif

void set_int_option(socket_t sock, int level, int name, int value) {
  ::setsockopt(sock, level, name, reinterpret_cast<const char*>(&value), sizeof(value));
}

void describe(const sockaddr_storage& addr, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  char serv[NI_MAXSERV] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

int to_ms(time_t sec, time_t usec) {
  const long long ms = static_cast<long long>(sec) * 1000 + static_cast<long long>(usec) / 1000;
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

// Waits until `events` are ready on fd. Returns 1 when ready (or the peer hung up, which the
// following read or write then reports), 0 on timeout, -1 when woken by stop() or on errors.
int wait_for(socket_t fd, short events, socket_t wake_fd, int timeout_ms) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  const bool wakeable = wake_fd != INVALID_SOCKET;
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    const int rc =
        poll_sockets(fds, wakeable ? 2 : 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (rc < 0) {
      if (interrupted_call()) continue;
      return -1;
    }
    if (rc == 0) return 0;
    if (wakeable && (fds[1].revents & POLLIN)) return -1;
    if (fds[0].revents & POLLNVAL) return -1;
    return 1;
  }
}

// cpp-httplib's Stream over a connection, honouring Connection::drop_output and stop().
class SocketStream final : public httplib::Stream {
 public:
  SocketStream(Connection& conn, socket_t wake_fd, int read_timeout_ms, int write_timeout_ms)
      : conn_(conn),
        wake_fd_(wake_fd),
        read_timeout_ms_(read_timeout_ms),
        write_timeout_ms_(write_timeout_ms) {}

  bool has_buffered() const noexcept { return read_off_ < read_len_; }

  bool is_readable() const override {
    return has_buffered() || wait_for(conn_.fd(), POLLIN, wake_fd_, read_timeout_ms_) == 1;
  }

  bool is_writable() const override {
    if (conn_.drop_output) return false;
    pollfd fds[2] = {{conn_.fd(), static_cast<short>(POLLOUT | kPollRdHup), 0},
                     {wake_fd_, POLLIN, 0}};
    for (;;) {
      const int rc = poll_sockets(fds, 2, write_timeout_ms_);
      if (rc < 0 && interrupted_call()) continue;
      if (rc <= 0 || (fds[1].revents & POLLIN)) return false;
      // A peer that closed its side will not read what we send.
      if (fds[0].revents & (kPollRdHup | POLLHUP | POLLERR | POLLNVAL)) return false;
      return (fds[0].revents & POLLOUT) != 0;
    }
  }

  ssize_t read(char* ptr, size_t size) override {
    if (has_buffered()) {
      const size_t n = std::min(size, read_len_ - read_off_);
      std::memcpy(ptr, buffer_ + read_off_, n);
      read_off_ += n;
      return static_cast<ssize_t>(n);
    }
    // Acknowledge at once: a client that writes headers and body separately without
    // TCP_NODELAY would otherwise wait for our delayed ACK (40 ms) before sending the body.
#ifdef TCP_QUICKACK
    set_int_option(conn_.fd(), IPPROTO_TCP, TCP_QUICKACK, 1);
#endif
    for (;;) {
      const bool direct = size >= sizeof(buffer_);
      const ssize_t n = ::recv(
          conn_.fd(), direct ? ptr : buffer_,
          static_cast<int>(direct ? std::min<size_t>(size, INT_MAX) : sizeof(buffer_)), kDontWait);
      if (n >= 0) {
        if (direct || n == 0) return n;
        read_off_ = 0;
        read_len_ = static_cast<size_t>(n);
        return read(ptr, size);
      }
      if (interrupted_call()) continue;
      if (!would_block()) return -1;
      if (wait_for(conn_.fd(), POLLIN, wake_fd_, read_timeout_ms_) != 1) return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (conn_.drop_output) return -1;
    for (;;) {
      // MSG_NOSIGNAL: a peer that went away must not kill the process with SIGPIPE.
      const ssize_t n = ::send(conn_.fd(), ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)),
                               kNoSignal | kDontWait);
      if (n >= 0) return n;
      if (interrupted_call()) continue;
      if (!would_block()) return -1;
      if (wait_for(conn_.fd(), POLLOUT, wake_fd_, write_timeout_ms_) != 1) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = conn_.remote_addr();
    port = conn_.remote_port();
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = conn_.local_addr();
    port = conn_.local_port();
  }

  socket_t socket() const override { return conn_.fd(); }

 private:
  Connection& conn_;
  socket_t wake_fd_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  char buffer_[4096];
  size_t read_off_ = 0;
  size_t read_len_ = 0;
};

// A Stream over one canned request; what is written is discarded.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string input) : input_(std::move(input)) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, input_.size() - pos_);
    std::memcpy(ptr, input_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char*, size_t size) override { return static_cast<ssize_t>(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string input_;
  size_t pos_ = 0;
};

}  // namespace

Connection::Connection(socket_t fd, std::uint64_t id) : fd_(fd), id_(id) {
  if (fd == INVALID_SOCKET) return;
#ifdef _WIN32
  u_long non_blocking = 1;
  ::ioctlsocket(fd, FIONBIO, &non_blocking);
#endif
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    describe(addr, remote_addr_, remote_port_);
  }
  addr = {};
  len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    describe(addr, local_addr_, local_port_);
  }
}

bool Connection::peer_alive() const {
  pollfd fd{fd_, static_cast<short>(kPollRdHup), 0};
  if (poll_sockets(&fd, 1, 0) < 0) return interrupted_call();
  return (fd.revents & (kPollRdHup | POLLHUP | POLLERR | POLLNVAL)) == 0;
}

Connection* current_connection() noexcept { return t_connection; }

ElasticThreadPool::ElasticThreadPool(std::size_t initial_threads, std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(1, max_threads)) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, initial_threads); ++i) spawn_locked();
}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) spawn_locked();
  }
  cv_.notify_one();
}

void ElasticThreadPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

void ElasticThreadPool::spawn_locked() {
  threads_.emplace_back([this] { work(); });
}

void ElasticThreadPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
    --idle_;
    // Queued connections are still served on shutdown; they end at once since stop() woke them.
    if (jobs_.empty()) return;
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    fn();
    lock.lock();
  }
}

HttpServer::HttpServer(Settings settings) : settings_(std::move(settings)) {
  open_wake();
  const std::size_t initial = settings_.initial_threads;
  const std::size_t max = settings_.max_threads;
  auto on_listening = settings_.on_listening;
  // cpp-httplib calls this on the listening thread right after it starts serving: the one
  // precise "now listening" signal it offers.
  new_task_queue = [initial, max, on_listening]() -> httplib::TaskQueue* {
    auto* pool = new ElasticThreadPool(initial, max);
    if (on_listening) on_listening();
    return pool;
  };
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second server bind a port that
  // is taken and silently share its connections; a taken --port must fail instead.
  set_socket_options([](socket_t sock) { set_int_option(sock, SOL_SOCKET, SO_REUSEADDR, 1); });
}

#ifdef _WIN32
// WSAPoll waits on sockets only: the wake-up is a UDP socket bound to the loopback interface,
// which interrupt() sends a datagram to itself.
void HttpServer::open_wake() {
  wake_[0] = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof(address);
  if (wake_[0] == INVALID_SOCKET ||
      ::bind(wake_[0], reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(wake_[0], reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::connect(wake_[0], reinterpret_cast<sockaddr*>(&address), length) != 0) {
    throw std::runtime_error("wake-up socket: error " + std::to_string(::WSAGetLastError()));
  }
  wake_[1] = wake_[0];
}
#else
void HttpServer::open_wake() {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  wake_[0] = fds[0];
  wake_[1] = fds[1];
}
#endif

HttpServer::~HttpServer() {
  if (wake_[1] != wake_[0] && wake_[1] != INVALID_SOCKET) close_socket(wake_[1]);
  if (wake_[0] != INVALID_SOCKET) close_socket(wake_[0]);
}

int HttpServer::bind(const std::string& host, int port) {
  int bound = port;
  if (port == 0) {
    bound = bind_to_any_port(host);
  } else if (!bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound > 0) {
    // cpp-httplib listens with a backlog of 5; a burst of concurrent clients would overflow it
    // and see SYN retransmits (1 s stalls). Calling listen() again raises it.
    ::listen(svr_sock_, SOMAXCONN);
  }
  return bound;
}

void HttpServer::warm_up() {
  Connection conn(INVALID_SOCKET, 0);
  conn.warm_up = true;
  // Exercises request-line, header and Range parsing, compression and response writing.
  MemoryStream stream(
      "GET /warm-up HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1\r\n"
      "Accept-Encoding: gzip, deflate, br\r\nConnection: close\r\n\r\n");
  t_connection = &conn;
  bool connection_closed = false;
  process_request(stream, true, connection_closed, nullptr);
  t_connection = nullptr;
}

void HttpServer::interrupt() {
  const char byte = 1;
  // It is never drained, so it stays readable and every later wait returns at once.
#ifdef _WIN32
  ::send(wake_[1], &byte, 1, 0);
#else
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], &byte, 1);
#endif
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(id_mutex_);
    id = next_connection_id_++;
  }
  // Responses are written as headers then body; without TCP_NODELAY, Nagle's algorithm and the
  // client's delayed ACK would add ~40 ms to every small response on a kept-alive connection.
  set_int_option(sock, IPPROTO_TCP, TCP_NODELAY, 1);
  if (settings_.on_connection) settings_.on_connection(+1);

  bool ret = false;
  {
    Connection conn(sock, id);
    SocketStream stream(conn, wake_[0], to_ms(read_timeout_sec_, read_timeout_usec_),
                        to_ms(write_timeout_sec_, write_timeout_usec_));
    const int keep_alive_ms = to_ms(keep_alive_timeout_sec_, 0);
    t_connection = &conn;
    for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
      if (!stream.has_buffered() && wait_for(sock, POLLIN, wake_[0], keep_alive_ms) != 1) {
        break;
      }
      conn.drop_output = false;
      conn.dispatched = false;
      bool connection_closed = false;
      ret = process_request(stream, left == 1, connection_closed, nullptr);
      if (!ret || connection_closed || conn.close_after_response) break;
    }
    t_connection = nullptr;
  }
  ::shutdown(sock, kShutdownBoth);
  close_socket(sock);
  if (settings_.on_connection) settings_.on_connection(-1);
  return ret;
}

}  // namespace seedance::mock::detail

namespace seedance::mock::detail {

#ifdef _WIN32
namespace {
std::mutex stop_mutex;
std::condition_variable stop_requested;
bool stopping = false;

// Windows runs it on a thread of its own.
BOOL WINAPI on_console_event(DWORD /*event*/) {
  {
    const std::lock_guard<std::mutex> lock(stop_mutex);
    stopping = true;
  }
  stop_requested.notify_all();
  return TRUE;
}
}  // namespace

void prepare_stop_signals() { ::SetConsoleCtrlHandler(on_console_event, TRUE); }

void wait_for_stop_signal() {
  std::unique_lock<std::mutex> lock(stop_mutex);
  stop_requested.wait(lock, [] { return stopping; });
}
#else
namespace {
sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}
}  // namespace

// SIGPIPE itself is not needed: sends use MSG_NOSIGNAL.
void prepare_stop_signals() {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

void wait_for_stop_signal() {
  const sigset_t signals = stop_signals();
  int signal_number = 0;
  sigwait(&signals, &signal_number);
}
#endif

}  // namespace seedance::mock::detail
