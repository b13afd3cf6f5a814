#include "commands/support.hpp"

#include "exit_codes.hpp"
#include "request_flags.hpp"

namespace seedance::cli {

using nlohmann::json;

int run_generate_or_submit(const CommandLine& command_line, std::ostream& out, Console& console,
                           const RunSettings& settings) {
  const bool generate = command_line.command == Command::Generate;
  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(command_line.request, problems);
  WaitOptions wait_options;
  if (generate) wait_options = build_wait_options(command_line.wait, problems);
  const bool to_stdout = generate && video_to_stdout(command_line, problems);
  if (generate && !to_stdout && !(command_line.dry_run && command_line.output_path.empty())) {
    // A dry run writes nothing, so an existing file is no problem for it.
    check_output_path(command_line.output_path, command_line.overwrite || command_line.dry_run,
                      problems);
  }
  if (command_line.dry_run) {
    throw_if_any(problems);
    out << request.to_json() << '\n';
    return kExitSuccess;
  }
  ClientOptions options = client_options(command_line, settings, console, problems);
  apply_stall_timeout(command_line, options, problems);
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
  GenerateOptions generate_options;
  generate_options.wait = wait_options;
  generate_options.download = session.download_options();
  generate_options.download.replace_existing = command_line.overwrite;
  // --timeout covers the whole command; without it the wait keeps its default and the download
  // ends only by stall detection, so a slow but moving paid download is never cut off.
  if (command_line.wait.timeout) generate_options.timeout = wait_options.timeout;
  generate_options.on_submitted = [&console](const Receipt& receipt) {
    console.message("submitted task " + receipt.task_id);
  };
  // Errors after the submit carry the task id, so the error report says how to pick it up.
  const GenerateResult generated =
      to_stdout ? client.generate(request, stdout_sink(), generate_options)
                : client.generate(request, command_line.output_path, generate_options);
  console.reporter().finish();
  if (to_stdout) {
    console.message("wrote " + format_bytes(generated.download.bytes) + " to stdout");
    return kExitSuccess;  // stdout holds the video and nothing else.
  }
  const std::string path = downloaded_path(generated.download, command_line.output_path);
  console.message("saved " + format_bytes(generated.download.bytes) + " to " + path);
  if (command_line.json) {
    json detail = task_json(generated.task);
    detail["download"] = {{"path", path}, {"bytes", generated.download.bytes}};
    out << dump_line(detail) << '\n';
  } else {
    out << path << '\n';
  }
  return kExitSuccess;
}

}  // namespace seedance::cli
