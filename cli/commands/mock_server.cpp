#include "commands/support.hpp"

#include <cstdlib>
#include <filesystem>

#include "exit_codes.hpp"
#include "platform/platform.hpp"

namespace seedance::cli {

// Runs seedance-mock-server in place of this process: $SEEDANCE_MOCK_SERVER, else the program
// next to this one (both are installed in the same bin directory), else the PATH.
int run_mock_server(const CommandLine& command_line, std::ostream& out, std::ostream& err) {
  namespace platform = detail::platform;
  std::string program;
  if (const char* configured = std::getenv("SEEDANCE_MOCK_SERVER")) program = configured;
  if (program.empty()) {
    const std::string self = platform::executable_path();
    if (!self.empty()) {
      const std::filesystem::path self_path = platform::to_path(self);
      std::filesystem::path sibling = self_path;
      sibling.replace_filename("seedance-mock-server").replace_extension(self_path.extension());
      std::error_code error;
      if (std::filesystem::exists(sibling, error)) program = sibling.u8string();
    }
  }
  const std::string name = program.empty() ? std::string("seedance-mock-server") : program;
  std::vector<std::string> arguments{name};
  arguments.insert(arguments.end(), command_line.mock_server_arguments.begin(),
                   command_line.mock_server_arguments.end());
  out.flush();
  const std::error_code error =
      platform::run_in_place_of_this_process(name, arguments, program.empty());
  err << "seedance: error: cannot run " << name << ": " << error.message()
      << " (install seedance-mock-server next to seedance, or set SEEDANCE_MOCK_SERVER)\n";
  return kExitNetworkError;
}

}  // namespace seedance::cli
