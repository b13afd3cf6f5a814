#include "batch_runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "exit_codes.hpp"
#include "platform/platform.hpp"
#include "seedance/error.hpp"
#include "seedance/task_group.hpp"

namespace seedance::cli {
namespace {

// The batch's own cap is on submits; polls keep the SDK's floor and are not capped further.
constexpr double kRequestsPerSecond = 1000.0;

// One job of the file: its journal entry and its result. Set up on the caller's thread before
// the group starts, then touched only by the group's thread.
struct JobRun {
  const BatchJob* job = nullptr;
  JournalEntry entry;
  JobResult result;
  bool tracked = false;  // resumed from the journal: there is no submit
};

class BatchRun {
 public:
  BatchRun(const std::vector<BatchJob>& jobs, Journal& journal, const BatchOptions& options,
           const BatchEvents& events);
  BatchReport run(const Client& client);

 private:
  enum class Start { Nothing, Submit, Track };

  Start resume(JobRun& run, const JournalEntry& previous);
  bool refuse_foreign_file(JobRun& run) const;
  TaskGroupOptions group_options();
  void start(TaskGroup& group, JobRun& run);
  void on_submitted(JobRun& run, const Receipt& receipt);
  void on_result(const TaskResult& result);
  void on_submit_error(JobRun& run, const std::exception_ptr& error);
  void on_wait_error(JobRun& run, const std::exception_ptr& error);
  void say(const JobRun& run, const std::string& text);
  void record(JobRun& run, JobState state, std::string message = {});
  void finish(JobRun& run, JobOutcome outcome, const std::string& message, int exit_code) const;

  Journal& journal_;
  const BatchOptions& options_;
  const BatchEvents& events_;
  std::vector<JobRun> runs_;
  std::vector<JobRun*> started_;                // by TaskGroup index
  std::map<std::string, JobRun*> run_of_task_;  // for the progress of each task
};

BatchRun::BatchRun(const std::vector<BatchJob>& jobs, Journal& journal, const BatchOptions& options,
                   const BatchEvents& events)
    : journal_(journal), options_(options), events_(events), runs_(jobs.size()) {
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    JobRun& run = runs_[i];
    run.job = &jobs[i];
    run.result.line = jobs[i].line;
    run.result.name = jobs[i].name;
    run.entry.job_key = jobs[i].key();
    run.entry.line = jobs[i].line;
    run.entry.name = jobs[i].name;
  }
}

void BatchRun::say(const JobRun& run, const std::string& text) {
  if (events_.message) events_.message(*run.job, text);
}

void BatchRun::record(JobRun& run, JobState state, std::string message) {
  run.entry.state = state;
  run.entry.message = redact(std::move(message), options_.api_key);
  journal_.put(run.entry);
}

void BatchRun::finish(JobRun& run, JobOutcome outcome, const std::string& message,
                      int exit_code) const {
  run.result.outcome = outcome;
  run.result.message = redact(message, options_.api_key);
  run.result.exit_code = exit_code;
}

// Picks a job up where an earlier run left it.
BatchRun::Start BatchRun::resume(JobRun& run, const JournalEntry& previous) {
  run.entry = previous;
  run.result.task_id = previous.task_id;
  switch (previous.state) {
    case JobState::Done:
      if (std::error_code error;
          std::filesystem::exists(detail::platform::to_path(previous.output_path), error)) {
        run.result.output_path = previous.output_path;
        run.result.resumed = true;
        finish(run, JobOutcome::Done, {}, kExitSuccess);
        return Start::Nothing;
      }
      return Start::Track;  // The video was deleted since: download it again (it is paid for).
    case JobState::Submitted:
      run.result.resumed = true;
      say(run, "resuming task " + previous.task_id);
      return Start::Track;
    case JobState::Failed:
      run.result.resumed = true;
      finish(run, JobOutcome::Failed, previous.message, kExitTaskFailed);
      return Start::Nothing;
    case JobState::Refused:
      return Start::Submit;  // No task exists: submit again.
    case JobState::Submitting:
    case JobState::Unknown:
      break;
  }
  const std::string why = previous.state == JobState::Submitting
                              ? std::string("an earlier run stopped during its submit")
                              : previous.message;
  if (options_.resubmit_unknown) {
    say(run, "submitting again (--resubmit-unknown): " + why);
    run.result.task_id.clear();
    return Start::Submit;
  }
  if (previous.state == JobState::Submitting) record(run, JobState::Unknown, why);
  finish(run, JobOutcome::Unknown,
         why + "; a task may exist. Not resubmitted (see --resubmit-unknown)",
         kExitSubmitOutcomeUnknown);
  return Start::Nothing;
}

// A file at a job's path that the journal did not record writing is someone else's: the job
// fails and nothing is sent for it, rather than the download replacing the file. (A job saved
// under its task id has no path before its submit, and a new task id names no existing file.)
bool BatchRun::refuse_foreign_file(JobRun& run) const {
  const std::string path = !run.job->name.empty() || !run.result.task_id.empty()
                               ? output_path_for(options_.out_dir, *run.job, run.result.task_id)
                               : std::string();
  std::error_code error;
  if (path.empty() || !std::filesystem::exists(std::filesystem::symlink_status(
                          detail::platform::to_path(path), error))) {
    return false;
  }
  finish(run, JobOutcome::Failed,
         path + " exists and the journal did not record writing it, so it is left alone and " +
             "nothing was sent for this job; move it away and run again",
         kExitInvalidInput);
  return true;
}

TaskGroupOptions BatchRun::group_options() {
  TaskGroupOptions group;
  const auto slots = static_cast<std::size_t>(std::max(1, options_.concurrency));
  group.max_in_flight = slots;
  group.max_connections = slots;
  group.download_threads = slots;
  group.max_requests_per_second = kRequestsPerSecond;
  group.max_submits_per_second = options_.rate;
  group.wait = options_.wait;
  group.wait.cancel = options_.cancel;
  group.wait.throw_on_failure = true;
  group.wait.on_progress = [this](const Task& task) {
    const auto found = run_of_task_.find(task.task_id);
    if (found != run_of_task_.end() && events_.task_changed) {
      events_.task_changed(*found->second->job, task);
    }
  };
  group.download_dir = options_.out_dir;
  group.download.cancel = options_.cancel;
  // Recorded first, so that a crash during the POST leaves a trace: "submitting". A journal
  // that cannot record it stops the submit.
  group.before_submit = [this](std::size_t index) {
    JobRun& run = *started_.at(index);
    run.entry.task_id.clear();
    record(run, JobState::Submitting);
  };
  group.on_submitted = [this](std::size_t index, const Receipt& receipt) {
    on_submitted(*started_.at(index), receipt);
  };
  group.on_polled = [this](std::size_t index, const std::string&) {
    journal_.record_poll(started_.at(index)->entry.job_key, std::chrono::system_clock::now());
  };
  group.on_result = [this](const TaskResult& result) { on_result(result); };
  return group;
}

void BatchRun::on_submitted(JobRun& run, const Receipt& receipt) {
  run.result.task_id = receipt.task_id;
  run.entry.task_id = receipt.task_id;
  run_of_task_[receipt.task_id] = &run;
  record(run, JobState::Submitted);
  say(run, "submitted task " + receipt.task_id);
}

void BatchRun::start(TaskGroup& group, JobRun& run) {
  // Named jobs name their file; the others go to the group's "<out_dir>/<task id>.mp4".
  std::string path =
      run.job->name.empty() ? std::string() : output_path_for(options_.out_dir, *run.job, {});
  if (run.tracked) {
    group.track(run.result.task_id, std::move(path), run.entry.last_polled);
  } else {
    group.submit(run.job->request, std::move(path));
  }
}

BatchReport BatchRun::run(const Client& client) {
  std::map<std::string, JournalEntry> previous;
  for (JournalEntry& entry : journal_.entries()) previous.emplace(entry.job_key, std::move(entry));
  for (JobRun& run : runs_) {
    const auto found = previous.find(run.entry.job_key);
    const Start start = found == previous.end() ? Start::Submit : resume(run, found->second);
    if (start == Start::Nothing || refuse_foreign_file(run)) continue;
    run.tracked = start == Start::Track;
    if (run.tracked) run_of_task_[run.result.task_id] = &run;
    started_.push_back(&run);  // its TaskGroup index is its place here
  }
  if (!started_.empty()) {
    TaskGroup group(client, group_options());
    for (JobRun* run : started_) start(group, *run);
    group.wait_all();
  }
  BatchReport report;
  for (JobRun& run : runs_) report.results.push_back(std::move(run.result));
  return report;
}

void BatchRun::on_result(const TaskResult& result) {
  JobRun& run = *started_.at(result.index);
  if (!result.task_id.empty()) run.result.task_id = result.task_id;
  try {
    if (!result.ok()) {
      if (run.tracked || result.receipt) {
        on_wait_error(run, result.error);
      } else {
        on_submit_error(run, result.error);
      }
      return;
    }
    run.result.output_path = output_path_for(options_.out_dir, *run.job, run.result.task_id);
    run.entry.output_path = run.result.output_path;
    record(run, JobState::Done);
    say(run, "saved " + run.result.output_path);
    finish(run, JobOutcome::Done, {}, kExitSuccess);
  } catch (const JournalError& error) {
    // The journal could not record a step: stop this job, naming its task so nothing is lost.
    finish(run, JobOutcome::Incomplete, error.what(), kExitNetworkError);
  }
}

void BatchRun::on_submit_error(JobRun& run, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const CancelledError&) {
    finish(run, JobOutcome::Incomplete, "cancelled before submit", kExitNetworkError);
  } catch (const JournalError& failure) {
    finish(run, JobOutcome::Incomplete, failure.what(), kExitNetworkError);  // nothing was sent
  } catch (const SubmitOutcomeUnknownError& failure) {
    record(run, JobState::Unknown, failure.what());
    finish(run, JobOutcome::Unknown, failure.what(), kExitSubmitOutcomeUnknown);
  } catch (const ResponseError& failure) {
    // An answer in an unexpected shape may still have created a task.
    record(run, JobState::Unknown, failure.what());
    finish(run, JobOutcome::Unknown, failure.what(), kExitSubmitOutcomeUnknown);
  } catch (const Error& failure) {
    // Refused (ApiError), invalid, or not sent at all (NetworkError before sending): no task.
    record(run, JobState::Refused, failure.what());
    finish(run, JobOutcome::Failed, failure.what(), exit_code_for(failure));
  } catch (const std::exception& failure) {
    record(run, JobState::Unknown, failure.what());
    finish(run, JobOutcome::Unknown, failure.what(), kExitSubmitOutcomeUnknown);
  }
}

void BatchRun::on_wait_error(JobRun& run, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const TaskFailedError& failure) {
    const std::string reason =
        failure.task().fail_reason ? *failure.task().fail_reason : std::string(failure.what());
    record(run, JobState::Failed, reason);
    finish(run, JobOutcome::Failed, "task failed: " + reason, kExitTaskFailed);
  } catch (const JournalError& failure) {
    finish(run, JobOutcome::Incomplete, failure.what(), kExitNetworkError);
  } catch (const std::exception& failure) {
    finish(run, JobOutcome::Incomplete, failure.what(), exit_code_for(failure));
  }
}

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
  return detail::platform::join_path(out_dir, (job.name.empty() ? task_id : job.name) + ".mp4");
}

BatchReport run_batch(const std::vector<BatchJob>& jobs, Journal& journal, const Client& client,
                      const BatchOptions& options, const BatchEvents& events) {
  return BatchRun(jobs, journal, options, events).run(client);
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
