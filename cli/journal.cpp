#include "journal.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seedance::cli {
namespace {

constexpr std::string_view kStateWords[] = {"submitting", "submitted", "done",
                                            "failed",     "unknown",   "refused"};

// Finalizes a prepared statement on every path out.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw JournalError("journal " + path + ": " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return statement_; }

  void bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.c_str(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  std::string text(int column) const {
    const auto* value = sqlite3_column_text(statement_, column);
    return value == nullptr ? std::string() : reinterpret_cast<const char*>(value);
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

std::string_view to_string(JobState state) noexcept { return kStateWords[static_cast<int>(state)]; }

std::optional<JobState> parse_job_state(std::string_view text) noexcept {
  for (std::size_t i = 0; i < std::size(kStateWords); ++i) {
    if (kStateWords[i] == text) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

Journal::Journal(const std::string& path) : path_(path) {
  // flock, not SQLite's own locking: it is released by the kernel even after a kill -9, and it
  // keeps two batch runs from working on the same jobs at once.
  const std::string lock_path = path + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    throw JournalError("journal " + path + ": cannot open " + lock_path + ": " +
                       std::strerror(errno));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw JournalError("journal " + path + " is in use by another `seedance batch`");
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    ::close(lock_fd_);
    throw JournalError("journal " + path + ": " + reason);
  }
  try {
    execute("PRAGMA journal_mode=WAL");
    execute("PRAGMA synchronous=FULL");
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    ::close(lock_fd_);
    throw;
  }
}

// A new file is created as version 1 and upgraded like an old one: one path for both.
void Journal::migrate() {
  execute("BEGIN IMMEDIATE");
  try {
    execute(
        "CREATE TABLE IF NOT EXISTS jobs ("
        " job_key TEXT PRIMARY KEY, line INTEGER NOT NULL, name TEXT NOT NULL,"
        " state TEXT NOT NULL, task_id TEXT NOT NULL, output_path TEXT NOT NULL,"
        " message TEXT NOT NULL, updated_at INTEGER NOT NULL)");
    if (schema_version() < 2) {
      execute("ALTER TABLE jobs ADD COLUMN last_polled_at INTEGER");  // ms since the epoch
      execute("PRAGMA user_version = 2");
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int Journal::schema_version() const {
  Statement statement(db_, "PRAGMA user_version", path_);
  return sqlite3_step(statement.get()) == SQLITE_ROW ? sqlite3_column_int(statement.get(), 0) : 0;
}

Journal::~Journal() {
  sqlite3_close(db_);
  ::close(lock_fd_);
}

void Journal::execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw JournalError("journal " + path_ + ": " + reason);
  }
}

std::vector<JournalEntry> Journal::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement statement(db_,
                      "SELECT job_key, line, name, state, task_id, output_path, message, "
                      "last_polled_at FROM jobs ORDER BY line, job_key",
                      path_);
  std::vector<JournalEntry> entries;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
    JournalEntry entry;
    entry.job_key = statement.text(0);
    entry.line = sqlite3_column_int(statement.get(), 1);
    entry.name = statement.text(2);
    const auto state = parse_job_state(statement.text(3));
    if (!state) {
      throw JournalError("journal " + path_ + ": unknown state \"" + statement.text(3) +
                         "\" for job " + entry.job_key);
    }
    entry.state = *state;
    entry.task_id = statement.text(4);
    entry.output_path = statement.text(5);
    entry.message = statement.text(6);
    if (sqlite3_column_type(statement.get(), 7) != SQLITE_NULL) {
      entry.last_polled = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(sqlite3_column_int64(statement.get(), 7)));
    }
    entries.push_back(std::move(entry));
  }
  if (step != SQLITE_DONE) throw JournalError("journal " + path_ + ": " + sqlite3_errmsg(db_));
  return entries;
}

void Journal::put(const JournalEntry& entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement statement(db_,
                      "INSERT INTO jobs (job_key, line, name, state, task_id, output_path, "
                      "message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, strftime('%s','now')) "
                      "ON CONFLICT(job_key) DO UPDATE SET line = excluded.line, "
                      "name = excluded.name, state = excluded.state, task_id = excluded.task_id, "
                      "output_path = excluded.output_path, message = excluded.message, "
                      "updated_at = excluded.updated_at",
                      path_);
  statement.bind(1, entry.job_key);
  sqlite3_bind_int(statement.get(), 2, entry.line);
  statement.bind(3, entry.name);
  statement.bind(4, std::string(to_string(entry.state)));
  statement.bind(5, entry.task_id);
  statement.bind(6, entry.output_path);
  statement.bind(7, entry.message);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) {
    throw JournalError("journal " + path_ + ": cannot record job " + entry.job_key + ": " +
                       sqlite3_errmsg(db_));
  }
}

void Journal::record_poll(const std::string& job_key, std::chrono::system_clock::time_point at) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement statement(db_, "UPDATE jobs SET last_polled_at = ? WHERE job_key = ?", path_);
  sqlite3_bind_int64(
      statement.get(), 1,
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
  statement.bind(2, job_key);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) {
    throw JournalError("journal " + path_ + ": cannot record a poll of job " + job_key + ": " +
                       sqlite3_errmsg(db_));
  }
}

}  // namespace seedance::cli
