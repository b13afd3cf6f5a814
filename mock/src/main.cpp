// seedance-mock-server: the mock Seedance 2.0 API as a program (see mock/README.md).
// Prints its base URL as one line on stdout, serves until SIGINT or SIGTERM, then exits 0.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "seedance/mock/mock_server.hpp"
#include "stop_signals.hpp"

namespace {

const char* const kUsage =
    R"(usage: seedance-mock-server [options]

A mock of the Seedance 2.0 video API on HTTP/1.1. Prints "http://HOST:PORT" on one line once it
accepts connections; serves until SIGINT or SIGTERM.

options:
  --host HOST             address to bind (default 127.0.0.1)
  --port N                port, 0 for any free one (default 0)
  --api-key KEY           the accepted Bearer key (default test-key)
  --polls N               polls of a task until it is terminal (default 3)
  --dialect D             answer as the API reference describes (reference, the default) or
                          as the public gateway really does (gateway)
  --video-size BYTES      size of each task's video; k, m, g suffixes (default 1m)
  --fault RULE            inject a fault; repeatable, applied in order, e.g.
                            --fault 'POST /v1/videos: status=503 times=2'
                            --fault 'GET */content: close-after-bytes=65536'
  --threads N             worker threads to start with; more are added when busy (default 8)
  --keep-alive-timeout S  seconds an idle connection is kept (default 60)
  --log-requests          print one line per request on stderr
  --help                  this text

RULE: [METHOD] PATH: OPTION...   (full syntax in mock/README.md)
  PATH     "*" matches anything, "{id}" one path segment
  OPTION   status=N body=error|html|malformed|empty code=C type=T message=M
           body=huge|wide size=BYTES (default 200m)  body=nested depth=N (default 100000)
           retry-after=S retry-after-ms=MS retry-after-date=S location=URL
           close-before-response close-after-bytes=N
           delay-ms=MS rate=BYTES_PER_S stall-after-bytes=N stall-ms=MS change-etag
           ignore-range content-range=VALUE
           times=N|always (default 1)
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "seedance-mock-server: " << message << "\n(see --help)\n";
  std::exit(2);
}

std::uint64_t parse_size(const std::string& flag, const std::string& value) {
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    if (value.empty() || value[0] == '-') throw std::invalid_argument("negative");
    n = std::stoull(value, &used, 10);
  } catch (const std::exception&) {
    usage_error(flag + " needs a non-negative number, got '" + value + "'");
  }
  const std::string suffix = value.substr(used);
  std::uint64_t multiplier = 1;
  if (suffix == "k" || suffix == "K") {
    multiplier = 1024ULL;
  } else if (suffix == "m" || suffix == "M") {
    multiplier = 1024ULL * 1024;
  } else if (suffix == "g" || suffix == "G") {
    multiplier = 1024ULL * 1024 * 1024;
  } else if (!suffix.empty()) {
    usage_error(flag + ": unknown unit '" + suffix + "'");
  }
  return static_cast<std::uint64_t>(n) * multiplier;
}

int parse_int(const std::string& flag, const std::string& value, int min, int max) {
  const std::uint64_t n = parse_size(flag, value);
  if (n < static_cast<std::uint64_t>(min) || n > static_cast<std::uint64_t>(max)) {
    usage_error(flag + " must be in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return static_cast<int>(n);
}

/// What the command line asks for.
struct Args {
  seedance::mock::MockServerOptions options;
  std::vector<seedance::mock::FaultRule> faults;
  bool log_requests = false;
};

seedance::mock::Dialect parse_dialect(const std::string& value) {
  if (value == "reference") return seedance::mock::Dialect::Reference;
  if (value == "gateway") return seedance::mock::Dialect::Gateway;
  usage_error("--dialect must be reference or gateway, got '" + value + "'");
}

seedance::mock::FaultRule parse_fault(const std::string& value) {
  try {
    return seedance::mock::FaultRule::parse(value);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
}

Args parse_args(int argc, char** argv) {
  Args args;
  seedance::mock::MockServerOptions& options = args.options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--host") {
      options.host = next();
    } else if (arg == "--port") {
      options.port = parse_int(arg, next(), 0, 65535);
    } else if (arg == "--api-key") {
      options.api_key = next();
    } else if (arg == "--polls") {
      options.polls_to_complete = parse_int(arg, next(), 1, 1000000);
    } else if (arg == "--dialect") {
      options.dialect = parse_dialect(next());
    } else if (arg == "--video-size") {
      options.video_size = parse_size(arg, next());
    } else if (arg == "--fault") {
      args.faults.push_back(parse_fault(next()));
    } else if (arg == "--threads") {
      options.threads = static_cast<std::size_t>(parse_int(arg, next(), 1, 4096));
    } else if (arg == "--keep-alive-timeout") {
      options.keep_alive_timeout = std::chrono::seconds(parse_int(arg, next(), 1, 86400));
    } else if (arg == "--log-requests") {
      args.log_requests = true;
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  return args;
}

void print_request(const seedance::mock::RecordedRequest& r) {
  std::string line = "#" + std::to_string(r.sequence) + " " + r.method + " " + r.target + " -> " +
                     std::to_string(r.status) + " (conn " + std::to_string(r.connection_id) + ")";
  if (r.fault_applied) line += " fault: " + r.fault;
  std::cerr << line + "\n" << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);

  seedance::mock::detail::prepare_stop_signals();

  seedance::mock::MockServer server(args.options);
  for (auto& f : args.faults) server.add_fault(std::move(f));
  if (args.log_requests) server.set_request_observer(print_request);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "seedance-mock-server: " << e.what() << "\n";
    return 1;
  }
  std::cout << server.base_url() << std::endl;

  seedance::mock::detail::wait_for_stop_signal();
  server.stop();
  return 0;
}
