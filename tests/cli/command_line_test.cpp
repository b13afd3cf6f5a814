// Parsing of the command line into a CommandLine.
#include "command_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "seedance/version.hpp"

namespace seedance::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct Parsed {
  ParseResult result;
  std::string out;
  std::string err;
};

Parsed parse(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "seedance");
  std::vector<const char*> argv;
  for (const auto& argument : arguments) argv.push_back(argument.c_str());
  std::ostringstream out;
  std::ostringstream err;
  Parsed parsed;
  parsed.result = parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  parsed.out = out.str();
  parsed.err = err.str();
  return parsed;
}

TEST(ParseCommandLine, GenerateWithEveryRequestFlag) {
  const auto parsed = parse({"--base-url",
                             "http://127.0.0.1:9",
                             "--api-key",
                             "k",
                             "generate",
                             "--model",
                             "seedance-2.0-fast",
                             "--prompt",
                             "a boat",
                             "--image",
                             "@first.png",
                             "--images",
                             "https://a",
                             "--images",
                             "@b.png",
                             "--first-frame",
                             "https://ff",
                             "--last-frame",
                             "@lf.png",
                             "--reference-image",
                             "https://r1",
                             "--reference-image",
                             "@r2.png",
                             "--video",
                             "https://v",
                             "--audio",
                             "https://au",
                             "--duration",
                             "6",
                             "--resolution",
                             "1080p",
                             "--ratio",
                             "21:9",
                             "--seed",
                             "12",
                             "--watermark",
                             "--generate-audio",
                             "--service-tier",
                             "default",
                             "--expires-after",
                             "3600",
                             "--return-last-frame",
                             "--callback-url",
                             "https://cb",
                             "-o",
                             "out.mp4",
                             "--poll-interval",
                             "6",
                             "--timeout",
                             "90"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  const CommandLine& line = *parsed.result.command_line;
  EXPECT_EQ(line.command, Command::Generate);
  EXPECT_EQ(line.base_url, "http://127.0.0.1:9");
  EXPECT_EQ(line.api_key, "k");
  const RequestFlags& flags = line.request;
  EXPECT_EQ(flags.model, "seedance-2.0-fast");
  EXPECT_EQ(flags.prompt, "a boat");
  EXPECT_EQ(flags.image, "@first.png");
  EXPECT_THAT(flags.images, ElementsAre("https://a", "@b.png"));
  EXPECT_EQ(flags.first_frame, "https://ff");
  EXPECT_EQ(flags.last_frame, "@lf.png");
  EXPECT_THAT(flags.reference_images, ElementsAre("https://r1", "@r2.png"));
  EXPECT_EQ(flags.video, "https://v");
  EXPECT_EQ(flags.audio, "https://au");
  EXPECT_EQ(flags.duration, "6");
  EXPECT_EQ(flags.resolution, "1080p");
  EXPECT_EQ(flags.ratio, "21:9");
  EXPECT_EQ(flags.seed, "12");
  EXPECT_EQ(flags.watermark, true);
  EXPECT_EQ(flags.generate_audio, true);
  EXPECT_EQ(flags.service_tier, "default");
  EXPECT_EQ(flags.expires_after, "3600");
  EXPECT_EQ(flags.return_last_frame, true);
  EXPECT_EQ(flags.callback_url, "https://cb");
  EXPECT_EQ(line.output_path, "out.mp4");
  EXPECT_EQ(line.wait.poll_interval, "6");
  EXPECT_EQ(line.wait.timeout, "90");
  EXPECT_FALSE(line.dry_run);
}

TEST(ParseCommandLine, SubmitDefaultsLeaveEverythingUnset) {
  const auto parsed = parse({"submit", "--prompt", "x"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  const CommandLine& line = *parsed.result.command_line;
  EXPECT_EQ(line.command, Command::Submit);
  EXPECT_EQ(line.request.model, "seedance-2.0");
  EXPECT_FALSE(line.request.image);
  EXPECT_FALSE(line.request.duration);
  EXPECT_FALSE(line.request.watermark);
  EXPECT_THAT(line.request.images, IsEmpty());
  EXPECT_TRUE(line.base_url.empty());
  EXPECT_TRUE(line.api_key.empty());
}

TEST(ParseCommandLine, GlobalFlagsMayFollowTheCommand) {
  const auto parsed = parse({"status", "task_1", "--base-url", "http://h", "--api-key", "k"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_EQ(parsed.result.command_line->base_url, "http://h");
  EXPECT_EQ(parsed.result.command_line->api_key, "k");
}

TEST(ParseCommandLine, TaskCommands) {
  auto parsed = parse({"status", "task_1"});
  ASSERT_TRUE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.command_line->command, Command::Status);
  EXPECT_EQ(parsed.result.command_line->task_id, "task_1");

  parsed = parse({"wait", "task_2", "--poll-interval", "15", "--timeout", "0"});
  ASSERT_TRUE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.command_line->command, Command::Wait);
  EXPECT_EQ(parsed.result.command_line->task_id, "task_2");
  EXPECT_EQ(parsed.result.command_line->wait.poll_interval, "15");
  EXPECT_EQ(parsed.result.command_line->wait.timeout, "0");

  parsed = parse({"download", "task_3", "-o", "v.mp4"});
  ASSERT_TRUE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.command_line->command, Command::Download);
  EXPECT_EQ(parsed.result.command_line->task_id, "task_3");
  EXPECT_EQ(parsed.result.command_line->output_path, "v.mp4");
  EXPECT_FALSE(parsed.result.command_line->no_resume);

  parsed = parse({"download", "task_3", "-o", "v.mp4", "--no-resume"});
  ASSERT_TRUE(parsed.result.command_line);
  EXPECT_TRUE(parsed.result.command_line->no_resume);
}

TEST(ParseCommandLine, DryRunOnGenerateNeedsNoOutputFile) {
  const auto parsed = parse({"generate", "--dry-run", "--prompt", "x"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_TRUE(parsed.result.command_line->dry_run);
}

TEST(ParseCommandLine, GenerateWithoutOutputFileIsInvalid) {
  const auto parsed = parse({"generate", "--prompt", "x"});
  EXPECT_FALSE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, StartsWith("seedance: error: generate needs -o FILE"));
}

TEST(ParseCommandLine, LastFrameTakesATaskAndAFile) {
  const auto parsed = parse({"last-frame", "task_1", "-o", "frame.png", "--overwrite"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_EQ(parsed.result.command_line->command, Command::LastFrame);
  EXPECT_EQ(parsed.result.command_line->task_id, "task_1");
  EXPECT_EQ(parsed.result.command_line->output_path, "frame.png");
  EXPECT_TRUE(parsed.result.command_line->overwrite);
  EXPECT_FALSE(parse({"last-frame", "task_1"}).result.command_line);
}

TEST(ParseCommandLine, BatchNeedsAnOutDirUnlessItIsADryRun) {
  const auto dry = parse({"batch", "jobs.jsonl", "--dry-run"});
  ASSERT_TRUE(dry.result.command_line) << dry.err;
  EXPECT_TRUE(dry.result.command_line->dry_run);
  const auto real = parse({"batch", "jobs.jsonl"});
  EXPECT_FALSE(real.result.command_line);
  EXPECT_EQ(real.result.exit_code, 2);
  EXPECT_THAT(real.err, HasSubstr("batch needs --out-dir DIR"));
}

TEST(ParseCommandLine, SetIsRepeatable) {
  const auto parsed = parse({"submit", "--prompt", "p", "--set", "a=1", "--set", "metadata.b=2"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_THAT(parsed.result.command_line->request.set_fields, ElementsAre("a=1", "metadata.b=2"));
}

TEST(ParseCommandLine, SyntaxErrorsExitTwoWithAPrefixedMessage) {
  for (const std::vector<std::string>& arguments : {std::vector<std::string>{"frobnicate"},
                                                    {"status"},
                                                    {"download", "task_1"},
                                                    {"submit", "--no-such-flag"},
                                                    {"submit", "--prompt"},
                                                    {"status", "a", "b"}}) {
    const auto parsed = parse(arguments);
    EXPECT_FALSE(parsed.result.command_line) << arguments.front();
    EXPECT_EQ(parsed.result.exit_code, 2) << arguments.front();
    EXPECT_THAT(parsed.err, StartsWith("seedance: error: ")) << arguments.front();
  }
}

TEST(ParseCommandLine, NoArgumentsPrintsUsageAndExitsTwo) {
  const auto parsed = parse({});
  EXPECT_FALSE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("generate"));
}

TEST(ParseCommandLine, ParseErrorsDoNotEchoTheApiKey) {
  const auto parsed =
      parse({"--api-key", "sk-do-not-print", "status", "task_1", "sk-do-not-print"});
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, ::testing::Not(HasSubstr("sk-do-not-print")));
}

TEST(ParseCommandLine, VersionPrintsTheLibraryVersion) {
  const auto parsed = parse({"--version"});
  EXPECT_FALSE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.exit_code, 0);
  EXPECT_EQ(parsed.out, "seedance " + std::string(version()) + "\n");
}

TEST(ParseCommandLine, EveryCommandsHelpHasAnExample) {
  for (const char* command : {"generate", "submit", "status", "wait", "download", "batch"}) {
    const auto parsed = parse({command, "--help"});
    EXPECT_FALSE(parsed.result.command_line) << command;
    EXPECT_EQ(parsed.result.exit_code, 0) << command;
    EXPECT_THAT(parsed.out, HasSubstr(std::string("Example: seedance ") + command)) << command;
  }
  const auto parsed = parse({"--help"});
  EXPECT_EQ(parsed.result.exit_code, 0);
  EXPECT_THAT(parsed.out, HasSubstr("Example:"));
  EXPECT_THAT(parsed.out, HasSubstr("Exit codes"));
}

TEST(ParseCommandLine, HelpCommandIsTheCommandsHelp) {
  for (const char* command :
       {"generate", "submit", "status", "wait", "download", "batch", "completion"}) {
    const auto help = parse({"help", command});
    const auto flag = parse({command, "--help"});
    EXPECT_EQ(help.result.exit_code, 0) << command;
    EXPECT_FALSE(help.result.command_line) << command;
    EXPECT_EQ(help.out, flag.out) << command;
  }
  const auto top = parse({"help"});
  EXPECT_EQ(top.result.exit_code, 0);
  EXPECT_EQ(top.out, parse({"--help"}).out);

  const auto unknown = parse({"help", "genrate"});
  EXPECT_EQ(unknown.result.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'genrate'; did you mean 'generate'?"));
}

TEST(ParseCommandLine, EveryCommandsHelpListsTheGlobalFlags) {
  for (const char* command : {"generate", "submit", "status", "wait", "download", "batch"}) {
    const auto parsed = parse({command, "--help"});
    EXPECT_THAT(parsed.out, HasSubstr("Global flags (before or after the command):")) << command;
    for (const char* flag :
         {"--base-url", "--api-key", "--config", "--ca-bundle", "--proxy", "--http1.1",
          "--http2-prior-knowledge", "--alias-routes", "--json", "-q,--quiet", "-v,--verbose"}) {
      EXPECT_THAT(parsed.out, HasSubstr(flag)) << command << " " << flag;
    }
  }
}

TEST(ParseCommandLine, HttpVersionFlagsAsCurlsAndNotBoth) {
  auto parsed = parse({"status", "task_1", "--http1.1"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_TRUE(parsed.result.command_line->http1_1);
  EXPECT_FALSE(parsed.result.command_line->http2_prior_knowledge);
  parsed = parse({"--http2-prior-knowledge", "status", "task_1"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_TRUE(parsed.result.command_line->http2_prior_knowledge);
  parsed = parse({"--http1.1", "--http2-prior-knowledge", "status", "task_1"});
  EXPECT_FALSE(parsed.result.command_line);
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("--http2-prior-knowledge"));
}

TEST(ParseCommandLine, MistypedCommandsAndFlagsGetASuggestion) {
  auto parsed = parse({"genrate", "--prompt", "x"});
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("seedance: unknown command 'genrate'; did you mean "
                                    "'generate'?\n"));

  parsed = parse({"submit", "--promt", "x", "--resolutoin", "720p"});
  EXPECT_EQ(parsed.result.exit_code, 2);
  EXPECT_THAT(parsed.err, HasSubstr("seedance: unknown flag --promt; did you mean --prompt?\n"));
  EXPECT_THAT(parsed.err,
              HasSubstr("seedance: unknown flag --resolutoin; did you mean --resolution?\n"));

  // A global flag mistyped after the command, and the value of a mistyped --api-key unquoted.
  parsed = parse({"status", "task_1", "--jsno", "--api-kee=sk-secret-value"});
  EXPECT_THAT(parsed.err, HasSubstr("unknown flag --jsno; did you mean --json?"));
  EXPECT_THAT(parsed.err, HasSubstr("unknown flag --api-kee; did you mean --api-key?"));
  EXPECT_THAT(parsed.err, ::testing::Not(HasSubstr("sk-secret-value")));

  // --json puts the suggestion in the error object's message.
  parsed = parse({"--json", "stauts", "task_1"});
  EXPECT_THAT(parsed.err, HasSubstr("did you mean 'status'?"));
}

TEST(ParseCommandLine, CompletionTakesAKnownShell) {
  auto parsed = parse({"completion", "zsh"});
  ASSERT_TRUE(parsed.result.command_line) << parsed.err;
  EXPECT_EQ(parsed.result.command_line->command, Command::Completion);
  EXPECT_EQ(parsed.result.command_line->completion_shell, "zsh");
  parsed = parse({"completion", "powershell"});
  EXPECT_EQ(parsed.result.exit_code, 2);
}

TEST(DescribeParser, ReadsTheFlagsAndCommandsOfTheParser) {
  const ParserSpec spec = describe_parser();
  std::vector<std::string> commands;
  for (const CommandSpec& command : spec.commands) commands.push_back(command.name);
  EXPECT_THAT(commands, ::testing::IsSupersetOf({"generate", "submit", "status", "wait", "download",
                                                 "batch", "mock-server", "completion", "help"}));
  const auto generate = std::find_if(spec.commands.begin(), spec.commands.end(),
                                     [](const CommandSpec& c) { return c.name == "generate"; });
  ASSERT_NE(generate, spec.commands.end());
  const auto output = std::find_if(generate->flags.begin(), generate->flags.end(),
                                   [](const FlagSpec& f) { return f.names.back() == "--output"; });
  ASSERT_NE(output, generate->flags.end());
  EXPECT_THAT(output->names, ElementsAre("-o", "--output"));
  EXPECT_EQ(output->value_name, "FILE");
  const auto images = std::find_if(generate->flags.begin(), generate->flags.end(),
                                   [](const FlagSpec& f) { return f.names.back() == "--images"; });
  ASSERT_NE(images, generate->flags.end());
  EXPECT_TRUE(images->repeatable);
}

}  // namespace
}  // namespace seedance::cli
