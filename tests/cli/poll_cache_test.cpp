// The per-user cache of each task's last poll: what it remembers, what it forgets, and that it
// never fails a command.
#include "poll_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "commands/poll_floor.hpp"
#include "scoped_variable.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using std::chrono::milliseconds;
using testing::ScopedVariable;
using WallTime = PollCache::WallTime;

const std::string kService = "http://127.0.0.1:8080";
// A fixed "now", whole milliseconds (the file's resolution).
const WallTime kNow{milliseconds(1'800'000'000'000)};

class PollCacheTest : public ::testing::Test {
 protected:
  std::string directory() const { return (dir_.path() / "seedance").string(); }
  PollCache cache() const { return PollCache(directory()); }

  testing::TempDir dir_;
};

TEST_F(PollCacheTest, RemembersTheLastPollPerServiceAndTask) {
  cache().record(kService, "task_1", kNow);
  cache().record(kService, "task_2", kNow - milliseconds(1500));
  EXPECT_EQ(cache().last_poll(kService, "task_1"), kNow);
  EXPECT_EQ(cache().last_poll(kService, "task_2"), kNow - milliseconds(1500));
  EXPECT_EQ(cache().last_poll("http://other:1", "task_1"), std::nullopt);
  EXPECT_EQ(cache().last_poll(kService, "task_3"), std::nullopt);
  // An older poll never replaces a newer one (two invocations finishing out of order).
  cache().record(kService, "task_1", kNow - milliseconds(3000));
  EXPECT_EQ(cache().last_poll(kService, "task_1"), kNow);
}

TEST_F(PollCacheTest, LivesUnderXdgCacheHomeElseHome) {
  {
    const ScopedVariable xdg("XDG_CACHE_HOME", "/xdg-cache");
    EXPECT_EQ(PollCache::default_directory(), "/xdg-cache/seedance");
  }
  const ScopedVariable relative("XDG_CACHE_HOME", "relative/cache");  // Not absolute: ignored.
  const ScopedVariable home("HOME", "/home/me");
  EXPECT_EQ(PollCache::default_directory(), "/home/me/.cache/seedance");
  const ScopedVariable no_home("HOME", nullptr);
  EXPECT_EQ(PollCache::default_directory(), "");
  EXPECT_EQ(PollCache("").last_poll(kService, "task_1"), std::nullopt);
}

TEST_F(PollCacheTest, SkipsDamagedLines) {
  std::filesystem::create_directories(directory());
  testing::write_file(cache().path(), "garbage\n-5 " + kService + " task_1\n12x " + kService +
                                          " task_2\n1800000000000 " + kService +
                                          " task_3\n1800000000000 " + kService + "\n\n\x01\xff");
  EXPECT_EQ(cache().last_poll(kService, "task_1"), std::nullopt);
  EXPECT_EQ(cache().last_poll(kService, "task_2"), std::nullopt);
  EXPECT_EQ(cache().last_poll(kService, "task_3"), kNow);
  // Recording rewrites the file with the good entries only.
  cache().record(kService, "task_4", kNow);
  EXPECT_EQ(cache().last_poll(kService, "task_3"), kNow);
  EXPECT_THAT(testing::read_file(cache().path()), ::testing::Not(::testing::HasSubstr("garbage")));
}

TEST_F(PollCacheTest, IgnoresAnOversizedFile) {
  std::filesystem::create_directories(directory());
  const std::string line = "1800000000000 " + kService + " task_1\n";
  testing::write_file(cache().path(), line + std::string(300 * 1024, 'x'));
  EXPECT_EQ(cache().last_poll(kService, "task_1"), std::nullopt);
}

TEST_F(PollCacheTest, ForgetsOldEntriesAndKeepsTheMostRecentOnes) {
  cache().record(kService, "task_old", kNow - PollCache::kForgetAfter - milliseconds(1));
  for (std::size_t i = 0; i < PollCache::kMaxEntries + 10; ++i) {
    cache().record(kService, "task_" + std::to_string(i), kNow + milliseconds(i));
  }
  EXPECT_EQ(cache().last_poll(kService, "task_old"), std::nullopt);
  EXPECT_EQ(cache().last_poll(kService, "task_9"), std::nullopt);
  EXPECT_EQ(cache().last_poll(kService, "task_10"), kNow + milliseconds(10));
  const std::string text = testing::read_file(cache().path());
  EXPECT_EQ(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')),
            PollCache::kMaxEntries);
}

TEST_F(PollCacheTest, ReplacesTheFileLeavingNoTemporaryFiles) {
  cache().record(kService, "task_1", kNow);
  cache().record(kService, "task_2", kNow);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("last-polls", "last-polls.lock"));
  EXPECT_EQ(std::filesystem::status(directory()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
}

TEST_F(PollCacheTest, AnUnusableDirectoryIsIgnored) {
  testing::write_file(dir_.file("a-file"), "");
  const PollCache under_a_file(dir_.file("a-file") + "/seedance");
  under_a_file.record(kService, "task_1", kNow);  // Does not throw.
  EXPECT_EQ(under_a_file.last_poll(kService, "task_1"), std::nullopt);
}

TEST_F(PollCacheTest, ConcurrentWritersLoseNoEntry) {
  constexpr int kWriters = 4;
  constexpr int kEach = 20;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < kEach; ++i) {
        cache().record(kService, "task_" + std::to_string(w) + "_" + std::to_string(i), kNow);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kEach; ++i) {
      EXPECT_EQ(cache().last_poll(kService, "task_" + std::to_string(w) + "_" + std::to_string(i)),
                kNow);
    }
  }
}

TEST(FloorWaitMessage, SaysHowLongAndWhyInSeconds) {
  EXPECT_EQ(floor_wait_message(milliseconds(3200)),
            "waiting 3.2 s: the service allows one status query per task every 5 s");
  EXPECT_EQ(floor_wait_message(milliseconds(1)).substr(0, 14), "waiting 0.1 s:");
  EXPECT_EQ(floor_wait_message(milliseconds(5000)).substr(0, 14), "waiting 5.0 s:");
}

}  // namespace
}  // namespace seedance::cli
