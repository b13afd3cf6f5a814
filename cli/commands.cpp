#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "batch_jobs.hpp"
#include "batch_runner.hpp"
#include "config.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "journal.hpp"
#include "progress.hpp"
#include "rate_limiter.hpp"
#include "request_flags.hpp"
#include "seedance/client.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;

// stderr for people: progress and messages (none with --quiet), the request log (--verbose).
class Console {
 public:
  Console(std::ostream& err, const CommandLine& command_line, const RunSettings& settings)
      // With --json, stderr carries only the error object (and --verbose's log), so that it parses.
      : quiet_(command_line.quiet || command_line.json),
        verbose_(command_line.verbose),
        reporter_(err, settings.live_progress && !quiet_) {}

  bool quiet() const { return quiet_; }
  bool live() const { return reporter_.live(); }
  ProgressReporter& reporter() { return reporter_; }

  void message(const std::string& text) {
    if (!quiet_) reporter_.message(text);
  }

  /// The ClientOptions::logger of --verbose; RequestEvent carries no secret, and the text is
  /// redacted all the same.
  RequestLogger logger(const std::string& api_key) {
    if (!verbose_) return {};
    return [this, api_key](const RequestEvent& event) {
      std::string line = "http: " + event.method + " " + event.path + " attempt " +
                         std::to_string(event.attempt) + " -> ";
      line += event.status != 0 ? std::to_string(event.status) : std::string("no response");
      line += " (" + std::to_string(event.duration.count()) + " ms)";
      if (!event.decision.empty()) line += ": " + event.decision;
      reporter_.message(redact(line, api_key));
    };
  }

 private:
  const bool quiet_;
  const bool verbose_;
  ProgressReporter reporter_;
};

// The client's settings, flags > environment > config file; a missing base URL or key is a
// problem, so nothing is sent without them.
ClientOptions client_options(const CommandLine& command_line, const RunSettings& settings,
                             Console& console, std::vector<std::string>& problems) {
  const ConfigFile config = load_config(command_line.config_path, problems);
  ClientOptions options;
  options.base_url = resolve_setting(command_line.base_url, "SEEDANCE_BASE_URL", config.base_url);
  options.api_key = resolve_setting(command_line.api_key, "SEEDANCE_API_KEY", config.api_key);
  options.use_alias_routes = command_line.alias_routes || config.alias_routes;
  options.transport = settings.transport;
  options.logger = console.logger(options.api_key);
  if (options.base_url.empty()) {
    problems.push_back(
        "no service URL: pass --base-url URL, set SEEDANCE_BASE_URL or put base_url in the "
        "config file");
  }
  if (options.api_key.empty()) {
    problems.push_back(
        "no API key: set SEEDANCE_API_KEY, pass --api-key KEY or put api_key in the config file");
  }
  return options;
}

// The API key as it will be used, for redacting errors (config problems are ignored here).
std::string effective_api_key(const CommandLine& command_line) {
  std::vector<std::string> ignored;
  return resolve_setting(command_line.api_key, "SEEDANCE_API_KEY",
                         load_config(command_line.config_path, ignored).api_key);
}

// The server's JSON on one line (a pretty-printed body would break line-oriented scripts).
json parsed_or_string(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(text) : parsed;
}

// One shape for every dialect: the SDK's reading (status in the reference's words, the
// service's own word in status_raw) and, under "response", the body as the service sent it.
json status_json(const std::string& task_id, TaskStatus status, const std::string& status_text,
                 int progress, const std::string& request_id, const std::string& raw_json) {
  json object = {{"task_id", task_id},
                 {"status", std::string(to_string(status))},
                 {"status_raw", status_text},
                 {"progress", progress}};
  if (!request_id.empty()) object["request_id"] = request_id;
  object["response"] = parsed_or_string(raw_json);
  return object;
}

json receipt_json(const Receipt& receipt) {
  return status_json(receipt.task_id, receipt.status, receipt.status_text, receipt.progress,
                     receipt.request_id, receipt.raw_json);
}

json task_json(const Task& task) {
  json object = status_json(task.task_id, task.status, task.status_text, task.progress,
                            task.request_id, task.raw_json);
  if (task.fail_reason) object["fail_reason"] = *task.fail_reason;
  if (task.error) {
    object["error"] = {
        {"message", task.error->message}, {"code", task.error->code}, {"type", task.error->type}};
  }
  if (task.result_url) object["result_url"] = *task.result_url;
  if (task.last_frame_url) object["last_frame_url"] = *task.last_frame_url;
  return object;
}

std::string dump_line(const json& object) {
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Cancellation, Ctrl-C handling and the progress display shared by the long-running commands.
class Session {
 public:
  Session(Console& console, const RunSettings& settings) : console_(console) {
    if (settings.handle_interrupts) interrupt_guard_.emplace(cancel_);
    if (console.live()) {
      ticker_.emplace(std::chrono::seconds(1), [this] { console_.reporter().tick(); });
    }
  }

  void attach(WaitOptions& options) {
    options.cancel = cancel_;
    if (!console_.quiet()) {
      options.on_progress = [this](const Task& task) { console_.reporter().task_changed(task); };
    }
  }

  DownloadOptions download_options() {
    DownloadOptions options;
    options.cancel = cancel_;
    if (!console_.quiet()) {
      options.on_progress = [this](const DownloadProgress& progress) {
        console_.reporter().download_progressed(progress);
      };
    }
    return options;
  }

  const CancellationToken& cancel() const { return cancel_; }
  bool interrupted() const { return interrupt_guard_ && interrupt_guard_->interrupted(); }

 private:
  Console& console_;
  CancellationToken cancel_;
  std::optional<InterruptGuard> interrupt_guard_;
  std::optional<Ticker> ticker_;  // Last, so it stops before the rest goes.
};

std::string downloaded_path(const DownloadResult& result, const std::string& requested) {
  return result.path.empty() ? requested : result.path;
}

int run_generate_or_submit(const CommandLine& command_line, std::ostream& out, Console& console,
                           const RunSettings& settings) {
  const bool generate = command_line.command == Command::Generate;
  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(command_line.request, problems);
  WaitOptions wait_options;
  if (generate) wait_options = build_wait_options(command_line.wait, problems);
  if (generate && !(command_line.dry_run && command_line.output_path.empty())) {
    check_output_path(command_line.output_path, problems);
  }
  if (command_line.dry_run) {
    throw_if_any(problems);
    out << request.to_json() << '\n';
    return kExitSuccess;
  }
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  const Client client(options);
  // Ctrl-C stops a submit only before it is sent; one on the wire runs to its answer, so the
  // task id of a task it created is printed.
  Session session(console, settings);
  if (!generate) {
    const Receipt receipt = client.submit(request, session.cancel());
    out << (command_line.json ? dump_line(receipt_json(receipt)) : receipt.task_id) << '\n';
    return kExitSuccess;
  }

  session.attach(wait_options);
  const std::string task_id = client.submit(request, session.cancel()).task_id;
  try {
    console.message("submitted task " + task_id);
    const Task task = client.wait(task_id, wait_options);
    const DownloadResult result =
        client.download(task_id, command_line.output_path, session.download_options());
    console.reporter().finish();
    const std::string path = downloaded_path(result, command_line.output_path);
    console.message("saved " + format_bytes(result.bytes) + " to " + path);
    if (command_line.json) {
      json detail = task_json(task);
      detail["download"] = {{"path", path}, {"bytes", result.bytes}};
      out << dump_line(detail) << '\n';
    } else {
      out << path << '\n';
    }
  } catch (Error& error) {
    // Lets the error report say how to pick the task up again.
    if (error.task_id().empty()) error.set_task_id(task_id);
    throw;
  }
  return kExitSuccess;
}

int run_status(const CommandLine& command_line, std::ostream& out, Console& console,
               const RunSettings& settings) {
  std::vector<std::string> problems;
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);
  const Session session(console, settings);
  const Task task = Client(options).get(command_line.task_id, session.cancel());
  out << (command_line.json ? dump_line(task_json(task)) : format_status(task)) << '\n';
  if (!command_line.json && task.status == TaskStatus::Failure && task.fail_reason) {
    console.message("fail reason: " + redact(*task.fail_reason, options.api_key));
  }
  return kExitSuccess;
}

int run_wait(const CommandLine& command_line, std::ostream& out, Console& console,
             const RunSettings& settings) {
  std::vector<std::string> problems;
  WaitOptions wait_options = build_wait_options(command_line.wait, problems);
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(console, settings);
  session.attach(wait_options);
  const auto print = [&](const Task& task) {
    console.reporter().finish();
    out << (command_line.json ? dump_line(task_json(task)) : format_status(task)) << '\n';
  };
  try {
    print(client.wait(command_line.task_id, wait_options));
  } catch (const TaskFailedError& failure) {
    print(failure.task());
    throw;
  }
  return kExitSuccess;
}

int run_download(const CommandLine& command_line, std::ostream& out, Console& console,
                 const RunSettings& settings) {
  std::vector<std::string> problems;
  check_output_path(command_line.output_path, problems);
  std::optional<std::chrono::milliseconds> timeout;
  if (command_line.download_timeout) {
    timeout = parse_timeout_flag(*command_line.download_timeout, "sets no limit", problems);
  }
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(console, settings);
  DownloadOptions download_options = session.download_options();
  download_options.resume = !command_line.no_resume;
  if (timeout) download_options.timeout = *timeout;
  const DownloadResult result =
      client.download(command_line.task_id, command_line.output_path, download_options);
  console.reporter().finish();
  const std::string path = downloaded_path(result, command_line.output_path);
  if (result.resumed) {
    console.message("resumed " + command_line.output_path + ".part: " +
                    format_bytes(result.bytes - std::min(result.bytes, result.bytes_transferred)) +
                    " were already there");
  }
  if (command_line.json) {
    out << json{{"task_id", command_line.task_id},
                {"path", path},
                {"bytes", result.bytes},
                {"bytes_transferred", result.bytes_transferred},
                {"resumed", result.resumed}}
               .dump()
        << '\n';
  } else {
    out << path << '\n';
  }
  return kExitSuccess;
}

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
  std::ifstream file(path, std::ios::binary);
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
  ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  std::error_code error;
  std::filesystem::create_directories(flags.out_dir, error);
  if (error || !std::filesystem::is_directory(flags.out_dir)) {
    throw ValidationError({"--out-dir: cannot create directory " + flags.out_dir + ": " +
                           (error ? error.message() : std::string("not a directory"))});
  }
  const std::string journal_path =
      flags.journal_path.empty()
          ? (std::filesystem::path(flags.out_dir) / ".seedance-journal.sqlite").string()
          : flags.journal_path;
  Journal journal(journal_path);
  // An edited file would make old task ids look like new jobs: refuse before anything is sent.
  const std::vector<std::string> conflicts = journal_conflicts(parsed.jobs, journal.entries());
  if (!conflicts.empty()) {
    std::vector<std::string> lines = conflicts;
    lines.push_back("the job file changed since the journal " + journal_path +
                    " was written; restore it, or start a new batch with another --journal or "
                    "--out-dir (the old journal keeps its task ids)");
    throw ValidationError(lines);
  }

  const Client client(options);
  Session session(console, settings);
  std::optional<RateLimiter> limiter;
  if (rate) limiter.emplace(*rate, 1.0);

  BatchService service;
  service.submit = [&client](const VideoRequest& request) { return client.submit(request); };
  service.wait = [&client](const std::string& task_id, const WaitOptions& wait) {
    return client.wait(task_id, wait);
  };
  service.download = [&client](const std::string& task_id, const std::string& path,
                               const DownloadOptions& download) {
    return client.download(task_id, path, download);
  };
  BatchOptions batch_options;
  batch_options.out_dir = flags.out_dir;
  batch_options.concurrency = flags.concurrency;
  batch_options.resubmit_unknown = flags.resubmit_unknown;
  batch_options.wait = wait_options;
  batch_options.rate = limiter ? &*limiter : nullptr;
  batch_options.cancel = session.cancel();

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
  const BatchReport report = run_batch(parsed.jobs, journal, service, batch_options, events);
  console.reporter().finish();

  if (command_line.json) {
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

// Replaces this process by seedance-mock-server: $SEEDANCE_MOCK_SERVER, else the program next to
// this one (both are installed in the same bin directory), else the PATH.
int run_mock_server(const CommandLine& command_line, std::ostream& out, std::ostream& err) {
  std::string program;
  if (const char* configured = std::getenv("SEEDANCE_MOCK_SERVER")) program = configured;
  if (program.empty()) {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    const auto sibling = self.parent_path() / "seedance-mock-server";
    if (!error && std::filesystem::exists(sibling)) program = sibling.string();
  }
  const std::string name = program.empty() ? std::string("seedance-mock-server") : program;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(name.c_str()));
  for (const std::string& argument : command_line.mock_server_arguments) {
    argv.push_back(const_cast<char*>(argument.c_str()));
  }
  argv.push_back(nullptr);
  out.flush();
  if (program.empty()) {
    ::execvp(name.c_str(), argv.data());
  } else {
    ::execv(name.c_str(), argv.data());
  }
  err << "seedance: error: cannot run " << name << ": " << std::strerror(errno)
      << " (install seedance-mock-server next to seedance, or set SEEDANCE_MOCK_SERVER)\n";
  return kExitNetworkError;
}

int dispatch(const CommandLine& command_line, std::ostream& out, std::ostream& err,
             Console& console, const RunSettings& settings) {
  switch (command_line.command) {
    case Command::Generate:
    case Command::Submit:
      return run_generate_or_submit(command_line, out, console, settings);
    case Command::Status:
      return run_status(command_line, out, console, settings);
    case Command::Wait:
      return run_wait(command_line, out, console, settings);
    case Command::Download:
      return run_download(command_line, out, console, settings);
    case Command::Batch:
      return run_batch_command(command_line, out, console, settings);
    case Command::MockServer:
      return run_mock_server(command_line, out, err);
  }
  return kExitSuccess;
}

}  // namespace

int run_command(const CommandLine& command_line, std::ostream& out, std::ostream& err,
                const RunSettings& settings) {
  const std::string api_key = effective_api_key(command_line);
  try {
    Console console(err, command_line, settings);
    try {
      return dispatch(command_line, out, err, console, settings);
    } catch (...) {
      console.reporter().finish();
      throw;
    }
  } catch (const std::exception& error) {
    out.flush();
    return command_line.json ? report_error_json(error, err, api_key)
                             : report_error(error, err, api_key);
  } catch (...) {
    err << "seedance: error: unexpected failure\n";
    return kExitNetworkError;
  }
}

}  // namespace seedance::cli
