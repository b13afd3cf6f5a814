#include "commands/support.hpp"

#include "commands/poll_floor.hpp"
#include "exit_codes.hpp"

namespace seedance::cli {

int run_status(const CommandLine& command_line, std::ostream& out, Console& console,
               const RunSettings& settings) {
  std::vector<std::string> problems;
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);
  const Session session(console, settings);
  const Client client(options);
  // A status query a moment ago, by this or another invocation, is waited out, not repeated.
  SharedPollFloor floor(client, command_line.task_id, console);
  floor.wait(session.cancel());
  const Task task = client.get(command_line.task_id, session.cancel());
  out << (command_line.json ? dump_line(task_json(task)) : format_status(task)) << '\n';
  if (!command_line.json && task.status == TaskStatus::Failure && task.fail_reason) {
    console.message("fail reason: " + redact(*task.fail_reason, options.api_key));
  }
  return kExitSuccess;
}

}  // namespace seedance::cli
