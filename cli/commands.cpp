#include "commands.hpp"

#include "commands/support.hpp"
#include "exit_codes.hpp"
#include "redacting_stream.hpp"

namespace seedance::cli {
namespace {

int dispatch(const CommandLine& command_line, std::ostream& out, std::ostream& err,
             Console& console, const RunSettings& settings) {
  switch (command_line.command) {
    case Command::Generate:
    case Command::Submit:
      return run_generate_or_submit(command_line, out, console, settings);
    case Command::Status:
      return run_status(command_line, out, console, settings);
    case Command::Wait:
      return run_wait(command_line, out, console, settings);
    case Command::Download:
      return run_download(command_line, out, console, settings);
    case Command::LastFrame:
      return run_last_frame(command_line, out, console, settings);
    case Command::Batch:
      return run_batch_command(command_line, out, console, settings);
    case Command::MockServer:
      return run_mock_server(command_line, out, err);
    case Command::Completion:
      return run_completion(command_line, out);
  }
  return kExitSuccess;
}

}  // namespace

int run_command(const CommandLine& command_line, std::ostream& raw_out, std::ostream& raw_err,
                const RunSettings& settings) {
  const std::string api_key = effective_api_key(command_line);
  // Whatever a server sends back is printed through these, so the key it may echo never shows.
  RedactingStream out(raw_out, api_key);
  RedactingStream err(raw_err, api_key);
  try {
    Console console(err, command_line, settings);
    try {
      return dispatch(command_line, out, err, console, settings);
    } catch (...) {
      console.reporter().finish();
      throw;
    }
  } catch (const std::exception& error) {
    out.flush();
    const std::string key_source = api_key_source(command_line);
    return command_line.json ? report_error_json(error, err, api_key, key_source)
                             : report_error(error, err, api_key, key_source);
  } catch (...) {
    err << "seedance: error: unexpected failure\n";
    return kExitNetworkError;
  }
}

}  // namespace seedance::cli
