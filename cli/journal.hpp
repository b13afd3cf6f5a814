// The batch journal: a SQLite file recording, per job, whether it was submitted, its task id and
// how it ended, so that a batch run again after a crash never pays for a job twice.
#pragma once

#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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
};

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One journal file, used by one process at a time (a second `seedance batch` on the same journal
/// is refused). Every put() is its own transaction, durable when it returns (WAL, synchronous
/// FULL): a task id recorded before a kill -9 is there afterwards. Thread-safe.
class Journal {
 public:
  /// Opens or creates the journal. Throws JournalError naming the path.
  explicit Journal(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Every entry, in line order.
  std::vector<JournalEntry> entries() const;
  /// Inserts or replaces the entry of entry.job_key. Throws JournalError.
  void put(const JournalEntry& entry);

 private:
  void execute(const char* sql);

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  std::string path_;
};

}  // namespace seedance::cli
