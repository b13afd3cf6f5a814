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
    case FaultBody::Huge:
      return "huge";
    case FaultBody::Nested:
      return "nested";
    case FaultBody::Wide:
      return "wide";
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

/// One OPTION of a rule: KEY or KEY=VALUE.
struct Option {
  const std::string& text;  // the whole rule, for messages
  std::string key;
  bool has_value = false;
  std::string value;

  const std::string& need_value() const {
    if (!has_value || value.empty()) fail(text, key + " needs a value (" + key + "=...)");
    return value;
  }
  bool flag() const {
    if (has_value) fail(text, key + " takes no value");
    return true;
  }
  long number() const { return parse_long(text, key, need_value()); }
  std::uint64_t size() const { return parse_number(text, key, need_value(), true); }
};

Option split_option(const std::string& text, const std::string& token) {
  const std::size_t eq = token.find('=');
  const bool has_value = eq != std::string::npos;
  return Option{text, token.substr(0, eq), has_value,
                has_value ? token.substr(eq + 1) : std::string()};
}

FaultBody parse_body(const Option& o) {
  const std::string& v = o.need_value();
  if (v == "error") return FaultBody::ErrorObject;
  if (v == "html") return FaultBody::Html;
  if (v == "malformed" || v == "malformed-json") return FaultBody::MalformedJson;
  if (v == "empty") return FaultBody::Empty;
  if (v == "huge") return FaultBody::Huge;
  if (v == "nested") return FaultBody::Nested;
  if (v == "wide") return FaultBody::Wide;
  fail(o.text, "body must be error, html, malformed, empty, huge, nested or wide");
}

/// The options of the replacement response and its headers; false when `o` is none of them.
bool apply_reply_option(const Option& o, FaultRule& rule) {
  if (o.key == "status") {
    rule.status = static_cast<int>(o.number());
    if (rule.status < 200 || rule.status > 599) fail(o.text, "status must be in 200..599");
  } else if (o.key == "body") {
    rule.body = parse_body(o);
  } else if (o.key == "size") {
    rule.body_size = o.size();
  } else if (o.key == "depth") {
    rule.body_depth = o.size();
  } else if (o.key == "code") {
    rule.error_code = o.need_value();
  } else if (o.key == "type") {
    rule.error_type = o.need_value();
  } else if (o.key == "message") {
    rule.error_message = o.need_value();
  } else if (o.key == "retry-after") {
    rule.retry_after_seconds = o.number();
  } else if (o.key == "retry-after-ms") {
    rule.retry_after_ms = o.number();
  } else if (o.key == "retry-after-date") {
    rule.retry_after_date_seconds = o.number();
  } else if (o.key == "location") {
    rule.location = o.need_value();
  } else if (o.key == "content-type") {
    rule.content_type = o.need_value();
  } else if (o.key == "no-validator") {
    rule.no_validator = o.flag();
  } else {
    return false;
  }
  return true;
}

/// The options of delivery damage; false when `o` is none of them.
bool apply_delivery_option(const Option& o, FaultRule& rule) {
  if (o.key == "close-before-response") {
    rule.close_before_response = o.flag();
  } else if (o.key == "close-after-bytes") {
    rule.close_after_bytes = o.size();
  } else if (o.key == "delay-ms") {
    rule.delay = std::chrono::milliseconds(o.number());
  } else if (o.key == "rate") {
    rule.bytes_per_second = o.size();
    if (rule.bytes_per_second == 0) fail(o.text, "rate must be positive");
  } else if (o.key == "stall-ms") {
    rule.stall = std::chrono::milliseconds(o.number());
  } else if (o.key == "stall-after-bytes") {
    rule.stall_after_bytes = o.size();
  } else if (o.key == "change-etag") {
    rule.change_etag = o.flag();
  } else if (o.key == "ignore-range") {
    rule.ignore_range = o.flag();
  } else if (o.key == "content-range") {
    rule.content_range = o.need_value();
  } else {
    return false;
  }
  return true;
}

/// Where the target ends: the first ':' followed by whitespace or the end of the rule.
std::size_t target_end(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ':' &&
        (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])))) {
      return i;
    }
  }
  fail(text, "expected '[METHOD] PATH: OPTION...'");
}

/// [METHOD] PATH
void parse_target(const std::string& text, const std::string& target, FaultRule& rule) {
  const std::vector<std::string> parts = tokenize(text, target);
  if (parts.size() == 1) {
    rule.path = parts[0];
  } else if (parts.size() == 2) {
    rule.method = upper(parts[0]);
    if (rule.method == "ANY") rule.method = "*";
    rule.path = parts[1];
  } else {
    fail(text, "expected '[METHOD] PATH' before ':'");
  }
  if (rule.path.empty() || (rule.path[0] != '/' && rule.path[0] != '*')) {
    fail(text, "the path pattern must start with '/' or '*'");
  }
}

// size= and depth= shape a generated body, so each needs its body.
void check_generated_body_options(const std::string& text, const FaultRule& rule) {
  const bool sized = rule.body == FaultBody::Huge || rule.body == FaultBody::Wide;
  if (rule.body_size != FaultRule::kDefaultHugeBodySize && !sized) {
    fail(text, "size needs body=huge or body=wide");
  }
  if (rule.body_depth != FaultRule::kDefaultNestedBodyDepth && rule.body != FaultBody::Nested) {
    fail(text, "depth needs body=nested");
  }
}

int parse_times(const Option& o) {
  const std::string& v = o.need_value();
  if (v == "always" || v == "inf" || v == "*") return FaultRule::kAlways;
  const int times = static_cast<int>(o.number());
  if (times < 1) fail(o.text, "times must be at least 1 (or 'always')");
  return times;
}

}  // namespace

FaultRule FaultRule::parse(const std::string& raw) {
  const std::string text = trim(raw);
  const std::size_t colon = target_end(text);
  FaultRule rule;
  parse_target(text, text.substr(0, colon), rule);
  bool has_effect = false;
  for (const std::string& token : tokenize(text, text.substr(colon + 1))) {
    const Option o = split_option(text, token);
    if (o.key == "times") {
      rule.times = parse_times(o);
      continue;
    }
    has_effect = true;
    if (!apply_reply_option(o, rule) && !apply_delivery_option(o, rule)) {
      fail(text, "unknown option '" + o.key + "'");
    }
  }
  if (!has_effect) fail(text, "the rule has no effect (e.g. status=503 or close-before-response)");
  if (rule.stall_after_bytes > 0 && rule.stall.count() == 0) {
    fail(text, "stall-after-bytes needs stall-ms");
  }
  check_generated_body_options(text, rule);
  return rule;
}

std::string FaultRule::to_string() const {
  std::string out = method + " " + path + ":";
  if (status != 0) out += " status=" + std::to_string(status);
  if (body != FaultBody::None) out += std::string(" body=") + body_name(body);
  if (body == FaultBody::Huge || body == FaultBody::Wide) {
    out += " size=" + std::to_string(body_size);
  }
  if (body == FaultBody::Nested) out += " depth=" + std::to_string(body_depth);
  if (!error_code.empty()) out += " code=" + quote_if_needed(error_code);
  if (!error_type.empty()) out += " type=" + quote_if_needed(error_type);
  if (!error_message.empty()) out += " message=" + quote_if_needed(error_message);
  if (retry_after_seconds) out += " retry-after=" + std::to_string(*retry_after_seconds);
  if (retry_after_ms) out += " retry-after-ms=" + std::to_string(*retry_after_ms);
  if (retry_after_date_seconds) {
    out += " retry-after-date=" + std::to_string(*retry_after_date_seconds);
  }
  if (!location.empty()) out += " location=" + quote_if_needed(location);
  if (!content_type.empty()) out += " content-type=" + quote_if_needed(content_type);
  if (no_validator) out += " no-validator";
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
