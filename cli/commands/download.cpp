#include "commands/support.hpp"

#include <algorithm>
#include <chrono>

#include "exit_codes.hpp"
#include "request_flags.hpp"

namespace seedance::cli {

using nlohmann::json;

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
  DownloadOptions download_options = session.download_options();
  download_options.resume = !command_line.no_resume;
  download_options.replace_existing = command_line.overwrite;
  if (timeout) download_options.timeout = *timeout;
  if (to_stdout) {
    const DownloadResult result =
        client.download(command_line.task_id, stdout_sink(), download_options);
    console.reporter().finish();
    console.message("wrote " + format_bytes(result.bytes) + " to stdout");
    return kExitSuccess;  // stdout holds the video and nothing else.
  }
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

}  // namespace seedance::cli
