// Running a parsed `seedance` command against the service.
#pragma once

#include <memory>
#include <ostream>

#include "command_line.hpp"
#include "seedance/transport.hpp"

namespace seedance::cli {

struct RunSettings {
  /// Redraw one status line in place (stderr is a terminal) instead of one line per change.
  bool live_progress = false;
  /// Let SIGINT/SIGTERM cancel a wait or download (the real program; not wanted in unit tests).
  bool handle_interrupts = false;
  /// Replaces the libcurl transport (tests). Null: the default.
  std::shared_ptr<HttpTransport> transport;
};

/// Runs the command: the machine-readable result goes to `out`, progress and errors to `err`.
/// Returns the exit code (see exit_codes.hpp); never throws.
int run_command(const CommandLine& command_line, std::ostream& out, std::ostream& err,
                const RunSettings& settings);

}  // namespace seedance::cli
