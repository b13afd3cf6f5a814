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

// The shape of the JSON documents the SDK reads (responses, request bodies, extra fields) and the
// CLI prints. A real answer nests a few levels and holds a few dozen values. A document nested
// 100,000 deep would overflow the stack in the recursive parts of nlohmann::json (dump(),
// comparison), and one of many tiny values ("[[],[],...]") builds a document some 60 times its
// size: the limits keep both away, whatever the server sends.
struct JsonLimits {
  std::size_t depth = 128;      ///< arrays and objects inside one another
  std::size_t values = 100000;  ///< values of any kind, containers included
};

// Why `text` is beyond `limits` ("nests arrays and objects deeper than 128 levels", "holds more
// than 100000 values"); nullopt when it is within them. Strings are skipped and the text need not
// be valid JSON; one pass without allocation, to run before building a document.
std::optional<std::string> json_limit_problem(std::string_view text, JsonLimits limits = {});

// `text` as a document; discarded when it is not JSON or is beyond the default JsonLimits.
nlohmann::json parse_json_bounded(std::string_view text);

// Short, single-line excerpt of a body for error messages (at most max_chars, control chars
// escaped).
std::string body_excerpt(std::string_view body, std::size_t max_chars = 120);

// The error a JSON object describes, in any shape services use: {"error": {"message", "type",
// "code"}}, {"error": "text"}, {"code": <not success>, "message"}, or a bare {"message"}. Empty
// when it describes none (an error object whose fields are all empty is none: some gateways
// always send one). Whether the object is also a task is for the caller to decide.
std::optional<ServiceError> service_error_of(const nlohmann::json& object);

// True when `code` is absent (nullptr or null) or a success value: "success"/"ok" (any case),
// 0 or 200 (as numbers or text).
bool is_success_code(const nlohmann::json* code);

// True when the object carries a task's fields: id, task_id or status.
bool has_task_fields(const nlohmann::json& object) noexcept;

// The object holding the task's fields: `data` when the document is a success wrapper
// ({"code": "success", "data": {task fields}}, code optional), else the document itself.
const nlohmann::json& unwrap_task(const nlohmann::json& document);

// The ApiError of a parsed document that is nothing but an error (no task fields once
// unwrapped), with http_status; empty otherwise.
std::optional<ApiError> api_error_from_json(const nlohmann::json& document, int http_status);

// The ApiError an HTTP error answer (or any body to be reported as an error) describes: the
// service's own message from any error shape, else the <title> or first line of a non-JSON body,
// shortened; never the raw JSON when a message exists. The request id in the message, if any,
// is recorded (a header's id is added by the caller).
ApiError api_error_from_error_body(std::string_view body, int http_status);

// The id in "... (request id: 20251203abc)" as the gateway writes it into messages; empty if none.
std::string request_id_in_message(std::string_view message);

// Appends `text` as a quoted JSON string, escaped exactly as nlohmann::json::dump() escapes it.
// `text` must be valid UTF-8 (callers validate first).
void append_json_string(std::string& out, std::string_view text);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace seedance::detail
