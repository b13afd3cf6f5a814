// The SDK over real TLS and HTTP/2: nginx (scripts/nginx-tls-front, a throwaway CA, verification
// on) in front of the mock server, whose own server speaks HTTP/1.1 only. nginx's access log
// tells the protocol and the connection of every request.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "fake_clock.hpp"
#include "scaled_clock.hpp"
#include "seedance/mock/mock_server.hpp"
#include "seedance/seedance.hpp"
#include "temp_dir.hpp"

namespace seedance {
namespace {

using testing::ChildProcess;
using testing::TempDir;

/// One line of the front's access log: "<status> <protocol> <connection> <request line>".
struct LoggedRequest {
  int status = 0;
  std::string protocol;  ///< "HTTP/2.0" or "HTTP/1.1".
  long connection = 0;   ///< nginx's connection serial number.
  std::string method;
  std::string path;
};

/// scripts/nginx-tls-front in front of an upstream port, as a child process.
class TlsFront {
 public:
  static std::string unavailable() {
    for (const char* tool : {"/usr/sbin/nginx", "/usr/bin/openssl"}) {
      if (::access(tool, X_OK) != 0) {
        return std::string("needs ") + tool + " (scripts/setup installs nginx and openssl)";
      }
    }
    return "";
  }

  explicit TlsFront(int upstream_port) {
    ::chmod(dir_.path().c_str(), 0755);  // nginx may read its files as another user
    process_ = std::make_unique<ChildProcess>(
        "/bin/bash",
        std::vector<std::string>{SEEDANCE_SCRIPTS_DIR "/nginx-tls-front", dir_.file("front"),
                                 "--upstream", std::to_string(upstream_port)},
        std::vector<std::string>{"PATH=/usr/bin:/bin:/usr/sbin:/sbin"});
    std::istringstream ready(process_->first_stdout_line());
    std::string word;
    ready >> word >> url_ >> ca_;
    if (word != "ready" || ca_.empty()) {
      process_->send_signal(SIGTERM);
      const testing::ProcessResult result = process_->finish();
      throw std::runtime_error("nginx-tls-front did not start: " + result.out + result.err);
    }
  }

  ~TlsFront() {
    process_->send_signal(SIGTERM);
    (void)process_->finish();
  }

  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  const std::string& url() const { return url_; }
  const std::string& ca() const { return ca_; }

  std::vector<LoggedRequest> access_log() const {
    std::istringstream lines(testing::read_file(dir_.file("front/logs/access.log")));
    std::vector<LoggedRequest> requests;
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      LoggedRequest request;
      if (words >> request.status >> request.protocol >> request.connection >> request.method >>
          request.path) {
        requests.push_back(request);
      }
    }
    return requests;
  }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
  std::string ca_;
};

bool is_poll(const LoggedRequest& request) {
  return request.method == "GET" && request.path.find("/content") == std::string::npos;
}

class H2NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = TlsFront::unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    mock::MockServerOptions mock_options;
    mock_options.video_size = kVideoSize;
    server_ = std::make_unique<mock::MockServer>(mock_options);
    server_->start();
    front_ = std::make_unique<TlsFront>(server_->port());
  }

  ClientOptions options(std::shared_ptr<Clock> clock) const {
    ClientOptions options;
    options.base_url = front_->url();
    options.api_key = server_->api_key();
    options.transport_options.ca_bundle = front_->ca();
    options.clock = std::move(clock);
    options.request_timeout = std::chrono::seconds(20);
    return options;
  }

  /// A group of `tasks` submits over `version`: its stats, once every job succeeded.
  TaskGroupStats run_group(HttpVersion version, std::size_t tasks) {
    ClientOptions client_options = options(std::make_shared<testing::ScaledClock>(100.0));
    client_options.transport_options.http_version = version;
    TaskGroupOptions group_options;
    group_options.max_in_flight = tasks;
    group_options.max_requests_per_second = 1000;
    group_options.wait.poll_interval = std::chrono::seconds(5);
    TaskGroup group(Client(client_options), group_options);
    for (std::size_t i = 0; i < tasks; ++i) {
      group.submit(VideoRequest().prompt("a paper boat, take " + std::to_string(i)));
    }
    for (const TaskResult& result : group.wait_all()) EXPECT_NO_THROW(result.rethrow());
    return group.stats();
  }

  void lifecycle_over_http2();

  static constexpr std::uint64_t kVideoSize = 256 * 1024;
  std::unique_ptr<mock::MockServer> server_;
  std::unique_ptr<TlsFront> front_;
};

/// Submit, wait and download through the front: every request over HTTP/2, the bytes exact.
void H2NginxTest::lifecycle_over_http2() {
  const Client client(options(std::make_shared<testing::FakeClock>()));
  const Receipt receipt = client.submit(VideoRequest().prompt("a paper boat on a river"));
  const Task task = client.wait(receipt.task_id);
  ASSERT_EQ(task.status, TaskStatus::Success);
  TempDir dir;
  const DownloadResult download = client.download(receipt.task_id, dir.file("video.mp4"));
  EXPECT_EQ(download.bytes, kVideoSize);
  EXPECT_EQ(testing::read_file(dir.file("video.mp4")),
            mock::MockServer::expected_video(receipt.task_id, kVideoSize));

  const auto log = front_->access_log();
  ASSERT_GE(log.size(), 3u);  // the submit, the polls, the download
  std::map<std::string, std::size_t> methods;
  for (const LoggedRequest& request : log) {
    EXPECT_EQ(request.protocol, "HTTP/2.0") << request.method << " " << request.path;
    ++methods[request.method];
  }
  EXPECT_EQ(methods["POST"], 1u);
  EXPECT_EQ(server_->count("POST"), 1u);
}

TEST_F(H2NginxTest, SubmitWaitAndDownloadGoOverHttp2) { lifecycle_over_http2(); }

// The public gateway's words (completed, "50%", its own error shape) through the same front.
TEST_F(H2NginxTest, SubmitWaitAndDownloadGoOverHttp2InTheGatewayDialect) {
  server_->set_dialect(mock::Dialect::Gateway);
  lifecycle_over_http2();
}

TEST_F(H2NginxTest, ATaskGroupPollsOnAtMostTwoSharedConnectionsOverHttp2) {
  constexpr std::size_t kTasks = 100;
  const TaskGroupStats h2 = run_group(HttpVersion::Automatic, kTasks);
  const auto log = front_->access_log();
  std::set<long> submit_connections;
  std::set<long> poll_connections;
  for (const LoggedRequest& request : log) {
    EXPECT_EQ(request.protocol, "HTTP/2.0");
    if (request.method == "POST") {
      EXPECT_TRUE(submit_connections.insert(request.connection).second)
          << "two submits on connection " << request.connection;
    } else if (is_poll(request)) {
      poll_connections.insert(request.connection);
    }
  }
  EXPECT_EQ(submit_connections.size(), kTasks);
  for (const long connection : poll_connections) {
    EXPECT_EQ(submit_connections.count(connection), 0u) << "a poll on a submit's connection";
  }
  EXPECT_LE(poll_connections.size(), 2u);
  EXPECT_GE(h2.shared_connections_peak, 1u);
  EXPECT_LE(h2.shared_connections_peak, 2u);
  EXPECT_EQ(h2.connections_opened - h2.shared_connections_opened, kTasks);
  std::cout << "HTTP/2: " << kTasks << " tasks, " << log.size() << " requests, shared connections "
            << "peak " << h2.shared_connections_peak << " (opened " << h2.shared_connections_opened
            << "), all connections peak " << h2.connections_peak << "\n";
}

TEST_F(H2NginxTest, OverHttp1TheSameGroupUsesMoreConnections) {
  constexpr std::size_t kTasks = 100;
  const TaskGroupStats h1 = run_group(HttpVersion::Http1_1, kTasks);
  const auto log = front_->access_log();
  std::set<long> poll_connections;
  for (const LoggedRequest& request : log) {
    EXPECT_EQ(request.protocol, "HTTP/1.1");
    if (is_poll(request)) poll_connections.insert(request.connection);
  }
  // Polls in flight at once each need a connection of their own.
  EXPECT_GT(h1.shared_connections_peak, 2u);
  EXPECT_GT(poll_connections.size(), 2u);
  std::cout << "HTTP/1.1: " << kTasks << " tasks, " << log.size() << " requests, shared "
            << "connections peak " << h1.shared_connections_peak << " (opened "
            << h1.shared_connections_opened << "), all connections peak " << h1.connections_peak
            << "\n";
}

TEST_F(H2NginxTest, AClientWithoutTheCaGetsACertificateError) {
  ClientOptions client_options = options(std::make_shared<testing::FakeClock>());
  client_options.transport_options.ca_bundle.clear();  // the system's CAs do not know it
  const Client client(client_options);
  EXPECT_THROW((void)client.get("task_1"), CertificateError);
  EXPECT_TRUE(front_->access_log().empty());
}

}  // namespace
}  // namespace seedance
