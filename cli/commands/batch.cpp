#include "commands/support.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "batch_jobs.hpp"
#include "batch_runner.hpp"
#include "exit_codes.hpp"
#include "file_lock.hpp"
#include "journal.hpp"
#include "platform/platform.hpp"
#include "request_flags.hpp"

namespace seedance::cli {

using nlohmann::json;

namespace {

// "2", "0.5", "2/s" -> submits per second; a problem otherwise.
std::optional<double> parse_rate(const std::string& text, std::vector<std::string>& problems) {
  std::string number = text;
  if (number.size() > 2 && number.compare(number.size() - 2, 2, "/s") == 0) {
    number.resize(number.size() - 2);
  }
  char* end = nullptr;
  errno = 0;
  const double rate = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || errno != 0 || !(rate > 0) ||
      rate > 1000) {
    problems.push_back("--rate: '" + text +
                       "' is not a rate: give submits per second, e.g. 2 or "
                       "0.5/s (more than 0, at most 1000)");
    return std::nullopt;
  }
  return rate;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream file(detail::platform::to_path(path), std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

json job_result_json(const JobResult& result) {
  json object = {{"line", result.line},
                 {"name", result.name},
                 {"result", std::string(to_string(result.outcome))},
                 {"exit_code", result.exit_code}};
  object["task_id"] = result.task_id.empty() ? json(nullptr) : json(result.task_id);
  if (!result.output_path.empty()) object["path"] = result.output_path;
  if (!result.message.empty()) object["message"] = result.message;
  object["resumed"] = result.resumed;
  return object;
}

// The counts on the live line: "batch: 3/10 done, 2 failed, 1 unknown".
class BatchProgress {
 public:
  BatchProgress(Console& console, std::size_t jobs) : console_(console), jobs_(jobs) {}

  void job_message(const BatchJob& job, const std::string& text) {
    console_.message(label(job) + text);
  }

  void task_changed(const BatchJob& job, const Task& task) {
    if (console_.live()) {
      std::lock_guard<std::mutex> lock(mutex_);
      last_ = label(job) + format_status(task);
      draw_locked();
    } else {
      console_.message(label(job) + task.task_id + " " + format_status(task));
    }
  }

  void job_finished() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++finished_;
    draw_locked();
  }

 private:
  static std::string label(const BatchJob& job) {
    return "line " + std::to_string(job.line) + (job.name.empty() ? "" : " (" + job.name + ")") +
           ": ";
  }
  void draw_locked() {
    if (!console_.live()) return;
    std::string text =
        "batch: " + std::to_string(finished_) + "/" + std::to_string(jobs_) + " saved";
    if (!last_.empty()) text += " | " + last_;
    console_.reporter().status(text);
  }

  Console& console_;
  const std::size_t jobs_;
  std::mutex mutex_;
  std::size_t finished_ = 0;
  std::string last_;
};

// Creates --out-dir; returns the journal's path.
std::string prepare_out_dir(const BatchFlags& flags) {
  std::error_code error;
  const std::filesystem::path out_dir = detail::platform::to_path(flags.out_dir);
  std::filesystem::create_directories(out_dir, error);
  if (error || !std::filesystem::is_directory(out_dir, error)) {
    throw ValidationError({"--out-dir: cannot create directory " + flags.out_dir + ": " +
                           (error ? error.message() : std::string("not a directory"))});
  }
  return flags.journal_path.empty()
             ? detail::platform::join_path(flags.out_dir, ".seedance-journal.sqlite")
             : flags.journal_path;
}

// An edited file would make old task ids look like new jobs: refuse before anything is sent.
void check_journal_fits(const std::vector<BatchJob>& jobs, const Journal& journal,
                        const std::string& journal_path) {
  std::vector<std::string> lines = journal_conflicts(jobs, journal.entries());
  if (lines.empty()) return;
  lines.push_back("the job file changed since the journal " + journal_path +
                  " was written; restore it, or start a new batch with another --journal or "
                  "--out-dir (the old journal keeps its task ids)");
  throw ValidationError(lines);
}

// The results on stdout: the report as JSON, or the path of each saved video.
void print_report(const BatchReport& report, bool as_json, std::ostream& out) {
  if (as_json) {
    json jobs = json::array();
    for (const JobResult& result : report.results) jobs.push_back(job_result_json(result));
    out << json{{"jobs", jobs},
                {"done", report.count(JobOutcome::Done)},
                {"failed", report.count(JobOutcome::Failed)},
                {"unknown", report.count(JobOutcome::Unknown)},
                {"incomplete", report.count(JobOutcome::Incomplete)},
                {"exit_code", report.exit_code()}}
               .dump(-1, ' ', false, json::error_handler_t::replace)
        << '\n';
  } else {
    for (const JobResult& result : report.results) {
      if (result.outcome == JobOutcome::Done) out << result.output_path << '\n';
    }
  }
  out.flush();
}

}  // namespace

int run_batch_command(const CommandLine& command_line, std::ostream& out, Console& console,
                      const RunSettings& settings) {
  const BatchFlags& flags = command_line.batch;
  std::vector<std::string> problems;
  const std::optional<std::string> text = read_text_file(flags.jobs_path);
  if (!text) throw ValidationError({flags.jobs_path + ": cannot read the job file"});
  ParsedJobs parsed = parse_job_file(*text);
  problems = std::move(parsed.problems);
  WaitOptions wait_options = build_wait_options(command_line.wait, problems);
  std::optional<double> rate;
  if (flags.rate) rate = parse_rate(*flags.rate, problems);
  if (command_line.dry_run) {
    // Nothing is sent, journaled or written, so neither a key nor --out-dir is needed.
    throw_if_any(problems);
    for (const BatchJob& job : parsed.jobs) out << job.request.to_json() << '\n';
    console.message("batch: " + std::to_string(parsed.jobs.size()) +
                    " jobs are valid; nothing was sent");
    return kExitSuccess;
  }
  ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  const std::string journal_path = prepare_out_dir(flags);
  // Two batches with different journals must not write the same files either.
  const FileLock out_dir_lock(
      detail::platform::join_path(flags.out_dir, ".seedance-batch.lock"),
      "--out-dir " + flags.out_dir + " is in use by another `seedance batch`");
  Journal journal(journal_path);
  check_journal_fits(parsed.jobs, journal, journal_path);

  const Client client(options);
  Session session(console, settings);
  BatchOptions batch_options;
  batch_options.out_dir = flags.out_dir;
  batch_options.concurrency = flags.concurrency;
  batch_options.resubmit_unknown = flags.resubmit_unknown;
  batch_options.wait = wait_options;
  batch_options.rate = rate.value_or(0.0);
  batch_options.cancel = session.cancel();
  batch_options.api_key = options.api_key;

  BatchProgress progress(console, parsed.jobs.size());
  BatchEvents events;
  events.message = [&](const BatchJob& job, const std::string& message) {
    progress.job_message(job, redact(message, options.api_key));
    if (message.rfind("saved ", 0) == 0) progress.job_finished();
  };
  if (!console.quiet()) {
    events.task_changed = [&](const BatchJob& job, const Task& task) {
      progress.task_changed(job, task);
    };
  }
  console.message("batch: " + std::to_string(parsed.jobs.size()) + " jobs, journal " +
                  journal_path);
  const BatchReport report = run_batch(parsed.jobs, journal, client, batch_options, events);
  console.reporter().finish();

  print_report(report, command_line.json, out);
  const bool finished = report.exit_code() == kExitSuccess;
  if (command_line.json) return report.exit_code();  // The report is on stdout.
  if (!console.quiet() || !finished) {
    std::string summary = format_summary(report, /*all_rows=*/true);
    summary.pop_back();  // message() ends the line.
    console.reporter().message("batch summary:\n" + redact(summary, options.api_key));
  }
  if (session.cancel().cancelled()) {
    console.reporter().message("cancelled; run the same command again to resume");
  } else if (report.count(JobOutcome::Incomplete) > 0) {
    console.reporter().message("run the same command again to resume the incomplete jobs");
  }
  return report.exit_code();
}

}  // namespace seedance::cli
