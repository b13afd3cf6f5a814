#include "commands/support.hpp"
#include "completion_script.hpp"

namespace seedance::cli {

int run_completion(const CommandLine& command_line, std::ostream& out) {
  out << completion_script(command_line.completion_shell, completion_spec());
  return kExitSuccess;
}

}  // namespace seedance::cli
