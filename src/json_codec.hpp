// JSON helpers shared inside the library: excerpts of response bodies for error messages, the
// API's error object, and the string escaping used by the request serializer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "seedance/error.hpp"

namespace seedance::detail {

// Short, single-line excerpt of a body for error messages (at most max_chars, control chars
// escaped).
std::string body_excerpt(std::string_view body, std::size_t max_chars = 120);

// If `body` is a JSON object carrying an "error" object, the ApiError it describes (with
// http_status).
std::optional<ApiError> api_error_from_body(std::string_view body, int http_status);

// The same for an already parsed document. An error object whose message, type and code are all
// empty or absent is not an error: some gateways always send one.
std::optional<ApiError> api_error_from_json(const nlohmann::json& document, int http_status);

// Appends `text` as a quoted JSON string, escaped exactly as nlohmann::json::dump() escapes it.
// `text` must be valid UTF-8 (callers validate first).
void append_json_string(std::string& out, std::string_view text);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace seedance::detail
