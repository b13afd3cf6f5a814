// Shell completion scripts for `seedance`, generated from its parser (describe_parser()), so that
// every flag the parser knows is in them.
#pragma once

#include <string>
#include <vector>

#include "command_line.hpp"

namespace seedance::cli {

/// What completes the value of a flag or an operand.
enum class ValueKind {
  None,       ///< A flag without a value.
  Text,       ///< Free text: nothing to offer.
  Words,      ///< One of `words`.
  File,       ///< A path.
  Directory,  ///< A directory.
  AtFile,     ///< "@PATH", a local file to send (image flags).
};

struct ValueCompletion {
  ValueKind kind = ValueKind::None;
  std::vector<std::string> words;
};

/// The parser's description with what it cannot know: the flags of mock-server, which belong to
/// seedance-mock-server.
ParserSpec completion_spec();

/// The flags whose values are words (enumerations and models, from the SDK's tables).
std::vector<std::string> word_flags();

ValueCompletion flag_value(const FlagSpec& flag);
ValueCompletion operand_value(const std::string& value_name, const ParserSpec& spec);

/// The script for `shell` ("bash", "zsh" or "fish").
std::string completion_script(const std::string& shell, const ParserSpec& spec);

}  // namespace seedance::cli
