#include "test_util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

namespace seedance::mock::test {
namespace {

// httplib's client writes without MSG_NOSIGNAL; a server that closes on purpose must not kill
// the test process.
const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace

httplib::Headers auth(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

std::unique_ptr<httplib::Client> make_client(const MockServer& server, const std::string& key) {
  (void)kSigpipeIgnored;
  auto client = std::make_unique<httplib::Client>(server.base_url());
  client->set_default_headers(auth(key));
  client->set_keep_alive(true);
  client->set_read_timeout(std::chrono::seconds(10));
  client->set_connection_timeout(std::chrono::seconds(5));
  return client;
}

json parse_json(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << body;
  return j.is_discarded() ? json() : j;
}

std::string submit(httplib::Client& client, const std::string& prompt, const std::string& path) {
  const json body = {{"model", "seedance-2.0"}, {"prompt", prompt}};
  auto res = client.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(res) << httplib::to_string(res.error());
  if (!res) return std::string();
  EXPECT_EQ(res->status, 200);
  const json receipt = parse_json(res->body);
  EXPECT_TRUE(receipt.contains("id")) << res->body;
  return receipt.value("id", std::string());
}

RawConnection::RawConnection(int port, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ADD_FAILURE() << "connect: " << std::strerror(errno);
  }
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

RawConnection::~RawConnection() { close(); }

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::send_all(const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawConnection::read_to_eof() {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0) eof_ = true;
    if (n <= 0) break;  // EOF, reset or timeout
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string RawConnection::read_headers(std::string& leftover) {
  std::string data;
  char buf[4096];
  for (;;) {
    const std::size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      leftover = data.substr(end + 4);
      return data.substr(0, end + 4);
    }
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = n == 0;
      leftover.clear();
      return data;
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
}

bool RawConnection::readable_within(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

std::string raw_request(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& extra_headers) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                  "Authorization: Bearer test-key\r\n" + extra_headers;
  if (!body.empty() || method == "POST") {
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

}  // namespace seedance::mock::test
