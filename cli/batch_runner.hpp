// The logic of `seedance batch`, apart from the command line and the terminal: the jobs run on a
// seedance::TaskGroup (one engine thread), its hooks keep the journal. Unit-tested against a fake
// transport.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "batch_jobs.hpp"
#include "journal.hpp"
#include "seedance/cancellation.hpp"
#include "seedance/client.hpp"
#include "seedance/task.hpp"
#include "seedance/wait.hpp"

namespace seedance::cli {

/// What the runner reports as it goes (from the TaskGroup's thread, or the caller's). Any may be
/// empty.
struct BatchEvents {
  std::function<void(const BatchJob& job, const std::string& text)> message;
  std::function<void(const BatchJob& job, const Task& task)> task_changed;
};

struct BatchOptions {
  std::string out_dir;
  int concurrency = 4;  ///< Jobs in flight (submitted or tracked, not finished) at once.
  /// Submit again jobs whose earlier submit has an unknown outcome (may pay twice).
  bool resubmit_unknown = false;
  WaitOptions wait;          ///< cancel and on_progress are set by the runner.
  double rate = 0;           ///< Caps submits per second (not polls); 0: no cap.
  CancellationToken cancel;  ///< Stops the batch: no new submit, waits and downloads end.
  /// Redacted from every message kept (journal and report): a server may echo the key.
  std::string api_key;
};

enum class JobOutcome {
  Done,        ///< The video is on disk.
  Failed,      ///< The task failed, or the service refused the submit.
  Unknown,     ///< The submit's outcome is unknown; not resubmitted without --resubmit-unknown.
  Incomplete,  ///< Stopped by an error or Ctrl-C; running the batch again resumes it.
};

std::string_view to_string(JobOutcome outcome) noexcept;

struct JobResult {
  int line = 0;
  std::string name;
  JobOutcome outcome = JobOutcome::Incomplete;
  std::string task_id;      ///< Empty when no task was created.
  std::string output_path;  ///< Set when Done.
  std::string message;      ///< Why it did not finish.
  int exit_code = 0;        ///< 0 when Done, else the CLI's code for the cause.
  bool resumed = false;     ///< An earlier run had already submitted it.
};

struct BatchReport {
  std::vector<JobResult> results;  ///< In job order.
  int count(JobOutcome outcome) const;
  /// 0 when every job is Done; otherwise the largest exit code of the jobs that are not
  /// (5 unknown > 4 network/timeout/cancelled > 3 refused > 1 failed).
  int exit_code() const;
};

/// Journal entries that belong to no job of the file: the file was edited since they were made
/// (a line changed or moved). One problem per entry that may stand for a task; empty when the
/// journal fits the file. Entries of refused submits (no task) are ignored.
std::vector<std::string> journal_conflicts(const std::vector<BatchJob>& jobs,
                                           const std::vector<JournalEntry>& entries);

/// "<out_dir>/<name or task id>.mp4".
std::string output_path_for(const std::string& out_dir, const BatchJob& job,
                            const std::string& task_id);

/// Runs every job to its end (or until cancelled) on one seedance::TaskGroup of `client`. Each
/// submit is journaled as "submitting" before it is sent and its task id as soon as it arrives;
/// each poll's time is journaled, and a task resumed from the journal is first polled 5 s after
/// it. Never throws for a job's failure: it is in the report. Throws JournalError only when the
/// journal cannot be read at the start.
BatchReport run_batch(const std::vector<BatchJob>& jobs, Journal& journal, const Client& client,
                      const BatchOptions& options, const BatchEvents& events = {});

/// The summary table: one row per job that did not finish (all rows when `all_rows`), then the
/// counts, e.g. "done 3, failed 1, unknown 0, incomplete 0".
std::string format_summary(const BatchReport& report, bool all_rows);

}  // namespace seedance::cli
