#include "batch_runner.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "exit_codes.hpp"
#include "seedance/error.hpp"

namespace seedance::cli {
namespace {

class JobRunner {
 public:
  JobRunner(const BatchJob& job, Journal& journal, const BatchService& service,
            const BatchOptions& options, const BatchEvents& events)
      : job_(job), journal_(journal), service_(service), options_(options), events_(events) {
    result_.line = job.line;
    result_.name = job.name;
    entry_.job_key = job.key();
    entry_.line = job.line;
    entry_.name = job.name;
  }

  JobResult run(const JournalEntry* previous) {
    try {
      if (previous != nullptr) {
        entry_ = *previous;
        result_.task_id = previous->task_id;
        if (!resume(*previous)) return result_;
      }
      if (result_.task_id.empty() && !submit()) return result_;
      if (!wait()) return result_;
      download();
    } catch (const JournalError& error) {
      // The journal could not record a step: stop this job, naming its task so nothing is lost.
      finish(JobOutcome::Incomplete, error.what(), kExitNetworkError);
    }
    return result_;
  }

 private:
  void say(const std::string& text) {
    if (events_.message) events_.message(job_, text);
  }

  void finish(JobOutcome outcome, std::string message, int exit_code) {
    result_.outcome = outcome;
    result_.message = std::move(message);
    result_.exit_code = exit_code;
  }

  void record(JobState state, std::string message = {}) {
    entry_.state = state;
    entry_.message = std::move(message);
    journal_.put(entry_);
  }

  // Picks a job up where an earlier run left it. False when there is nothing left to do.
  bool resume(const JournalEntry& previous) {
    switch (previous.state) {
      case JobState::Done:
        if (std::filesystem::exists(previous.output_path)) {
          result_.output_path = previous.output_path;
          result_.resumed = true;
          finish(JobOutcome::Done, {}, kExitSuccess);
          return false;
        }
        return true;  // The video was deleted since: download it again (the task is paid for).
      case JobState::Submitted:
        result_.resumed = true;
        say("resuming task " + previous.task_id);
        return true;
      case JobState::Failed:
        result_.resumed = true;
        finish(JobOutcome::Failed, previous.message, kExitTaskFailed);
        return false;
      case JobState::Refused:
        return true;  // No task exists: submit again.
      case JobState::Submitting:
      case JobState::Unknown: {
        const std::string why = previous.state == JobState::Submitting
                                    ? std::string("an earlier run stopped during its submit")
                                    : previous.message;
        if (options_.resubmit_unknown) {
          say("submitting again (--resubmit-unknown): " + why);
          result_.task_id.clear();
          return true;
        }
        if (previous.state == JobState::Submitting) record(JobState::Unknown, why);
        finish(JobOutcome::Unknown,
               why + "; a task may exist. Not resubmitted (see --resubmit-unknown)",
               kExitSubmitOutcomeUnknown);
        return false;
      }
    }
    return true;
  }

  bool submit() {
    if (options_.cancel.cancelled() ||
        (options_.rate != nullptr && !options_.rate->acquire(options_.cancel))) {
      finish(JobOutcome::Incomplete, "cancelled before submit", kExitNetworkError);
      return false;
    }
    // Recorded first, so that a crash during the POST leaves a trace: "submitting".
    entry_.task_id.clear();
    record(JobState::Submitting);
    Receipt receipt;
    try {
      receipt = service_.submit(job_.request);
    } catch (const SubmitOutcomeUnknownError& error) {
      record(JobState::Unknown, error.what());
      finish(JobOutcome::Unknown, error.what(), kExitSubmitOutcomeUnknown);
      return false;
    } catch (const ResponseError& error) {
      // An answer in an unexpected shape may still have created a task.
      record(JobState::Unknown, error.what());
      finish(JobOutcome::Unknown, error.what(), kExitSubmitOutcomeUnknown);
      return false;
    } catch (const Error& error) {
      // Refused (ApiError), invalid, or not sent at all (NetworkError before sending): no task.
      record(JobState::Refused, error.what());
      finish(JobOutcome::Failed, error.what(), exit_code_for(error));
      return false;
    } catch (const std::exception& error) {
      record(JobState::Unknown, error.what());
      finish(JobOutcome::Unknown, error.what(), kExitSubmitOutcomeUnknown);
      return false;
    }
    result_.task_id = receipt.task_id;
    entry_.task_id = receipt.task_id;
    record(JobState::Submitted);
    say("submitted task " + receipt.task_id);
    return true;
  }

  bool wait() {
    WaitOptions wait_options = options_.wait;
    wait_options.cancel = options_.cancel;
    wait_options.throw_on_failure = true;
    wait_options.on_progress = [this](const Task& task) {
      if (events_.task_changed) events_.task_changed(job_, task);
    };
    try {
      service_.wait(result_.task_id, wait_options);
    } catch (const TaskFailedError& error) {
      const std::string reason =
          error.task().fail_reason ? *error.task().fail_reason : std::string(error.what());
      record(JobState::Failed, reason);
      finish(JobOutcome::Failed, "task failed: " + reason, kExitTaskFailed);
      return false;
    } catch (const std::exception& error) {
      finish(JobOutcome::Incomplete, error.what(), exit_code_for(error));
      return false;
    }
    return true;
  }

  void download() {
    const std::string path = output_path_for(options_.out_dir, job_, result_.task_id);
    DownloadOptions download_options;
    download_options.cancel = options_.cancel;
    download_options.on_progress = [this](const DownloadProgress& progress) {
      if (events_.download_progressed) events_.download_progressed(job_, progress);
    };
    try {
      const DownloadResult downloaded = service_.download(result_.task_id, path, download_options);
      result_.output_path = downloaded.path.empty() ? path : downloaded.path;
    } catch (const std::exception& error) {
      finish(JobOutcome::Incomplete, error.what(), exit_code_for(error));
      return;
    }
    entry_.output_path = result_.output_path;
    record(JobState::Done);
    say("saved " + result_.output_path);
    finish(JobOutcome::Done, {}, kExitSuccess);
  }

  const BatchJob& job_;
  Journal& journal_;
  const BatchService& service_;
  const BatchOptions& options_;
  const BatchEvents& events_;
  JournalEntry entry_;
  JobResult result_;
};

}  // namespace

std::string_view to_string(JobOutcome outcome) noexcept {
  switch (outcome) {
    case JobOutcome::Done:
      return "done";
    case JobOutcome::Failed:
      return "failed";
    case JobOutcome::Unknown:
      return "unknown";
    case JobOutcome::Incomplete:
      return "incomplete";
  }
  return "incomplete";
}

int BatchReport::count(JobOutcome outcome) const {
  return static_cast<int>(
      std::count_if(results.begin(), results.end(),
                    [outcome](const JobResult& r) { return r.outcome == outcome; }));
}

int BatchReport::exit_code() const {
  int code = kExitSuccess;
  for (const JobResult& result : results) code = std::max(code, result.exit_code);
  return code;
}

std::vector<std::string> journal_conflicts(const std::vector<BatchJob>& jobs,
                                           const std::vector<JournalEntry>& entries) {
  std::set<std::string> keys;
  std::map<std::string, int> line_of_hash;
  for (const BatchJob& job : jobs) {
    keys.insert(job.key());
    line_of_hash.emplace(job.content_hash, job.line);
  }
  std::vector<std::string> problems;
  for (const JournalEntry& entry : entries) {
    if (keys.count(entry.job_key) != 0 || entry.state == JobState::Refused) continue;
    std::string problem = "line " + std::to_string(entry.line) +
                          ": changed since the journal recorded it as " +
                          std::string(to_string(entry.state));
    if (!entry.task_id.empty()) problem += " (task " + entry.task_id + ")";
    const std::string hash = entry.job_key.substr(entry.job_key.find(':') + 1);
    const auto moved = line_of_hash.find(hash);
    if (moved != line_of_hash.end()) {
      problem += "; its content is now on line " + std::to_string(moved->second);
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

std::string output_path_for(const std::string& out_dir, const BatchJob& job,
                            const std::string& task_id) {
  return (std::filesystem::path(out_dir) / ((job.name.empty() ? task_id : job.name) + ".mp4"))
      .string();
}

BatchReport run_batch(const std::vector<BatchJob>& jobs, Journal& journal,
                      const BatchService& service, const BatchOptions& options,
                      const BatchEvents& events) {
  std::map<std::string, JournalEntry> previous;
  for (JournalEntry& entry : journal.entries()) previous.emplace(entry.job_key, std::move(entry));

  BatchReport report;
  report.results.resize(jobs.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t index = next++; index < jobs.size(); index = next++) {
      const auto found = previous.find(jobs[index].key());
      report.results[index] = JobRunner(jobs[index], journal, service, options, events)
                                  .run(found == previous.end() ? nullptr : &found->second);
    }
  };
  const std::size_t workers =
      std::min(jobs.size(), static_cast<std::size_t>(std::max(1, options.concurrency)));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  return report;
}

std::string format_summary(const BatchReport& report, bool all_rows) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"LINE", "NAME", "TASK", "RESULT", "DETAIL"});
  for (const JobResult& result : report.results) {
    if (!all_rows && result.outcome == JobOutcome::Done) continue;
    rows.push_back({std::to_string(result.line), result.name.empty() ? "-" : result.name,
                    result.task_id.empty() ? "-" : result.task_id,
                    std::string(to_string(result.outcome)),
                    result.outcome == JobOutcome::Done ? result.output_path : result.message});
  }
  std::string text;
  if (rows.size() > 1) {
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
      text += line + '\n';
    }
  }
  text += "done " + std::to_string(report.count(JobOutcome::Done)) + ", failed " +
          std::to_string(report.count(JobOutcome::Failed)) + ", unknown " +
          std::to_string(report.count(JobOutcome::Unknown)) + ", incomplete " +
          std::to_string(report.count(JobOutcome::Incomplete)) + '\n';
  return text;
}

}  // namespace seedance::cli
