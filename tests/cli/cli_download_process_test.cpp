// Runs the real `seedance` against a hostile server (the mock's faults) and hostile paths: what
// the download commands save, refuse and keep.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

const std::string kApiKey = "sk-download-test-8d9e0f1a";
constexpr std::uint64_t kVideoSize = 256 * 1024;

class CliDownloadTest : public ::testing::Test {
 protected:
  CliDownloadTest() : server_(quick_mock_options(kApiKey, kVideoSize)) {
    server_.start();
    id_ = server_.create_succeeded_task(kVideoSize);
    output_ = dir_.file("video.mp4");
  }

  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return run_without_leaking(
        arguments, with_server(testing::sanitizer_environment(), kApiKey, server_.base_url()),
        kApiKey);
  }
  std::size_t downloads() const { return server_.count("GET", "/v1/videos/" + id_ + "/content"); }
  std::string expected() const { return mock::MockServer::expected_video(id_, kVideoSize); }
  static bool exists(const std::string& file) {
    struct stat info {};
    return ::lstat(file.c_str(), &info) == 0;
  }

  testing::TempDir dir_;
  mock::MockServer server_;
  std::string id_;
  std::string output_;
};

TEST_F(CliDownloadTest, AnErrorObjectOnContentIsAnApiErrorAndNoFile) {
  server_.add_fault("GET */content: status=200 body=error message=\"no video for this task\"");
  const ProcessResult result = seedance({"download", id_, "-o", output_});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("no video for this task"));
  EXPECT_THAT(result.err, Not(HasSubstr("kept")));
  EXPECT_FALSE(exists(output_));
  EXPECT_FALSE(exists(output_ + ".part"));
  EXPECT_FALSE(exists(output_ + ".part.meta"));
}

TEST_F(CliDownloadTest, ABrokenDownloadWithoutAValidatorStartsAgainFromZero) {
  server_.add_fault("GET */content: no-validator close-after-bytes=100000");
  server_.add_fault("GET */content: no-validator");
  const ProcessResult result = seedance({"download", id_, "-o", output_});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_TRUE(testing::read_file(output_) == expected());
  EXPECT_EQ(server_.requests().back().header("Range"), "");
}

TEST_F(CliDownloadTest, AFifoOrADeviceIsRefusedWithExitTwoBeforeAnythingIsSent) {
  const std::string fifo = dir_.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& target : {fifo, std::string("/dev/null")}) {
    const ProcessResult result = seedance({"download", id_, "-o", target});
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("not a regular file"));
  }
  const ProcessResult generated =
      seedance({"generate", "--prompt", "A paper boat", "-o", fifo, "--overwrite"});
  EXPECT_EQ(generated.exit_code, 2) << describe(generated);
  EXPECT_EQ(server_.requests().size(), 0u);  // no download, no submit
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
}

TEST_F(CliDownloadTest, AnExistingFileIsReplacedOnlyWithOverwrite) {
  testing::write_file(output_, "mine");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"download", id_, "-o", output_},
        std::vector<std::string>{"generate", "--prompt", "A paper boat", "-o", output_}}) {
    const ProcessResult refused = seedance(command);
    EXPECT_EQ(refused.exit_code, 2) << describe(refused);
    EXPECT_THAT(refused.err, HasSubstr("--overwrite"));
  }
  EXPECT_EQ(testing::read_file(output_), "mine");
  EXPECT_EQ(server_.requests().size(), 0u);
  const ProcessResult replaced = seedance({"download", id_, "-o", output_, "--overwrite"});
  EXPECT_EQ(replaced.exit_code, 0) << describe(replaced);
  EXPECT_TRUE(testing::read_file(output_) == expected());
}

TEST_F(CliDownloadTest, AFailureBeforeAnyByteKeepsNoPartAndSaysNoneIsKept) {
  server_.add_fault("GET */content: delay-ms=3000");
  const ProcessResult result = seedance({"download", id_, "-o", output_, "--timeout", "0.3"});
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_THAT(result.err, Not(HasSubstr("kept")));
  EXPECT_FALSE(exists(output_ + ".part"));
  EXPECT_FALSE(exists(output_ + ".part.meta"));
}

TEST_F(CliDownloadTest, ATrickleIsCutAfterTheStallTimeoutAndResumed) {
  server_.add_fault("GET */content: rate=64");
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result =
      seedance({"download", id_, "-o", output_, "--stall-timeout", "1", "--verbose"});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("stalled"));
  EXPECT_TRUE(testing::read_file(output_) == expected());
  EXPECT_EQ(downloads(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  const ProcessResult bad =
      seedance({"download", id_, "-o", dir_.file("x"), "--stall-timeout", "0.5"});
  EXPECT_EQ(bad.exit_code, 2) << describe(bad);
}

}  // namespace
}  // namespace seedance::cli
