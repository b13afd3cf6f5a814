// seedance-mock-server as a process: the URL line, flags, faults, and a clean exit on SIGTERM.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "test_util.hpp"

extern char** environ;

namespace seedance::mock::test {
namespace {

class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args) {
    args.insert(args.begin(), SEEDANCE_MOCK_SERVER_BIN);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2";
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      ADD_FAILURE() << "posix_spawn " << argv[0];
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (out_ >= 0) ::close(out_);
  }

  /// Reads stdout up to the first newline (10 s at most).
  std::string read_line() {
    std::string line;
    char c = 0;
    while (true) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) break;
      if (::read(out_, &c, 1) != 1 || c == '\n') break;
      line.push_back(c);
    }
    return line;
  }

  std::string read_rest() {
    std::string rest;
    char buf[256];
    ssize_t n = 0;
    while ((n = ::read(out_, buf, sizeof(buf))) > 0) rest.append(buf, static_cast<std::size_t>(n));
    return rest;
  }

  void signal(int sig) { ::kill(pid_, sig); }

  /// Waits for the exit; returns the wait status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

TEST(MockServerProcess, ServesUntilSigterm) {
  ServerProcess process({"--port", "0", "--api-key", "k", "--polls", "1", "--video-size", "2k",
                         "--fault", "POST /v1/videos: status=503 times=1"});
  const std::string url = process.read_line();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(url, m, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << url;

  httplib::Client c(url);
  c.set_default_headers(auth("k"));
  const std::string body = R"({"model":"seedance-2.0","prompt":"x"})";
  auto res = c.Post("/v1/videos", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);  // the --fault
  res = c.Post("/v1/videos", body, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string id = parse_json(res->body).value("id", "");
  res = c.Get("/v1/videos/" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(parse_json(res->body)["status"], "SUCCESS");  // --polls 1
  res = c.Get("/v1/videos/" + id + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, MockServer::expected_video(id, 2048));           // --video-size 2k
  EXPECT_EQ(c.Get("/v1/videos/" + id, auth("test-key"))->status, 401);  // --api-key

  process.signal(SIGTERM);
  const int status = process.wait();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(process.read_rest(), "");  // exactly one line on stdout
}

TEST(MockServerProcess, SigintAlsoExitsCleanly) {
  ServerProcess process({"--port=0"});
  ASSERT_EQ(process.read_line().rfind("http://127.0.0.1:", 0), 0u);
  process.signal(SIGINT);
  const int status = process.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(MockServerProcess, BadArgumentsExitWith2) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--fault", "not a rule"},
                                               {"--port", "70000"},
                                               {"--bogus"},
                                               {"--video-size", "12x"},
                                               {"--dialect", "openai"},
                                               {"--port"}}) {
    ServerProcess process(args);
    const int status = process.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << args[0];
  }
}

TEST(MockServerProcess, DialectFlag) {
  for (const char* dialect : {"reference", "gateway"}) {
    ServerProcess process({"--dialect", dialect});
    httplib::Client c(process.read_line());
    c.set_default_headers(auth());
    auto res = c.Post("/v1/videos", R"({"model":"seedance-2.0","prompt":"x"})", "application/json");
    ASSERT_TRUE(res);
    const bool gateway = std::string(dialect) == "gateway";
    EXPECT_EQ(parse_json(res->body)["status"], gateway ? "queued" : "QUEUED") << dialect;
    EXPECT_EQ(res->has_header("X-Oneapi-Request-Id"), gateway) << dialect;
  }
}

TEST(MockServerProcess, Help) {
  ServerProcess process({"--help"});
  const std::string first = process.read_line();
  EXPECT_NE(first.find("usage: seedance-mock-server"), std::string::npos) << first;
  const int status = process.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace seedance::mock::test
