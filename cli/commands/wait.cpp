#include "commands/support.hpp"

#include "commands/poll_floor.hpp"
#include "exit_codes.hpp"
#include "request_flags.hpp"

namespace seedance::cli {

int run_wait(const CommandLine& command_line, std::ostream& out, Console& console,
             const RunSettings& settings) {
  std::vector<std::string> problems;
  WaitOptions wait_options = build_wait_options(command_line.wait, problems);
  const ClientOptions options = client_options(command_line, settings, console, problems);
  throw_if_any(problems);

  const Client client(options);
  Session session(console, settings);
  session.attach(wait_options);
  // The final status goes to stdout alone: on stderr too, a terminal would show it twice.
  if (wait_options.on_progress) {
    wait_options.on_progress = [show = std::move(wait_options.on_progress)](const Task& task) {
      if (!task.finished()) show(task);
    };
  }
  SharedPollFloor floor(client, command_line.task_id, console);
  floor.announce_wait();
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

}  // namespace seedance::cli
