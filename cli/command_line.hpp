// Parsing of the `seedance` command line (CLI11 is used only behind this header).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "request_flags.hpp"

namespace seedance::cli {

enum class Command {
  Generate,
  Submit,
  Status,
  Wait,
  Download,
  LastFrame,
  Batch,
  MockServer,
  Completion
};

/// The flags of `seedance batch`, as typed.
struct BatchFlags {
  std::string jobs_path;
  std::string out_dir;
  std::string journal_path;  ///< Empty: OUT_DIR/.seedance-journal.sqlite.
  int concurrency = 4;
  std::optional<std::string>
      rate;  ///< Submits per second, e.g. "2" or "0.5" (a "/s" suffix is fine).
  bool resubmit_unknown = false;
};

/// Everything the command line asked for, not yet checked beyond its syntax.
struct CommandLine {
  Command command = Command::Submit;
  std::string base_url;     ///< Empty: SEEDANCE_BASE_URL.
  std::string api_key;      ///< Empty: SEEDANCE_API_KEY.
  RequestFlags request;     ///< generate, submit.
  WaitFlags wait;           ///< generate, wait.
  std::string task_id;      ///< status, wait, download, last-frame.
  std::string output_path;  ///< generate, download, last-frame; "-" is stdout (not last-frame).
  bool dry_run = false;     ///< generate, submit, batch.
  bool no_resume = false;   ///< download: start over instead of resuming "<FILE>.part".
  bool wait_until_finished = false;             ///< download --wait: wait for the task first.
  std::optional<std::string> download_timeout;  ///< download: seconds as typed; 0 sets none.
  bool overwrite = false;  ///< generate, download, last-frame: replace an existing FILE.
  /// generate, download: the stall window in seconds, as typed (TransportOptions::low_speed_time).
  std::optional<std::string> stall_timeout;
  BatchFlags batch;  ///< batch.
  /// mock-server: the arguments after it, passed to seedance-mock-server unchanged.
  std::vector<std::string> mock_server_arguments;
  std::string completion_shell;  ///< completion: bash, zsh or fish.

  // Global flags.
  bool json = false;        ///< Results as JSON on stdout, errors as a JSON object on stderr.
  bool quiet = false;       ///< No progress or messages on stderr, only errors.
  bool verbose = false;     ///< One request-log line per HTTP attempt on stderr.
  std::string config_path;  ///< Empty: the default config file, if it exists.
  std::string ca_bundle;  ///< PEM file of the CAs to trust; empty: the config's, else the system's.
  std::string proxy;      ///< Proxy URL; empty: the proxy variables, else the config's.
  /// --http1.1 and --http2-prior-knowledge (at most one): the HTTP version, as the curl tool's
  /// flags; neither: the config's http_version, else HTTP/2 where the server offers it.
  bool http1_1 = false;
  bool http2_prior_knowledge = false;
  /// Submit and poll through the alias /v1/video/generations (or alias_routes in the config).
  bool alias_routes = false;
};

struct ParseResult {
  /// Set when a command should run; empty when parsing ended it (help, version or an error).
  std::optional<CommandLine> command_line;
  int exit_code = 0;  ///< Meaningful when command_line is empty: 0 after help/version, else 2.
};

/// A flag as the parser defines it (for completion scripts).
struct FlagSpec {
  std::vector<std::string> names;  ///< e.g. "-o", "--output".
  std::string value_name;          ///< e.g. "FILE"; empty when the flag takes no separate value.
  std::string help;
  bool repeatable = false;  ///< It may be given more than once.
};

/// A command as the parser defines it.
struct CommandSpec {
  std::string name;
  std::string help;
  std::vector<FlagSpec> flags;        ///< Its own; the global flags are accepted as well.
  std::vector<std::string> operands;  ///< The value names of its positional arguments, in order.
};

struct ParserSpec {
  std::vector<FlagSpec> global_flags;
  std::vector<CommandSpec> commands;
};

/// The flags and commands of the parser parse_command_line() uses, read from it.
ParserSpec describe_parser();

/// Parses argv. Help and --version go to `out`; syntax errors go to `err` as "seedance: error: ..."
/// with exit code 2.
ParseResult parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err);

}  // namespace seedance::cli
