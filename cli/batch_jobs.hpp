// The job file of `seedance batch`: one JSON request body per line, parsed and checked up front.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "seedance/request.hpp"

namespace seedance::cli {

/// One line of the job file.
struct BatchJob {
  int line = 0;              ///< 1-based line number in the file.
  std::string name;          ///< The optional "name" member; empty when absent.
  std::string content_hash;  ///< 16 hex digits of a hash of the line's text.
  VideoRequest request;      ///< The request body, typed.

  /// The job's identity in the journal: line number and content hash, so that an edited line is
  /// a different job ("7:0123456789abcdef").
  std::string key() const { return std::to_string(line) + ":" + content_hash; }
};

struct ParsedJobs {
  std::vector<BatchJob> jobs;
  /// "line 3: duration: must be 4..15 seconds ..."; empty when every line is valid.
  std::vector<std::string> problems;
};

/// 64-bit FNV-1a of `text` as 16 lowercase hex digits: stable across builds and platforms.
std::string content_hash(std::string_view text);

/// Reads one JSON request body with VideoRequest::from_json(), after taking out the "name"
/// member (the CLI's, not sent), which `name` receives. Problems are appended without a line
/// prefix.
VideoRequest parse_job_body(std::string_view json_text, std::string& name,
                            std::vector<std::string>& problems);

/// Parses the whole job file. Blank lines and lines starting with '#' are skipped (they keep
/// their place in the numbering). Every problem of every line is reported, each prefixed with its
/// line number; names must be usable as file names and unique.
ParsedJobs parse_job_file(std::string_view text);

}  // namespace seedance::cli
