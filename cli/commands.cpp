#include "commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "request_flags.hpp"
#include "seedance/client.hpp"

namespace seedance::cli {
namespace {

std::string flag_or_environment(const std::string& flag, const char* variable) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(variable);
  return value != nullptr ? value : "";
}

// The client's settings; a missing base URL or key is a problem, so nothing is sent without them.
ClientOptions client_options(const CommandLine& command_line, const RunSettings& settings,
                             std::vector<std::string>& problems) {
  ClientOptions options;
  options.base_url = flag_or_environment(command_line.base_url, "SEEDANCE_BASE_URL");
  options.api_key = flag_or_environment(command_line.api_key, "SEEDANCE_API_KEY");
  options.transport = settings.transport;
  if (options.base_url.empty()) {
    problems.push_back("no service URL: pass --base-url URL or set SEEDANCE_BASE_URL");
  }
  if (options.api_key.empty()) {
    problems.push_back("no API key: set SEEDANCE_API_KEY or pass --api-key KEY");
  }
  return options;
}

// Cancellation, Ctrl-C handling and the progress display shared by generate, wait and download.
class Session {
 public:
  Session(std::ostream& err, const RunSettings& settings) : reporter_(err, settings.live_progress) {
    if (settings.handle_interrupts) interrupt_guard_.emplace(cancel_);
    if (settings.live_progress) {
      ticker_.emplace(std::chrono::seconds(1), [this] { reporter_.tick(); });
    }
  }

  void attach(WaitOptions& options) {
    options.cancel = cancel_;
    options.on_progress = [this](const Task& task) { reporter_.task_changed(task); };
  }

  DownloadOptions download_options() {
    DownloadOptions options;
    options.cancel = cancel_;
    options.on_progress = [this](const DownloadProgress& progress) {
      reporter_.download_progressed(progress);
    };
    return options;
  }

  ProgressReporter& reporter() { return reporter_; }

 private:
  CancellationToken cancel_;
  ProgressReporter reporter_;
  std::optional<InterruptGuard> interrupt_guard_;
  std::optional<Ticker> ticker_;  // Last, so it stops before the reporter goes.
};

std::string downloaded_path(const DownloadResult& result, const std::string& requested) {
  return result.path.empty() ? requested : result.path;
}

int run_generate_or_submit(const CommandLine& command_line, std::ostream& out, std::ostream& err,
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
  const ClientOptions options = client_options(command_line, settings, problems);
  throw_if_any(problems);

  const Client client(options);
  if (!generate) {
    out << client.submit(request).task_id << '\n';
    return kExitSuccess;
  }

  Session session(err, settings);
  session.attach(wait_options);
  const std::string task_id = client.submit(request).task_id;
  try {
    session.reporter().message("submitted task " + task_id);
    client.wait(task_id, wait_options);
    const DownloadResult result =
        client.download(task_id, command_line.output_path, session.download_options());
    session.reporter().finish();
    session.reporter().message("saved " + format_bytes(result.bytes) + " to " +
                               downloaded_path(result, command_line.output_path));
    out << downloaded_path(result, command_line.output_path) << '\n';
  } catch (Error& error) {
    // Lets the error report say how to pick the task up again.
    if (error.task_id().empty()) error.set_task_id(task_id);
    throw;
  }
  return kExitSuccess;
}

int run_status(const CommandLine& command_line, std::ostream& out, std::ostream& err,
               const RunSettings& settings) {
  std::vector<std::string> problems;
  const ClientOptions options = client_options(command_line, settings, problems);
  throw_if_any(problems);
  const Task task = Client(options).get(command_line.task_id);
  out << format_status(task) << '\n';
  if (task.status == TaskStatus::Failure && task.fail_reason) {
    err << "seedance: fail reason: " << redact(*task.fail_reason, options.api_key) << '\n';
  }
  return kExitSuccess;
}

int run_wait(const CommandLine& command_line, std::ostream& out, std::ostream& err,
             const RunSettings& settings) {
  std::vector<std::string> problems;
  WaitOptions wait_options = build_wait_options(command_line.wait, problems);
  const ClientOptions options = client_options(command_line, settings, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(err, settings);
  session.attach(wait_options);
  try {
    const Task task = client.wait(command_line.task_id, wait_options);
    session.reporter().finish();
    out << format_status(task) << '\n';
  } catch (const TaskFailedError& failure) {
    session.reporter().finish();
    out << format_status(failure.task()) << '\n';
    throw;
  }
  return kExitSuccess;
}

int run_download(const CommandLine& command_line, std::ostream& out, std::ostream& err,
                 const RunSettings& settings) {
  std::vector<std::string> problems;
  check_output_path(command_line.output_path, problems);
  const ClientOptions options = client_options(command_line, settings, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(err, settings);
  DownloadOptions download_options = session.download_options();
  download_options.resume = !command_line.no_resume;
  const DownloadResult result =
      client.download(command_line.task_id, command_line.output_path, download_options);
  session.reporter().finish();
  if (result.resumed) {
    session.reporter().message(
        "resumed " + command_line.output_path +
        ".part: " + format_bytes(result.bytes - std::min(result.bytes, result.bytes_transferred)) +
        " were already there");
  }
  out << downloaded_path(result, command_line.output_path) << '\n';
  return kExitSuccess;
}

}  // namespace

int run_command(const CommandLine& command_line, std::ostream& out, std::ostream& err,
                const RunSettings& settings) {
  const std::string api_key = flag_or_environment(command_line.api_key, "SEEDANCE_API_KEY");
  try {
    switch (command_line.command) {
      case Command::Generate:
      case Command::Submit:
        return run_generate_or_submit(command_line, out, err, settings);
      case Command::Status:
        return run_status(command_line, out, err, settings);
      case Command::Wait:
        return run_wait(command_line, out, err, settings);
      case Command::Download:
        return run_download(command_line, out, err, settings);
    }
  } catch (const std::exception& error) {
    out.flush();
    return report_error(error, err, api_key);
  } catch (...) {
    err << "seedance: error: unexpected failure\n";
    return kExitNetworkError;
  }
  return kExitSuccess;
}

}  // namespace seedance::cli
