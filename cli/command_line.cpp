#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "exit_codes.hpp"
#include "seedance/request.hpp"
#include "seedance/version.hpp"
#include "suggest.hpp"

namespace seedance::cli {
namespace {

constexpr const char* kImageHelp = "(a URL, a data: URI, base64, or @PATH for a local file)";

// Sets an optional string flag; CLI11 2.1 has no std::optional binding.
CLI::Option* add_text(CLI::App& command, const std::string& name,
                      std::optional<std::string>& target, const std::string& help,
                      const std::string& type_name) {
  return command
      .add_option_function<std::string>(
          name, [&target](const std::string& value) { target = value; }, help)
      ->type_name(type_name);
}

// A flag that may be given several times, one value each time.
CLI::Option* add_repeatable(CLI::App& command, const std::string& name,
                            std::vector<std::string>& target, const std::string& help,
                            const std::string& type_name) {
  return command.add_option(name, target, help)
      ->type_name(type_name)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

// "--NAME", "--NAME=false" and "--no-NAME"; when several are given, the last one counts.
void add_boolean(CLI::App& command, const std::string& name, std::optional<bool>& target,
                 const std::string& help) {
  command
      .add_flag_function(
          "--" + name + ",!--no-" + name, [&target](std::int64_t count) { target = count > 0; },
          help + " (--no-" + name + " or --" + name + "=false sends false)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

// "--no-NAME" of a field typed "integer | boolean": sends false.
void add_negation(CLI::App& command, CLI::Option* positive, const std::string& name,
                  std::optional<std::string>& target, const std::string& field) {
  positive->excludes(command.add_flag_callback(
      "--no-" + name, [&target] { target = "false"; }, field + ": false"));
}

// A flag that may take a value: alone it means "true"; "=false" or a number is kept as typed.
void add_switch(CLI::App& command, const std::string& name, std::optional<std::string>& target,
                const std::string& field) {
  CLI::Option* positive =
      add_text(command, "--" + name, target,
               field + ": true (the flag alone), false or a whole number", "[=VALUE]")
          ->expected(0, 1)
          ->default_str("true");
  add_negation(command, positive, name, target, field);
}

void add_request_flags(CLI::App& command, RequestFlags& flags) {
  command.add_option("--model", flags.model, "model id: seedance-2.0 or seedance-2.0-fast")
      ->type_name("M")
      ->capture_default_str();
  CLI::Option* prompt = add_text(command, "--prompt", flags.prompt, "what the video shows", "TEXT");
  prompt->excludes(add_text(command, "--prompt-file", flags.prompt_file,
                            "read the prompt from a file (- for standard input), for long prompts",
                            "PATH"));
  add_text(command, "--image", flags.image, std::string("first-frame image ") + kImageHelp,
           "URL|@PATH");
  add_repeatable(command, "--images", flags.images,
                 std::string("reference image, repeatable ") + kImageHelp, "URL|@PATH");
  add_text(command, "--first-frame", flags.first_frame,
           std::string("image in the first_frame role ") + kImageHelp, "URL|@PATH");
  add_text(command, "--last-frame", flags.last_frame,
           std::string("image in the last_frame role ") + kImageHelp, "URL|@PATH");
  add_repeatable(command, "--reference-image", flags.reference_images,
                 std::string("image in the reference_image role, repeatable ") + kImageHelp,
                 "URL|@PATH");
  add_text(command, "--video", flags.video, "source video to continue", "URL");
  add_text(command, "--audio", flags.audio, "audio track that drives the video", "URL");
  add_text(command, "--duration", flags.duration, "length in seconds, 4-15, or auto (or -1)", "N");
  add_text(command, "--resolution", flags.resolution, "480p, 720p or 1080p", "R");
  add_text(command, "--ratio", flags.ratio, "16:9, 4:3, 1:1, 3:4, 9:16, 21:9 or adaptive", "R");
  add_text(command, "--seed", flags.seed, "random seed, -1 (random) to 4294967295", "N");
  add_boolean(command, "watermark", flags.watermark, "add a watermark");
  add_boolean(command, "generate-audio", flags.generate_audio, "generate synchronized audio");
  add_text(command, "--service-tier", flags.service_tier, "auto, default or priority", "T");
  add_text(command, "--expires-after", flags.expires_after, "task expiry in seconds, e.g. 172800",
           "SECONDS");
  add_boolean(command, "return-last-frame", flags.return_last_frame,
              "also return the last frame image (fetch it with `seedance last-frame`)");
  add_text(command, "--callback-url", flags.callback_url,
           "http(s) URL called when the task finishes", "URL");
  // Forward-compatibility fields: no effect on the seedance-2.0 series.
  add_negation(command,
               add_text(command, "--frames", flags.frames,
                        "metadata.frames: a whole number, or true/false", "N"),
               "frames", flags.frames, "metadata.frames");
  add_switch(command, "camera-fixed", flags.camera_fixed, "metadata.camera_fixed");
  add_switch(command, "draft", flags.draft, "metadata.draft");
  add_repeatable(command, "--set", flags.set_fields,
                 "a field the tool has no flag for, as JSON, e.g. --set metadata.new_option=1 or "
                 "--set 'top={\"a\":1}' (repeatable; a field a flag sets is refused)",
                 "KEY=JSON");
}

constexpr const char* kWaitTimeoutHelp =
    "give up waiting after this many seconds; 0 waits for ever (default 3600)";

void add_wait_flags(CLI::App& command, WaitFlags& flags,
                    const std::string& timeout_help = kWaitTimeoutHelp) {
  add_text(command, "--poll-interval", flags.poll_interval,
           "seconds between status polls, at least 5 (default 10, plus up to 5 s jitter)", "S");
  add_text(command, "--timeout", flags.timeout, timeout_help, "S");
}

void add_task_id(CLI::App& command, std::string& task_id) {
  command.add_option("task_id", task_id, "the task id printed by submit (task_...)")
      ->type_name("TASK_ID")
      ->required();
}

bool is_known_flag(const CLI::App& app, const std::string& name) {
  if (app.get_option_no_throw(name) != nullptr) return true;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->get_option_no_throw(name) != nullptr) return true;
  }
  return false;
}

// Words of argv that may be the API key: the value of --api-key ("--api-key K", "--api-key=K"),
// and the value of a flag the parser does not know ("--api-kee K", "--bogus=K"), which may be a
// mistyped --api-key. Taken from argv itself, because the parse may have stopped before it
// stored anything.
std::vector<std::string> possible_keys(int argc, const char* const* argv, const CLI::App& app) {
  std::vector<std::string> keys;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "mock-server" || argument == "--") break;
    if (argument.size() < 2 || argument.front() != '-') continue;
    const auto equals = argument.find('=');
    const std::string name = argument.substr(0, equals);
    if (name != "--api-key" && is_known_flag(app, name)) continue;
    if (equals != std::string::npos) {
      keys.push_back(argument.substr(equals + 1));
    } else if (i + 1 < argc && argv[i + 1][0] != '-') {
      keys.emplace_back(argv[i + 1]);
    }
  }
  return keys;
}

// The API key may be typed right where a parse error quotes the command line back.
std::string redact_keys(std::string text, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) text = redact(std::move(text), key);
  if (const char* env_key = std::getenv("SEEDANCE_API_KEY"))
    text = redact(std::move(text), env_key);
  return text;
}

}  // namespace

// --json must shape even the errors of a command line that does not parse.
bool asks_for_json(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "mock-server" || argument == "--") return false;
    if (argument == "--json") return true;
  }
  return false;
}

namespace {

void add_global_flags(CLI::App& app, CommandLine& command_line) {
  app.set_version_flag("--version", "seedance " + std::string(version()),
                       "print the version and exit");
  app.require_subcommand(1, 1);
  app.add_option("--base-url", command_line.base_url,
                 "service origin, e.g. https://api.example.com (default: $SEEDANCE_BASE_URL)")
      ->type_name("URL");
  app.add_option("--api-key", command_line.api_key,
                 "API key (default: $SEEDANCE_API_KEY, which keeps it out of `ps`)")
      ->type_name("KEY");
  app.add_option("--config", command_line.config_path,
                 "config file with base_url/api_key lines (default: "
                 "$XDG_CONFIG_HOME/seedance/config or ~/.config/seedance/config, if present)")
      ->type_name("PATH");
  app.add_option("--ca-bundle", command_line.ca_bundle,
                 "PEM file of the CAs to trust instead of the system's (e.g. a company's TLS "
                 "proxy)")
      ->type_name("PATH");
  app.add_option("--proxy", command_line.proxy,
                 "HTTP(S) proxy, e.g. http://proxy:3128 (default: $https_proxy, $http_proxy, "
                 "$all_proxy, honouring $no_proxy)")
      ->type_name("URL");
  CLI::Option* http1_1 = app.add_flag(
      "--http1.1", command_line.http1_1,
      "speak HTTP/1.1 only, also to a server that offers HTTP/2 (default: HTTP/2 over TLS where "
      "the server offers it)");
  app.add_flag("--http2-prior-knowledge", command_line.http2_prior_knowledge,
               "speak HTTP/2 from the first byte, also over plain http:// (a server that speaks "
               "only HTTP/2)")
      ->excludes(http1_1);
  app.add_flag("--alias-routes", command_line.alias_routes,
               "submit and poll through /v1/video/generations (downloads always use "
               "/v1/videos/{id}/content, the only download route)");
  app.add_flag("--json", command_line.json,
               "print results as JSON on stdout and errors as a JSON object on stderr");
  app.add_flag("-q,--quiet", command_line.quiet, "print no progress or messages, only errors");
  app.add_flag("-v,--verbose", command_line.verbose,
               "log every HTTP attempt on stderr (the API key is never printed)");
}

void add_dry_run(CLI::App& command, bool& dry_run) {
  command.add_flag("--dry-run", dry_run, "print the JSON body that would be sent, send nothing");
}

constexpr const char* kOutputHelp =
    "file to save the video to; - writes it to stdout (no FILE.part, no resuming; not with "
    "--json)";

// What generate and download share about the file they write.
void add_output_flags(CLI::App& command, CommandLine& command_line) {
  command.add_flag("--overwrite", command_line.overwrite,
                   "replace FILE if it exists (without it, an existing FILE is refused)");
  add_text(command, "--stall-timeout", command_line.stall_timeout,
           "a download slower than 1 KiB/s for this many seconds is resumed; after 4 such stalls "
           "it fails (default 30)",
           "S");
}

CLI::App* add_generate(CLI::App& app, CommandLine& command_line) {
  CLI::App* generate =
      app.add_subcommand("generate", "submit a task, wait for it, download the video");
  add_request_flags(*generate, command_line.request);
  generate->add_option("-o,--output", command_line.output_path, kOutputHelp)->type_name("FILE");
  add_output_flags(*generate, command_line);
  add_wait_flags(*generate, command_line.wait,
                 "give up after this many seconds for submit, wait and download together, "
                 "keeping FILE.part; 0 sets no limit (default: the wait gives up after 3600, the "
                 "download only when it stalls)");
  add_dry_run(*generate, command_line.dry_run);
  generate->footer(
      "Example: seedance generate --prompt \"A paper boat drifting down a rainy street\" "
      "--duration 5 --resolution 720p -o boat.mp4");
  return generate;
}

CLI::App* add_submit(CLI::App& app, CommandLine& command_line) {
  CLI::App* submit = app.add_subcommand("submit", "submit a task and print its id");
  add_request_flags(*submit, command_line.request);
  add_dry_run(*submit, command_line.dry_run);
  submit->footer(
      "Example: seedance submit --prompt \"A lighthouse at dusk\" --image @first.png --ratio 16:9");
  return submit;
}

CLI::App* add_status(CLI::App& app, CommandLine& command_line) {
  CLI::App* status = app.add_subcommand("status", "print a task's status word and progress");
  add_task_id(*status, command_line.task_id);
  status->footer("Example: seedance status task_abc123   (prints e.g. IN_PROGRESS 50%)");
  return status;
}

CLI::App* add_wait(CLI::App& app, CommandLine& command_line) {
  CLI::App* wait = app.add_subcommand("wait", "wait until a task succeeds or fails");
  add_task_id(*wait, command_line.task_id);
  add_wait_flags(*wait, command_line.wait);
  wait->footer("Example: seedance wait task_abc123 --poll-interval 15 --timeout 1800");
  return wait;
}

CLI::App* add_download(CLI::App& app, CommandLine& command_line) {
  CLI::App* download = app.add_subcommand("download", "download a finished task's video");
  add_task_id(*download, command_line.task_id);
  download->add_option("-o,--output", command_line.output_path, kOutputHelp)
      ->type_name("FILE")
      ->required();
  add_output_flags(*download, command_line);
  download->add_flag("--no-resume", command_line.no_resume,
                     "start over instead of resuming an interrupted download (FILE.part)");
  download->add_flag("--wait", command_line.wait_until_finished,
                     "wait for the task to finish first (as `seedance wait` does), then download");
  add_text(*download, "--timeout", command_line.download_timeout,
           "give up after this many seconds, retries included, keeping FILE.part; 0 (the "
           "default) sets no limit",
           "S");
  download->footer(
      "An interrupted download resumes from FILE.part when run again. A task that is not\n"
      "finished has no video yet: wait for it first (seedance wait TASK_ID), or pass --wait.\n"
      "Example: seedance download task_abc123 -o video.mp4 --wait");
  return download;
}

CLI::App* add_last_frame(CLI::App& app, CommandLine& command_line) {
  CLI::App* last_frame = app.add_subcommand(
      "last-frame", "download the last frame image of a task submitted with --return-last-frame");
  add_task_id(*last_frame, command_line.task_id);
  last_frame->add_option("-o,--output", command_line.output_path, "file to save the image to")
      ->type_name("FILE")
      ->required();
  add_output_flags(*last_frame, command_line);
  last_frame->footer("Example: seedance last-frame task_abc123 -o frame.png");
  return last_frame;
}

CLI::App* add_batch(CLI::App& app, CommandLine& command_line) {
  BatchFlags& flags = command_line.batch;
  CLI::App* batch = app.add_subcommand(
      "batch", "run every job of a JSON Lines file; safe to run again after a crash");
  batch
      ->add_option("jobs", flags.jobs_path,
                   "the job file: one request body (JSON, with an optional \"name\") per line")
      ->type_name("JOBS.jsonl")
      ->required();
  batch
      ->add_option("--out-dir", flags.out_dir,
                   "directory for the videos (DIR/<name or task id>.mp4); created if missing; "
                   "required but with --dry-run")
      ->type_name("DIR");
  batch->add_option("--concurrency", flags.concurrency, "jobs in progress at once (default 4)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  add_text(*batch, "--rate", flags.rate,
           "at most R submits per second, e.g. 2 or 0.5/s (default: no cap)", "R/s");
  batch
      ->add_option("--journal", flags.journal_path,
                   "the journal recording each job's task id (default "
                   "DIR/.seedance-journal.sqlite)")
      ->type_name("PATH");
  batch->add_flag("--resubmit-unknown", flags.resubmit_unknown,
                  "submit again jobs whose earlier submit has an unknown outcome (may pay twice)");
  add_wait_flags(*batch, command_line.wait);
  batch->add_flag("--dry-run", command_line.dry_run,
                  "check every job and print each JSON body that would be sent, send nothing");
  batch->footer(
      "Example: seedance batch prompts.jsonl --out-dir videos --concurrency 8 --rate 2\n"
      "  where each line of prompts.jsonl is e.g. "
      "{\"name\":\"boat\",\"prompt\":\"A paper boat\",\"duration\":5}");
  return batch;
}

CLI::App* add_mock_server(CLI::App& app) {
  CLI::App* mock_server = app.add_subcommand(
      "mock-server", "run the bundled mock of the API (seedance-mock-server) for testing");
  mock_server->prefix_command();
  mock_server->set_help_flag();  // --help goes to seedance-mock-server.
  mock_server->footer("Example: seedance mock-server --port 8080 --polls 2");
  return mock_server;
}

constexpr const char* kFooter =
    "Run `seedance help COMMAND` (or `seedance COMMAND --help`) for a command's flags.\n"
    "Example: one per command, with SEEDANCE_BASE_URL and SEEDANCE_API_KEY set:\n"
    "  seedance generate --prompt \"A paper boat on a rainy street\" --duration 5 -o boat.mp4\n"
    "  seedance submit --prompt \"A lighthouse at dusk\" --image @first.png\n"
    "  seedance status task_abc123\n"
    "  seedance wait task_abc123 --timeout 1800\n"
    "  seedance download task_abc123 -o video.mp4\n"
    "  seedance last-frame task_abc123 -o frame.png\n"
    "  seedance batch prompts.jsonl --out-dir videos --concurrency 8 --rate 2\n"
    "  seedance mock-server --port 8080 --polls 2\n"
    "  seedance completion bash\n"
    "  seedance help generate\n"
    "  seedance --json status task_abc123\n"
    "Settings: flags > SEEDANCE_BASE_URL/SEEDANCE_API_KEY > the config file\n"
    "  ($XDG_CONFIG_HOME/seedance/config or ~/.config/seedance/config; `key = value` lines).\n"
    "Exit codes: 0 success, 1 task failed, 2 invalid input (nothing sent), 3 API error,\n"
    "4 network error/timeout/cancelled, 5 submit outcome unknown.";

CLI::App* add_help(CLI::App& app, std::string& topic) {
  CLI::App* help =
      app.add_subcommand("help", "print the help of a command (the same as COMMAND --help)");
  help->add_option("command", topic, "the command")->type_name("COMMAND");
  help->footer("Example: seedance help generate");
  return help;
}

CLI::App* add_completion(CLI::App& app, CommandLine& command_line) {
  CLI::App* completion =
      app.add_subcommand("completion", "print the shell completion script: bash, zsh or fish");
  completion->add_option("shell", command_line.completion_shell, "bash, zsh or fish")
      ->type_name("SHELL")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer(
      "An install puts the scripts where bash-completion, zsh and fish look; without one:\n"
      "Example: source <(seedance completion bash)");
  return completion;
}

// CLI11 lists only a command's own flags in its help; the global ones are accepted there too.
std::string global_flags_help(const CLI::App& app) {
  const std::vector<const CLI::Option*> options =
      app.get_options([&app](const CLI::Option* option) {
        return option->nonpositional() && option != app.get_help_ptr() &&
               option != app.get_version_ptr();
      });
  // Without make_group's leading blank line: the footer comes after one already.
  return CLI::Formatter()
      .make_group("Global flags (before or after the command)", false, options)
      .substr(1);
}

// The whole command line: `seedance` with its global flags and commands.
struct Parser {
  CLI::App app{"Generate videos with the Seedance 2.0 API.", "seedance"};
  std::vector<std::pair<CLI::App*, Command>> commands;
  CLI::App* mock_server = nullptr;
  CLI::App* help = nullptr;
  std::string help_topic;

  explicit Parser(CommandLine& command_line) {
    add_global_flags(app, command_line);
    commands = {{add_generate(app, command_line), Command::Generate},
                {add_submit(app, command_line), Command::Submit},
                {add_status(app, command_line), Command::Status},
                {add_wait(app, command_line), Command::Wait},
                {add_download(app, command_line), Command::Download},
                {add_last_frame(app, command_line), Command::LastFrame},
                {add_batch(app, command_line), Command::Batch},
                {add_completion(app, command_line), Command::Completion}};
    mock_server = add_mock_server(app);
    help = add_help(app, help_topic);
    for (const auto& command : commands) {
      command.first->fallthrough();
      command.first->footer([this] { return global_flags_help(app); });
    }
    app.footer(kFooter);
  }
};

std::vector<std::string> flag_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

const CLI::App* find_command(const CLI::App& app, const std::string& name) {
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->get_name() == name) return command;
  }
  return nullptr;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

std::string unknown_command_hint(const CLI::App& app, const std::string& word) {
  std::string hint = "unknown command '" + word + "'";
  if (const auto match = closest_match(word, command_names(app))) {
    hint += "; did you mean '" + *match + "'?";
  }
  return hint;
}

// "Did you mean" for each mistyped command or flag of argv. Only names are quoted back (never a
// flag's value, which may be the API key).
std::vector<std::string> typo_hints(int argc, const char* const* argv, const CLI::App& app) {
  std::vector<std::string> hints;
  const CLI::App* command = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--" || (command != nullptr && command->get_name() == "mock-server")) break;
    if (argument.size() < 2 || argument.front() != '-') {
      if (command != nullptr) continue;  // an operand
      command = find_command(app, argument);
      if (command == nullptr) {
        hints.push_back(unknown_command_hint(app, argument));
        break;
      }
      continue;
    }
    const std::string name = argument.substr(0, argument.find('='));
    const CLI::Option* option = command != nullptr ? command->get_option_no_throw(name) : nullptr;
    if (option == nullptr) option = app.get_option_no_throw(name);
    if (option != nullptr) {
      if (name.size() == argument.size() && option->get_expected_min() > 0) ++i;  // its value
      continue;
    }
    std::vector<std::string> candidates = flag_names(app);
    if (command != nullptr) {
      const std::vector<std::string> own = flag_names(*command);
      candidates.insert(candidates.begin(), own.begin(), own.end());
    }
    std::string hint = "unknown flag " + name;
    if (const auto match = closest_match(name, candidates))
      hint += "; did you mean " + *match + "?";
    hints.push_back(hint);
    // The next word may be its value, to be quoted back no more than the value itself.
    if (name.size() == argument.size() && i + 1 < argc && argv[i + 1][0] != '-') ++i;
  }
  return hints;
}

FlagSpec describe_flag(const CLI::Option& option) {
  FlagSpec flag;
  for (const std::string& name : option.get_snames()) flag.names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) flag.names.push_back("--" + name);
  if (option.get_expected_min() > 0) flag.value_name = option.get_type_name();
  flag.help = option.get_description();
  flag.repeatable = option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  return flag;
}

CommandSpec describe_command(const CLI::App& command) {
  CommandSpec spec{command.get_name(), command.get_description(), {}, {}};
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_positional()) {
      spec.operands.push_back(option->get_type_name());
    } else {
      spec.flags.push_back(describe_flag(*option));
    }
  }
  return spec;
}

void report_usage_error(const std::string& message, bool json_errors, bool with_hint,
                        std::ostream& err, const std::vector<std::string>& typos = {}) {
  if (json_errors) {
    std::string text = message;
    for (const std::string& typo : typos) text += "; " + typo;
    report_usage_error_json(text, err);
    return;
  }
  err << "seedance: error: " << message << '\n';
  for (const std::string& typo : typos) err << "seedance: " << typo << '\n';
  if (with_hint) err << "seedance: run `seedance --help` for usage\n";
}

// `seedance help [COMMAND]`: exactly what `seedance [COMMAND] --help` does.
ParseResult run_help(const Parser& parser, const char* program, bool json_errors, std::ostream& out,
                     std::ostream& err) {
  const std::string& topic = parser.help_topic;
  if (topic.empty()) {
    const char* const help_argv[] = {program, "--help"};
    return parse_command_line(2, help_argv, out, err);
  }
  if (find_command(parser.app, topic) == nullptr) {
    report_usage_error(unknown_command_hint(parser.app, topic), json_errors, true, err);
    ParseResult result;
    result.exit_code = kExitInvalidInput;
    return result;
  }
  const char* const help_argv[] = {program, topic.c_str(), "--help"};
  return parse_command_line(3, help_argv, out, err);
}

}  // namespace

ParserSpec describe_parser() {
  CommandLine scratch;
  const Parser parser(scratch);
  ParserSpec spec;
  for (const CLI::Option* option : parser.app.get_options()) {
    spec.global_flags.push_back(describe_flag(*option));
  }
  for (const CLI::App* command : parser.app.get_subcommands([](const CLI::App*) { return true; })) {
    spec.commands.push_back(describe_command(*command));
  }
  return spec;
}

ParseResult parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err) {
  CommandLine command_line;
  const bool json_errors = asks_for_json(argc, argv);
  Parser parser(command_line);
  CLI::App& app = parser.app;

  ParseResult result;
  result.exit_code = kExitInvalidInput;
  if (argc <= 1) {
    err << app.help();
    return result;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      result.exit_code = app.exit(error, out, err);
      return result;
    }
    std::vector<std::string> keys = possible_keys(argc, argv, app);
    keys.push_back(command_line.api_key);
    report_usage_error(redact_keys(error.what(), keys), json_errors, true, err,
                       typo_hints(argc, argv, app));
    return result;
  }

  if (*parser.help) return run_help(parser, argv[0], json_errors, out, err);
  for (const auto& [subcommand, command] : parser.commands) {
    if (*subcommand) command_line.command = command;
  }
  if (*parser.mock_server) {
    command_line.command = Command::MockServer;
    command_line.mock_server_arguments = parser.mock_server->remaining();
  }
  if (command_line.command == Command::Generate && !command_line.dry_run &&
      command_line.output_path.empty()) {
    report_usage_error("generate needs -o FILE, the file to save the video to", json_errors, false,
                       err);
    return result;
  }
  if (command_line.command == Command::Batch && !command_line.dry_run &&
      command_line.batch.out_dir.empty()) {
    report_usage_error("batch needs --out-dir DIR, the directory for the videos", json_errors,
                       false, err);
    return result;
  }
  result.exit_code = kExitSuccess;
  result.command_line = std::move(command_line);
  return result;
}

}  // namespace seedance::cli
