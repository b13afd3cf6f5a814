// The batch journal: a SQLite file recording, per job, whether it was submitted, its task id and
// how it ended, so that a batch run again after a crash never pays for a job twice.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "file_lock.hpp"

struct sqlite3;

namespace seedance::cli {

enum class JobState {
  Submitting,  ///< About to POST; found at start, the POST's outcome is unknown.
  Submitted,   ///< The receipt arrived: task_id is set. Waiting or downloading.
  Done,        ///< The video is at output_path.
  Failed,      ///< The task ended in FAILURE (it is not resubmitted).
  Unknown,     ///< The submit's outcome is unknown: a task may exist.
  Refused,     ///< The service refused the submit: no task exists, the next run submits again.
};

std::string_view to_string(JobState state) noexcept;
std::optional<JobState> parse_job_state(std::string_view text) noexcept;

struct JournalEntry {
  std::string job_key;  ///< BatchJob::key().
  int line = 0;
  std::string name;
  JobState state = JobState::Submitting;
  std::string task_id;      ///< Set from Submitted on.
  std::string output_path;  ///< Set when Done.
  std::string message;      ///< Why it failed, or the last error.
  /// When the task's last poll ended (schema 2), so that a run after a crash keeps 5 s from it.
  std::optional<std::chrono::system_clock::time_point> last_polled;
};

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The schema this version writes (PRAGMA user_version). Version 1 (user_version 0) had no
/// last_polled_at column; it is upgraded in place when opened.
inline constexpr int kJournalSchemaVersion = 2;

/// One journal file, used by one process at a time (a second `seedance batch` on the same journal
/// is refused). Every put() is its own transaction, durable when it returns (WAL, synchronous
/// FULL): a task id recorded before a kill -9 is there afterwards. Thread-safe.
class Journal {
 public:
  /// Opens the journal, or creates it (mode 0600) when there is no file at `path`. A new journal
  /// appears complete or not at all, so an existing file that is empty, truncated, damaged or not
  /// a journal is refused, never taken for a new one (its task ids would be lost and every job
  /// paid for again); so is a read-only one. Throws JournalError naming the path and what to do.
  explicit Journal(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Every entry, in line order.
  std::vector<JournalEntry> entries() const;
  /// Inserts or updates the entry of entry.job_key, all but its last_polled. Throws
  /// JournalError.
  void put(const JournalEntry& entry);
  /// Records when the last poll of the job's task ended. Throws JournalError.
  void record_poll(const std::string& job_key, std::chrono::system_clock::time_point at);
  /// The schema version of the file (kJournalSchemaVersion once opened).
  int schema_version() const;

 private:
  void execute(const char* sql);
  void check_contents();

  std::string path_;
  FileLock lock_;
  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace seedance::cli
