// Runs the real `seedance` for what makes it a well-behaved tool: --json shapes, --quiet and
// --verbose, where settings come from, mock-server, help, and what stderr shows
// on a terminal (a pseudo-terminal) versus a pipe.
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::ProcessResult;
using ::testing::StartsWith;

const std::string kApiKey = "sk-tool-test-4a5b6c7d";
constexpr std::uint64_t kVideoSize = 32 * 1024;

class CliToolTest : public ::testing::Test {
 protected:
  CliToolTest() : server_(quick_mock_options(kApiKey, kVideoSize)) { server_.start(); }

  // The environment without SEEDANCE_* settings; HOME is the test's directory (its config file).
  std::vector<std::string> bare_environment() const {
    std::vector<std::string> environment = testing::sanitizer_environment();
    environment.push_back("HOME=" + dir_.path().string());
    return environment;
  }
  std::vector<std::string> environment() const {
    return with_server(bare_environment(), kApiKey, server_.base_url());
  }

  ProcessResult seedance(const std::vector<std::string>& arguments,
                         const std::vector<std::string>& environment) {
    return run_without_leaking(arguments, environment, kApiKey);
  }
  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return seedance(arguments, environment());
  }

  testing::TempDir dir_;
  mock::MockServer server_;
};

TEST_F(CliToolTest, SubmitJsonIsTheReceipt) {
  const ProcessResult result = seedance({"--json", "submit", "--prompt", "A lighthouse"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  const json receipt = one_json_line(result.out);
  EXPECT_THAT(receipt.at("task_id").get<std::string>(), StartsWith("task_"));
  EXPECT_EQ(receipt.at("status"), "QUEUED");
  EXPECT_EQ(receipt.at("status_raw"), "QUEUED");
  EXPECT_EQ(receipt.at("response").at("object"), "video");
  EXPECT_TRUE(server_.task(receipt.at("task_id")).has_value());
}

// The download's --timeout covers the whole call: a server that sends nothing in time ends it
// with exit 4 and the timeout named, and the part is kept for the next run.
TEST_F(CliToolTest, DownloadTimeoutEndsAStuckDownloadWithExitFour) {
  const std::string id = server_.create_succeeded_task(kVideoSize);
  server_.add_fault("GET */content: delay-ms=5000");
  const std::string output = (dir_.path() / "video.mp4").string();
  const ProcessResult result = seedance({"download", id, "-o", output, "--timeout", "0.5"});
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("timeout"));
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_EQ(server_.count("GET", "/v1/videos/" + id + "/content"), 1u);
}

TEST_F(CliToolTest, StatusAndWaitJsonAreTheTaskDetail) {
  const std::string task_id = server_.create_succeeded_task();
  ProcessResult result = seedance({"status", task_id, "--json"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  json detail = one_json_line(result.out);
  EXPECT_EQ(detail.at("task_id"), task_id);
  EXPECT_EQ(detail.at("status"), "SUCCESS");
  EXPECT_EQ(detail.at("status_raw"), "SUCCESS");
  EXPECT_EQ(detail.at("progress"), 100);
  EXPECT_EQ(detail.at("response").at("id"), task_id);

  // Another task: a wait on the same one would first sit out the 5 s floor after the status.
  const std::string waited_id = server_.create_succeeded_task();
  result = seedance({"--json", "wait", waited_id});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  detail = one_json_line(result.out);
  EXPECT_EQ(detail.at("status"), "SUCCESS");
  EXPECT_EQ(detail.at("result_url"), "/v1/videos/" + waited_id + "/content");
}

TEST_F(CliToolTest, GenerateAndDownloadJsonNameTheFile) {
  const std::string output = dir_.file("boat.mp4");
  ProcessResult result = seedance({"--json", "generate", "--prompt", "A paper boat", "-o", output});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  json detail = one_json_line(result.out);
  EXPECT_EQ(detail.at("status"), "SUCCESS");
  EXPECT_EQ(detail.at("download").at("path"), output);
  EXPECT_EQ(detail.at("download").at("bytes"), kVideoSize);
  const std::string task_id = detail.at("task_id");
  EXPECT_TRUE(testing::read_file(output) == mock::MockServer::expected_video(task_id, kVideoSize));

  const std::string copy = dir_.file("copy.mp4");
  result = seedance({"download", task_id, "-o", copy, "--json"});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  detail = one_json_line(result.out);
  EXPECT_EQ(detail.at("task_id"), task_id);
  EXPECT_EQ(detail.at("path"), copy);
  EXPECT_EQ(detail.at("bytes"), kVideoSize);
  EXPECT_EQ(detail.at("resumed"), false);
}

TEST_F(CliToolTest, AFailedWaitPrintsTheTaskAndAJsonError) {
  mock::TaskOptions failed;
  failed.state = mock::TaskState::Failure;
  failed.fail_reason = "mock: policy";
  const std::string task_id = server_.create_task(failed);
  const ProcessResult result = seedance({"--json", "wait", task_id});
  EXPECT_EQ(result.exit_code, 1) << describe(result);
  EXPECT_EQ(one_json_line(result.out).at("status"), "FAILURE");
  const json error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("kind"), "task_failed");
  EXPECT_EQ(error.at("exit_code"), 1);
  EXPECT_EQ(error.at("fail_reason"), "mock: policy");
}

TEST_F(CliToolTest, ErrorsAreJsonObjectsWithTheContractsExitCodes) {
  // A wrong key: the API's error object, exit 3.
  ProcessResult result = seedance({"--json", "--api-key", "sk-wrong-000000", "status", "task_1"});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.out, IsEmpty());
  json error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("type"), "authentication_error");
  EXPECT_EQ(error.at("code"), "invalid_api_key");
  EXPECT_EQ(error.at("exit_code"), 3);
  EXPECT_EQ(error.at("http_status"), 401);
  EXPECT_THAT(result.err, Not(HasSubstr("sk-wrong-000000")));

  // A usage error, exit 2.
  result = seedance({"--json", "frobnicate"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("type"), "usage_error");
  EXPECT_EQ(error.at("exit_code"), 2);

  // An invalid request: every problem, exit 2, nothing sent.
  server_.clear_log();
  result = seedance({"submit", "--json", "--prompt", "x", "--duration", "99", "--ratio", "2:1"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  error = one_json_line(result.err).at("error");
  EXPECT_EQ(error.at("kind"), "validation_error");
  EXPECT_EQ(error.at("problems").size(), 2u);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(CliToolTest, VerboseLogsEveryAttemptWithoutTheKey) {
  const std::string task_id = server_.create_succeeded_task();
  const ProcessResult result = seedance({"--verbose", "status", task_id});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err,
              HasSubstr("seedance: http: GET /v1/videos/" + task_id + " attempt 1 -> 200 ("));
  EXPECT_EQ(result.out, "SUCCESS 100%\n");
}

TEST_F(CliToolTest, QuietPrintsOnlyTheResult) {
  const std::string output = dir_.file("quiet.mp4");
  const ProcessResult result = seedance({"-q", "generate", "--prompt", "x", "-o", output});
  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, output + "\n");
  EXPECT_THAT(result.err, IsEmpty());
}

class CliConfigTest : public CliToolTest {
 protected:
  void write_config(const std::string& path, const std::string& base_url,
                    const std::string& api_key) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    testing::write_file(
        path, "# test account\nbase_url = " + base_url + "\napi_key = \"" + api_key + "\"\n");
  }
  std::string default_config() const { return dir_.file(".config/seedance/config"); }
  std::string task_id_ = server_.create_succeeded_task();
};

TEST_F(CliConfigTest, TheConfigFileIsUsedWhenNothingElseIsSet) {
  write_config(default_config(), server_.base_url(), kApiKey);
  const ProcessResult result = seedance({"status", task_id_}, bare_environment());
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, "SUCCESS 100%\n");
}

TEST_F(CliConfigTest, EnvironmentBeatsTheFileAndFlagsBeatTheEnvironment) {
  write_config(default_config(), "http://127.0.0.1:1", "sk-from-file-xxxx");
  // The environment's URL and key win over the file's (which would fail).
  ProcessResult result = seedance({"status", task_id_}, environment());
  EXPECT_EQ(result.exit_code, 0) << describe(result);

  // A flag wins over the environment: a wrong key on the command line is refused (exit 3).
  result = seedance({"--api-key", "sk-flag-wrong-1", "status", task_id_}, environment());
  EXPECT_EQ(result.exit_code, 3) << describe(result);

  // The file supplies what the environment does not.
  std::vector<std::string> key_only = bare_environment();
  key_only.push_back("SEEDANCE_API_KEY=" + kApiKey);
  write_config(default_config(), server_.base_url(), "sk-from-file-xxxx");
  result = seedance({"status", task_id_}, key_only);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
}

TEST_F(CliConfigTest, AnExplicitConfigMustExistAndBeValid) {
  ProcessResult result =
      seedance({"--config", dir_.file("nope"), "status", task_id_}, bare_environment());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("--config: "));

  const std::string path = dir_.file("other.conf");
  testing::write_file(
      path, "base_url = " + server_.base_url() + "\napi_key = " + kApiKey + "\ncolour = blue\n");
  result = seedance({"--config", path, "status", task_id_}, bare_environment());
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr(path + ":3: unknown key \"colour\""));
  EXPECT_TRUE(server_.requests().empty() || server_.count("GET", "/v1/videos/" + task_id_) == 0);
}

TEST_F(CliToolTest, MockServerRunsTheBundledMock) {
  std::vector<std::string> environment = bare_environment();
  environment.push_back("SEEDANCE_MOCK_SERVER=" + kMockServer);
  ChildProcess mock(kCli, {"mock-server", "--port", "0", "--api-key", kApiKey, "--polls", "1"},
                    environment);
  const std::string url = mock.first_stdout_line();
  ASSERT_THAT(url, StartsWith("http://127.0.0.1:"));
  std::vector<std::string> client = bare_environment();
  client.push_back("SEEDANCE_API_KEY=" + kApiKey);
  client.push_back("SEEDANCE_BASE_URL=" + url);
  const ProcessResult submitted = seedance({"submit", "--prompt", "x"}, client);
  EXPECT_EQ(submitted.exit_code, 0) << describe(submitted);
  EXPECT_THAT(submitted.out, StartsWith("task_"));
  mock.send_signal(SIGTERM);
  EXPECT_EQ(mock.finish().exit_code, 0);
}

TEST_F(CliToolTest, HelpHasAnExampleForEveryCommand) {
  const ProcessResult top = seedance({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command :
       {"generate", "submit", "status", "wait", "download", "batch", "mock-server"}) {
    EXPECT_THAT(top.out, HasSubstr(std::string("  seedance ") + command + " ")) << command;
    if (std::string(command) == "mock-server") continue;  // Its --help is the mock's own.
    const ProcessResult help = seedance({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr(std::string("Example: seedance ") + command)) << command;
  }
}

// Runs the program on a pseudo-terminal (stdin, stdout and stderr) and returns all it wrote.
ProcessResult run_on_terminal(const std::string& program, const std::vector<std::string>& arguments,
                              const std::vector<std::string>& environment) {
  // Everything the child needs is prepared before fork(): after it only execve is called.
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& variable : environment) envp.push_back(const_cast<char*>(variable.c_str()));
  envp.push_back(nullptr);

  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ProcessResult result;
  if (pid < 0) return result;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(master, buffer, sizeof buffer);
    if (got > 0) {
      result.out.append(buffer, static_cast<std::size_t>(got));
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child closed the terminal.
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

TEST_F(CliToolTest, ATerminalGetsALiveLineAPipeGetsPlainLines) {
  const std::string on_terminal = dir_.file("terminal.mp4");
  const ProcessResult terminal =
      run_on_terminal(kCli, {"generate", "--prompt", "x", "-o", on_terminal}, environment());
  ASSERT_EQ(terminal.exit_code, 0) << describe(terminal);
  // The status line is redrawn in place: carriage return and erase-line, then the status.
  EXPECT_THAT(terminal.out, HasSubstr("\r\033[K"));
  EXPECT_THAT(terminal.out, MatchesRegex("(.|\r|\n)*\r\033\\[Ktask_[a-z0-9]+ SUCCESS 100%  [0-9]+s"
                                         "(.|\r|\n)*"));
  EXPECT_THAT(terminal.out, HasSubstr("downloading "));

  const std::string piped = dir_.file("piped.mp4");
  const ProcessResult plain = seedance({"generate", "--prompt", "x", "-o", piped});
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_THAT(plain.err, Not(HasSubstr("\r")));
  EXPECT_THAT(plain.err, Not(HasSubstr("\033")));
  EXPECT_THAT(plain.err, MatchesRegex("seedance: submitted task task_[a-z0-9]+\n"
                                      "seedance: task_[a-z0-9]+ SUCCESS 100% \\([0-9]+s\\)\n"
                                      "seedance: saved 32.0 KiB to [^\n]+\n"));
}

// --json keeps stderr parseable for programs; a terminal is read by a person, who still sees the
// live progress line there.
TEST_F(CliToolTest, JsonOnATerminalStillShowsProgress) {
  const std::string on_terminal = dir_.file("terminal.mp4");
  const ProcessResult terminal = run_on_terminal(
      kCli, {"--json", "generate", "--prompt", "x", "-o", on_terminal}, environment());
  ASSERT_EQ(terminal.exit_code, 0) << describe(terminal);
  EXPECT_THAT(terminal.out, MatchesRegex("(.|\r|\n)*\r\033\\[Ktask_[a-z0-9]+ SUCCESS 100%  "
                                         "[0-9]+s(.|\r|\n)*"));
  EXPECT_THAT(terminal.out, HasSubstr("downloading "));
  EXPECT_THAT(terminal.out, HasSubstr("\"download\":{\"bytes\":32768"));

  const ProcessResult piped =
      seedance({"--json", "generate", "--prompt", "x", "-o", dir_.file("piped.mp4")});
  ASSERT_EQ(piped.exit_code, 0) << describe(piped);
  EXPECT_THAT(piped.err, IsEmpty());
}

TEST_F(CliToolTest, ABatchOnATerminalShowsItsCountsLine) {
  const std::string jobs = dir_.file("jobs.jsonl");
  testing::write_file(jobs,
                      "{\"prompt\":\"a\",\"name\":\"a\"}\n{\"prompt\":\"b\",\"name\":\"b\"}\n");
  const ProcessResult terminal = run_on_terminal(
      kCli, {"batch", jobs, "--out-dir", dir_.file("out"), "--poll-interval", "5"}, environment());
  ASSERT_EQ(terminal.exit_code, 0) << describe(terminal);
  EXPECT_THAT(terminal.out, HasSubstr("\r\033[Kbatch: 2/2 saved"));
}

}  // namespace
}  // namespace seedance::cli
