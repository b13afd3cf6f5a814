// What the commands share: the console on stderr, the client's settings, the JSON shapes of
// results, and the cancellation and progress of a long-running command.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "seedance/client.hpp"

namespace seedance::cli {

// stderr for people: progress and messages (none with --quiet), the request log (--verbose).
class Console {
 public:
  Console(std::ostream& err, const CommandLine& command_line, const RunSettings& settings)
      // With --json, stderr carries only the error object (and --verbose's log), so that it
      // parses; on a terminal, which no program parses, the live progress line stays.
      : quiet_(command_line.quiet || command_line.json),
        progress_(!command_line.quiet && (!command_line.json || settings.live_progress)),
        verbose_(command_line.verbose),
        reporter_(err, settings.live_progress && progress_) {}

  bool quiet() const { return quiet_; }
  /// Whether waits and downloads report their progress (messages may still be off).
  bool shows_progress() const { return progress_; }
  bool live() const { return reporter_.live(); }
  ProgressReporter& reporter() { return reporter_; }

  void message(const std::string& text) {
    if (!quiet_) reporter_.message(text);
  }

  /// "warning: ..." (the SDK's own "seedance: " prefix dropped); none with --quiet or --json.
  void warning(const std::string& text) {
    constexpr std::string_view kPrefix = "seedance: ";
    const bool prefixed = text.compare(0, kPrefix.size(), kPrefix) == 0;
    std::string line = prefixed ? text.substr(kPrefix.size()) : text;
    if (line.compare(0, 9, "warning: ") != 0) line = "warning: " + line;
    message(line);
  }

  /// The ClientOptions::logger of --verbose; RequestEvent carries no secret, and the text is
  /// redacted all the same.
  RequestLogger logger(const std::string& api_key) {
    if (!verbose_) return {};
    return [this, api_key](const RequestEvent& event) {
      std::string line = "http: " + event.method + " " + event.path + " attempt " +
                         std::to_string(event.attempt) + " -> ";
      line += event.status != 0 ? std::to_string(event.status) : std::string("no response");
      line += " (" + std::to_string(event.duration.count()) + " ms)";
      if (!event.decision.empty()) line += ": " + event.decision;
      reporter_.message(redact(line, api_key));
    };
  }

 private:
  const bool quiet_;
  const bool progress_;
  const bool verbose_;
  ProgressReporter reporter_;
};

/// The client's settings, flags > environment > config file; a missing base URL or key is a
/// problem, so nothing is sent without them.
ClientOptions client_options(const CommandLine& command_line, const RunSettings& settings,
                             Console& console, std::vector<std::string>& problems);

/// --stall-timeout (generate, download) into the transport's stall window.
void apply_stall_timeout(const CommandLine& command_line, ClientOptions& options,
                         std::vector<std::string>& problems);

/// The API key as it will be used, for redacting errors (config problems are ignored here).
std::string effective_api_key(const CommandLine& command_line);

/// Where that key comes from, for an authentication error: "--api-key", "SEEDANCE_API_KEY" or
/// "the config file PATH"; empty when there is none.
std::string api_key_source(const CommandLine& command_line);

/// The JSON of a receipt and of a task: the SDK's reading and, under "response", the body as
/// the service sent it.
nlohmann::json receipt_json(const Receipt& receipt);
nlohmann::json task_json(const Task& task);
/// One line of JSON (a pretty-printed body would break line-oriented scripts).
std::string dump_line(const nlohmann::json& object);

// Cancellation, Ctrl-C handling and the progress display shared by the long-running commands.
class Session {
 public:
  Session(Console& console, const RunSettings& settings) : console_(console) {
    if (settings.handle_interrupts) interrupt_guard_.emplace(cancel_);
    if (console.live()) {
      ticker_.emplace(std::chrono::seconds(1), [this] { console_.reporter().tick(); });
    }
  }

  void attach(WaitOptions& options) {
    options.cancel = cancel_;
    if (console_.shows_progress()) {
      options.on_progress = [this](const Task& task) { console_.reporter().task_changed(task); };
    }
  }

  DownloadOptions download_options() {
    DownloadOptions options;
    options.cancel = cancel_;
    if (console_.shows_progress()) {
      options.on_progress = [this](const DownloadProgress& progress) {
        console_.reporter().download_progressed(progress);
      };
    }
    return options;
  }

  const CancellationToken& cancel() const { return cancel_; }
  bool interrupted() const { return interrupt_guard_ && interrupt_guard_->interrupted(); }

 private:
  Console& console_;
  CancellationToken cancel_;
  std::optional<InterruptGuard> interrupt_guard_;
  std::optional<Ticker> ticker_;  // Last, so it stops before the rest goes.
};

/// Whether `-o -` asks for the video on stdout; with --json (stdout is the result) a problem.
bool video_to_stdout(const CommandLine& command_line, std::vector<std::string>& problems);

/// Writes the video to the process's stdout as it arrives: raw bytes, unbuffered, never through
/// the redacting text stream (which would alter them). Throws Error when stdout refuses them.
ByteSink stdout_sink();

/// The path a download went to: the result's, else the one asked for.
std::string downloaded_path(const DownloadResult& result, const std::string& requested);

/// The commands; each returns the exit code and throws what run_command() reports.
///@{
int run_generate_or_submit(const CommandLine& command_line, std::ostream& out, Console& console,
                           const RunSettings& settings);
int run_status(const CommandLine& command_line, std::ostream& out, Console& console,
               const RunSettings& settings);
int run_wait(const CommandLine& command_line, std::ostream& out, Console& console,
             const RunSettings& settings);
int run_download(const CommandLine& command_line, std::ostream& out, Console& console,
                 const RunSettings& settings);
int run_last_frame(const CommandLine& command_line, std::ostream& out, Console& console,
                   const RunSettings& settings);
int run_batch_command(const CommandLine& command_line, std::ostream& out, Console& console,
                      const RunSettings& settings);
int run_mock_server(const CommandLine& command_line, std::ostream& out, std::ostream& err);
int run_completion(const CommandLine& command_line, std::ostream& out);
///@}

}  // namespace seedance::cli
