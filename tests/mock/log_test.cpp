// The request log, connection counting, keep-alive, concurrency and the server's own lifecycle.
#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

TEST_F(MockServerTest, LogRecordsEveryRequest) {
  const auto start = std::chrono::steady_clock::now();
  const std::string body = R"({"model":"seedance-2.0","prompt":"log me"})";
  auto res = client->Post("/v1/videos", body, "application/json");
  ASSERT_TRUE(res);
  const std::string id = parse_json(res->body).value("id", "");
  ASSERT_TRUE(client->Get("/v1/videos/" + id + "?verbose=1"));
  ASSERT_TRUE(client->Get("/v1/videos/task_missing"));

  const auto log = server.requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].method, "POST");
  EXPECT_EQ(log[0].path, "/v1/videos");
  EXPECT_EQ(log[0].body, body);
  EXPECT_EQ(log[0].header("authorization"), "Bearer test-key");
  EXPECT_EQ(log[0].header("Content-Type"), "application/json");
  EXPECT_EQ(log[0].header("REMOTE_ADDR"), "");  // httplib's pseudo headers are not recorded
  EXPECT_EQ(log[0].status, 200);
  EXPECT_FALSE(log[0].fault_applied);
  EXPECT_EQ(log[1].method, "GET");
  EXPECT_EQ(log[1].path, "/v1/videos/" + id);
  EXPECT_EQ(log[1].target, "/v1/videos/" + id + "?verbose=1");
  EXPECT_EQ(log[2].status, 404);
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].remote_addr, "127.0.0.1");
    EXPECT_GT(log[i].remote_port, 0);
    EXPECT_EQ(log[i].remote_port, log[0].remote_port);  // one kept-alive connection
    EXPECT_EQ(log[i].connection_id, log[0].connection_id);
    EXPECT_GE(log[i].received_at, start);
    if (i > 0) {
      EXPECT_GT(log[i].sequence, log[i - 1].sequence);
      EXPECT_GE(log[i].received_at, log[i - 1].received_at);
    }
  }
}

TEST_F(MockServerTest, CountByMethodAndPrefix) {
  const std::string id = submit(*client);
  client->Get("/v1/videos/" + id);
  client->Get("/v1/video/generations/" + id);
  client->Get("/v1/videos/" + id + "/content");
  EXPECT_EQ(server.count("POST", "/v1/videos"), 1u);
  EXPECT_EQ(server.count("GET", "/v1/videos/"), 2u);
  EXPECT_EQ(server.count("get", "/v1/video/"), 1u);
  EXPECT_EQ(server.count("GET"), 3u);
  EXPECT_EQ(server.count("", "/v1/"), 4u);
  EXPECT_EQ(server.count("*"), 4u);
  EXPECT_EQ(server.count("DELETE"), 0u);
}

TEST_F(MockServerTest, RequestsCpphttplibRejectsAreLoggedToo) {
  RawConnection raw(server.port());
  ASSERT_TRUE(raw.send_all("BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string response = raw.read_to_eof();
  EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << response;
  EXPECT_TRUE(raw.eof_seen());  // and the connection is closed
  EXPECT_NE(response.find("\"error\""), std::string::npos) << response;
  const auto log = server.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, 400);
}

TEST_F(MockServerTest, ConnectionsOpened) {
  for (int i = 0; i < 10; ++i) client->Get("/v1/videos/task_x");
  EXPECT_EQ(server.connections_opened(), 1u);
  for (int i = 0; i < 3; ++i) {
    auto other = make_client(server);
    other->Get("/v1/videos/task_x");
    other->Get("/v1/videos/task_x");
  }
  EXPECT_EQ(server.connections_opened(), 4u);
  std::set<int> ports;
  for (const auto& r : server.requests()) ports.insert(r.remote_port);
  EXPECT_EQ(ports.size(), 4u);

  auto closing = make_client(server);
  closing->set_keep_alive(false);  // "Connection: close": one connection per request
  for (int i = 0; i < 3; ++i) closing->Get("/v1/videos/task_x");
  EXPECT_EQ(server.connections_opened(), 7u);

  server.clear_log();
  EXPECT_EQ(server.connections_opened(), 0u);
  EXPECT_TRUE(server.requests().empty());
  client->Get("/v1/videos/task_x");
  EXPECT_EQ(server.connections_opened(), 1u);
}

TEST_F(MockServerTest, Observer) {
  std::atomic<int> seen{0};
  std::atomic<int> last_status{0};
  server.set_request_observer([&](const RecordedRequest& r) {
    ++seen;
    last_status = r.status;
  });
  client->Get("/v1/videos/task_x");
  EXPECT_EQ(seen.load(), 1);
  EXPECT_EQ(last_status.load(), 404);
  server.set_request_observer(nullptr);
  client->Get("/v1/videos/task_x");
  EXPECT_EQ(seen.load(), 1);
}

TEST_F(MockServerTest, TenThousandRequestsOnOneConnection) {
  const std::string id = server.create_succeeded_task(10);
  const std::string path = "/v1/videos/" + id;
  constexpr int kRequests = 10000;
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto res = client->Get(path);
    if (res && res->status == 200) ++ok;
  }
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(server.count("GET", path), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(server.connections_opened(), 1u);
}

TEST_F(MockServerTest, ConcurrentClients) {
  constexpr int kThreads = 8;
  constexpr int kTasksEach = 25;
  // httplib's client initialises function-local static regexes on its first response, inside
  // its uninstrumented shared library; do that here, before the threads, or ThreadSanitizer
  // reports a (false) race between the first two client threads.
  ASSERT_TRUE(client->Get("/v1/videos/task_x"));
  server.clear_log();
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto c = make_client(server);
      for (int i = 0; i < kTasksEach; ++i) {
        auto res =
            c->Post("/v1/videos", R"({"model":"seedance-2.0","prompt":"x"})", "application/json");
        if (!res || res->status != 200) {
          ++failures;
          continue;
        }
        const std::string id = json::parse(res->body).value("id", "");
        for (int p = 0; p < 3; ++p) {
          auto poll = c->Get("/v1/videos/" + id);
          if (!poll || poll->status != 200) ++failures;
        }
      }
    });
  }
  // Read the log while the server writes it.
  std::thread reader([&] {
    while (!done) {
      (void)server.requests().size();
      (void)server.count("GET", "/v1/videos/");
      (void)server.connections_opened();
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.task_count(), static_cast<std::size_t>(kThreads * kTasksEach));
  EXPECT_EQ(server.count("POST"), static_cast<std::size_t>(kThreads * kTasksEach));
  EXPECT_EQ(server.count("GET"), static_cast<std::size_t>(kThreads * kTasksEach * 3));
  EXPECT_EQ(server.connections_opened(), static_cast<std::size_t>(kThreads));
}

TEST(MockServerLifecycle, MoreOpenConnectionsThanThreads) {
  MockServerOptions options;
  options.threads = 2;  // workers are added when all are busy
  MockServer server(options);
  server.start();
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(make_client(server));
    auto res = clients.back()->Get("/v1/videos/task_x");
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 404);
  }
  for (auto& c : clients) EXPECT_TRUE(c->Get("/v1/videos/task_x"));
  EXPECT_EQ(server.connections_opened(), 6u);
}

TEST(MockServerLifecycle, StartStopRestart) {
  MockServer server;
  EXPECT_FALSE(server.running());
  server.start();
  EXPECT_TRUE(server.running());
  EXPECT_THROW(server.start(), std::logic_error);
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.base_url(), "http://127.0.0.1:" + std::to_string(server.port()));
  const std::string id = server.create_succeeded_task(10);
  auto idle = make_client(server);  // an idle kept-alive connection must not block stop()
  ASSERT_TRUE(idle->Get("/v1/videos/" + id));
  server.stop();
  server.stop();
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(idle->Get("/v1/videos/" + id));

  server.start();  // tasks survive a restart
  auto c = make_client(server);
  auto res = c->Get("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(MockServerLifecycle, TakenPortFails) {
  MockServer first;
  first.start();
  MockServerOptions options;
  options.port = first.port();
  MockServer second(options);
  EXPECT_THROW(second.start(), std::runtime_error);
  EXPECT_FALSE(second.running());
}

TEST(MockServerLifecycle, DestructorStopsWithOpenConnections) {
  auto server = std::make_unique<MockServer>();
  server->start();
  auto c = make_client(*server);
  ASSERT_TRUE(c->Get("/v1/videos/task_x"));
  RawConnection silent(server->port());  // connected, never sends anything
  server.reset();
}

}  // namespace
}  // namespace seedance::mock::test
