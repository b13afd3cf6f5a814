#include "commands/support.hpp"

#include "exit_codes.hpp"
#include "request_flags.hpp"

namespace seedance::cli {

using nlohmann::json;

namespace {

// Why `task` has no last frame to fetch, in the tool's words (the SDK's names its own setter);
// throws TaskFailedError (exit 1) for a failed task.
void check_has_last_frame(const Task& task) {
  if (task.last_frame_url && !task.last_frame_url->empty()) return;
  if (task.status == TaskStatus::Failure) throw TaskFailedError(task);
  if (task.status != TaskStatus::Success) {
    throw ValidationError({"task " + task.task_id + " is not finished (" + format_status(task) +
                           "): it has no last frame yet; run `seedance wait " + task.task_id +
                           "` first"});
  }
  throw ValidationError({"task " + task.task_id +
                         " returned no last frame: only a task submitted with "
                         "--return-last-frame has one"});
}

}  // namespace

int run_last_frame(const CommandLine& command_line, std::ostream& out, Console& console,
                   const RunSettings& settings) {
  std::vector<std::string> problems;
  if (command_line.output_path == kStdoutPath) {
    problems.push_back("-o -: last-frame saves the image to a file only");
  } else {
    check_output_path(command_line.output_path, command_line.overwrite, problems);
  }
  ClientOptions options = client_options(command_line, settings, console, problems);
  apply_stall_timeout(command_line, options, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(console, settings);
  Task task = client.get(command_line.task_id, session.cancel());
  if (task.task_id.empty()) task.task_id = command_line.task_id;
  check_has_last_frame(task);
  DownloadOptions download_options = session.download_options();
  download_options.replace_existing = command_line.overwrite;
  const DownloadResult result =
      client.download_last_frame(task, command_line.output_path, download_options);
  console.reporter().finish();
  const std::string path = downloaded_path(result, command_line.output_path);
  console.message("saved " + format_bytes(result.bytes) + " to " + path);
  if (command_line.json) {
    out << dump_line(json{{"task_id", task.task_id}, {"path", path}, {"bytes", result.bytes}})
        << '\n';
  } else {
    out << path << '\n';
  }
  return kExitSuccess;
}

}  // namespace seedance::cli
