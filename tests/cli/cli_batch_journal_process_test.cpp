// `seedance batch` never mistakes a damaged journal for a fresh one, never shares an out-dir
// with another batch, and never replaces a file its journal did not write. Runs the real binary
// against the in-process mock server; every refusal must come before anything is sent.
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

using testing::ChildProcess;
using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kApiKey = "sk-journal-test-6a2f0e8b1d";

class CliBatchJournalTest : public ::testing::Test {
 protected:
  CliBatchJournalTest() : server_(quick_mock_options(kApiKey, 4096)) {
    server_.start();
    std::filesystem::create_directories(out_dir_);
    testing::write_file(jobs_, "{\"prompt\":\"one\",\"name\":\"one\"}\n{\"prompt\":\"two\"}\n");
  }

  std::vector<std::string> environment() const {
    std::vector<std::string> environment =
        with_server(testing::sanitizer_environment(), kApiKey, server_.base_url());
    environment.push_back("HOME=" + dir_.path().string());
    return environment;
  }

  std::vector<std::string> arguments(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> arguments = {"batch", jobs_, "--out-dir", out_dir_};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }

  ProcessResult run_batch(const std::vector<std::string>& extra = {}) {
    return run_without_leaking(arguments(extra), environment(), kApiKey);
  }

  std::size_t posts() const { return server_.count("POST", "/v1/videos"); }

  // Refused with exit 4, naming the journal and what is wrong, and nothing sent.
  void expect_refused(const std::string& why) {
    const std::size_t before = posts();
    const ProcessResult result = run_batch();
    EXPECT_EQ(result.exit_code, 4) << describe(result);
    EXPECT_THAT(result.err, HasSubstr("journal " + journal_)) << describe(result);
    EXPECT_THAT(result.err, HasSubstr(why)) << describe(result);
    EXPECT_EQ(posts(), before);
  }

  testing::TempDir dir_;
  mock::MockServer server_;
  std::string jobs_ = dir_.file("jobs.jsonl");
  std::string out_dir_ = dir_.file("videos");
  std::string journal_ = out_dir_ + "/.seedance-journal.sqlite";
};

TEST_F(CliBatchJournalTest, AnEmptyJournalIsRefused) {
  testing::write_file(journal_, "");
  expect_refused("is empty (0 bytes)");
  EXPECT_EQ(std::filesystem::file_size(journal_), 0u);
}

TEST_F(CliBatchJournalTest, ATruncatedJournalIsRefused) {
  ASSERT_EQ(run_batch().exit_code, 0);
  ASSERT_EQ(posts(), 2u);
  std::filesystem::resize_file(journal_, std::filesystem::file_size(journal_) / 2);
  expect_refused("is damaged or not a journal");
}

TEST_F(CliBatchJournalTest, AFileThatIsNotADatabaseIsRefused) {
  testing::write_file(journal_, "these are my notes, not a journal\n");
  expect_refused("is damaged or not a journal");
  EXPECT_EQ(testing::read_file(journal_), "these are my notes, not a journal\n");
}

TEST_F(CliBatchJournalTest, AReadOnlyJournalIsSaidToBeReadOnly) {
  ASSERT_EQ(run_batch().exit_code, 0);
  std::filesystem::remove(out_dir_ + "/one.mp4");  // so that the run would have work to do
  ::chmod(journal_.c_str(), 0444);
  expect_refused("is read-only");
}

TEST_F(CliBatchJournalTest, ANewJournalIsPrivate) {
  ASSERT_EQ(run_batch().exit_code, 0);
  struct stat status {};
  ASSERT_EQ(::stat(journal_.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
}

// A journal of the first schema (no poll-time column, user_version 0) is upgraded, not refused,
// and its jobs are not submitted again.
TEST_F(CliBatchJournalTest, AnOlderJournalIsUpgradedInPlace) {
  ASSERT_EQ(run_batch().exit_code, 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(journal_.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(
      sqlite3_exec(db, "ALTER TABLE jobs DROP COLUMN last_polled_at; PRAGMA user_version = 0;",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  const ProcessResult result = run_batch();
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(posts(), 2u);
  ASSERT_EQ(sqlite3_open(journal_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 2);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

// Two batches with different journals would both write DIR/<name>.mp4: the second is refused.
TEST_F(CliBatchJournalTest, TheOutDirIsLockedForTheRun) {
  testing::write_file(jobs_, "{\"prompt\":\"one\",\"name\":\"one\"}\n");
  server_.add_fault("POST /v1/videos: delay-ms=60000");
  ChildProcess first(kCli, arguments({"--journal", dir_.file("first.sqlite")}), environment());
  for (int i = 0; i < 3000 && posts() == 0; ++i) {  // a safety net against a hang, not a delay
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(posts(), 1u) << "the first batch never submitted";
  const ProcessResult second = run_batch({"--journal", dir_.file("second.sqlite")});
  EXPECT_EQ(second.exit_code, 4) << describe(second);
  EXPECT_THAT(second.err, HasSubstr("--out-dir " + out_dir_ + " is in use by another"));
  EXPECT_EQ(posts(), 1u);
  first.send_signal(SIGKILL);
  first.finish();
}

// A file at a job's path that the journal did not write is left alone and the job fails
// without a submit; the other jobs run, and a file the journal wrote counts as done.
TEST_F(CliBatchJournalTest, AForeignFileIsRefusedAndLeftAlone) {
  testing::write_file(out_dir_ + "/one.mp4", "my own video");
  ProcessResult result = run_without_leaking(arguments({"--json"}), environment(), kApiKey);
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report.at("jobs")[0].at("result"), "failed");
  EXPECT_THAT(report.at("jobs")[0].at("message").get<std::string>(),
              HasSubstr("one.mp4 exists and the journal did not record writing it"));
  EXPECT_EQ(report.at("jobs")[1].at("result"), "done");
  EXPECT_EQ(testing::read_file(out_dir_ + "/one.mp4"), "my own video");
  EXPECT_EQ(posts(), 1u);

  std::filesystem::remove(out_dir_ + "/one.mp4");
  ASSERT_EQ(run_batch().exit_code, 0);
  EXPECT_EQ(posts(), 2u);
  result = run_batch();  // every file is the journal's own now
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(posts(), 2u);
}

}  // namespace
}  // namespace seedance::cli
