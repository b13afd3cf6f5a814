#include "model/json_codec.hpp"
#include "text.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

namespace seedance::detail {
namespace {

using nlohmann::json;

constexpr char kHexDigits[] = "0123456789abcdef";

// Bytes a JSON string cannot hold as they are: control characters, '"' and '\\'.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Length of the well-formed UTF-8 sequence starting at `p` (a byte >= 0x80), or 0 when malformed.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char lead = p[0];
  std::size_t length = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_low = 0xA0;   // overlong
    if (lead == 0xED) second_high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_low = 0x90;   // overlong
    if (lead == 0xF4) second_high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < length) return 0;
  if (p[1] < second_low || p[1] > second_high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return length;
}

void append_hex_byte(std::string& out, const char* prefix, unsigned char byte) {
  out += prefix;
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0F];
}

// A member rendered as text: strings as they are, other scalars as JSON, null or absent as "".
std::string member_text(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return {};
  if (found->is_string()) return found->get_ref<const std::string&>();
  return body_excerpt(found->dump(), 200);
}

}  // namespace

std::optional<std::string> json_limit_problem(std::string_view text, JsonLimits limits) {
  // Every value but the document itself is an item of a container, and a container holds one
  // item more than its commas unless it is empty: values = 1 + commas + non-empty containers.
  std::size_t depth = 0;
  std::size_t values = 1;
  bool in_string = false;
  bool escaped = false;
  bool just_opened = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (just_opened && !is_ascii_space(c)) {
      just_opened = false;
      if (c != ']' && c != '}') ++values;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.depth) {
        return "nests arrays and objects deeper than " + std::to_string(limits.depth) + " levels";
      }
      just_opened = true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',') {
      ++values;
    }
    if (values > limits.values) {
      return "holds more than " + std::to_string(limits.values) + " values";
    }
  }
  return std::nullopt;
}

json parse_json_bounded(std::string_view text) {
  if (json_limit_problem(text)) return json::value_t::discarded;
  return json::parse(text.data(), text.data() + text.size(), nullptr, /*allow_exceptions=*/false);
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    // Most text is ASCII: skip it eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t length = utf8_sequence_length(p, end);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        append_hex_byte(out, "\\u00", c);
        break;
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

std::string body_excerpt(std::string_view body, std::size_t max_chars) {
  constexpr std::string_view kEllipsis = "...";
  // When the body does not fit, it is cut at the last whole character that leaves room for "...".
  const std::size_t budget_with_ellipsis =
      max_chars >= kEllipsis.size() ? max_chars - kEllipsis.size() : max_chars;
  std::string out;
  out.reserve(body.size() < max_chars ? body.size() : max_chars);
  std::size_t cut = std::string::npos;

  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const auto* const end = p + body.size();
  char escaped[5];
  while (p < end) {
    std::string_view piece;
    std::size_t consumed = 1;
    const unsigned char c = *p;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      escaped[0] = '\\';
      escaped[1] = 'x';
      escaped[2] = kHexDigits[c >> 4];
      escaped[3] = kHexDigits[c & 0x0F];
      piece = std::string_view(escaped, 4);
    } else if (c < 0x80) {
      piece = std::string_view(reinterpret_cast<const char*>(p), 1);
    } else if (const std::size_t length = utf8_sequence_length(p, end); length != 0) {
      piece = std::string_view(reinterpret_cast<const char*>(p), length);
      consumed = length;
    } else {
      // Not UTF-8: shown as a byte, so the message stays valid text.
      escaped[0] = '\\';
      escaped[1] = 'x';
      escaped[2] = kHexDigits[c >> 4];
      escaped[3] = kHexDigits[c & 0x0F];
      piece = std::string_view(escaped, 4);
    }
    if (cut == std::string::npos && out.size() + piece.size() > budget_with_ellipsis) {
      cut = out.size();
    }
    if (out.size() + piece.size() > max_chars) {
      out.resize(cut);
      if (max_chars >= kEllipsis.size()) out += kEllipsis;
      return out;
    }
    out += piece;
    p += consumed;
  }
  return out;
}

std::optional<ServiceError> service_error_of(const json& object) {
  if (!object.is_object()) return std::nullopt;
  ServiceError error;
  const auto found = object.find("error");
  if (found != object.end() && found->is_object()) {
    error.message = member_text(*found, "message");
    error.type = member_text(*found, "type");
    error.code = member_text(*found, "code");
  } else if (found != object.end() && found->is_string()) {
    error.message = found->get_ref<const std::string&>();  // {"error": "text"}
  } else {
    // {"code": "task_not_exist", "message": "...", "data": null}, or a bare {"message": "..."}.
    const auto code = object.find("code");
    const json* code_value = code != object.end() ? &*code : nullptr;
    const bool failure_code = !is_success_code(code_value);
    error.message = member_text(object, "message");
    if (failure_code) error.code = member_text(object, "code");
    if (!failure_code && code_value != nullptr && !code_value->is_null()) return std::nullopt;
  }
  if (error.message.empty() && error.type.empty() && error.code.empty()) return std::nullopt;
  return error;
}

bool is_success_code(const json* code) {
  if (code == nullptr || code->is_null()) return true;
  if (code->is_number_integer()) {
    const auto value = code->get<std::int64_t>();
    return value == 0 || value == 200;
  }
  if (!code->is_string()) return false;
  const auto& text = code->get_ref<const std::string&>();
  if (text == "0" || text == "200") return true;
  return equals_ignoring_case(text, "success") || equals_ignoring_case(text, "ok");
}

bool has_task_fields(const json& object) noexcept {
  return object.is_object() &&
         (object.contains("task_id") || object.contains("id") || object.contains("status"));
}

const json& unwrap_task(const json& document) {
  if (!document.is_object() || has_task_fields(document)) return document;
  const auto data = document.find("data");
  if (data == document.end() || !has_task_fields(*data)) return document;
  const auto code = document.find("code");
  return is_success_code(code != document.end() ? &*code : nullptr) ? *data : document;
}

namespace {

ApiError to_api_error(ServiceError error, int http_status) {
  if (error.message.empty()) {
    error.message = "the service returned an error";
    if (!error.type.empty()) error.message += " of type " + error.type;
    if (!error.code.empty()) error.message += " with code " + error.code;
  }
  ApiError api_error(error.message, http_status, std::move(error.type), std::move(error.code));
  api_error.set_request_id(request_id_in_message(error.message));
  return api_error;
}

// The human part of a body that is not JSON: an HTML page's <title>, else its first non-empty line.
std::string_view headline_of(std::string_view body) {
  const std::size_t title = body.find("<title>");
  if (title != std::string_view::npos) {
    const std::size_t start = title + 7;
    const std::size_t stop = body.find("</title>", start);
    if (stop != std::string_view::npos) return body.substr(start, stop - start);
  }
  while (!body.empty()) {
    const std::size_t newline = body.find('\n');
    std::string_view line = body.substr(0, newline);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) return line;
    if (newline == std::string_view::npos) break;
    body.remove_prefix(newline + 1);
  }
  return {};
}

}  // namespace

std::optional<ApiError> api_error_from_json(const json& document, int http_status) {
  if (!document.is_object() || has_task_fields(unwrap_task(document))) return std::nullopt;
  auto error = service_error_of(document);
  if (!error) return std::nullopt;
  return to_api_error(std::move(*error), http_status);
}

ApiError api_error_from_error_body(std::string_view body, int http_status) {
  const json document = parse_json_bounded(body);
  if (auto error = service_error_of(document)) return to_api_error(std::move(*error), http_status);
  const std::string_view headline =
      document.is_discarded() ? headline_of(body) : std::string_view(body);
  std::string message = "HTTP " + std::to_string(http_status);
  message +=
      headline.empty() ? std::string(" with an empty body") : ": " + body_excerpt(headline, 120);
  ApiError error(message, http_status);
  return error;
}

std::string request_id_in_message(std::string_view message) {
  constexpr std::string_view kMarker = "request id:";
  const std::size_t found = message.find(kMarker);
  if (found == std::string_view::npos) return {};
  std::size_t start = found + kMarker.size();
  while (start < message.size() && message[start] == ' ') ++start;
  std::size_t stop = start;
  while (stop < message.size() && message[stop] != ')' && message[stop] != ' ' &&
         message[stop] != ',' && message[stop] != ';') {
    ++stop;
  }
  return std::string(message.substr(start, stop - start));
}

}  // namespace seedance::detail
