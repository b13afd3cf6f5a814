#include "batch_jobs.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "model/json_codec.hpp"
#include "seedance/error.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;

bool is_file_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::optional<std::string> name_problem(const std::string& name) {
  if (name.empty()) return "name: must not be empty";
  if (name.size() > 200) return "name: at most 200 characters";
  if (name.front() == '.') return "name: must not start with '.'";
  for (char c : name) {
    if (!is_file_name_character(c)) {
      return "name: only letters, digits, '-', '_' and '.' are allowed (it names the output file), "
             "got \"" +
             name + "\"";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string content_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

VideoRequest parse_job_body(std::string_view json_text, std::string& name,
                            std::vector<std::string>& problems) {
  // "name" is the CLI's, not the API's: it is taken out before the body is read.
  // Bounded: a body nested too deep is left to VideoRequest::from_json to refuse, never dumped.
  json body = detail::parse_json_bounded(json_text);
  std::string request_text(json_text);
  if (body.is_object() && body.contains("name")) {
    const json& given = body.at("name");
    if (given.is_string()) {
      name = given.get<std::string>();
      if (auto problem = name_problem(name)) problems.push_back(*problem);
    } else if (!given.is_null()) {
      problems.push_back(std::string("name: must be a string, got ") + given.type_name());
    }
    body.erase("name");
    request_text = body.dump();
  }
  try {
    return VideoRequest::from_json(request_text);
  } catch (const ValidationError& error) {
    problems.insert(problems.end(), error.problems().begin(), error.problems().end());
  }
  return VideoRequest();
}

ParsedJobs parse_job_file(std::string_view text) {
  ParsedJobs parsed;
  std::map<std::string, int> line_of_name;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;

    BatchJob job;
    job.line = line_number;
    job.content_hash = content_hash(line);
    std::vector<std::string> problems;
    job.request = parse_job_body(line, job.name, problems);
    if (!job.name.empty()) {
      const auto [previous, inserted] = line_of_name.emplace(job.name, line_number);
      if (!inserted) {
        problems.push_back("name: \"" + job.name + "\" is already used on line " +
                           std::to_string(previous->second) + " (names must be unique)");
      }
    }
    for (const auto& problem : problems) {
      parsed.problems.push_back("line " + std::to_string(line_number) + ": " + problem);
    }
    if (problems.empty()) parsed.jobs.push_back(std::move(job));
  }
  if (parsed.jobs.empty() && parsed.problems.empty()) {
    parsed.problems.emplace_back("the job file has no jobs (one JSON request body per line)");
  }
  return parsed;
}

}  // namespace seedance::cli
