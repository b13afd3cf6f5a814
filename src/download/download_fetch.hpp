// The core of every download: fetch a byte range of a URL into a sink, resuming after transient
// failures with Range + If-Range, and checking every answer (status, Content-Range, validators)
// so that bytes of two different versions are never spliced together.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/client_impl.hpp"
#include "download/media_type.hpp"
#include "seedance/error.hpp"

namespace seedance::detail {

/// What the server said the content is: its validators and its size.
struct ResourceIdentity {
  std::string etag;           ///< Strong ETag with its quotes; empty when absent or weak.
  std::string last_modified;  ///< As sent; empty when absent.
  std::optional<std::uint64_t> total;

  /// The If-Range value: the strong ETag, else Last-Modified; empty when neither is known.
  const std::string& validator() const { return etag.empty() ? last_modified : etag; }
  /// True when both sides know a validator of the same kind and they differ.
  bool contradicts(const ResourceIdentity& other) const;
  /// True when `answer` repeats this identity's validator (the strong ETag, else Last-Modified):
  /// only then do its bytes belong to the same version.
  bool confirmed_by(const ResourceIdentity& answer) const;
};

/// The identity a response announces (ETag, Last-Modified; total from Content-Range or
/// Content-Length).
ResourceIdentity identity_of(int status, const HttpHeaders& headers);

/// Where fetched bytes go.
class FetchSink {
 public:
  virtual ~FetchSink() = default;
  /// The next bytes, continuing the previous ones. False when they could not be stored; error()
  /// then says why.
  virtual bool write(const char* data, std::size_t size) = 0;
  /// Discards everything written, because the content changed; the fetch starts over at its
  /// first byte. False when the sink cannot (the bytes already left): the fetch then fails.
  virtual bool restart() { return false; }
  /// The server identified the content (first answer, or after a restart). May throw.
  virtual void identified(const ResourceIdentity& /*identity*/) {}
  /// Why the last write failed.
  virtual std::string error() const { return "cannot store the bytes"; }
  /// Appended to failure messages, e.g. " (the partial file is kept)".
  virtual std::string kept_note() const { return ""; }
};

/// The content changed while bytes were already delivered and the sink could not start over.
class ContentChangedError : public ResponseError {
 public:
  using ResponseError::ResponseError;
};

struct FetchSpec {
  std::string url;
  std::uint64_t start = 0;     ///< First byte wanted.
  std::uint64_t position = 0;  ///< Next byte wanted: the sink already holds [start, position).
  std::optional<std::uint64_t> end;  ///< One past the last byte wanted; none: to the end.
  /// What is known of the content (from an earlier call): If-Range and consistency checks.
  ResourceIdentity identity;
  /// The identity must not change, even before the first byte: one segment of several must never
  /// adopt another version than its siblings (ContentChangedError instead).
  bool identity_fixed = false;
};

struct FetchControl {
  std::string context;  ///< "download task_1", for messages.
  CancellationToken cancel;
  /// Bytes delivered to the sink, per chunk.
  std::function<void(std::uint64_t bytes)> on_delivered;
  /// Body bytes received, per chunk (skipped and error bodies included).
  std::function<void(std::uint64_t bytes)> on_received;
  /// One event per attempt (ClientOptions::logger, or a queue for another thread).
  std::function<void(const RequestEvent& event)> log;
  /// DownloadOptions::timeout, from the start of the call, on the client's clock.
  std::optional<Clock::time_point> deadline;
  /// What the content must be: an answer of another Content-Type is an ApiError.
  Media media = Media::Video;
};

struct FetchOutcome {
  std::uint64_t position = 0;  ///< One past the last byte in the sink.
  ResourceIdentity identity;
  std::uint64_t received = 0;     ///< Body bytes received, skipped ones included.
  bool already_complete = false;  ///< A 416 said the sink already held everything.
  bool ranges_honoured = false;   ///< The server answered a Range with 206.
};

/// Fetches [spec.position, spec.end) (or to the end of the content) into `sink` under the
/// client's retry policy. Throws the SDK's errors; ContentChangedError when the content changed
/// after bytes were delivered and the sink could not restart.
FetchOutcome fetch(const ClientImpl& impl, const FetchSpec& spec, FetchSink& sink,
                   const FetchControl& control);

}  // namespace seedance::detail
