// seedance: the command-line client of the Seedance 2.0 API. See cli/README.md.
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "interrupt.hpp"
#include "platform/platform.hpp"

int main(int argc, char** argv) {
  const auto parsed = seedance::cli::parse_command_line(argc, argv, std::cout, std::cerr);
  if (!parsed.command_line) return parsed.exit_code;

  seedance::cli::RunSettings settings;
  settings.live_progress = seedance::detail::platform::stderr_is_terminal();
  settings.handle_interrupts = true;
  const int exit_code =
      seedance::cli::run_command(*parsed.command_line, std::cout, std::cerr, settings);
  std::cout.flush();
  std::cerr.flush();
  if (const int signal = seedance::cli::interrupting_signal(); signal != 0) {
    seedance::cli::end_by_signal(signal);
  }
  return exit_code;
}
