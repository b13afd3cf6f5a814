// tests/transport/h2_script_server.py as a child process: an HTTP/2 server that resets streams
// and sends GOAWAY on command, and reports every request it saw.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "seedance/transport.hpp"
#include "temp_dir.hpp"

namespace seedance::testing {

/// Debian's python, which has python3-h2 (scripts/setup installs it); a version manager's
/// python usually has not.
inline constexpr const char* kSystemPython = "/usr/bin/python3";

/// Why the h2 tests cannot run here; empty when they can.
inline std::string h2_server_unavailable() {
  static const std::string why = [] {
    if (::access(kSystemPython, X_OK) == 0 &&
        run_process(kSystemPython, {"-c", "import h2"}, {}).exit_code == 0) {
      return std::string();
    }
    return std::string(
        "needs /usr/bin/python3 with the h2 module (Debian's python3-h2; scripts/setup installs "
        "it)");
  }();
  return why;
}

/// One line of the server's report.
struct H2Request {
  int number = 0;
  int connection = 0;  ///< 1 for the first connection the server accepted.
  int stream = 0;
  std::string method;
  std::string path;
  std::string outcome;  ///< "answered", "reset INTERNAL_ERROR", "refused", "dropped".
};

class H2ScriptServer {
 public:
  /// Over TLS (a throwaway CA in a temporary directory) unless `clear_text`.
  explicit H2ScriptServer(std::vector<std::string> arguments, bool clear_text = false) {
    if (!clear_text) {
      arguments.push_back("--tls");
      arguments.push_back(dir_.file("tls"));
      ca_ = dir_.file("tls/ca.pem");
    }
    arguments.insert(arguments.begin(), SEEDANCE_H2_SCRIPT_SERVER);
    process_ = std::make_unique<ChildProcess>(
        kSystemPython, arguments, std::vector<std::string>{"PATH=/usr/bin:/bin:/usr/sbin:/sbin"});
    const std::string ready = process_->first_stdout_line();
    if (ready.rfind("ready ", 0) != 0) {
      throw std::runtime_error("the h2 script server did not start: " + finish_output());
    }
    url_ = std::string(clear_text ? "http" : "https") + "://127.0.0.1:" + ready.substr(6);
  }

  ~H2ScriptServer() {
    if (process_) (void)finish_output();
  }

  H2ScriptServer(const H2ScriptServer&) = delete;
  H2ScriptServer& operator=(const H2ScriptServer&) = delete;

  const std::string& url() const { return url_; }
  /// The CA to trust (empty in clear text).
  const std::string& ca() const { return ca_; }

  /// Every request reported so far. The server reports a request before it acts on it, and a
  /// sync request sent here comes after every request of a call that returned: once its line
  /// is read, so are theirs.
  std::vector<H2Request> requests() {
    TransportOptions options;
    options.ca_bundle = ca_;
    options.http_version = ca_.empty() ? HttpVersion::Http2PriorKnowledge : HttpVersion::Automatic;
    HttpRequest sync;
    sync.method = "GET";
    sync.url = url_ + "/sync-" + std::to_string(++syncs_);
    sync.timeout = std::chrono::seconds(20);
    const std::string marker = "sync /sync-" + std::to_string(syncs_) + "\n";
    std::string out;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (make_curl_transport(options)->send(sync).status == 200) break;
    }
    (void)process_->wait_for_output(
        [&out, &marker](const std::string& so_far, const std::string&) {
          out = so_far;
          return so_far.find(marker) != std::string::npos;
        },
        std::chrono::seconds(20));
    std::vector<H2Request> requests;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string word;
      H2Request request;
      if (!(words >> word) || word != "request") continue;
      words >> request.number >> request.connection >> request.stream >> request.method >>
          request.path;
      std::getline(words, request.outcome);
      request.outcome.erase(0, request.outcome.find_first_not_of(' '));
      requests.push_back(request);
    }
    return requests;
  }

  std::vector<H2Request> requests(const std::string& method) {
    std::vector<H2Request> all = requests();
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&method](const H2Request& r) { return r.method != method; }),
              all.end());
    return all;
  }

 private:
  std::string finish_output() {
    process_->send_signal(SIGTERM);
    const ProcessResult result = process_->finish();
    process_.reset();
    return result.out + result.err;
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
  std::string ca_;
  int syncs_ = 0;
};

}  // namespace seedance::testing
