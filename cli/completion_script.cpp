#include "completion_script.hpp"

#include <sstream>
#include <string_view>
#include <utility>

#include "model/request_words.hpp"

namespace seedance::cli {
namespace {

std::vector<std::string> to_strings(const std::vector<std::string_view>& words) {
  return {words.begin(), words.end()};
}

// Flag (long name) -> the words its value is one of.
const std::vector<std::pair<std::string, std::vector<std::string>>>& value_words() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"--model", to_strings(detail::known_models())},
      {"--resolution", to_strings(detail::resolution_words())},
      {"--ratio", to_strings(detail::ratio_words())},
      {"--service-tier", to_strings(detail::service_tier_words())},
      {"--dialect", {"reference", "gateway"}},  // seedance-mock-server's
  };
  return table;
}

// seedance-mock-server's flags (mock/src/main.cpp; a test compares them with its --help).
std::vector<FlagSpec> mock_server_flags() {
  std::vector<FlagSpec> flags;
  for (const char* name : {"--host", "--port", "--api-key", "--polls", "--dialect", "--video-size",
                           "--fault", "--threads", "--keep-alive-timeout"}) {
    FlagSpec flag;
    flag.names = {name};
    flag.value_name = "VALUE";
    flag.repeatable = std::string_view(name) == "--fault";
    flags.push_back(flag);
  }
  for (const char* name : {"--log-requests", "--help"}) {
    FlagSpec flag;
    flag.names = {name};
    flags.push_back(flag);
  }
  return flags;
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

std::vector<std::string> all_names(const std::vector<FlagSpec>& flags) {
  std::vector<std::string> names;
  for (const FlagSpec& flag : flags)
    names.insert(names.end(), flag.names.begin(), flag.names.end());
  return names;
}

std::vector<std::string> command_names(const ParserSpec& spec) {
  std::vector<std::string> names;
  for (const CommandSpec& command : spec.commands) names.push_back(command.name);
  return names;
}

// The commands that accept the global flags: all but mock-server, whose flags are its own.
bool takes_global_flags(const CommandSpec& command) { return command.name != "mock-server"; }

// `text` inside single quotes for sh (bash and zsh).
std::string sh_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

ParserSpec completion_spec() {
  ParserSpec spec = describe_parser();
  for (CommandSpec& command : spec.commands) {
    if (!takes_global_flags(command)) command.flags = mock_server_flags();
  }
  return spec;
}

std::vector<std::string> word_flags() {
  std::vector<std::string> flags;
  for (const auto& entry : value_words()) flags.push_back(entry.first);
  return flags;
}

ValueCompletion flag_value(const FlagSpec& flag) {
  if (flag.value_name.empty()) return {};
  for (const auto& [name, words] : value_words()) {
    for (const std::string& flag_name : flag.names) {
      if (flag_name == name) return {ValueKind::Words, words};
    }
  }
  const std::string& value = flag.value_name;
  if (value.find("@PATH") != std::string::npos) return {ValueKind::AtFile, {}};
  if (value == "DIR") return {ValueKind::Directory, {}};
  if (value == "PATH" || value == "FILE") return {ValueKind::File, {}};
  return {ValueKind::Text, {}};
}

ValueCompletion operand_value(const std::string& value_name, const ParserSpec& spec) {
  if (value_name == "COMMAND") return {ValueKind::Words, command_names(spec)};
  // CLI11 appends the choices of a CLI::IsMember check to the value name: "SHELL:{bash,zsh,fish}".
  const auto open = value_name.find(":{");
  if (open != std::string::npos && value_name.back() == '}') {
    ValueCompletion choices{ValueKind::Words, {}};
    std::istringstream list(value_name.substr(open + 2, value_name.size() - open - 3));
    for (std::string word; std::getline(list, word, ',');) choices.words.push_back(word);
    return choices;
  }
  if (value_name.find(".jsonl") != std::string::npos) return {ValueKind::File, {}};
  return {ValueKind::Text, {}};
}

namespace {

// ---- bash ----

constexpr const char* kBashFiles = R"(_seedance_paths -f "" "$cur"; return)";

// The `case "$prev"` arm completing a flag's value in bash; empty for a flag without one.
std::string bash_value_arm(const FlagSpec& flag) {
  const ValueCompletion value = flag_value(flag);
  std::string action;
  switch (value.kind) {
    case ValueKind::None:
      return {};
    case ValueKind::Text:
      action = "return";
      break;
    case ValueKind::Words:
      action = "_seedance_words " + sh_quoted(join(value.words, " ")) + "; return";
      break;
    case ValueKind::File:
      action = kBashFiles;
      break;
    case ValueKind::Directory:
      action = R"(_seedance_paths -d "" "$cur"; return)";
      break;
    case ValueKind::AtFile:
      action = "_seedance_paths -f @ \"${cur#@}\"; return";
      break;
  }
  return "        " + join(flag.names, " | ") + ") " + action + " ;;\n";
}

std::string bash_operand(const CommandSpec& command, const ParserSpec& spec) {
  if (command.operands.empty()) return {};
  const ValueCompletion value = operand_value(command.operands.front(), spec);
  std::string action = "return";
  if (value.kind == ValueKind::Words) {
    action = "_seedance_words " + sh_quoted(join(value.words, " ")) + "; return";
  } else if (value.kind == ValueKind::File) {
    action = kBashFiles;
  }
  return "      [[ $cur != -* ]] && { " + action + "; }\n";
}

std::string bash_command_arm(const CommandSpec& command, const ParserSpec& spec) {
  std::vector<FlagSpec> flags = command.flags;
  if (takes_global_flags(command)) {
    flags.insert(flags.end(), spec.global_flags.begin(), spec.global_flags.end());
  }
  std::string arm = "    " + command.name + ")\n      case $prev in\n";
  for (const FlagSpec& flag : flags) arm += bash_value_arm(flag);
  arm += "      esac\n" + bash_operand(command, spec);
  arm += "      flags=" + sh_quoted(join(all_names(flags), " ")) + " ;;\n";
  return arm;
}

std::string bash_script(const ParserSpec& spec) {
  std::ostringstream out;
  out << R"(# bash completion for seedance, generated by `seedance completion bash` from its parser.
# Installed as share/bash-completion/completions/seedance; or: source <(seedance completion bash)
_seedance_words() {
  mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
  # "16:9": bash splits words at ':', bash-completion puts them together again.
  declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
}
_seedance_paths() {  # -f or -d, a prefix ("@" for a file to send), the path typed so far
  compopt -o filenames 2>/dev/null
  mapfile -t COMPREPLY < <(compgen "$1" -P "$2" -- "$3")
}
_seedance() {
  local cur prev words cword
  if declare -F _get_comp_words_by_ref >/dev/null; then
    _get_comp_words_by_ref -n : cur prev words cword
  else
    cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  fi
  # --flag=value: bash makes '=' a word of its own.
  if [[ $cur == "=" ]]; then cur=""; elif [[ $prev == "=" ]]; then prev=${words[cword - 2]}; fi
  COMPREPLY=()
  local command="" flags i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      )"
      << join(command_names(spec), " | ") << R"() command=${words[i]}; break ;;
    esac
  done
  case $command in
    "")
      case $prev in
)";
  for (const FlagSpec& flag : spec.global_flags) out << bash_value_arm(flag);
  out << "      esac\n      [[ $cur != -* ]] && { _seedance_words "
      << sh_quoted(join(command_names(spec), " ")) << "; return; }\n"
      << "      flags=" << sh_quoted(join(all_names(spec.global_flags), " ")) << " ;;\n";
  for (const CommandSpec& command : spec.commands) out << bash_command_arm(command, spec);
  out << R"(  esac
  _seedance_words "$flags"
}
complete -F _seedance seedance
)";
  return out.str();
}

}  // namespace

namespace {

// ---- zsh ----

// Escapes what _arguments reads specially inside a description's brackets and a message.
std::string zsh_escaped(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string zsh_action(const ValueCompletion& value) {
  switch (value.kind) {
    case ValueKind::Words: {
      std::vector<std::string> words;
      for (const std::string& word : value.words) words.push_back(zsh_escaped(word));
      return "(" + join(words, " ") + ")";
    }
    case ValueKind::File:
      return "_files";
    case ValueKind::Directory:
      return "_files -/";
    case ValueKind::AtFile:
      return "_seedance_at_files";
    case ValueKind::None:
    case ValueKind::Text:
      break;
  }
  return " ";
}

// One _arguments spec, e.g. '(-o --output)'{-o,--output}'[file to save the video to]:FILE:_files'.
std::string zsh_flag(const FlagSpec& flag) {
  std::string body;
  if (!flag.help.empty()) body += "[" + zsh_escaped(flag.help) + "]";
  if (!flag.value_name.empty()) {
    body += ":" + zsh_escaped(flag.value_name) + ":" + zsh_action(flag_value(flag));
  }
  const std::string repeat = flag.repeatable ? "*" : "";
  if (flag.names.size() == 1) return sh_quoted(repeat + flag.names.front() + body);
  // Either name excludes the other; the braces give zsh one spec per name.
  return sh_quoted("(" + join(flag.names, " ") + ")" + repeat) + "{" + join(flag.names, ",") + "}" +
         sh_quoted(body);
}

std::string zsh_flag_lines(const std::vector<FlagSpec>& flags, const std::string& indent) {
  std::string lines;
  for (const FlagSpec& flag : flags) lines += indent + zsh_flag(flag) + "\n";
  return lines;
}

std::string zsh_command_arm(const CommandSpec& command, const ParserSpec& spec) {
  std::string arm = "        " + command.name + ")\n          _arguments";
  if (takes_global_flags(command)) arm += " $global_flags";
  arm += " \\\n";
  for (const FlagSpec& flag : command.flags) arm += "            " + zsh_flag(flag) + " \\\n";
  int position = 1;
  for (const std::string& operand : command.operands) {
    arm += "            '" + std::to_string(position++) + ":" + zsh_escaped(operand) + ":" +
           zsh_action(operand_value(operand, spec)) + "' \\\n";
  }
  return arm + "            && return ;;\n";
}

std::string zsh_script(const ParserSpec& spec) {
  std::ostringstream out;
  out << R"(#compdef seedance
# zsh completion for seedance, generated by `seedance completion zsh` from its parser.
# Installed as share/zsh/site-functions/_seedance; or: source <(seedance completion zsh)
_seedance_at_files() {  # "@PATH": a local file to send
  compset -P '@' && { _files; return; }
  _files -P @
}
_seedance() {
  local -a global_flags
  global_flags=(
)" << zsh_flag_lines(spec.global_flags, "    ")
      << R"(  )
  local curcontext=$curcontext state state_descr line
  typeset -A opt_args
  _arguments -C $global_flags '1:command:->command' '*::argument:->argument' && return
  case $state in
    command)
      local -a commands
      commands=(
)";
  for (const CommandSpec& command : spec.commands) {
    out << "        " << sh_quoted(command.name + ":" + command.help) << "\n";
  }
  out << R"(      )
      _describe -t commands command commands ;;
    argument)
      curcontext=${curcontext%:*:*}:seedance-$words[1]:
      case $words[1] in
)";
  for (const CommandSpec& command : spec.commands) out << zsh_command_arm(command, spec);
  out << R"(      esac ;;
  esac
}
if [[ $funcstack[1] == _seedance ]]; then
  _seedance "$@"
else
  compdef _seedance seedance
fi
)";
  return out.str();
}

// ---- fish ----

std::string fish_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

std::string fish_value(const ValueCompletion& value) {
  switch (value.kind) {
    case ValueKind::None:
      return {};
    case ValueKind::Text:
      return " -x";
    case ValueKind::Words:
      return " -x -a " + fish_quoted(join(value.words, " "));
    case ValueKind::File:
      return " -r -F";
    case ValueKind::Directory:
      return " -x -a '(__fish_complete_directories)'";
    case ValueKind::AtFile:
      return " -x -a '(__seedance_at_files)'";
  }
  return {};
}

std::string fish_flag(const FlagSpec& flag, const std::string& condition) {
  std::string line = "complete -c seedance -n " + fish_quoted(condition);
  for (const std::string& name : flag.names) {
    line += name.compare(0, 2, "--") == 0 ? " -l " + name.substr(2) : " -s " + name.substr(1);
  }
  line += fish_value(flag_value(flag));
  if (!flag.help.empty()) line += " -d " + fish_quoted(flag.help);
  return line + "\n";
}

std::string fish_script(const ParserSpec& spec) {
  std::ostringstream out;
  out << R"(# fish completion for seedance, generated by `seedance completion fish` from its parser.
# Installed as share/fish/vendor_completions.d/seedance.fish; or: seedance completion fish | source
function __seedance_command
    set -l words (commandline -opc)
    set -e words[1]
    for word in $words
        if contains -- $word )"
      << join(command_names(spec), " ") << R"(
            echo $word
            return
        end
    end
end
function __seedance_using
    set -l command (__seedance_command)
    test "$command" = "$argv[1]"
end
function __seedance_at_files  # "@PATH": a local file to send
    set -l path (string replace -r '^@' '' -- (commandline -ct))
    for file in (__fish_complete_path $path)
        echo @$file
    end
end
complete -c seedance -f
)";
  for (const CommandSpec& command : spec.commands) {
    out << "complete -c seedance -n '__seedance_using \"\"' -a " << fish_quoted(command.name)
        << " -d " << fish_quoted(command.help) << "\n";
  }
  for (const FlagSpec& flag : spec.global_flags) {
    out << fish_flag(flag, "not __seedance_using mock-server");
  }
  for (const CommandSpec& command : spec.commands) {
    const std::string condition = "__seedance_using " + command.name;
    for (const FlagSpec& flag : command.flags) out << fish_flag(flag, condition);
    if (command.operands.empty()) continue;
    const ValueCompletion operand = operand_value(command.operands.front(), spec);
    if (operand.kind == ValueKind::Words) {
      out << "complete -c seedance -n " << fish_quoted(condition) << " -a "
          << fish_quoted(join(operand.words, " ")) << "\n";
    } else if (operand.kind == ValueKind::File) {
      out << "complete -c seedance -n " << fish_quoted(condition) << " -F\n";
    }
  }
  return out.str();
}

}  // namespace

std::string completion_script(const std::string& shell, const ParserSpec& spec) {
  if (shell == "zsh") return zsh_script(spec);
  if (shell == "fish") return fish_script(spec);
  return bash_script(spec);
}

}  // namespace seedance::cli
