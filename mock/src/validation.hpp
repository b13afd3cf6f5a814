// Validation of submit bodies, the way the real service plausibly checks them.
#pragma once

#include <optional>
#include <string>

namespace seedance::mock::detail {

struct SubmitError {
  std::string code;     ///< e.g. "invalid_value"
  std::string message;  ///< Names the offending field.
  std::string param;    ///< The field, e.g. "metadata.resolution".
};

/// What the mock keeps of a valid submit.
struct Submission {
  std::string model;
  std::string text;  ///< The prompt and any content[] text items, for the failure marker.
  bool return_last_frame = false;
};

/// Parses and checks a POST /v1/videos body; on success fills `out`.
std::optional<SubmitError> validate_submit(const std::string& body, Submission& out);

}  // namespace seedance::mock::detail
