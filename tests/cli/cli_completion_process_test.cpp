// Runs `seedance completion bash` and the script it prints in a real bash: every command offers
// exactly the flags its parser has, values complete from the SDK's words and "@" from files, and
// mock-server's flags are seedance-mock-server's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "completion_script.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;
using testing::ProcessResult;

class CliCompletionTest : public ::testing::Test {
 protected:
  CliCompletionTest() {
    const ProcessResult printed = testing::run_process(kCli, {"completion", "bash"}, {});
    EXPECT_EQ(printed.exit_code, 0) << describe(printed);
    testing::write_file(script_, printed.out);
  }

  // COMPREPLY for each line of words typed so far, one output line each (sorted words).
  std::vector<std::string> complete(const std::vector<std::string>& queries) {
    std::string program = "source '" + script_ + "'\n";
    for (const std::string& words : queries) {
      program += "COMP_WORDS=(" + words +
                 "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _seedance; "
                 "printf '%s\\n' \"$(printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' ')\"\n";
    }
    const ProcessResult result = testing::run_process("/bin/bash", {"-c", program}, {});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::vector<std::string> lines;
    std::istringstream in(result.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    EXPECT_EQ(lines.size(), queries.size()) << result.out;
    lines.resize(queries.size());
    return lines;
  }

  testing::TempDir dir_;
  std::string script_ = dir_.file("seedance.bash");
};

std::string sorted_words(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  std::string text;
  for (const std::string& word : words) text += word + " ";
  return text;
}

std::vector<std::string> names_of(const std::vector<FlagSpec>& flags) {
  std::vector<std::string> names;
  for (const FlagSpec& flag : flags)
    names.insert(names.end(), flag.names.begin(), flag.names.end());
  return names;
}

TEST_F(CliCompletionTest, EveryCommandOffersExactlyTheFlagsOfItsParser) {
  const ParserSpec spec = completion_spec();
  std::vector<std::string> queries = {"seedance ''", "seedance -"};
  std::vector<std::string> expected;
  std::vector<std::string> commands;
  for (const CommandSpec& command : spec.commands) commands.push_back(command.name);
  expected.push_back(sorted_words(commands));
  expected.push_back(sorted_words(names_of(spec.global_flags)));
  for (const CommandSpec& command : spec.commands) {
    // A command's operand is typed first where there is one, so the flags follow it.
    queries.push_back("seedance " + command.name + " -");
    std::vector<std::string> flags = names_of(command.flags);
    if (command.name != "mock-server") {
      const auto global = names_of(spec.global_flags);
      flags.insert(flags.end(), global.begin(), global.end());
    }
    expected.push_back(sorted_words(flags));
  }
  EXPECT_EQ(complete(queries), expected);
}

TEST_F(CliCompletionTest, ValuesCompleteFromTheSdksWordsAndAtFiles) {
  testing::write_file(dir_.file("first.png"), testing::tiny_png());
  const std::string at_prefix = "@" + dir_.file("fi");
  const auto replies = complete({
      "seedance generate --resolution 10",
      "seedance submit --ratio 16",
      "seedance submit --service-tier p",
      "seedance submit --model seedance-2.0-f",
      "seedance submit --image " + at_prefix,
      "seedance submit --reference-image " + at_prefix,
      "seedance submit --prompt ''",
      "seedance completion ''",
      "seedance help st",
      "seedance mock-server --dialect g",
  });
  EXPECT_EQ(replies[0], "1080p ");
  EXPECT_EQ(replies[1], "16:9 ");
  EXPECT_EQ(replies[2], "priority ");
  EXPECT_EQ(replies[3], "seedance-2.0-fast ");
  EXPECT_EQ(replies[4], "@" + dir_.file("first.png") + " ");
  EXPECT_EQ(replies[5], "@" + dir_.file("first.png") + " ");
  EXPECT_EQ(replies[6], " ");  // free text: nothing offered
  EXPECT_EQ(replies[7], "bash fish zsh ");
  EXPECT_EQ(replies[8], "status ");
  EXPECT_EQ(replies[9], "gateway ");
}

// mock-server's flags are seedance-mock-server's own, which the CLI's parser does not hold.
TEST(CliCompletion, MockServerFlagsAreTheMockServersOwn) {
  const ProcessResult help = testing::run_process(kMockServer, {"--help"}, {});
  ASSERT_EQ(help.exit_code, 0) << describe(help);
  std::set<std::string> documented;
  std::istringstream in(help.out);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, 4, "  --") == 0) documented.insert(line.substr(2, line.find(' ', 2) - 2));
  }
  std::set<std::string> completed;
  for (const CommandSpec& command : completion_spec().commands) {
    if (command.name != "mock-server") continue;
    for (const std::string& name : names_of(command.flags)) completed.insert(name);
  }
  EXPECT_EQ(completed, documented);
}

TEST(CliCompletion, EachShellsScriptIsPrintedAndAnUnknownShellRefused) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    const ProcessResult result = testing::run_process(kCli, {"completion", shell}, {});
    EXPECT_EQ(result.exit_code, 0) << describe(result);
    EXPECT_THAT(result.out, HasSubstr(std::string("completion for seedance, generated by "
                                                  "`seedance completion ") +
                                      shell + "`"));
  }
  const ProcessResult refused = testing::run_process(kCli, {"completion", "powershell"}, {});
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
}

}  // namespace
}  // namespace seedance::cli
