// The completion scripts against the parser: every flag of every command is in each script, and
// the value words are the SDK's.
#include "completion_script.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "model/request_words.hpp"

namespace seedance::cli {
namespace {

using ::testing::HasSubstr;

// The lines of `text` holding `condition`.
std::vector<std::string> lines_with(const std::string& text, const std::string& condition) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(condition) != std::string::npos) lines.push_back(line);
  }
  return lines;
}

bool any_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& line : lines) {
    if ((line + " ").find(part + " ") != std::string::npos) return true;
  }
  return false;
}

// The fish option of one flag name: "--output" is "-l output", "-o" is "-s o".
std::string fish_option(const std::string& name) {
  return name.compare(0, 2, "--") == 0 ? "-l " + name.substr(2) : "-s " + name.substr(1);
}

TEST(CompletionScript, FishHasEveryFlagOfEveryCommand) {
  const ParserSpec spec = completion_spec();
  const std::string script = completion_script("fish", spec);
  const auto global = lines_with(script, "-n 'not __seedance_using mock-server'");
  for (const FlagSpec& flag : spec.global_flags) {
    for (const std::string& name : flag.names)
      EXPECT_TRUE(any_has(global, fish_option(name))) << name;
  }
  for (const CommandSpec& command : spec.commands) {
    EXPECT_THAT(script, HasSubstr("-a '" + command.name + "'"));
    const auto lines = lines_with(script, "-n '__seedance_using " + command.name + "'");
    for (const FlagSpec& flag : command.flags) {
      for (const std::string& name : flag.names) {
        EXPECT_TRUE(any_has(lines, fish_option(name))) << command.name << " " << name;
      }
    }
  }
}

// The text between `begin` and the first `end` after it.
std::string section(const std::string& text, const std::string& begin, const std::string& end) {
  const auto start = text.find(begin);
  if (start == std::string::npos) return {};
  return text.substr(start, text.find(end, start) - start);
}

// How the zsh script spells a flag in _arguments: '--prompt[...' or '(-o --output)'{-o,--output}.
bool zsh_has(const std::string& section, const FlagSpec& flag) {
  if (flag.names.size() > 1) {
    std::string braces = "{";
    for (const std::string& name : flag.names) braces += (braces.size() > 1 ? "," : "") + name;
    return section.find(braces + "}") != std::string::npos;
  }
  const std::string& name = flag.names.front();
  for (const char* after : {"[", ":", "'"}) {
    for (const char* before : {"'", "'*"}) {
      if (section.find(before + name + after) != std::string::npos) return true;
    }
  }
  return false;
}

TEST(CompletionScript, ZshHasEveryFlagOfEveryCommand) {
  const ParserSpec spec = completion_spec();
  const std::string script = completion_script("zsh", spec);
  EXPECT_THAT(script, ::testing::StartsWith("#compdef seedance\n"));
  const std::string global = section(script, "global_flags=(", "\n  )");
  for (const FlagSpec& flag : spec.global_flags)
    EXPECT_TRUE(zsh_has(global, flag)) << flag.names.back();
  for (const CommandSpec& command : spec.commands) {
    EXPECT_THAT(script, HasSubstr("'" + command.name + ":"));
    const std::string arm = section(script, "\n        " + command.name + ")\n", "&& return ;;");
    ASSERT_FALSE(arm.empty()) << command.name;
    EXPECT_EQ(arm.find("$global_flags") != std::string::npos, command.name != "mock-server");
    for (const FlagSpec& flag : command.flags) {
      EXPECT_TRUE(zsh_has(arm, flag)) << command.name << " " << flag.names.back();
    }
  }
}

TEST(CompletionScript, BashHasEveryFlagOfEveryCommand) {
  // The bash script is run by the process tests; here only that each name is in it.
  const ParserSpec spec = completion_spec();
  const std::string script = completion_script("bash", spec);
  for (const CommandSpec& command : spec.commands) {
    const std::string arm = section(script, "\n    " + command.name + ")\n", "' ;;\n");
    const std::string flags = " " + arm.substr(arm.find("flags='") + 7) + " ";
    ASSERT_FALSE(arm.empty()) << command.name;
    for (const FlagSpec& flag : command.flags) {
      for (const std::string& name : flag.names) {
        EXPECT_THAT(flags, HasSubstr(" " + name + " ")) << command.name << " " << name;
      }
    }
  }
}

TEST(CompletionScript, ValueWordsAreTheSdksAndBelongToRealFlags) {
  const ParserSpec spec = completion_spec();
  std::vector<std::string> names;
  for (const FlagSpec& flag : spec.global_flags)
    names.insert(names.end(), flag.names.begin(), flag.names.end());
  for (const CommandSpec& command : spec.commands) {
    for (const FlagSpec& flag : command.flags)
      names.insert(names.end(), flag.names.begin(), flag.names.end());
  }
  for (const std::string& flag : word_flags()) EXPECT_THAT(names, ::testing::Contains(flag));

  const std::string fish = completion_script("fish", spec);
  for (const auto& words : {detail::ratio_words(), detail::resolution_words(),
                            detail::service_tier_words(), detail::known_models()}) {
    std::string joined;
    for (const auto word : words) joined += (joined.empty() ? "" : " ") + std::string(word);
    EXPECT_THAT(fish, HasSubstr("-x -a '" + joined + "'"));
  }
}

}  // namespace
}  // namespace seedance::cli
