#include "download/download_fetch.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/content_range.hpp"
#include "http/url.hpp"
#include "model/json_codec.hpp"
#include "text.hpp"

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxRedirects = 5;
constexpr std::size_t kMaxErrorBody = 4096;

std::optional<std::uint64_t> parse_length(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

/// How the body of the current answer maps onto the bytes wanted.
enum class Answer {
  None,      // not decided yet / no usable body
  Ranged,    // 206: the body starts at the position
  Full,      // 200: the body starts at byte 0; `skip` bytes precede the position
  Complete,  // 416 for a position at the end: nothing more to fetch
  Restart,   // the content changed: start over (the sink was reset)
  Redirect,
  Error,    // an error status: the body is kept for the message
  Refused,  // 200/206 with something else than the media wanted: the body is kept for the message
};

/// True for the first byte of a body that may be a JSON document rather than the content (a
/// video or an image never starts with one of these).
bool may_start_json(char c) { return c == '{' || c == '[' || is_ascii_space(c); }

}  // namespace

bool ResourceIdentity::contradicts(const ResourceIdentity& other) const {
  if (!etag.empty() && !other.etag.empty()) return etag != other.etag;
  if (!last_modified.empty() && !other.last_modified.empty()) {
    return last_modified != other.last_modified;
  }
  return false;
}

bool ResourceIdentity::confirmed_by(const ResourceIdentity& answer) const {
  if (!etag.empty() && answer.etag == etag) return true;
  if (!etag.empty() && !answer.etag.empty()) return false;
  return !last_modified.empty() && answer.last_modified == last_modified;
}

ResourceIdentity identity_of(int status, const HttpHeaders& headers) {
  ResourceIdentity identity;
  if (auto etag = find_header(headers, "etag"); etag && etag->rfind("W/", 0) != 0) {
    identity.etag = std::move(*etag);
  }
  identity.last_modified = find_header(headers, "last-modified").value_or("");
  if (status == 206 || status == 416) {
    if (const auto range =
            parse_content_range(find_header(headers, "content-range").value_or(""))) {
      identity.total = range->total;
    }
  } else if (status == 200 && !find_header(headers, "content-encoding")) {
    identity.total = parse_length(find_header(headers, "content-length").value_or(""));
  }
  return identity;
}

namespace {

/// One attempt: how its headers classified the answer, and what its body did.
struct Exchange {
  bool ranged_request = false;
  Answer answer = Answer::None;
  std::uint64_t skip = 0;                  // Full: body bytes before the position
  std::optional<std::uint64_t> remaining;  // body bytes still wanted from this answer
  std::uint64_t delivered = 0;             // to the sink
  std::uint64_t received = 0;              // body bytes, skipped ones included
  bool reached_end = false;                // stopped on purpose once everything wanted came
  bool write_failed = false;
  std::string protocol_error;
  std::string location;
  std::string error_body;
  std::string content_type;  // Refused: what the answer said it was
  // The first bytes of a body that starts like JSON, held back from the sink until they prove to
  // be content (more than kMaxErrorBody of them, or not a JSON document) or an error object.
  bool sniffing = false;
  std::string held;
  // Exceptions must not unwind through libcurl's C frames: kept for after the transfer.
  std::exception_ptr callback_error;
};

/// Reports one attempt's decision to the fetch's logger.
struct AttemptLog {
  const FetchControl& control;
  const HttpRequest& request;
  const HttpResponse& response;
  int attempt;
  milliseconds duration;

  void operator()(std::string decision) const {
    if (control.log) {
      control.log(make_request_event(request, response, attempt, duration, std::move(decision)));
    }
  }
};

/// The loop of detail::fetch: one exchange per attempt, each classified by its headers, then
/// finished, resumed, redirected or retried under the client's retry decision.
class Fetch {
 public:
  Fetch(const ClientImpl& impl, const FetchSpec& spec, FetchSink& sink, const FetchControl& control)
      : impl_(impl), spec_(spec), sink_(sink), control_(control), url_(spec.url) {
    outcome_.position = spec.position;
    outcome_.identity = spec.identity;
  }

  FetchOutcome run() {
    Clock& clock = *impl_.clock;
    for (int attempt = 1;; ++attempt) {
      if (const auto want = target(); want && position_ >= *want && position_ > spec_.position) {
        return outcome_;  // a shorter 206 or a clipped range finished it
      }
      if (past_deadline(clock.now())) throw_timeout();
      if (position_ > spec_.start && known_.validator().empty()) restart_without_validator();
      Exchange exchange;
      const HttpRequest request = request_for(exchange);
      const auto sent_at = clock.now();
      HttpResponse response = impl_.send_once(request, attempt);
      const auto duration = std::chrono::duration_cast<milliseconds>(clock.now() - sent_at);
      settle_held(exchange, response);
      response.body = exchange.error_body;
      outcome_.received += exchange.received;
      if (finished(exchange, response, {control_, request, response, attempt, duration})) {
        return outcome_;
      }
    }
  }

 private:
  /// The end actually reachable: the wanted end, clipped at the total once it is known.
  std::optional<std::uint64_t> target() const {
    if (spec_.end && known_.total) return std::min(*spec_.end, *known_.total);
    return spec_.end ? spec_.end : known_.total;
  }

  bool past_deadline(Clock::time_point when) const {
    return control_.deadline && when >= *control_.deadline;
  }

  [[noreturn]] void throw_timeout() const {
    throw TimeoutError(control_.context + ": the download's timeout passed" + sink_.kept_note(), "",
                       std::nullopt);
  }

  HttpRequest request_for(Exchange& exchange);
  bool classify(Exchange& exchange, int status, const HttpHeaders& headers);
  bool classify_partial(Exchange& exchange, const ResourceIdentity& answered,
                        const std::string& content_range);
  bool classify_full(Exchange& exchange, const ResourceIdentity& answered);
  bool deliver(Exchange& exchange, const char* data, std::size_t size);
  bool store(Exchange& exchange, const char* data, std::size_t size);
  bool release_held(Exchange& exchange);
  void settle_held(Exchange& exchange, const HttpResponse& response);
  void restart_without_validator();
  [[noreturn]] void refuse(const Exchange& exchange, const HttpResponse& response) const;
  bool stall_counts(const Exchange& exchange, const HttpResponse& response) const;
  bool finished(const Exchange& exchange, const HttpResponse& response, const AttemptLog& log);
  bool content_finished(const Exchange& exchange, const HttpResponse& response,
                        const AttemptLog& log);
  void retry_after_failure(const Exchange& exchange, const HttpResponse& response,
                           const AttemptLog& log);
  [[noreturn]] void give_up(const HttpResponse& response) const;

  /// The content changed before any byte of it was kept, or the sink took its bytes back: start
  /// over from the first byte wanted. Returns false, which ends the transfer.
  bool restart_from_start(Exchange& exchange) {
    position_ = spec_.start;
    known_ = ResourceIdentity();
    exchange.answer = Answer::Restart;
    return false;
  }

  static bool protocol(Exchange& exchange, std::string text) {
    exchange.protocol_error = std::move(text);
    return false;
  }

  const ClientImpl& impl_;
  const FetchSpec& spec_;
  FetchSink& sink_;
  const FetchControl& control_;
  const std::string& context_ = control_.context;
  FetchOutcome outcome_;
  ResourceIdentity& known_ = outcome_.identity;
  std::uint64_t& position_ = outcome_.position;
  std::string url_;
  int failures_ = 0;
  int redirects_ = 0;
  int restarts_ = 0;
};

HttpRequest Fetch::request_for(Exchange& exchange) {
  Clock& clock = *impl_.clock;
  HttpRequest request = impl_.make_request("GET", url_);
  // A video may take long: without a deadline, stall detection guards the transfer instead.
  request.timeout = milliseconds(0);
  if (control_.deadline) {
    request.timeout = std::max(milliseconds(1),
                               std::chrono::ceil<milliseconds>(*control_.deadline - clock.now()));
  }
  request.cancel = control_.cancel;
  exchange.ranged_request = position_ > 0 || spec_.end.has_value();
  if (exchange.ranged_request) {
    std::string range = "bytes=" + std::to_string(position_) + "-";
    if (spec_.end) range += std::to_string(*spec_.end - 1);
    request.headers.emplace_back("Range", range);
    const std::string validator = known_.validator();
    if (!validator.empty()) request.headers.emplace_back("If-Range", validator);
  }
  // The callbacks run inside the transfer: whatever they throw waits for its end.
  request.on_headers = [this, &exchange](int status, const HttpHeaders& headers) {
    try {
      return classify(exchange, status, headers);
    } catch (...) {
      exchange.callback_error = std::current_exception();
      return false;
    }
  };
  request.on_body = [this, &exchange](const char* data, std::size_t size) {
    try {
      return deliver(exchange, data, size);
    } catch (...) {
      exchange.callback_error = std::current_exception();
      return false;
    }
  };
  return request;
}

bool Fetch::classify(Exchange& exchange, int status, const HttpHeaders& headers) {
  const ResourceIdentity answered = identity_of(status, headers);
  const std::string content_range = find_header(headers, "content-range").value_or("");
  if (status == 200 || status == 206) {
    exchange.content_type = find_header(headers, "content-type").value_or("");
    if (!accepts_content_type(control_.media, exchange.content_type)) {
      exchange.answer = Answer::Refused;
      return true;  // read the body for the message
    }
  }
  if (status == 206) return classify_partial(exchange, answered, content_range);
  if (status == 200) return classify_full(exchange, answered);
  if (status == 416 && !spec_.end && position_ > 0) {
    const auto range = parse_content_range(content_range);
    if (range && range->total && *range->total == position_ &&
        !(known_.total && *known_.total != position_)) {
      exchange.answer = Answer::Complete;
      return true;
    }
    // The part is longer than the content, or the 416 says nothing: start over.
    if (sink_.restart()) return restart_from_start(exchange);
  }
  if (status >= 300 && status < 400) {
    exchange.location = find_header(headers, "location").value_or("");
    if (!exchange.location.empty()) {
      exchange.answer = Answer::Redirect;
      return true;
    }
  }
  exchange.answer = Answer::Error;
  return true;  // read the error body for the message
}

bool Fetch::classify_partial(Exchange& exchange, const ResourceIdentity& answered,
                             const std::string& content_range) {
  const auto range = parse_content_range(content_range);
  if (!range || !range->first) {
    return protocol(exchange, "HTTP 206 with an unusable Content-Range \"" + content_range + "\"");
  }
  if (range->first->start != position_) {
    return protocol(exchange, "HTTP 206 with Content-Range \"" + content_range +
                                  "\" does not continue at byte " + std::to_string(position_));
  }
  if (spec_.end && range->first->end >= *spec_.end) {
    return protocol(exchange, "HTTP 206 with Content-Range \"" + content_range +
                                  "\" goes past the requested byte " +
                                  std::to_string(*spec_.end - 1));
  }
  // A gateway may drop If-Range and answer 206 whatever the version: the bytes continue the ones
  // before only when the answer repeats their validator.
  if (known_.contradicts(answered) ||
      (!known_.validator().empty() && !known_.confirmed_by(answered))) {
    // The server ignored If-Range: these bytes belong to another version.
    if (!spec_.identity_fixed && (position_ == spec_.start || sink_.restart())) {
      return restart_from_start(exchange);
    }
    throw ContentChangedError(context_ + ": the content changed during the download" +
                              sink_.kept_note());
  }
  if (known_.total && answered.total && *known_.total != *answered.total) {
    return protocol(exchange, "HTTP 206 with Content-Range \"" + content_range +
                                  "\" announces a total of " + std::to_string(*answered.total) +
                                  " bytes, not " + std::to_string(*known_.total));
  }
  const bool first_identity = known_.validator().empty() && !known_.total;
  if (known_.etag.empty()) known_.etag = answered.etag;
  if (known_.last_modified.empty()) known_.last_modified = answered.last_modified;
  if (!known_.total) known_.total = answered.total;
  if (first_identity) sink_.identified(known_);
  exchange.remaining = range->first->end - range->first->start + 1;
  outcome_.ranges_honoured = true;
  exchange.answer = Answer::Ranged;
  exchange.sniffing = position_ == 0;
  return true;
}

bool Fetch::classify_full(Exchange& exchange, const ResourceIdentity& answered) {
  // The whole content. Without a Range that is the answer asked for; with one, the server
  // ignores ranges (same validator: skip to the position) or the content changed.
  const bool changed = known_.contradicts(answered) ||
                       (exchange.ranged_request && known_.validator().empty()) ||
                       (exchange.ranged_request && answered.validator().empty());
  if (changed && (position_ > spec_.start || spec_.identity_fixed)) {
    if (spec_.identity_fixed || !sink_.restart()) {
      throw ContentChangedError(
          context_ + ": the content changed during the download (the server answered " +
          "HTTP 200 to a Range request guarded by If-Range)" + sink_.kept_note());
    }
    position_ = spec_.start;
  }
  const bool other_total = known_.total && answered.total && *known_.total != *answered.total;
  if (!changed && other_total) {
    return protocol(exchange, "HTTP 200 announces " + std::to_string(*answered.total) +
                                  " bytes, not " + std::to_string(*known_.total));
  }
  if (changed || known_.validator().empty()) {
    known_ = answered;
    sink_.identified(known_);
  } else if (!known_.total) {
    known_.total = answered.total;
  }
  exchange.skip = position_;
  if (spec_.end) exchange.remaining = *spec_.end - position_;
  exchange.answer = Answer::Full;
  exchange.sniffing = true;
  return true;
}

bool Fetch::deliver(Exchange& exchange, const char* data, std::size_t size) {
  if (exchange.answer != Answer::Ranged && exchange.answer != Answer::Full) {
    if (exchange.error_body.size() < kMaxErrorBody) {
      exchange.error_body.append(data, std::min(size, kMaxErrorBody - exchange.error_body.size()));
    }
    return true;
  }
  if (exchange.sniffing) {
    if (exchange.held.empty() && size > 0 && !may_start_json(data[0])) {
      exchange.sniffing = false;
    } else {
      exchange.held.append(data, size);
      const auto first = exchange.held.find_first_not_of(" \t\r\n");
      const bool json_so_far =
          first == std::string::npos || exchange.held[first] == '{' || exchange.held[first] == '[';
      return json_so_far && exchange.held.size() <= kMaxErrorBody ? true : release_held(exchange);
    }
  }
  return store(exchange, data, size);
}

/// Hands the held bytes to the sink: they are content after all.
bool Fetch::release_held(Exchange& exchange) {
  exchange.sniffing = false;
  const std::string held = std::move(exchange.held);
  exchange.held.clear();
  return store(exchange, held.data(), held.size());
}

/// After the transfer: a body that ended while held back is an error object (or another JSON
/// document) instead of the content, or else content; one cut short is fetched again.
void Fetch::settle_held(Exchange& exchange, const HttpResponse& response) {
  if (!exchange.sniffing || exchange.callback_error) return;
  if (response.error != TransportError::None) {
    exchange.held.clear();
    return;
  }
  if (!exchange.held.empty() && nlohmann::json::accept(exchange.held)) {
    exchange.answer = Answer::Refused;
    exchange.error_body = exchange.held.substr(0, kMaxErrorBody);
    return;
  }
  try {
    release_held(exchange);
  } catch (...) {
    exchange.callback_error = std::current_exception();
  }
}

/// Stores body bytes of a Ranged or Full answer: skips what precedes the position, stops at the
/// wanted end. False ends the transfer.
bool Fetch::store(Exchange& exchange, const char* data, std::size_t size) {
  exchange.received += size;
  if (control_.on_received) control_.on_received(size);
  if (exchange.skip > 0) {
    const std::size_t skipped =
        static_cast<std::size_t>(std::min<std::uint64_t>(exchange.skip, size));
    exchange.skip -= skipped;
    data += skipped;
    size -= skipped;
  }
  if (exchange.remaining && size > *exchange.remaining) {
    if (exchange.answer == Answer::Ranged) {
      return protocol(exchange, "the server sent more bytes than its Content-Range announced");
    }
    size = static_cast<std::size_t>(*exchange.remaining);
    exchange.reached_end = true;
  }
  if (size > 0) {
    if (!sink_.write(data, size)) {
      exchange.write_failed = true;
      return false;
    }
    position_ += size;
    exchange.delivered += size;
    if (exchange.remaining) *exchange.remaining -= size;
    if (control_.on_delivered) control_.on_delivered(size);
  }
  if (exchange.remaining && *exchange.remaining == 0 && exchange.answer == Answer::Full) {
    exchange.reached_end = true;
  }
  return !exchange.reached_end;  // a Full answer past the wanted end is cut short
}

/// True when the fetch is over; false for another attempt. Throws what ends it otherwise.
bool Fetch::finished(const Exchange& exchange, const HttpResponse& response,
                     const AttemptLog& log) {
  if (exchange.callback_error) {
    log("give up: the download was stopped");
    std::rethrow_exception(exchange.callback_error);
  }
  if (exchange.write_failed) {
    log("give up: the bytes could not be stored");
    throw Error(context_ + ": " + sink_.error() + sink_.kept_note());
  }
  if (!exchange.protocol_error.empty()) {
    log("give up: " + exchange.protocol_error);
    throw ResponseError(context_ + ": " + exchange.protocol_error + sink_.kept_note(),
                        response.status);
  }
  if (exchange.answer == Answer::Refused) {
    log("give up: the answer is not " + std::string(describe(control_.media)));
    refuse(exchange, response);
  }
  if (exchange.answer == Answer::Restart) {
    if (++restarts_ > impl_.retry.max_attempts) {
      log("give up: the content keeps changing");
      throw ResponseError(context_ + ": the content changed " + std::to_string(restarts_) +
                              " times during the download",
                          response.status);
    }
    log("restart from byte " + std::to_string(spec_.start) + ": the content changed");
    return false;
  }
  const bool answered = response.error == TransportError::None || exchange.reached_end;
  if (answered && exchange.answer == Answer::Redirect) {
    if (++redirects_ > kMaxRedirects) {
      log("give up: too many redirects");
      throw ResponseError(context_ + ": more than " + std::to_string(kMaxRedirects) + " redirects",
                          response.status);
    }
    log("follow redirect");
    url_ = resolve_location(url_, exchange.location);
    return false;
  }
  if (answered && exchange.answer == Answer::Complete) {
    impl_.budget.refund();
    log("done: already complete");
    outcome_.already_complete = true;
    return true;
  }
  if (answered && (exchange.answer == Answer::Ranged || exchange.answer == Answer::Full)) {
    return content_finished(exchange, response, log);
  }
  retry_after_failure(exchange, response, log);
  return false;
}

bool Fetch::content_finished(const Exchange& exchange, const HttpResponse& response,
                             const AttemptLog& log) {
  const auto want = target();
  if (spec_.end && known_.total && spec_.start >= *known_.total) {
    log("give up: the range starts past the end");
    throw ApiError(context_ + ": the range from byte " + std::to_string(spec_.start) +
                       " is not satisfiable (the content has " + std::to_string(*known_.total) +
                       " bytes)",
                   416, "invalid_request_error", "range_not_satisfiable");
  }
  if (!want || position_ >= *want) {
    impl_.budget.refund();
    log("done");
    return true;
  }
  if (exchange.delivered == 0) {
    log("give up: the answer ended before byte " + std::to_string(*want));
    throw ResponseError(context_ + ": the server's answer ended at byte " +
                            std::to_string(position_) + " of " + std::to_string(*want) +
                            sink_.kept_note(),
                        response.status);
  }
  failures_ = 0;
  log("continue from byte " + std::to_string(position_));
  return false;
}

/// A failed attempt: returns once the next one may start, else throws.
void Fetch::retry_after_failure(const Exchange& exchange, const HttpResponse& response,
                                const AttemptLog& log) {
  Clock& clock = *impl_.clock;
  const std::string cancelled = context_ + ": cancelled" + sink_.kept_note();
  // Cancellation and the deadline come first: neither may be taken for a resumable failure.
  if (response.error == TransportError::Cancelled || control_.cancel.cancelled()) {
    log("cancelled");
    throw CancelledError(cancelled);
  }
  if (response.error != TransportError::None && past_deadline(clock.now())) {
    log("give up: the download's timeout passed");
    throw_timeout();
  }
  // Progress since the last failure means the connection works: resume at once, uncounted.
  if (exchange.delivered > 0 && response.error != TransportError::None &&
      !stall_counts(exchange, response)) {
    failures_ = 0;
    log("resume at once from byte " + std::to_string(position_) + " (" +
        describe_failure(response) + ")");
    return;
  }
  if (exchange.answer == Answer::Error && response.status == 416) {
    log("give up: HTTP 416");
    throw ApiError(context_ + ": the range from byte " + std::to_string(position_) +
                       " is not satisfiable (it starts at or past the end of the content)",
                   416, "invalid_request_error", "range_not_satisfiable");
  }
  const RetryDecision next = impl_.decide({response, ++failures_, Idempotency::Idempotent,
                                           control_.cancel.cancelled(), OnCancel::EndAlways});
  if (next.action == RetryDecision::Action::Retry && past_deadline(clock.now() + next.delay)) {
    log("give up: the retry in " + std::to_string(next.delay.count()) +
        " ms would come after the download's timeout");
    throw_timeout();
  }
  log(next.text);
  if (next.action == RetryDecision::Action::Cancelled) throw CancelledError(cancelled);
  if (next.action == RetryDecision::Action::GiveUp) give_up(response);
  if (!wait_before_retry(clock, next.delay, control_.cancel)) throw CancelledError(cancelled);
}

/// A stall counts against the retry policy unless the attempt moved at least what the minimum
/// rate allows over one stall window: otherwise a server trickling a byte now and then would keep
/// the download alive for ever.
bool Fetch::stall_counts(const Exchange& exchange, const HttpResponse& response) const {
  if (response.error != TransportError::Stalled) return false;
  const TransportOptions& transport = impl_.transport_options;
  const auto floor =
      static_cast<std::uint64_t>(std::max(1L, transport.low_speed_limit)) *
      static_cast<std::uint64_t>(std::max<long long>(1, transport.low_speed_time.count()));
  return exchange.received < floor;
}

/// The sink holds bytes of a broken transfer, but the server named no validator: the rest could
/// come from another version, so start over from the first byte when the sink can.
void Fetch::restart_without_validator() {
  const std::string why = "the server names no version of the content (no ETag or Last-Modified)";
  if (++restarts_ > impl_.retry.max_attempts) {
    throw ResponseError(context_ + ": the transfer broke " + std::to_string(restarts_) +
                        " times and " + why + ", so it cannot be resumed" + sink_.kept_note());
  }
  if (spec_.identity_fixed || !sink_.restart()) {
    throw ResponseError(context_ + ": the transfer broke at byte " + std::to_string(position_) +
                        " and " + why + ", so the rest cannot be fetched safely" +
                        sink_.kept_note());
  }
  position_ = spec_.start;
  known_ = ResourceIdentity();
}

/// A 200/206 whose body is not the media wanted: an error page, an API error object.
void Fetch::refuse(const Exchange& exchange, const HttpResponse& response) const {
  const std::string what =
      exchange.content_type.empty() || accepts_content_type(control_.media, exchange.content_type)
          ? std::string("a JSON document")
          : "Content-Type " + body_excerpt(exchange.content_type, 80);
  const ApiError service = api_error_from_error_body(response.body, response.status);
  throw [&] {
    ApiError error(context_ + ": the server answered " + what + " instead of " +
                       std::string(describe(control_.media)) + ": " + service.what() + " (HTTP " +
                       std::to_string(response.status) + ")" + sink_.kept_note(),
                   response.status, service.type(), service.code());
    error.set_request_id(service.request_id());
    return error;
  }();
}

void Fetch::give_up(const HttpResponse& response) const {
  if (response.error == TransportError::None && response.status >= 200 && response.status < 300) {
    throw ResponseError(context_ + ": HTTP " + std::to_string(response.status) +
                            " ended without the content" + sink_.kept_note(),
                        response.status);
  }
  throw_for_response(response, context_);
}

}  // namespace

FetchOutcome fetch(const ClientImpl& impl, const FetchSpec& spec, FetchSink& sink,
                   const FetchControl& control) {
  return Fetch(impl, spec, sink, control).run();
}

}  // namespace seedance::detail
