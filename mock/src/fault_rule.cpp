// The RULE syntax of --fault and FaultRule::parse (documented in mock/README.md):
//   [METHOD] PATH ':' OPTION...      e.g.  POST /v1/videos: status=503 times=2
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "seedance/mock/mock_server.hpp"
#include "text.hpp"

namespace seedance::mock {
namespace {

using detail::trim;
using detail::upper;

[[noreturn]] void fail(const std::string& text, const std::string& why) {
  throw std::invalid_argument("bad fault rule '" + text + "': " + why);
}

// Splits on whitespace; a double-quoted part (key="two words") stays one token, quotes removed.
std::vector<std::string> tokenize(const std::string& text, const std::string& s) {
  std::vector<std::string> tokens;
  std::string current;
  bool in_token = false;
  bool quoted = false;
  for (char c : s) {
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else {
        current.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      in_token = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_token) tokens.push_back(current);
      current.clear();
      in_token = false;
    } else {
      current.push_back(c);
      in_token = true;
    }
  }
  if (quoted) fail(text, "unterminated quote");
  if (in_token) tokens.push_back(current);
  return tokens;
}

std::uint64_t parse_number(const std::string& text, const std::string& key, const std::string& v,
                           bool allow_suffix) {
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0]))) {
    fail(text, key + " needs a non-negative number, got '" + v + "'");
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (errno == ERANGE) fail(text, key + " is too large");
  std::string suffix(end);
  std::uint64_t multiplier = 1;
  if (allow_suffix && !suffix.empty()) {
    const std::string s = upper(suffix);
    if (s == "K" || s == "KB" || s == "KIB") {
      multiplier = 1024ULL;
    } else if (s == "M" || s == "MB" || s == "MIB") {
      multiplier = 1024ULL * 1024;
    } else if (s == "G" || s == "GB" || s == "GIB") {
      multiplier = 1024ULL * 1024 * 1024;
    } else {
      fail(text, key + " has an unknown unit '" + suffix + "' (use k, m or g)");
    }
  } else if (!suffix.empty()) {
    fail(text, key + " needs a number, got '" + v + "'");
  }
  if (n > std::numeric_limits<std::uint64_t>::max() / multiplier) fail(text, key + " is too large");
  return static_cast<std::uint64_t>(n) * multiplier;
}

long parse_long(const std::string& text, const std::string& key, const std::string& v) {
  const std::uint64_t n = parse_number(text, key, v, false);
  if (n > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    fail(text, key + " is too large");
  }
  return static_cast<long>(n);
}

const char* body_name(FaultBody body) {
  switch (body) {
    case FaultBody::ErrorObject:
      return "error";
    case FaultBody::Html:
      return "html";
    case FaultBody::MalformedJson:
      return "malformed";
    case FaultBody::Empty:
      return "empty";
    case FaultBody::None:
      break;
  }
  return "none";
}

std::string quote_if_needed(const std::string& v) {
  for (char c : v) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"') return '"' + v + '"';
  }
  return v;
}

}  // namespace

FaultRule FaultRule::parse(const std::string& raw) {
  const std::string text = trim(raw);
  // The target ends at the first ':' followed by whitespace or the end of the rule.
  std::size_t colon = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ':' &&
        (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])))) {
      colon = i;
      break;
    }
  }
  if (colon == std::string::npos) fail(text, "expected '[METHOD] PATH: OPTION...'");

  FaultRule rule;
  const std::vector<std::string> target = tokenize(text, text.substr(0, colon));
  if (target.size() == 1) {
    rule.path = target[0];
  } else if (target.size() == 2) {
    rule.method = upper(target[0]);
    if (rule.method == "ANY") rule.method = "*";
    rule.path = target[1];
  } else {
    fail(text, "expected '[METHOD] PATH' before ':'");
  }
  if (rule.path.empty() || (rule.path[0] != '/' && rule.path[0] != '*')) {
    fail(text, "the path pattern must start with '/' or '*'");
  }

  bool has_effect = false;
  for (const std::string& token : tokenize(text, text.substr(colon + 1))) {
    const std::size_t eq = token.find('=');
    const std::string key = token.substr(0, eq);
    const bool has_value = eq != std::string::npos;
    const std::string value = has_value ? token.substr(eq + 1) : std::string();
    auto need_value = [&] {
      if (!has_value || value.empty()) fail(text, key + " needs a value (" + key + "=...)");
    };
    if (key == "times") {
      need_value();
      if (value == "always" || value == "inf" || value == "*") {
        rule.times = kAlways;
      } else {
        rule.times = static_cast<int>(parse_long(text, key, value));
        if (rule.times < 1) fail(text, "times must be at least 1 (or 'always')");
      }
      continue;
    }
    has_effect = true;
    if (key == "status") {
      need_value();
      rule.status = static_cast<int>(parse_long(text, key, value));
      if (rule.status < 200 || rule.status > 599) fail(text, "status must be in 200..599");
    } else if (key == "body") {
      need_value();
      if (value == "error") {
        rule.body = FaultBody::ErrorObject;
      } else if (value == "html") {
        rule.body = FaultBody::Html;
      } else if (value == "malformed" || value == "malformed-json") {
        rule.body = FaultBody::MalformedJson;
      } else if (value == "empty") {
        rule.body = FaultBody::Empty;
      } else {
        fail(text, "body must be error, html, malformed or empty");
      }
    } else if (key == "code") {
      need_value();
      rule.error_code = value;
    } else if (key == "type") {
      need_value();
      rule.error_type = value;
    } else if (key == "message") {
      need_value();
      rule.error_message = value;
    } else if (key == "retry-after") {
      need_value();
      rule.retry_after_seconds = parse_long(text, key, value);
    } else if (key == "retry-after-ms") {
      need_value();
      rule.retry_after_ms = parse_long(text, key, value);
    } else if (key == "retry-after-date") {
      need_value();
      rule.retry_after_date_seconds = parse_long(text, key, value);
    } else if (key == "location") {
      need_value();
      rule.location = value;
    } else if (key == "close-before-response") {
      if (has_value) fail(text, "close-before-response takes no value");
      rule.close_before_response = true;
    } else if (key == "close-after-bytes") {
      need_value();
      rule.close_after_bytes = parse_number(text, key, value, true);
    } else if (key == "delay-ms") {
      need_value();
      rule.delay = std::chrono::milliseconds(parse_long(text, key, value));
    } else if (key == "rate") {
      need_value();
      rule.bytes_per_second = parse_number(text, key, value, true);
      if (rule.bytes_per_second == 0) fail(text, "rate must be positive");
    } else if (key == "stall-ms") {
      need_value();
      rule.stall = std::chrono::milliseconds(parse_long(text, key, value));
    } else if (key == "stall-after-bytes") {
      need_value();
      rule.stall_after_bytes = parse_number(text, key, value, true);
    } else if (key == "change-etag") {
      if (has_value) fail(text, "change-etag takes no value");
      rule.change_etag = true;
    } else if (key == "ignore-range") {
      if (has_value) fail(text, "ignore-range takes no value");
      rule.ignore_range = true;
    } else if (key == "content-range") {
      need_value();
      rule.content_range = value;
    } else {
      fail(text, "unknown option '" + key + "'");
    }
  }
  if (!has_effect) fail(text, "the rule has no effect (e.g. status=503 or close-before-response)");
  if (rule.stall_after_bytes > 0 && rule.stall.count() == 0) {
    fail(text, "stall-after-bytes needs stall-ms");
  }
  return rule;
}

std::string FaultRule::to_string() const {
  std::string out = method + " " + path + ":";
  if (status != 0) out += " status=" + std::to_string(status);
  if (body != FaultBody::None) out += std::string(" body=") + body_name(body);
  if (!error_code.empty()) out += " code=" + quote_if_needed(error_code);
  if (!error_type.empty()) out += " type=" + quote_if_needed(error_type);
  if (!error_message.empty()) out += " message=" + quote_if_needed(error_message);
  if (retry_after_seconds) out += " retry-after=" + std::to_string(*retry_after_seconds);
  if (retry_after_ms) out += " retry-after-ms=" + std::to_string(*retry_after_ms);
  if (retry_after_date_seconds) {
    out += " retry-after-date=" + std::to_string(*retry_after_date_seconds);
  }
  if (!location.empty()) out += " location=" + quote_if_needed(location);
  if (close_before_response) out += " close-before-response";
  if (close_after_bytes) out += " close-after-bytes=" + std::to_string(*close_after_bytes);
  if (delay.count() > 0) out += " delay-ms=" + std::to_string(delay.count());
  if (bytes_per_second > 0) out += " rate=" + std::to_string(bytes_per_second);
  if (stall.count() > 0) {
    out += " stall-after-bytes=" + std::to_string(stall_after_bytes);
    out += " stall-ms=" + std::to_string(stall.count());
  }
  if (change_etag) out += " change-etag";
  if (ignore_range) out += " ignore-range";
  if (!content_range.empty()) out += " content-range=" + quote_if_needed(content_range);
  out += times < 0 ? std::string(" times=always") : " times=" + std::to_string(times);
  return out;
}

}  // namespace seedance::mock
