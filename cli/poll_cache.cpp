#include "poll_cache.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/platform.hpp"

namespace seedance::cli {
namespace {

namespace platform = detail::platform;

using WallTime = PollCache::WallTime;
using Entries = std::map<std::string, WallTime>;  // "BASE_URL TASK_ID" -> its last poll.

// Far more than kMaxEntries lines take: a bigger file is not one this tool wrote.
constexpr std::size_t kMaxFileBytes = 256 * 1024;

std::string key_of(const std::string& base_url, const std::string& task_id) {
  return base_url + ' ' + task_id;
}

// One "MS_SINCE_EPOCH BASE_URL TASK_ID" line; false for anything else.
bool parse_line(std::string_view line, Entries& entries) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view key = line.substr(space + 1);
  const auto key_space = key.find(' ');
  if (key_space == 0 || key_space == std::string_view::npos || key_space + 1 == key.size()) {
    return false;
  }
  long long milliseconds = 0;
  const auto parsed = std::from_chars(line.data(), line.data() + space, milliseconds);
  if (parsed.ec != std::errc() || parsed.ptr != line.data() + space || milliseconds < 0) {
    return false;
  }
  entries[std::string(key)] = WallTime(std::chrono::milliseconds(milliseconds));
  return true;
}

// The entries of the file; a damaged line is skipped, an oversized file ignored.
Entries read_entries(const std::string& path) {
  std::ifstream in(platform::to_path(path), std::ios::binary);
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) return {};
  Entries entries;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = std::min(rest.find('\n'), rest.size());
    parse_line(rest.substr(0, end), entries);
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return entries;
}

// Drops the entries too old (or, after a clock jump, too far ahead) to matter at `now`, then all
// but the kMaxEntries most recent.
void prune(Entries& entries, WallTime now) {
  for (auto it = entries.begin(); it != entries.end();) {
    const bool stale =
        it->second < now - PollCache::kForgetAfter || it->second > now + PollCache::kForgetAfter;
    it = stale ? entries.erase(it) : std::next(it);
  }
  if (entries.size() <= PollCache::kMaxEntries) return;
  std::vector<std::pair<WallTime, std::string>> by_time;
  by_time.reserve(entries.size());
  for (const auto& [key, at] : entries) by_time.emplace_back(at, key);
  const auto newest_kept = by_time.end() - static_cast<std::ptrdiff_t>(PollCache::kMaxEntries);
  std::nth_element(by_time.begin(), newest_kept, by_time.end());
  for (auto it = by_time.begin(); it != newest_kept; ++it) entries.erase(it->second);
}

// Writes a temporary file beside `path` and renames it over `path`: a reader sees the old file
// or the new one, never half of one.
void write_entries(const std::string& directory, const std::string& path, const Entries& entries) {
  std::string text;
  for (const auto& [key, at] : entries) {
    const auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    text += std::to_string(milliseconds) + ' ' + key + '\n';
  }
  std::string temporary;
  std::error_code error;
  platform::File file = platform::File::create_unique(directory, ".last-polls.", temporary, error);
  if (!file.is_open()) return;
  bool written = file.write(text.data(), text.size(), error);
  written = file.close(error) && written;
  if (!written || !platform::replace_file(temporary, path, error)) {
    std::filesystem::remove(platform::to_path(temporary), error);
  }
}

// Serialises the read-modify-write of concurrent invocations, with a lock the system releases when
// the process ends, however it ends. Without it (the file cannot be opened) the update goes ahead
// regardless: at worst a concurrent entry is lost, which costs one early poll.
platform::File lock_cache(const std::string& path) {
  std::error_code error;
  platform::File file = platform::File::open_write(path, platform::OpenMode::ReadWrite,
                                                   platform::Access::Private, error);
  if (file.is_open()) file.lock(true, error);
  return file;
}

// The cache directory, made private to the user when this creates it; false if it cannot be had.
bool make_directory(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(platform::to_path(directory).parent_path(), error);
  return platform::create_private_directory(directory);
}

}  // namespace

std::string PollCache::default_directory() {
  const std::string user_cache = platform::user_cache_directory();
  return user_cache.empty() ? std::string() : platform::join_path(user_cache, "seedance");
}

std::string PollCache::path() const {
  return directory_.empty() ? std::string() : platform::join_path(directory_, "last-polls");
}

std::optional<WallTime> PollCache::last_poll(const std::string& base_url,
                                             const std::string& task_id) const {
  if (directory_.empty()) return std::nullopt;
  const Entries entries = read_entries(path());
  const auto found = entries.find(key_of(base_url, task_id));
  if (found == entries.end()) return std::nullopt;
  return found->second;
}

void PollCache::record(const std::string& base_url, const std::string& task_id, WallTime at) const {
  // A line break would split the entry (neither the SDK nor the service makes one).
  if (base_url.find('\n') != std::string::npos || task_id.find('\n') != std::string::npos) return;
  if (directory_.empty() || !make_directory(directory_)) return;
  const platform::File lock = lock_cache(platform::join_path(directory_, "last-polls.lock"));
  Entries entries = read_entries(path());
  auto& entry = entries[key_of(base_url, task_id)];
  entry = std::max(entry, at);
  prune(entries, at);
  write_entries(directory_, path(), entries);
}

}  // namespace seedance::cli
