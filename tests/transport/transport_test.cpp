// The libcurl transport against an in-process HTTP server on 127.0.0.1.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loopback.hpp"
#include "seedance/cancellation.hpp"
#include "seedance/transport.hpp"

namespace seedance {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kJson =
    R"({"id":"task_0123456789abcdef","task_id":"task_0123456789abcdef","object":"video",)"
    R"("model":"seedance-2.0","status":"IN_PROGRESS","progress":"50%","created_at":1700000000,)"
    R"("metadata":{"resolution":"720p","ratio":"16:9","duration":5,"seed":42,)"
    R"("watermark":false,"generate_audio":true,"service_tier":"default"}})";

const std::string kSecret = "sk-transport-test-SECRET-0123456789";

// An httplib server on 127.0.0.1:<any port>, recording the client port of every request.
class LoopbackServer {
 public:
  LoopbackServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.set_keep_alive_max_count(100000);
    server_.set_tcp_nodelay(true);  // Else Nagle + delayed ACK add 40 ms to every response.
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response&) {
      std::lock_guard<std::mutex> lock(mutex_);
      client_ports_.insert(request.remote_port);
      ++requests_;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind the loopback test server");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so a quick test could never end.
    while (!server_.is_running()) std::this_thread::yield();
  }

  ~LoopbackServer() {
    release_.cancel();
    server_.stop();
    thread_.join();
  }

  httplib::Server& http() { return server_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::set<int> client_ports() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return client_ports_;
  }
  int requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  /// Blocking handlers wait on this; the destructor releases them.
  const CancellationToken& release() const { return release_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::set<int> client_ports_;
  int requests_ = 0;
  CancellationToken release_;
};

constexpr std::chrono::seconds kHandlerBlockLimit{10};

class TransportTest : public ::testing::Test {
 protected:
  TransportTest() { add_routes(); }
  ~TransportTest() override { transport_.reset(); }  // Closes connections before the server stops.

  void use_options(const TransportOptions& options) { transport_ = make_curl_transport(options); }

  HttpRequest get(const std::string& path) const {
    HttpRequest request;
    request.method = "GET";
    request.url = server_.url(path);
    request.timeout = std::chrono::seconds(10);
    return request;
  }

  void add_routes() {
    auto& http = server_.http();
    http.Get("/json", [](const httplib::Request&, httplib::Response& response) {
      response.set_header("X-Request-Id", "req-42");
      response.set_content(kJson, "application/json");
    });
    http.Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
      response.set_header("X-Echo-Content-Type", request.get_header_value("Content-Type"));
      response.set_header("X-Echo-Custom", request.get_header_value("X-Custom"));
      response.set_header("X-Echo-Method", request.method);
      response.set_header("X-Echo-Expect", request.has_header("Expect") ? "present" : "absent");
      response.status = 201;
      response.set_content(request.body, "text/plain");
    });
    http.Get("/big", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(big_body(), "application/octet-stream");
    });
    http.Get("/empty",
             [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
    http.Get("/redirect", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/json", 302);
    });
    http.Get("/slow", [this](const httplib::Request&, httplib::Response& response) {
      server_.release().wait_for(kHandlerBlockLimit);
      response.set_content("late", "text/plain");
    });
    // Sends the status line and headers, then nothing until released.
    http.Get("/stall", [this](const httplib::Request&, httplib::Response& response) {
      response.set_chunked_content_provider("application/octet-stream",
                                            [this](std::size_t, httplib::DataSink&) {
                                              server_.release().wait_for(kHandlerBlockLimit);
                                              return false;
                                            });
    });
    // Announces 1000 bytes of a 206, sends 100 and closes the connection.
    http.Get("/drop", [](const httplib::Request&, httplib::Response& response) {
      response.status = 206;
      response.set_header("Content-Range", "bytes 0-999/5000");
      response.set_content_provider(1000, "application/octet-stream",
                                    [](std::size_t, std::size_t, httplib::DataSink& sink) {
                                      const std::string part(100, 'x');
                                      sink.write(part.data(), part.size());
                                      return false;
                                    });
    });
  }

  static const std::string& big_body() {
    static const std::string body = [] {
      std::string bytes(3 * 1024 * 1024 + 17, '\0');
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
      return bytes;
    }();
    return body;
  }

  LoopbackServer server_;
  std::shared_ptr<HttpTransport> transport_ = make_curl_transport();
};

// A bare HTTP/1.1 server for behaviour httplib cannot produce: it answers GETs (keeping the
// connection) and reads each POST, counts it and closes the connection without a reply.
class DroppingServer {
 public:
  DroppingServer() {
    listener_ = testing::listen_on_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~DroppingServer() {
    shutdown(listener_, SHUT_RDWR);  // Ends the blocked accept().
    acceptor_.join();
    for (const int fd : client_fds_) shutdown(fd, SHUT_RDWR);  // Ends blocked recv() calls.
    for (auto& connection : connections_) connection.join();
    for (const int fd : client_fds_) close(fd);
    close(listener_);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int posts_received() const { return posts_.load(); }

 private:
  void accept_loop() {
    while (true) {
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      client_fds_.push_back(fd);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    char chunk[4096];
    while (true) {
      std::size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t got = recv(fd, chunk, sizeof(chunk), 0);
        if (got <= 0) return;
        buffer.append(chunk, static_cast<std::size_t>(got));
      }
      if (buffer.compare(0, 5, "POST ") == 0) {
        ++posts_;
        shutdown(fd, SHUT_RDWR);
        return;
      }
      buffer.erase(0, header_end + 4);
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      if (send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> posts_{0};
  std::thread acceptor_;
  // Only the acceptor thread adds to these; the destructor reads them after joining it.
  std::vector<int> client_fds_;
  std::vector<std::thread> connections_;
};

int unused_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);  // Bound but never listening, and now closed: connecting is refused.
  return port;
}

std::string everything_visible(const HttpResponse& response) {
  std::string text = response.error_detail + "\n" + response.body;
  for (const auto& [name, value] : response.headers) text += "\n" + name + ": " + value;
  return text;
}

TEST(TransportHelpers, FindHeaderIgnoresCaseAndReturnsFirstMatch) {
  const HttpHeaders headers{{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
  EXPECT_EQ(find_header(headers, "content-type"), "application/json");
  EXPECT_EQ(find_header(headers, "X-A"), "1");
  EXPECT_EQ(find_header(headers, "missing"), std::nullopt);
  HttpResponse response;
  response.headers = headers;
  EXPECT_EQ(response.header("CONTENT-TYPE"), "application/json");
}

TEST(TransportHelpers, OnlyPreSendFailuresAreSafeToResend) {
  const std::vector<TransportError> all{
      TransportError::None,    TransportError::NameResolution, TransportError::Connect,
      TransportError::Tls,     TransportError::Certificate,    TransportError::Timeout,
      TransportError::Stalled, TransportError::ConnectionLost, TransportError::Cancelled,
      TransportError::Aborted, TransportError::TooLarge,       TransportError::Other};
  std::set<std::string_view> names;
  for (const TransportError error : all) {
    names.insert(to_string(error));
    const bool expected = error == TransportError::NameResolution ||
                          error == TransportError::Connect || error == TransportError::Tls ||
                          error == TransportError::Certificate;
    EXPECT_EQ(failed_before_sending(error), expected) << to_string(error);
  }
  EXPECT_EQ(names.size(), all.size());  // Every error has its own name.
}

TEST_F(TransportTest, GetCollectsStatusHeadersAndBody) {
  const HttpResponse response = transport_->send(get("/json"));
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, kJson);
  EXPECT_EQ(response.header("x-request-id"), "req-42");
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(response.header("Content-Length"), std::to_string(kJson.size()));
  EXPECT_TRUE(response.error_detail.empty());
}

TEST_F(TransportTest, PostSendsBodyAndHeadersWithoutExpectContinue) {
  HttpRequest request;
  request.method = "POST";
  request.url = server_.url("/echo");
  request.headers = {{"Content-Type", "application/json"}, {"X-Custom", "  padded value "}};
  request.body = std::string(200 * 1024, 'b');  // Large enough that libcurl would ask to expect.
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, request.body);
  EXPECT_EQ(response.header("X-Echo-Method"), "POST");
  EXPECT_EQ(response.header("X-Echo-Content-Type"), "application/json");
  EXPECT_EQ(response.header("X-Echo-Custom"), "padded value");
  EXPECT_EQ(response.header("X-Echo-Expect"), "absent");
}

TEST_F(TransportTest, GetAfterPostOnTheSameHandleIsAGet) {
  HttpRequest post;
  post.method = "POST";
  post.url = server_.url("/echo");
  post.body = "first";
  ASSERT_EQ(transport_->send(post).status, 201);
  const HttpResponse response = transport_->send(get("/json"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, kJson);
}

TEST_F(TransportTest, StreamsBodyThroughOnBodyInsteadOfCollecting) {
  HttpRequest request = get("/big");
  std::string streamed;
  int chunks = 0;
  request.on_body = [&](const char* data, std::size_t size) {
    streamed.append(data, size);
    ++chunks;
    return true;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(streamed, big_body());
  EXPECT_GT(chunks, 1);
}

TEST_F(TransportTest, OnHeadersRunsOnceBeforeTheFirstBodyByte) {
  HttpRequest request = get("/big");
  std::vector<std::string> events;
  request.on_headers = [&](int status, const HttpHeaders& headers) {
    events.push_back("headers " + std::to_string(status) + " " +
                     find_header(headers, "content-length").value_or("?"));
    return true;
  };
  request.on_body = [&](const char*, std::size_t) {
    if (events.empty() || events.back() != "body") events.push_back("body");
    return true;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_THAT(events, ElementsAre("headers 200 " + std::to_string(big_body().size()), "body"));
}

TEST_F(TransportTest, OnHeadersRunsForAnEmptyBody) {
  HttpRequest request = get("/empty");
  int header_calls = 0;
  int body_calls = 0;
  request.on_headers = [&](int status, const HttpHeaders&) {
    EXPECT_EQ(status, 204);
    ++header_calls;
    return true;
  };
  request.on_body = [&](const char*, std::size_t) {
    ++body_calls;
    return true;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(header_calls, 1);
  EXPECT_EQ(body_calls, 0);
}

TEST_F(TransportTest, OnHeadersReturningFalseAborts) {
  HttpRequest request = get("/big");
  bool body_seen = false;
  request.on_headers = [](int, const HttpHeaders&) { return false; };
  request.on_body = [&](const char*, std::size_t) {
    body_seen = true;
    return true;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Aborted);
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(body_seen);
  EXPECT_THAT(response.error_detail, HasSubstr("on_headers"));
}

TEST_F(TransportTest, OnBodyReturningFalseAbortsAndKeepsStatus) {
  HttpRequest request = get("/big");
  int chunks = 0;
  request.on_body = [&](const char*, std::size_t) {
    ++chunks;
    return false;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Aborted);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(chunks, 1);
  EXPECT_THAT(response.error_detail, HasSubstr("on_body"));
}

TEST_F(TransportTest, CallbackExceptionPropagatesAndTheTransportStaysUsable) {
  HttpRequest request = get("/big");
  request.on_body = [](const char*, std::size_t) -> bool { throw std::runtime_error("disk full"); };
  EXPECT_THROW(
      {
        try {
          (void)transport_->send(request);
        } catch (const std::runtime_error& error) {
          EXPECT_STREQ(error.what(), "disk full");
          throw;
        }
      },
      std::runtime_error);
  const HttpResponse response = transport_->send(get("/json"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, kJson);
}

TEST_F(TransportTest, SequentialRequestsReuseOneConnection) {
  for (int i = 0; i < 200; ++i) {
    const HttpResponse response = transport_->send(get("/json"));
    ASSERT_EQ(response.status, 200) << i << ": " << response.error_detail;
  }
  EXPECT_EQ(server_.requests(), 200);
  EXPECT_EQ(server_.client_ports().size(), 1u);
}

TEST_F(TransportTest, FreshConnectionOpensANewConnection) {
  ASSERT_EQ(transport_->send(get("/json")).status, 200);
  HttpRequest fresh = get("/json");
  fresh.fresh_connection = true;
  ASSERT_EQ(transport_->send(fresh).status, 200);
  EXPECT_EQ(server_.client_ports().size(), 2u);
}

TEST_F(TransportTest, ConcurrentSendsFromEightThreads) {
  constexpr int kThreads = 8;
  constexpr int kRequestsPerThread = 50;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequestsPerThread; ++i) {
        const HttpResponse response = transport_->send(get("/json"));
        if (response.status == 200 && response.body == kJson) ++good;
      }
    });
  }
  // (This test sometimes takes 1 s: httplib listens with a backlog of 5, so a burst of 8 connects
  // can overflow it and the kernel retransmits the dropped SYN a second later.)
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), kThreads * kRequestsPerThread);
  // Pooled handles keep their connections: never more connections than concurrent callers.
  EXPECT_LE(server_.client_ports().size(), static_cast<std::size_t>(kThreads));
}

TEST_F(TransportTest, RedirectIsReportedNotFollowed) {
  const HttpResponse response = transport_->send(get("/redirect"));
  EXPECT_EQ(response.error, TransportError::None) << response.error_detail;
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.header("Location"), "/json");
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(TransportTest, RefusedConnectionIsAConnectError) {
  const int port = unused_loopback_port();
  ASSERT_GT(port, 0);
  HttpRequest request = get("/json");
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/json";
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Connect) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error_detail.empty());
}

TEST_F(TransportTest, ConnectTimeoutIsAConnectError) {
  // A listener whose accept queue is full silently drops further SYNs, so connecting hangs.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {  // Non-blocking: the second one is itself left hanging.
    const int filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(filler, 0);
    (void)connect(filler, reinterpret_cast<sockaddr*>(&address), length);
    fillers.push_back(filler);
  }
  TransportOptions options;
  options.connect_timeout = milliseconds(200);
  use_options(options);
  HttpRequest request = get("/json");
  request.url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/json";
  const HttpResponse response = transport_->send(request);
  for (const int fd : fillers) close(fd);
  close(listener);
  EXPECT_EQ(response.error, TransportError::Connect) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
}

TEST_F(TransportTest, PlainHttpServerFailsTheTlsHandshake) {
  HttpRequest request = get("/json");
  request.url = "https" + server_.url("/json").substr(4);
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Tls) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
  EXPECT_EQ(response.status, 0);
}

TEST_F(TransportTest, EmptyReplyIsConnectionLost) {
  DroppingServer dropping;
  HttpRequest request;
  request.method = "POST";
  request.url = dropping.url("/v1/videos");
  request.body = "{}";
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::ConnectionLost) << response.error_detail;
  EXPECT_FALSE(failed_before_sending(response.error));
  EXPECT_EQ(response.status, 0);
}

TEST_F(TransportTest, FreshConnectionPostIsNeverResent) {
  DroppingServer dropping;
  HttpRequest warm_up = get("/status");
  warm_up.url = dropping.url("/status");
  ASSERT_EQ(transport_->send(warm_up).status, 200);  // Leaves a reusable connection.
  HttpRequest submit;
  submit.method = "POST";
  submit.url = dropping.url("/v1/videos");
  submit.body = "{}";
  submit.fresh_connection = true;
  const HttpResponse response = transport_->send(submit);
  EXPECT_EQ(response.error, TransportError::ConnectionLost) << response.error_detail;
  EXPECT_EQ(dropping.posts_received(), 1);
}

TEST_F(TransportTest, UnresolvableHostIsANameResolutionError) {
  HttpRequest request = get("/json");
  request.url = "http://seedance-transport-test.invalid/json";  // RFC 6761: never resolves.
  request.timeout = std::chrono::seconds(5);
  const HttpResponse response = transport_->send(request);
  if (response.error == TransportError::Timeout) {
    GTEST_SKIP() << "the system resolver gave no answer within 5 s: " << response.error_detail;
  }
  EXPECT_EQ(response.error, TransportError::NameResolution) << response.error_detail;
  EXPECT_TRUE(failed_before_sending(response.error));
  EXPECT_EQ(response.status, 0);
}

TEST_F(TransportTest, RequestTimeoutIsATimeout) {
  HttpRequest request = get("/slow");
  request.timeout = milliseconds(100);
  const auto started = steady_clock::now();
  const HttpResponse response = transport_->send(request);
  const auto elapsed = steady_clock::now() - started;
  EXPECT_EQ(response.error, TransportError::Timeout) << response.error_detail;
  EXPECT_FALSE(failed_before_sending(response.error));
  EXPECT_GE(elapsed, milliseconds(90));  // libcurl's timer may fire a little early.
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST_F(TransportTest, TransferBelowTheMinimumRateIsStalled) {
  TransportOptions options;
  options.low_speed_limit = 1;
  options.low_speed_time = std::chrono::seconds(1);
  use_options(options);
  HttpRequest request = get("/stall");
  request.timeout = milliseconds(0);  // Only the stall detection can end it.
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Stalled) << response.error_detail;
  EXPECT_EQ(response.status, 200);
}

TEST_F(TransportTest, ConnectionDroppedMidBodyIsConnectionLostAndKeepsStatus) {
  HttpRequest request = get("/drop");
  std::size_t received = 0;
  request.on_body = [&](const char*, std::size_t size) {
    received += size;
    return true;
  };
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::ConnectionLost) << response.error_detail;
  EXPECT_EQ(response.status, 206);
  EXPECT_EQ(response.header("Content-Range"), "bytes 0-999/5000");
  EXPECT_EQ(received, 100u);
}

TEST_F(TransportTest, CancelEndsAStalledTransferWithin200Milliseconds) {
  HttpRequest request = get("/stall");
  request.timeout = milliseconds(0);
  CancellationToken cancel;
  request.cancel = cancel;
  std::promise<void> headers_arrived;
  request.on_headers = [&](int, const HttpHeaders&) {
    headers_arrived.set_value();
    return true;
  };
  std::promise<steady_clock::time_point> finished_at;
  HttpResponse response;
  std::thread sender([&] {
    response = transport_->send(request);
    finished_at.set_value(steady_clock::now());
  });
  auto finished = finished_at.get_future();
  const bool started =
      headers_arrived.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  const auto cancelled_at = steady_clock::now();
  cancel.cancel();
  sender.join();
  ASSERT_TRUE(started);
  EXPECT_LT(finished.get() - cancelled_at, milliseconds(200));
  EXPECT_EQ(response.error, TransportError::Cancelled) << response.error_detail;
  EXPECT_EQ(response.status, 200);
}

TEST_F(TransportTest, AlreadyCancelledRequestIsNotSent) {
  HttpRequest request = get("/json");
  CancellationToken cancel;
  cancel.cancel();
  request.cancel = cancel;
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Cancelled);
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(TransportTest, HeaderValueWithALineBreakIsRejectedUnsent) {
  HttpRequest request = get("/json");
  request.headers = {{"X-Injected", "a\r\nAuthorization: Bearer " + kSecret}};
  const HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.error, TransportError::Other);
  EXPECT_THAT(response.error_detail, HasSubstr("X-Injected"));
  EXPECT_THAT(response.error_detail, Not(HasSubstr(kSecret)));
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(TransportTest, SecretHeaderValueNeverAppearsInResponses) {
  const int refused_port = unused_loopback_port();
  std::vector<HttpRequest> requests{get("/json"), get("/slow"), get("/drop"), get("/json")};
  requests[1].timeout = milliseconds(50);
  requests[3].url = "http://127.0.0.1:" + std::to_string(refused_port) + "/json";
  for (HttpRequest& request : requests) {
    request.headers = {{"Authorization", "Bearer " + kSecret}};
    const HttpResponse response = transport_->send(request);
    EXPECT_THAT(everything_visible(response), Not(HasSubstr(kSecret))) << request.url;
  }
}

}  // namespace
}  // namespace seedance
