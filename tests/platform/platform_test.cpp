// The platform layer's contract, on the system the tests run on: what the download code, the
// journal, the poll cache and the CLI's locks rely on.
#include "platform/platform.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "temp_dir.hpp"

namespace seedance::detail::platform {
namespace {

using seedance::testing::read_file;
using seedance::testing::TempDir;
using seedance::testing::write_file;

File open_or_fail(const std::string& path, OpenMode mode, Access access = Access::Shared) {
  std::error_code error;
  File file = File::open_write(path, mode, access, error);
  EXPECT_TRUE(file.is_open()) << path << ": " << error.message();
  return file;
}

TEST(PlatformFile, WritesAppendsAndWritesInPlace) {
  const TempDir dir;
  const std::string path = dir.file("data");
  std::error_code error;
  {
    File file = open_or_fail(path, OpenMode::Truncate);
    ASSERT_TRUE(file.write("hello", 5, error)) << error.message();
    ASSERT_TRUE(file.sync(error)) << error.message();
    ASSERT_TRUE(file.close(error)) << error.message();
  }
  {
    File file = open_or_fail(path, OpenMode::Append);
    ASSERT_TRUE(file.write(" world", 6, error)) << error.message();
  }
  {
    File file = open_or_fail(path, OpenMode::Existing);
    std::uint64_t offset = 6;
    ASSERT_TRUE(file.write_at(offset, "W", 1, error)) << error.message();
    EXPECT_EQ(offset, 7u);
    ASSERT_TRUE(file.sync_data(error)) << error.message();
  }
  EXPECT_EQ(read_file(path), "hello World");

  File reader = File::open_read(path, error);
  ASSERT_TRUE(reader.is_open()) << error.message();
  char buffer[64];
  const std::optional<std::size_t> got = reader.read(buffer, sizeof buffer, error);
  ASSERT_TRUE(got.has_value()) << error.message();
  EXPECT_EQ(std::string(buffer, *got), "hello World");
  EXPECT_EQ(reader.read(buffer, sizeof buffer, error), std::optional<std::size_t>(0));
}

TEST(PlatformFile, ResizesAndReserves) {
  const TempDir dir;
  const std::string path = dir.file("sized");
  File file = open_or_fail(path, OpenMode::Truncate);
  std::error_code error;
  // reserve() may be unsupported by the file system; resize() then does.
  if (!file.reserve(4096, error)) {
    ASSERT_TRUE(file.resize(4096, error)) << error.message();
  }
  EXPECT_EQ(std::filesystem::file_size(path), 4096u);
  ASSERT_TRUE(file.resize(10, error)) << error.message();
  EXPECT_EQ(std::filesystem::file_size(path), 10u);
}

TEST(PlatformFile, OpeningFailsWithTheSystemsReason) {
  const TempDir dir;
  std::error_code error;
  EXPECT_FALSE(File::open_read(dir.file("absent"), error).is_open());
  EXPECT_EQ(error, std::errc::no_such_file_or_directory);
  write_file(dir.file("there"), "x");
  error.clear();
  EXPECT_FALSE(
      File::open_write(dir.file("there"), OpenMode::CreateNew, Access::Private, error).is_open());
  EXPECT_EQ(error, std::errc::file_exists);
}

TEST(PlatformFile, ALockIsExclusiveUntilClosed) {
  const TempDir dir;
  const std::string path = dir.file("lock");
  std::error_code error;
  File first = open_or_fail(path, OpenMode::ReadWrite, Access::Private);
  ASSERT_TRUE(first.lock(false, error)) << error.message();
  {
    File second = open_or_fail(path, OpenMode::ReadWrite, Access::Private);
    EXPECT_FALSE(second.lock(false, error));
    EXPECT_EQ(error, std::errc::resource_unavailable_try_again);
  }
  first = File();
  File third = open_or_fail(path, OpenMode::ReadWrite, Access::Private);
  EXPECT_TRUE(third.lock(false, error)) << error.message();
}

TEST(PlatformFile, PrivateFilesAreTheOwnersOnly) {
  const TempDir dir;
  std::string path;
  std::error_code error;
  File file = File::create_unique(dir.path().string(), ".tmp.", path, error);
  ASSERT_TRUE(file.is_open()) << error.message();
  EXPECT_EQ(std::filesystem::path(path).parent_path(), dir.path());
  EXPECT_EQ(std::filesystem::path(path).filename().string().rfind(".tmp.", 0), 0u);
  std::string other;
  File another = File::create_unique(dir.path().string(), ".tmp.", other, error);
  EXPECT_NE(other, path);
  if (const std::optional<unsigned> bits = permission_bits(path)) {
    EXPECT_EQ(*bits, 0600u);
  }
  open_or_fail(dir.file("journal"), OpenMode::CreateNew, Access::Private);
  if (const std::optional<unsigned> bits = permission_bits(dir.file("journal"))) {
    EXPECT_EQ(*bits, 0600u);
  }
}

TEST(PlatformRename, ReplaceFileReplaces) {
  const TempDir dir;
  write_file(dir.file("new"), "new");
  write_file(dir.file("target"), "old");
  std::error_code error;
  ASSERT_TRUE(replace_file(dir.file("new"), dir.file("target"), error)) << error.message();
  EXPECT_EQ(read_file(dir.file("target")), "new");
  EXPECT_FALSE(std::filesystem::exists(dir.file("new")));
}

TEST(PlatformRename, MoveIntoPlaceNeverReplaces) {
  const TempDir dir;
  write_file(dir.file("part"), "bytes");
  write_file(dir.file("taken"), "someone's");
  std::error_code error;
  EXPECT_EQ(move_into_place(dir.file("part"), dir.file("taken"), error), Placed::TargetExists);
  EXPECT_EQ(read_file(dir.file("taken")), "someone's");
  EXPECT_EQ(read_file(dir.file("part")), "bytes");
  EXPECT_EQ(move_into_place(dir.file("part"), dir.file("video"), error), Placed::Moved)
      << error.message();
  EXPECT_EQ(read_file(dir.file("video")), "bytes");
  EXPECT_FALSE(std::filesystem::exists(dir.file("part")));
  EXPECT_EQ(move_into_place(dir.file("part"), dir.file("again"), error), Placed::Failed);
}

TEST(PlatformPaths, JoinUsesTheSystemsSeparatorAndKeepsUtf8) {
  const TempDir dir;
  const std::string name = "vid\xc3\xa9o \xe2\x9c\x93.mp4";  // "vidéo ✓.mp4"
  const std::string path = join_path(dir.path().string(), name);
  EXPECT_EQ(to_path(path).filename().u8string(), name);
  EXPECT_EQ(to_path(path).parent_path(), dir.path());
  std::error_code error;
  File file = open_or_fail(path, OpenMode::Truncate);
  ASSERT_TRUE(file.write("x", 1, error)) << error.message();
  EXPECT_TRUE(std::filesystem::exists(to_path(path)));
  std::FILE* c_file = open_c_file(path, "rb");
  ASSERT_NE(c_file, nullptr);
  std::fclose(c_file);
}

TEST(PlatformDirectories, APrivateDirectoryIsCreatedOnce) {
  const TempDir dir;
  const std::string path = dir.file("cache");
  EXPECT_TRUE(create_private_directory(path));
  EXPECT_TRUE(create_private_directory(path));  // already there: fine
  if (const std::optional<unsigned> bits = permission_bits(path)) {
    EXPECT_EQ(*bits, 0700u);
  }
  EXPECT_TRUE(is_writable(path));
  write_file(dir.file("file"), "x");
  EXPECT_FALSE(create_private_directory(dir.file("file")));  // a file, not a directory
}

}  // namespace
}  // namespace seedance::detail::platform
