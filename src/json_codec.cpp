#include "json_codec.hpp"

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

std::optional<ApiError> api_error_from_json(const json& document, int http_status) {
  if (!document.is_object()) return std::nullopt;
  const auto found = document.find("error");
  if (found == document.end()) return std::nullopt;

  std::string message;
  std::string type;
  std::string code;
  if (found->is_object()) {
    message = member_text(*found, "message");
    type = member_text(*found, "type");
    code = member_text(*found, "code");
  } else if (found->is_string()) {
    // Not the documented shape, but some gateways answer {"error": "..."}.
    message = found->get_ref<const std::string&>();
  }
  if (message.empty() && type.empty() && code.empty()) return std::nullopt;
  if (message.empty()) {
    message = "the service returned an error";
    if (!type.empty()) message += " of type " + type;
    if (!code.empty()) message += " with code " + code;
  }
  return ApiError(message, http_status, std::move(type), std::move(code));
}

std::optional<ApiError> api_error_from_body(std::string_view body, int http_status) {
  // Cheap pre-check: most bodies carry no error, and then need no parse here.
  if (body.find("\"error\"") == std::string_view::npos) return std::nullopt;
  const json document =
      json::parse(body.data(), body.data() + body.size(), nullptr, /*allow_exceptions=*/false);
  return api_error_from_json(document, http_status);
}

}  // namespace seedance::detail
