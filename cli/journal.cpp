#include "journal.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "platform/platform.hpp"

namespace seedance::cli {
namespace {

namespace platform = detail::platform;

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

namespace {

void run_sql(sqlite3* db, const char* sql, const std::string& path) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw JournalError("journal " + path + ": " + reason);
  }
}

int user_version(sqlite3* db, const std::string& path) {
  Statement statement(db, "PRAGMA user_version", path);
  return sqlite3_step(statement.get()) == SQLITE_ROW ? sqlite3_column_int(statement.get(), 0) : 0;
}

// A new file is created as version 1 and upgraded like an old one: one path for both.
void migrate(sqlite3* db, const std::string& path) {
  run_sql(db, "BEGIN IMMEDIATE", path);
  try {
    run_sql(db,
            "CREATE TABLE IF NOT EXISTS jobs ("
            " job_key TEXT PRIMARY KEY, line INTEGER NOT NULL, name TEXT NOT NULL,"
            " state TEXT NOT NULL, task_id TEXT NOT NULL, output_path TEXT NOT NULL,"
            " message TEXT NOT NULL, updated_at INTEGER NOT NULL)",
            path);
    if (user_version(db, path) < 2) {
      run_sql(db, "ALTER TABLE jobs ADD COLUMN last_polled_at INTEGER", path);  // ms since epoch
      run_sql(db, "PRAGMA user_version = 2", path);
    }
    run_sql(db, "COMMIT", path);
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// Why a file cannot be the journal it should be, and what to do.
std::string unusable(const std::string& path, const std::string& why) {
  return "journal " + path + " " + why +
         ". It is not used: a journal that lost its task ids would submit (and pay "
         "for) every job again. Check your tasks on the service, then move the file "
         "away, or run the batch with another --journal or --out-dir";
}

void remove_quietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(platform::to_path(path), ignored);
}

// Built under a temporary name in rollback mode (so that all of it is in the one file), then
// renamed into place: a file at the journal's path is always a complete journal.
void create_journal(const std::string& path) {
  const std::string temporary = path + ".new";
  remove_quietly(temporary);  // left by a crash during an earlier creation; the lock is ours
  std::error_code error;
  // Created empty and private first: SQLite would make it with the umask's permissions.
  if (!platform::File::open_write(temporary, platform::OpenMode::CreateNew,
                                  platform::Access::Private, error)
           .is_open()) {
    throw JournalError("journal " + path + ": cannot create " + temporary + ": " + error.message());
  }
  sqlite3* db = nullptr;
  try {
    if (sqlite3_open_v2(temporary.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw JournalError("journal " + path + ": " +
                         (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    }
    run_sql(db, "PRAGMA synchronous=FULL", path);
    migrate(db, path);
  } catch (...) {
    sqlite3_close(db);
    remove_quietly(temporary);
    throw;
  }
  sqlite3_close(db);
  if (!platform::replace_file(temporary, path, error)) {
    remove_quietly(temporary);
    throw JournalError("journal " + path + ": cannot create it: " + error.message());
  }
  platform::sync_directory_of(path);
}

// A file without any write permission counts as read-only even for root: someone made it so.
void check_writable(const std::string& path) {
  const std::optional<unsigned> bits = platform::permission_bits(path);
  const bool no_write_bit = bits && (*bits & 0222) == 0;
  if (no_write_bit || !platform::is_writable(path)) {
    throw JournalError("journal " + path +
                       " is read-only: the batch records every step in it. Make it writable "
                       "(chmod u+w), or run with another --journal");
  }
  const std::filesystem::path parent = platform::to_path(path).parent_path();
  const std::string directory = parent.empty() ? std::string(".") : parent.u8string();
  if (!platform::is_writable(directory)) {
    throw JournalError("journal " + path + ": its directory is read-only, and the journal keeps " +
                       "its write-ahead log (-wal, -shm) next to it. Make it writable, or run " +
                       "with another --journal");
  }
}

}  // namespace

Journal::Journal(const std::string& path)
    : path_(path),
      lock_(path + ".lock", "journal " + path + " is in use by another `seedance batch`") {
  const std::filesystem::path native = platform::to_path(path);
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(native, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    create_journal(path);
    if (!std::filesystem::exists(native, error)) {
      throw JournalError("journal " + path + ": " + error.message());
    }
  } else if (error) {
    throw JournalError("journal " + path + ": " + error.message());
  } else if (status.type() != std::filesystem::file_type::regular) {
    throw JournalError("journal " + path + " is not a regular file");
  } else if (std::filesystem::file_size(native, error) == 0 && !error) {
    throw JournalError(
        unusable(path, "is empty (0 bytes): it was truncated, or not written by seedance"));
  }
  check_writable(path);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw JournalError("journal " + path + ": " + reason);
  }
  try {
    check_contents();
    execute("PRAGMA journal_mode=WAL");
    execute("PRAGMA synchronous=FULL");
    migrate(db_, path_);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

// A damaged, truncated or foreign file is refused before anything reads or writes it.
void Journal::check_contents() {
  std::string verdict;
  char* message = nullptr;
  const auto first_row = [](void* out, int columns, char** values, char**) {
    auto& text = *static_cast<std::string*>(out);
    if (text.empty() && columns > 0 && values[0] != nullptr) text = values[0];
    return 0;
  };
  if (sqlite3_exec(db_, "PRAGMA quick_check", first_row, &verdict, &message) != SQLITE_OK) {
    verdict = message != nullptr ? message : sqlite3_errmsg(db_);
  }
  sqlite3_free(message);
  if (verdict != "ok")
    throw JournalError(unusable(path_, "is damaged or not a journal (" + verdict + ")"));
  Statement tables(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'",
                   path_);
  if (sqlite3_step(tables.get()) != SQLITE_ROW || sqlite3_column_int(tables.get(), 0) != 1) {
    throw JournalError(
        unusable(path_, "is an SQLite database but not a batch journal (it has no jobs table)"));
  }
  if (sqlite3_db_readonly(db_, "main") == 1) {
    throw JournalError("journal " + path_ +
                       " is read-only: make it writable, or run with "
                       "another --journal");
  }
}

int Journal::schema_version() const { return user_version(db_, path_); }

Journal::~Journal() { sqlite3_close(db_); }

void Journal::execute(const char* sql) { run_sql(db_, sql, path_); }

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
