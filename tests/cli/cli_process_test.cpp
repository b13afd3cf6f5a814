// Runs the real `seedance` binary against a real seedance-mock-server over loopback.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "recording_listener.hpp"
#include "seedance/mock/mock_server.hpp"
#include "seedance/version.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::AllOf;
using testing::ChildProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::ProcessResult;
using ::testing::StartsWith;

const std::string kApiKey = "sk-cli-test-5f1c2a9e7b";
constexpr std::uint64_t kVideoSize = 64 * 1024;

// The statuses a task can be in; `status` prints one of them and a percentage.
constexpr const char* kStatusLine = "(SUBMITTED|QUEUED|IN_PROGRESS|SUCCESS|FAILURE) [0-9]+%\n";

// A loopback socket that listens but never accepts: a connection attempt by the CLI would show up
// in its backlog, which proves whether anything was sent.
class SilentListener {
 public:
  SilentListener() {
    fd_ = testing::listen_on_loopback(port_);
    if (fd_ < 0) ADD_FAILURE() << "cannot listen on loopback";
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// True when a client connected (the CLI has exited, so its connection is already queued).
  bool was_contacted() {
    const int connection = ::accept(fd_, nullptr, nullptr);
    if (connection < 0) return false;
    ::close(connection);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port with nothing listening on it: bound once, then released.
std::string closed_port_url() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

// The API key must not appear in anything the CLI prints.
void expect_no_key(const ProcessResult& result) {
  EXPECT_THAT(result.out, Not(HasSubstr(kApiKey)));
  EXPECT_THAT(result.err, Not(HasSubstr(kApiKey)));
}

// One mock server per suite: `--polls 1` makes the first poll report SUCCESS, so nothing waits.
class MockServer {
 public:
  explicit MockServer(int polls)
      : process_(kMockServer,
                 {"--port", "0", "--api-key", kApiKey, "--polls", std::to_string(polls),
                  "--video-size", std::to_string(kVideoSize)},
                 testing::sanitizer_environment()),
        url_(process_.first_stdout_line()) {}
  ~MockServer() {
    process_.send_signal(SIGTERM);
    process_.finish();
  }
  const std::string& url() const { return url_; }

 private:
  ChildProcess process_;
  std::string url_;
};

class CliProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new MockServer(1); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_THAT(server_->url(), StartsWith("http://127.0.0.1:")) << "the mock server did not start";
  }

  // Runs seedance with the key in the environment (never on the command line) and checks that
  // the key appears nowhere in its output.
  ProcessResult seedance(const std::vector<std::string>& arguments,
                         const std::string& base_url_override = {}) {
    const std::vector<std::string> environment =
        with_server(testing::sanitizer_environment(), kApiKey,
                    base_url_override.empty() ? server_->url() : base_url_override);
    ProcessResult result = testing::run_process(kCli, arguments, environment);
    expect_no_key(result);
    return result;
  }

  std::string submit(const std::string& prompt) {
    const ProcessResult result = seedance({"submit", "--prompt", prompt});
    EXPECT_EQ(result.exit_code, 0) << describe(result);
    return result.out.substr(0, result.out.find('\n'));
  }

  static MockServer* server_;
  testing::TempDir dir_;
};

MockServer* CliProcessTest::server_ = nullptr;

TEST_F(CliProcessTest, SubmitPrintsOnlyTheTaskId) {
  const ProcessResult result = seedance({"submit", "--prompt", "A lighthouse at dusk"});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.out, MatchesRegex("[A-Za-z0-9_.-]+\n"));
}

TEST_F(CliProcessTest, StatusPrintsTheStatusWordAndProgress) {
  const std::string task_id = submit("A lighthouse at dusk");
  const ProcessResult result = seedance({"status", task_id});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.out, MatchesRegex(kStatusLine));
}

TEST_F(CliProcessTest, GenerateWritesTheVideoAndPrintsItsPath) {
  const std::string output = dir_.file("boat.mp4");
  const ProcessResult result = seedance({"generate", "--prompt", "A paper boat", "--duration", "5",
                                         "--poll-interval", "5", "-o", output});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, output + "\n");
  EXPECT_THAT(testing::read_file(output), Not(IsEmpty()));
  EXPECT_THAT(result.err, HasSubstr("SUCCESS 100%"));  // One progress line per change.
}

TEST_F(CliProcessTest, GenerateAcceptsALocalImageFile) {
  const std::string image = dir_.file("first.png");
  testing::write_file(image, testing::tiny_png());
  const std::string output = dir_.file("from-image.mp4");
  const ProcessResult result =
      seedance({"generate", "--image", "@" + image, "--prompt", "Make it move", "-o", output});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, output + "\n");
}

TEST_F(CliProcessTest, WaitThenDownloadATask) {
  const std::string task_id = submit("A red kite");
  const ProcessResult waited = seedance({"wait", task_id, "--timeout", "120"});
  EXPECT_EQ(waited.exit_code, 0) << describe(waited);
  EXPECT_EQ(waited.out, "SUCCESS 100%\n");

  const std::string output = dir_.file("kite.mp4");
  const ProcessResult downloaded = seedance({"download", task_id, "-o", output});
  EXPECT_EQ(downloaded.exit_code, 0) << describe(downloaded);
  EXPECT_EQ(downloaded.out, output + "\n");
  EXPECT_TRUE(testing::read_file(output) == mock::MockServer::expected_video(task_id, kVideoSize))
      << "the downloaded file is not the task's video";
}

TEST_F(CliProcessTest, DownloadResumesByDefaultAndNoResumeStartsOver) {
  mock::MockServerOptions options;
  options.api_key = kApiKey;
  mock::MockServer server(options);
  server.start();
  const std::uint64_t size = 1024 * 1024;
  const std::string id = server.create_succeeded_task(size);
  const std::string output = dir_.file("resumed.mp4");
  const auto interrupt = [&] {
    server.add_fault("GET */content: close-after-bytes=300000");
    server.add_fault("GET */content: status=404");  // a permanent failure: the part is kept
    const ProcessResult failed = seedance({"download", id, "-o", output}, server.base_url());
    EXPECT_NE(failed.exit_code, 0) << describe(failed);
    EXPECT_EQ(testing::read_file(output + ".part").size(), 300000u);
  };
  const auto last_range = [&] { return server.requests().back().header("Range"); };

  interrupt();
  ProcessResult result = seedance({"download", id, "-o", output}, server.base_url());
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(last_range(), "bytes=300000-");
  EXPECT_THAT(result.err, HasSubstr("resumed"));
  EXPECT_TRUE(testing::read_file(output) == mock::MockServer::expected_video(id, size));

  std::remove(output.c_str());
  interrupt();
  result = seedance({"download", id, "-o", output, "--no-resume"}, server.base_url());
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(last_range(), "");
  EXPECT_TRUE(testing::read_file(output) == mock::MockServer::expected_video(id, size));
}

TEST_F(CliProcessTest, FailedTaskExitsOneWithTheReason) {
  const std::string output = dir_.file("never.mp4");
  const ProcessResult result = seedance({"generate", "--prompt", "mock:fail please", "-o", output});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, HasSubstr("seedance: error: task "));
  EXPECT_THAT(result.err, HasSubstr("failed"));
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST_F(CliProcessTest, WaitOnAFailedTaskPrintsFailureAndExitsOne) {
  const std::string task_id = submit("mock:fail");
  const ProcessResult result = seedance({"wait", task_id});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_THAT(result.out, StartsWith("FAILURE "));
}

TEST_F(CliProcessTest, PollIntervalBelowTheFloorIsRefusedBeforeSending) {
  SilentListener listener;
  const ProcessResult result =
      seedance({"generate", "--prompt", "x", "--poll-interval", "2", "-o", dir_.file("v.mp4")},
               listener.url());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, StartsWith("seedance: error: --poll-interval: '2'"));
  EXPECT_FALSE(listener.was_contacted());
}

TEST_F(CliProcessTest, InvalidInputListsEveryProblemAndSendsNothing) {
  SilentListener listener;
  const ProcessResult result = seedance(
      {"submit", "--prompt", "x", "--duration", "99", "--resolution", "4k"}, listener.url());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: error: --resolution: '4k'"));
  EXPECT_THAT(result.err, HasSubstr("duration"));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_FALSE(listener.was_contacted());
}

TEST_F(CliProcessTest, MissingOutputDirectoryIsRefusedBeforeSubmitting) {
  SilentListener listener;
  const ProcessResult result =
      seedance({"generate", "--prompt", "x", "-o", dir_.file("missing/v.mp4")}, listener.url());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("does not exist"));
  EXPECT_FALSE(listener.was_contacted());
}

TEST_F(CliProcessTest, MissingApiKeyExitsTwoWithASentence) {
  std::vector<std::string> environment = testing::sanitizer_environment();
  environment.push_back("SEEDANCE_BASE_URL=" + server_->url());
  const ProcessResult result = testing::run_process(kCli, {"status", "task_1"}, environment);
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: error: no API key"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliProcessTest, WrongApiKeyExitsThreeWithoutPrintingEitherKey) {
  const std::string wrong_key = "sk-wrong-0d9e8f7a";
  const ProcessResult result = seedance({"--api-key", wrong_key, "submit", "--prompt", "x"});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, StartsWith("seedance: error: "));
  EXPECT_THAT(result.err, Not(HasSubstr(wrong_key)));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliProcessTest, UnreachableServiceExitsFour) {
  const ProcessResult result = seedance({"status", "task_1"}, closed_port_url());
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_THAT(result.err, StartsWith("seedance: error: "));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliProcessTest, DryRunPrintsTheBodyWithoutCredentialsOrNetwork) {
  const std::string image = dir_.file("ref.png");
  testing::write_file(image, testing::tiny_png());
  std::vector<std::string> environment = testing::sanitizer_environment();  // No key, no URL.
  const ProcessResult result =
      testing::run_process(kCli,
                           {"generate", "--dry-run", "--prompt", "A quiet harbour", "--duration",
                            "5", "--resolution", "720p", "--reference-image", "@" + image},
                           environment);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.out, StartsWith("{"));
  EXPECT_THAT(
      result.out,
      AllOf(HasSubstr("\"model\":\"seedance-2.0\""), HasSubstr("\"prompt\":\"A quiet harbour\""),
            HasSubstr("\"duration\":5"), HasSubstr("\"720p\""), HasSubstr("data:image/png;base64,"),
            HasSubstr("\"reference_image\"")));
  EXPECT_EQ(result.out.back(), '\n');
  EXPECT_EQ(result.out.find('\n'), result.out.size() - 1);  // Exactly one line of JSON.
}

TEST_F(CliProcessTest, DryRunOfAnInvalidRequestListsEveryProblemOnItsOwnLine) {
  const ProcessResult result = seedance({"submit", "--dry-run", "--prompt", "x", "--ratio", "2:1",
                                         "--seed", "abc", "--resolution", "8k"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, MatchesRegex("(seedance: error: [^\n]+\n){3}"));
}

TEST_F(CliProcessTest, VersionAndHelp) {
  ProcessResult result = seedance({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "seedance " + std::string(version()) + "\n");
  result = seedance({"generate", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("Example: seedance generate"));
}

TEST_F(CliProcessTest, UnknownCommandExitsTwo) {
  const ProcessResult result = seedance({"frobnicate"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, StartsWith("seedance: error: "));
}

// Runs against a mock whose tasks need three polls, so a task is still running after the first
// (immediate) poll of a wait: the next one would be at least 5 s later, and neither test below
// lets it come to that.
class CliRunningTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.url(), StartsWith("http://127.0.0.1:")) << "the mock server did not start";
    environment_ = with_server(testing::sanitizer_environment(), kApiKey, server_.url());
    const ProcessResult submitted =
        testing::run_process(kCli, {"submit", "--prompt", "A slow sunrise"}, environment_);
    ASSERT_EQ(submitted.exit_code, 0) << describe(submitted);
    task_id_ = submitted.out.substr(0, submitted.out.find('\n'));
  }

  MockServer server_{3};
  std::vector<std::string> environment_;
  std::string task_id_;
};

// Ctrl-C cancels the wait promptly - it does not sit out the poll interval - and the process ends
// by SIGINT, so a shell loop around it stops.
TEST_F(CliRunningTaskTest, CtrlCDuringWaitCancelsAndEndsBySigint) {
  ChildProcess waiting(kCli, {"wait", task_id_, "--poll-interval", "60"}, environment_);
  // The first status line on stderr means the first poll is done and the CLI now waits.
  const bool polled = waiting.wait_for_output([&](const std::string&, const std::string& err) {
    return err.find(task_id_) != std::string::npos;
  });
  ASSERT_TRUE(polled) << describe(waiting.finish());
  waiting.send_signal(SIGINT);
  const ProcessResult result = waiting.finish();
  EXPECT_EQ(result.signal, SIGINT) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("seedance: cancelled\n"));
  EXPECT_THAT(result.out, IsEmpty());
  expect_no_key(result);
}

// A timeout shorter than the poll interval ends the wait after the first poll, with exit 4, the
// last status seen, and how to resume. The deadline leaves the first poll ample time (a poll is
// cut off at the deadline, and sanitizer builds are slow) and still comes long before the second.
TEST_F(CliRunningTaskTest, TimeoutExitsFourAndSaysHowToResume) {
  const ProcessResult result =
      testing::run_process(kCli, {"wait", task_id_, "--timeout", "2"}, environment_);
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("(last status: QUEUED 0%)"));
  EXPECT_THAT(result.err, HasSubstr("seedance wait " + task_id_));
  EXPECT_THAT(result.out, IsEmpty());
  expect_no_key(result);
}

}  // namespace
}  // namespace seedance::cli
