#include "faults.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <stdexcept>

#include "generated_body.hpp"
#include "text.hpp"

namespace seedance::mock::detail {
namespace {

bool match_from(const std::string& p, std::size_t pi, const std::string& s, std::size_t si) {
  while (pi < p.size()) {
    const char c = p[pi];
    if (c == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (pi == p.size()) return true;
      for (std::size_t k = si; k <= s.size(); ++k) {
        if (match_from(p, pi, s, k)) return true;
      }
      return false;
    }
    if (c == '{') {
      const std::size_t close = p.find('}', pi);
      if (close != std::string::npos) {
        // One or more characters of a single segment.
        for (std::size_t k = si; k < s.size() && s[k] != '/'; ++k) {
          if (match_from(p, close + 1, s, k + 1)) return true;
        }
        return false;
      }
    }
    if (si >= s.size() || s[si] != c) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

std::string html_page(int status) {
  const std::string title = std::to_string(status) + " " + reason_phrase(status);
  return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
         "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
}

}  // namespace

bool path_matches(const std::string& pattern, const std::string& path) {
  return match_from(pattern, 0, path, 0);
}

bool method_matches(const std::string& pattern, const std::string& method) {
  return pattern == "*" || pattern.empty() || iequals(pattern, method);
}

void FaultBook::add(FaultRule rule) {
  if (rule.times == 0) return;
  if (rule.status != 0 && (rule.status < 200 || rule.status > 599)) {
    throw std::invalid_argument("FaultRule: status must be in 200..599");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.push_back(std::move(rule));
}

void FaultBook::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

std::size_t FaultBook::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rules_.size();
}

std::size_t FaultBook::match_locked(const std::string& method, const std::string& path) const {
  std::size_t i = 0;
  while (i < rules_.size() &&
         !(method_matches(rules_[i].method, method) && path_matches(rules_[i].path, path))) {
    ++i;
  }
  return i;
}

std::optional<FaultRule> FaultBook::take(const std::string& method, const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t i = match_locked(method, path);
  if (i == rules_.size()) return std::nullopt;
  FaultRule applied = rules_[i];
  if (rules_[i].times > 0 && --rules_[i].times == 0) {
    rules_.erase(rules_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return applied;
}

bool FaultBook::next_closes(const std::string& method, const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t i = match_locked(method, path);
  return i < rules_.size() && rules_[i].close_before_response;
}

Reply fault_reply(const FaultRule& f) {
  const FaultBody body = f.body == FaultBody::None ? FaultBody::ErrorObject : f.body;
  Reply r;
  r.status = f.status != 0                    ? f.status
             : body == FaultBody::ErrorObject ? 500
             : body == FaultBody::Html        ? 502
                                              : 200;
  switch (body) {
    case FaultBody::None:
    case FaultBody::ErrorObject: {
      const ErrorDefaults d = error_defaults(r.status);
      r.body = error_json(f.error_code.empty() ? d.code : f.error_code,
                          f.error_type.empty() ? d.type : f.error_type,
                          f.error_message.empty()
                              ? "mock: injected error (HTTP " + std::to_string(r.status) + ")"
                              : f.error_message);
      break;
    }
    case FaultBody::Html:
      r.content_type = "text/html";
      r.body = html_page(r.status);
      break;
    case FaultBody::MalformedJson:
      r.body = R"({"id":"task_malformed","status":"QUEUED","progress":)";
      break;
    case FaultBody::Empty:
      break;
    case FaultBody::Huge:
      r.generated = std::make_shared<const GeneratedBody>(huge_task_detail(f.body_size));
      break;
    case FaultBody::Nested:
      r.generated = std::make_shared<const GeneratedBody>(nested_task_detail(f.body_depth));
      break;
    case FaultBody::Wide:
      r.generated = std::make_shared<const GeneratedBody>(wide_task_detail(f.body_size));
      break;
  }
  return r;
}

void add_fault_headers(const FaultRule& f, Reply& reply) {
  if (!f.content_range.empty()) {
    for (auto& header : reply.headers) {
      if (header.first == "Content-Range") header.second = f.content_range;
    }
  }
  if (f.retry_after_seconds) {
    reply.headers.emplace_back("Retry-After", std::to_string(*f.retry_after_seconds));
  }
  if (f.retry_after_ms) {
    reply.headers.emplace_back("retry-after-ms", std::to_string(*f.retry_after_ms));
  }
  if (f.retry_after_date_seconds) {
    reply.headers.emplace_back("Retry-After", http_date(unix_now() + *f.retry_after_date_seconds));
  }
  if (!f.location.empty()) reply.headers.emplace_back("Location", f.location);
  if (!f.content_type.empty()) {
    reply.content_type = f.content_type == FaultRule::kNoContentType ? "" : f.content_type;
  }
  if (f.no_validator) {
    auto& headers = reply.headers;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [](const auto& header) {
                                   return iequals(header.first, "ETag") ||
                                          iequals(header.first, "Last-Modified");
                                 }),
                  headers.end());
  }
}

}  // namespace seedance::mock::detail
