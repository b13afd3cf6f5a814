#include "download_fetch.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "content_range.hpp"
#include "url.hpp"

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
  Error,  // an error status: the body is kept for the message
};

}  // namespace

bool ResourceIdentity::contradicts(const ResourceIdentity& other) const {
  if (!etag.empty() && !other.etag.empty()) return etag != other.etag;
  if (!last_modified.empty() && !other.last_modified.empty()) {
    return last_modified != other.last_modified;
  }
  return false;
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

RequestEvent make_event(const HttpRequest& request, const HttpResponse& response, int attempt,
                        milliseconds duration, std::string decision) {
  RequestEvent event;
  event.method = request.method;
  event.path = path_of(request.url);
  event.attempt = attempt;
  event.status = response.status;
  event.error = response.error;
  event.duration = duration;
  event.decision = std::move(decision);
  return event;
}

FetchOutcome fetch(const ClientImpl& impl, const FetchSpec& spec, FetchSink& sink,
                   const FetchControl& control) {
  Clock& clock = *impl.clock;
  const std::string& context = control.context;
  FetchOutcome outcome;
  outcome.position = spec.position;
  outcome.identity = spec.identity;
  ResourceIdentity& known = outcome.identity;
  std::uint64_t& position = outcome.position;
  std::string url = spec.url;
  int failures = 0;
  int redirects = 0;
  int restarts = 0;

  // The end actually reachable: the wanted end, clipped at the total once it is known.
  const auto target = [&]() -> std::optional<std::uint64_t> {
    if (spec.end && known.total) return std::min(*spec.end, *known.total);
    return spec.end ? spec.end : known.total;
  };

  const auto past_deadline = [&](Clock::time_point when) {
    return control.deadline && when >= *control.deadline;
  };
  const auto throw_timeout = [&]() {
    throw TimeoutError(context + ": the download's timeout passed" + sink.kept_note(), "",
                       std::nullopt);
  };

  for (int attempt = 1;; ++attempt) {
    if (const auto want = target(); want && position >= *want && position > spec.position) {
      return outcome;  // a shorter 206 or a clipped range finished it
    }
    if (past_deadline(clock.now())) throw_timeout();
    HttpRequest request = impl.make_request("GET", url);
    // A video may take long: without a deadline, stall detection guards the transfer instead.
    request.timeout = milliseconds(0);
    if (control.deadline) {
      request.timeout = std::max(milliseconds(1),
                                 std::chrono::ceil<milliseconds>(*control.deadline - clock.now()));
    }
    request.cancel = control.cancel;
    const std::string validator = known.validator();
    const bool ranged_request = position > 0 || spec.end.has_value();
    if (ranged_request) {
      std::string range = "bytes=" + std::to_string(position) + "-";
      if (spec.end) range += std::to_string(*spec.end - 1);
      request.headers.emplace_back("Range", range);
      if (!validator.empty()) request.headers.emplace_back("If-Range", validator);
    }

    Answer answer = Answer::None;
    std::uint64_t skip = 0;                  // Full: body bytes before the position
    std::optional<std::uint64_t> remaining;  // body bytes still wanted from this answer
    std::uint64_t delivered = 0;             // in this attempt
    bool reached_end = false;                // stopped on purpose once everything wanted came
    bool write_failed = false;
    std::string protocol_error;
    std::string location;
    std::string error_body;
    std::uint64_t received = 0;

    const auto protocol = [&](std::string text) {
      protocol_error = std::move(text);
      return false;
    };
    const auto on_headers = [&](int status, const HttpHeaders& headers) {
      const ResourceIdentity answered = identity_of(status, headers);
      const std::string content_range = find_header(headers, "content-range").value_or("");
      if (status == 206) {
        const auto range = parse_content_range(content_range);
        if (!range || !range->first) {
          return protocol("HTTP 206 with an unusable Content-Range \"" + content_range + "\"");
        }
        if (range->first->start != position) {
          return protocol("HTTP 206 with Content-Range \"" + content_range +
                          "\" does not continue at byte " + std::to_string(position));
        }
        if (spec.end && range->first->end >= *spec.end) {
          return protocol("HTTP 206 with Content-Range \"" + content_range +
                          "\" goes past the requested byte " + std::to_string(*spec.end - 1));
        }
        if (known.contradicts(answered)) {
          // The server ignored If-Range: these bytes belong to another version.
          if (!spec.identity_fixed && (position == spec.start || sink.restart())) {
            position = spec.start;
            known = ResourceIdentity();
            answer = Answer::Restart;
            return false;
          }
          throw ContentChangedError(context + ": the content changed during the download" +
                                    sink.kept_note());
        }
        if (known.total && answered.total && *known.total != *answered.total) {
          return protocol("HTTP 206 with Content-Range \"" + content_range +
                          "\" announces a total of " + std::to_string(*answered.total) +
                          " bytes, not " + std::to_string(*known.total));
        }
        const bool first_identity = known.validator().empty() && !known.total;
        if (known.etag.empty()) known.etag = answered.etag;
        if (known.last_modified.empty()) known.last_modified = answered.last_modified;
        if (!known.total) known.total = answered.total;
        if (first_identity) sink.identified(known);
        remaining = range->first->end - range->first->start + 1;
        outcome.ranges_honoured = true;
        answer = Answer::Ranged;
        return true;
      }
      if (status == 200) {
        // The whole content. Without a Range that is the answer asked for; with one, the server
        // ignores ranges (same validator: skip to the position) or the content changed.
        const bool changed = known.contradicts(answered) ||
                             (ranged_request && known.validator().empty()) ||
                             (ranged_request && answered.validator().empty());
        if (changed && (position > spec.start || spec.identity_fixed)) {
          if (spec.identity_fixed || !sink.restart()) {
            throw ContentChangedError(
                context + ": the content changed during the download (the server answered " +
                "HTTP 200 to a Range request guarded by If-Range)" + sink.kept_note());
          }
          position = spec.start;
        }
        if (changed || known.validator().empty()) {
          if (!changed && known.total && answered.total && *known.total != *answered.total) {
            return protocol("HTTP 200 announces " + std::to_string(*answered.total) +
                            " bytes, not " + std::to_string(*known.total));
          }
          known = answered;
          sink.identified(known);
        } else if (known.total && answered.total && *known.total != *answered.total) {
          return protocol("HTTP 200 announces " + std::to_string(*answered.total) + " bytes, not " +
                          std::to_string(*known.total));
        } else if (!known.total) {
          known.total = answered.total;
        }
        skip = position;
        if (spec.end) remaining = *spec.end - position;
        answer = Answer::Full;
        return true;
      }
      if (status == 416 && !spec.end && position > 0) {
        const auto range = parse_content_range(content_range);
        if (range && range->total && *range->total == position &&
            !(known.total && *known.total != position)) {
          answer = Answer::Complete;
          return true;
        }
        // The part is longer than the content, or the 416 says nothing: start over.
        if (sink.restart()) {
          position = spec.start;
          known = ResourceIdentity();
          answer = Answer::Restart;
          return false;
        }
      }
      if (status >= 300 && status < 400) {
        location = find_header(headers, "location").value_or("");
        if (!location.empty()) {
          answer = Answer::Redirect;
          return true;
        }
      }
      answer = Answer::Error;
      return true;  // read the error body for the message
    };

    const auto on_body = [&](const char* data, std::size_t size) {
      if (answer != Answer::Ranged && answer != Answer::Full) {
        if (error_body.size() < kMaxErrorBody) {
          error_body.append(data, std::min(size, kMaxErrorBody - error_body.size()));
        }
        return true;
      }
      received += size;
      if (control.on_received) control.on_received(size);
      if (skip > 0) {
        const std::size_t skipped = static_cast<std::size_t>(std::min<std::uint64_t>(skip, size));
        skip -= skipped;
        data += skipped;
        size -= skipped;
      }
      if (remaining && size > *remaining) {
        if (answer == Answer::Ranged) {
          return protocol("the server sent more bytes than its Content-Range announced");
        }
        size = static_cast<std::size_t>(*remaining);
        reached_end = true;
      }
      if (size > 0) {
        if (!sink.write(data, size)) {
          write_failed = true;
          return false;
        }
        position += size;
        delivered += size;
        if (remaining) *remaining -= size;
        if (control.on_delivered) control.on_delivered(size);
      }
      if (remaining && *remaining == 0 && answer == Answer::Full) reached_end = true;
      return !reached_end;  // a Full answer past the wanted end is cut short
    };

    // Exceptions must not unwind through libcurl's C frames: keep them for after the transfer.
    std::exception_ptr callback_error;
    request.on_headers = [&](int status, const HttpHeaders& headers) {
      try {
        return on_headers(status, headers);
      } catch (...) {
        callback_error = std::current_exception();
        return false;
      }
    };
    request.on_body = [&](const char* data, std::size_t size) {
      try {
        return on_body(data, size);
      } catch (...) {
        callback_error = std::current_exception();
        return false;
      }
    };

    const auto sent_at = clock.now();
    HttpResponse response = impl.send_once(request, attempt);
    const auto duration = std::chrono::duration_cast<milliseconds>(clock.now() - sent_at);
    response.body = error_body;
    outcome.received += received;
    const auto log = [&](std::string decision) {
      if (control.log) {
        control.log(make_event(request, response, attempt, duration, std::move(decision)));
      }
    };

    if (callback_error) {
      log("give up: the download was stopped");
      std::rethrow_exception(callback_error);
    }
    if (write_failed) {
      log("give up: the bytes could not be stored");
      throw Error(context + ": " + sink.error() + sink.kept_note());
    }
    if (!protocol_error.empty()) {
      log("give up: " + protocol_error);
      throw ResponseError(context + ": " + protocol_error + sink.kept_note(), response.status);
    }
    if (answer == Answer::Restart) {
      if (++restarts > impl.retry.max_attempts) {
        log("give up: the content keeps changing");
        throw ResponseError(context + ": the content changed " + std::to_string(restarts) +
                                " times during the download",
                            response.status);
      }
      log("restart from byte " + std::to_string(spec.start) + ": the content changed");
      continue;
    }
    const bool answered = response.error == TransportError::None || reached_end;
    if (answered && answer == Answer::Redirect) {
      if (++redirects > kMaxRedirects) {
        log("give up: too many redirects");
        throw ResponseError(context + ": more than " + std::to_string(kMaxRedirects) + " redirects",
                            response.status);
      }
      log("follow redirect");
      url = resolve_location(url, location);
      continue;
    }
    if (answered && answer == Answer::Complete) {
      impl.budget.refund();
      log("done: already complete");
      outcome.already_complete = true;
      return outcome;
    }
    if (answered && (answer == Answer::Ranged || answer == Answer::Full)) {
      const auto want = target();
      if (spec.end && known.total && spec.start >= *known.total) {
        log("give up: the range starts past the end");
        throw ApiError(context + ": the range from byte " + std::to_string(spec.start) +
                           " is not satisfiable (the content has " + std::to_string(*known.total) +
                           " bytes)",
                       416, "invalid_request_error", "range_not_satisfiable");
      }
      if (!want || position >= *want) {
        impl.budget.refund();
        log("done");
        return outcome;
      }
      if (delivered == 0) {
        log("give up: the answer ended before byte " + std::to_string(*want));
        throw ResponseError(context + ": the server's answer ended at byte " +
                                std::to_string(position) + " of " + std::to_string(*want) +
                                sink.kept_note(),
                            response.status);
      }
      failures = 0;
      log("continue from byte " + std::to_string(position));
      continue;
    }

    if (response.error == TransportError::Cancelled || control.cancel.cancelled()) {
      log("cancelled");
      throw CancelledError(context + ": cancelled" + sink.kept_note());
    }
    if (response.error != TransportError::None && past_deadline(clock.now())) {
      log("give up: the download's timeout passed");
      throw_timeout();
    }
    // Progress since the last failure means the connection works: resume at once, uncounted.
    if (delivered > 0 && response.error != TransportError::None) {
      failures = 0;
      log("resume at once from byte " + std::to_string(position) + " (" +
          describe_failure(response) + ")");
      continue;
    }
    if (answer == Answer::Error && response.status == 416) {
      log("give up: HTTP 416");
      throw ApiError(context + ": the range from byte " + std::to_string(position) +
                         " is not satisfiable (it starts at or past the end of the content)",
                     416, "invalid_request_error", "range_not_satisfiable");
    }
    ++failures;
    if (!should_retry(response, Idempotency::Idempotent) || failures >= impl.retry.max_attempts ||
        !impl.budget.try_spend(response.error)) {
      log("give up: " + describe_failure(response));
      if (response.error == TransportError::None && response.status >= 200 &&
          response.status < 300) {
        throw ResponseError(context + ": HTTP " + std::to_string(response.status) +
                                " ended without the content" + sink.kept_note(),
                            response.status);
      }
      throw_for_response(response, context);
    }
    const auto delay = impl.retry_delay(response, failures);
    if (past_deadline(clock.now() + delay)) {
      log("give up: the retry in " + std::to_string(delay.count()) +
          " ms would come after the download's timeout");
      throw_timeout();
    }
    log("retry in " + std::to_string(delay.count()) + " ms (" + describe_failure(response) + ")");
    if (!clock.sleep_until(clock.now() + delay, control.cancel)) {
      throw CancelledError(context + ": cancelled" + sink.kept_note());
    }
  }
}

}  // namespace seedance::detail
