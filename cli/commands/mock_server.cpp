#include "commands/support.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "exit_codes.hpp"

namespace seedance::cli {

// Replaces this process by seedance-mock-server: $SEEDANCE_MOCK_SERVER, else the program next to
// this one (both are installed in the same bin directory), else the PATH.
int run_mock_server(const CommandLine& command_line, std::ostream& out, std::ostream& err) {
  std::string program;
  if (const char* configured = std::getenv("SEEDANCE_MOCK_SERVER")) program = configured;
  if (program.empty()) {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    const auto sibling = self.parent_path() / "seedance-mock-server";
    if (!error && std::filesystem::exists(sibling)) program = sibling.string();
  }
  const std::string name = program.empty() ? std::string("seedance-mock-server") : program;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(name.c_str()));
  for (const std::string& argument : command_line.mock_server_arguments) {
    argv.push_back(const_cast<char*>(argument.c_str()));
  }
  argv.push_back(nullptr);
  out.flush();
  if (program.empty()) {
    ::execvp(name.c_str(), argv.data());
  } else {
    ::execv(name.c_str(), argv.data());
  }
  err << "seedance: error: cannot run " << name << ": " << std::strerror(errno)
      << " (install seedance-mock-server next to seedance, or set SEEDANCE_MOCK_SERVER)\n";
  return kExitNetworkError;
}

}  // namespace seedance::cli
