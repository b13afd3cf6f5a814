#include "commands/support.hpp"

#include <algorithm>
#include <chrono>

#include "commands/poll_floor.hpp"
#include "exit_codes.hpp"
#include "request_flags.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;

// How the service refuses the video of a task that has none (yet): 409 from the reference, 400
// "not completed yet" from the gateway. A 404 already says the task is unknown.
bool may_be_unfinished(const ApiError& refusal) {
  return refusal.http_status() == 400 || refusal.http_status() == 409;
}

// Called while handling such a refusal: one status query (after the 5 s floor, like any other)
// tells a task still running from a failed one. Throws what the user should see; when the query
// cannot tell (the task succeeded meanwhile, or the query fails too), the refusal itself.
[[noreturn]] void explain_refusal(const CommandLine& command_line, const Client& client,
                                  Console& console, const Session& session) {
  const std::string& id = command_line.task_id;
  std::optional<Task> task;
  {
    SharedPollFloor floor(client, id, console);
    floor.wait(session.cancel());
    try {
      task = client.get(id, session.cancel());
    } catch (const ApiError&) {
      // The query was refused too: the download's own refusal says more.
    }
  }
  if (task && task->status == TaskStatus::Failure) throw TaskFailedError(*task);
  if (!task || task->finished()) throw;
  throw ApiError("task " + id + " is not finished (" + format_status(*task) +
                 "), so there is no video yet; run `seedance wait " + id +
                 "` first, or `seedance download " + id + " --wait -o " + command_line.output_path +
                 "` to wait and then download");
}

void wait_until_finished(const CommandLine& command_line, const Client& client, Console& console,
                         Session& session) {
  WaitOptions wait_options;
  session.attach(wait_options);
  SharedPollFloor floor(client, command_line.task_id, console);
  floor.announce_wait();
  client.wait(command_line.task_id, wait_options);
  console.reporter().finish();
}

}  // namespace

int run_download(const CommandLine& command_line, std::ostream& out, Console& console,
                 const RunSettings& settings) {
  std::vector<std::string> problems;
  const bool to_stdout = video_to_stdout(command_line, problems);
  if (!to_stdout) check_output_path(command_line.output_path, command_line.overwrite, problems);
  std::optional<std::chrono::milliseconds> timeout;
  if (command_line.download_timeout) {
    timeout = parse_timeout_flag(*command_line.download_timeout, "sets no limit", problems);
  }
  ClientOptions options = client_options(command_line, settings, console, problems);
  apply_stall_timeout(command_line, options, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(console, settings);
  if (command_line.wait_until_finished) wait_until_finished(command_line, client, console, session);
  DownloadOptions download_options = session.download_options();
  download_options.resume = !command_line.no_resume;
  download_options.replace_existing = command_line.overwrite;
  if (timeout) download_options.timeout = *timeout;
  DownloadResult result;
  try {
    result = to_stdout ? client.download(command_line.task_id, stdout_sink(), download_options)
                       : client.download(command_line.task_id, command_line.output_path,
                                         download_options);
  } catch (const ApiError& refusal) {
    if (!may_be_unfinished(refusal)) throw;
    console.reporter().finish();
    explain_refusal(command_line, client, console, session);
  }
  if (to_stdout) {
    console.reporter().finish();
    console.message("wrote " + format_bytes(result.bytes) + " to stdout");
    return kExitSuccess;  // stdout holds the video and nothing else.
  }
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

}  // namespace seedance::cli
