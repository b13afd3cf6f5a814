// Client::download and Client::read_range: the sinks (a file through "<path>.part", a stream, a
// callback, memory) over detail::fetch, plus the segmented file download.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/client_impl.hpp"
#include "download/download_fetch.hpp"
#include "download/download_file.hpp"
#include "download/download_part.hpp"
#include "download/sha256.hpp"
#include "platform/platform.hpp"
#include "text.hpp"

namespace seedance {
namespace {

using detail::FetchControl;
using detail::FetchOutcome;
using detail::FetchSink;
using detail::FetchSpec;
using detail::PartMeta;
using detail::PartSegment;
using detail::ResourceIdentity;
using detail::platform::File;
using detail::platform::OpenMode;
using std::chrono::milliseconds;

constexpr std::size_t kWriteBufferBytes = 1 << 20;
constexpr std::uint64_t kMinSegmentBytes = 1 << 20;
constexpr int kMaxSegments = 16;
constexpr int kMaxContentChanges = 3;
constexpr milliseconds kProgressInterval{100};
constexpr milliseconds kCheckpointInterval{1000};
constexpr milliseconds kSupervisorTick{50};
const char* const kPartKept = " (the partial file is kept for resuming)";

std::string system_error_text(const std::string& what, const std::string& path,
                              const std::error_code& error) {
  return what + " " + path + ": " + error.message();
}

/// The size of the file at `path` (following links), nullopt when there is none.
std::optional<std::uint64_t> file_size(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(detail::platform::to_path(path), error);
  if (error) return std::nullopt;
  return static_cast<std::uint64_t>(size);
}

void remove_part(const std::string& part_path, const std::string& meta_path) {
  std::error_code ignored;
  std::filesystem::remove(detail::platform::to_path(part_path), ignored);
  std::filesystem::remove(detail::platform::to_path(meta_path), ignored);
}

void add_option_problems(const DownloadOptions& options, std::vector<std::string>& problems) {
  if (!options.expected_sha256.empty() && !detail::is_sha256_hex(options.expected_sha256)) {
    problems.push_back("expected_sha256: must be 64 hex digits, got \"" +
                       options.expected_sha256.substr(0, 80) + "\"");
  }
  if (options.timeout.count() < 0) {
    problems.push_back("timeout: must not be negative (0 sets none), got " +
                       std::to_string(options.timeout.count()) + " ms");
  }
  if (options.segments < 1 || options.segments > kMaxSegments) {
    problems.push_back("segments: must be 1.." + std::to_string(kMaxSegments) + ", got " +
                       std::to_string(options.segments));
  }
}

void check_options(const DownloadOptions& options) {
  std::vector<std::string> problems;
  add_option_problems(options, problems);
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

/// Throws when the announced size contradicts the expected one: before any byte is stored.
void check_announced_size(const std::string& context, const DownloadOptions& options,
                          const ResourceIdentity& identity) {
  if (options.expected_size && identity.total && *identity.total != *options.expected_size) {
    throw ResponseError(context + ": the server announces " + std::to_string(*identity.total) +
                        " bytes, but " + std::to_string(*options.expected_size) + " were expected");
  }
}

/// Calls on_progress at most every kProgressInterval, and once at the end.
class ProgressMeter {
 public:
  ProgressMeter(Clock& clock, const DownloadOptions& options)
      : clock_(clock), callback_(options.on_progress), started_(clock.now()), last_(started_) {}

  void transferred(std::uint64_t bytes) { transferred_ += bytes; }
  void set_transferred(std::uint64_t bytes) { transferred_ = bytes; }
  std::uint64_t transferred() const { return transferred_; }

  void report(std::uint64_t done, std::optional<std::uint64_t> total, bool force) {
    if (!callback_) return;
    const auto now = clock_.now();
    if (!force && now - last_ < kProgressInterval) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    DownloadProgress progress;
    progress.bytes_done = done;
    progress.bytes_total = total;
    progress.bytes_per_second = seconds > 0 ? static_cast<double>(transferred_) / seconds : 0;
    callback_(progress);
  }

 private:
  Clock& clock_;
  const std::function<void(const DownloadProgress&)>& callback_;
  Clock::time_point started_;
  Clock::time_point last_;
  std::uint64_t transferred_ = 0;
};

FetchControl make_control(const detail::ClientImpl& impl, std::string context,
                          const DownloadOptions& options) {
  FetchControl control;
  control.context = std::move(context);
  control.cancel = options.cancel.value_or(CancellationToken());
  if (impl.logger) control.log = [&impl](const RequestEvent& event) { impl.logger(event); };
  if (options.timeout.count() > 0) control.deadline = impl.clock->now() + options.timeout;
  return control;
}

// --- the sequential part file --------------------------------------------------------------

/// "<path>.part" written sequentially through a large buffer: many small writes cost more than the
/// network on a fast link.
class PartFile final : public FetchSink {
 public:
  PartFile(std::string path, std::string meta_path, PartMeta meta, const std::string& context,
           const DownloadOptions& options)
      : path_(std::move(path)),
        meta_path_(std::move(meta_path)),
        meta_(std::move(meta)),
        context_(context),
        options_(options) {
    buffer_.reserve(kWriteBufferBytes);
  }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;
  ~PartFile() override { close_quietly(); }

  /// Opens for appending at `offset` (the current size); 0 truncates.
  void open_at(std::uint64_t offset) {
    close_quietly();
    std::error_code error;
    file_ = File::open_write(path_, offset == 0 ? OpenMode::Truncate : OpenMode::Append,
                             detail::platform::Access::Shared, error);
    if (!file_.is_open()) {
      throw Error(context_ + ": " + system_error_text("cannot open", path_, error));
    }
    size_ = offset;
  }

  bool write(const char* data, std::size_t size) override {
    if (buffer_.size() + size > kWriteBufferBytes && !flush()) return false;
    size_ += size;
    if (size >= kWriteBufferBytes) return write_through(data, size);
    buffer_.insert(buffer_.end(), data, data + size);
    return true;
  }

  bool restart() override {
    buffer_.clear();
    std::error_code error;
    if (!file_.resize(0, error)) {
      error_ = system_error_text("cannot truncate", path_, error);
      throw Error(context_ + ": " + error_);
    }
    size_ = 0;
    restarted_ = true;
    return true;
  }

  void identified(const ResourceIdentity& identity) override {
    check_announced_size(context_, options_, identity);
    meta_.identity = identity;
    meta_.segments.clear();
    detail::write_part_meta(meta_path_, meta_);
  }

  std::string error() const override { return error_; }
  /// Only bytes on disk are worth a resume: an empty part is removed on failure.
  std::string kept_note() const override { return size_ > 0 ? kPartKept : ""; }

  std::uint64_t size() const { return size_; }
  std::optional<std::uint64_t> total() const { return meta_.identity.total; }
  bool restarted() const { return restarted_; }

  /// Flushes, fsyncs and closes; throws on failure.
  void commit() {
    if (!flush()) throw Error(context_ + ": " + error_ + kPartKept);
    std::error_code error;
    if (!file_.sync(error)) {
      throw Error(context_ + ": " + system_error_text("cannot sync", path_, error) + kPartKept);
    }
    if (!file_.close(error)) {
      throw Error(context_ + ": " + system_error_text("cannot close", path_, error) + kPartKept);
    }
  }

  /// Keeps what was received so far, for a later resume.
  void close_quietly() noexcept {
    if (!file_.is_open()) return;
    (void)flush();
    file_ = File();
  }

 private:
  bool flush() {
    if (buffer_.empty()) return true;
    const bool ok = write_through(buffer_.data(), buffer_.size());
    buffer_.clear();
    return ok;
  }

  bool write_through(const char* data, std::size_t size) {
    std::error_code error;
    if (file_.write(data, size, error)) return true;
    error_ = system_error_text("cannot write", path_, error);
    return false;
  }

  std::string path_;
  std::string meta_path_;
  PartMeta meta_;
  const std::string& context_;
  const DownloadOptions& options_;
  File file_;
  std::uint64_t size_ = 0;  // bytes written, buffered ones included
  std::vector<char> buffer_;
  std::string error_;
  bool restarted_ = false;
};

// --- segments ------------------------------------------------------------------------------

/// One segment's bytes, written in place (File::write_at) through its own buffer.
class SegmentSink final : public FetchSink {
 public:
  SegmentSink(File& file, std::uint64_t offset, std::atomic<std::uint64_t>& done, std::string path)
      : file_(file), offset_(offset), done_(done), path_(std::move(path)) {
    buffer_.reserve(kWriteBufferBytes);
  }

  bool write(const char* data, std::size_t size) override {
    buffer_.insert(buffer_.end(), data, data + size);
    return buffer_.size() < kWriteBufferBytes || flush();
  }
  std::string error() const override { return error_; }
  std::string kept_note() const override {
    return done_.load(std::memory_order_acquire) > 0 ? kPartKept : "";
  }

  /// Writes the buffer out; `done` counts only bytes handed to the kernel.
  bool flush() {
    if (buffer_.empty()) return true;
    std::uint64_t at = offset_;
    std::error_code error;
    const bool ok = file_.write_at(at, buffer_.data(), buffer_.size(), error);
    const std::uint64_t written = at - offset_;
    offset_ = at;
    done_.fetch_add(written, std::memory_order_release);
    buffer_.clear();
    if (!ok) error_ = system_error_text("cannot write", path_, error);
    return ok;
  }

 private:
  File& file_;
  std::uint64_t offset_;
  std::atomic<std::uint64_t>& done_;
  std::string path_;
  std::vector<char> buffer_;
  std::string error_;
};

/// Opens `path` in `mode`, or throws Error naming `context`.
File open_part(const std::string& path, OpenMode mode, const std::string& context) {
  std::error_code error;
  File file = File::open_write(path, mode, detail::platform::Access::Shared, error);
  if (!file.is_open()) throw Error(context + ": " + system_error_text("cannot open", path, error));
  return file;
}

/// Runs every unfinished segment of `meta` on its own thread while the calling thread supervises:
/// it forwards cancellation, reports progress, emits the log and checkpoints progress into the
/// meta file (after a data sync, so the meta never claims bytes that are not on disk).
class SegmentRun {
 public:
  SegmentRun(const detail::ClientImpl& impl, PartMeta& meta, const std::string& part_path,
             const std::string& meta_path, const FetchControl& control, ProgressMeter& meter)
      : impl_(impl),
        meta_(meta),
        part_path_(part_path),
        meta_path_(meta_path),
        control_(control),
        meter_(meter),
        file_(open_part(part_path, OpenMode::Existing, control.context)),
        count_(meta.segments.size()),
        done_(count_),
        errors_(count_),
        transferred_before_(meter.transferred()) {
    for (std::size_t i = 0; i < count_; ++i) {
      done_[i] = meta.segments[i].done;
      done_before_ += meta.segments[i].done;
    }
  }
  SegmentRun(const SegmentRun&) = delete;
  SegmentRun& operator=(const SegmentRun&) = delete;

  void run() {
    try {
      start();
      supervise();
    } catch (...) {
      join_all();
      if (control_.log) drain_events();
      checkpoint();
      throw;
    }
    join_all();
    if (control_.log) drain_events();
    meter_.set_transferred(transferred_before_ + received_.load());
    if (const std::exception_ptr error = first_error()) {
      checkpoint();
      std::rethrow_exception(error);
    }
    const std::string& context = control_.context;
    std::error_code error;
    if (!file_.sync(error)) {
      throw Error(context + ": " + system_error_text("cannot sync", part_path_, error) + kPartKept);
    }
    if (!file_.close(error)) {
      throw Error(context + ": " + system_error_text("cannot close", part_path_, error) +
                  kPartKept);
    }
  }

 private:
  /// What every segment's fetch reports to: counters and a queue of events for this thread.
  FetchControl worker_control() {
    FetchControl control;
    control.context = control_.context;
    control.cancel = stop_;
    control.deadline = control_.deadline;
    control.media = control_.media;
    control.on_delivered = [this](std::uint64_t bytes) {
      delivered_.fetch_add(bytes, std::memory_order_relaxed);
    };
    control.on_received = [this](std::uint64_t bytes) {
      received_.fetch_add(bytes, std::memory_order_relaxed);
    };
    if (control_.log) {
      control.log = [this](const RequestEvent& event) {
        const std::lock_guard<std::mutex> lock(mutex_);
        events_.push_back(event);
      };
    }
    return control;
  }

  void start() {
    worker_control_ = worker_control();
    threads_.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) {
      const PartSegment segment = meta_.segments[i];
      FetchSpec spec;
      spec.url = meta_.source;
      spec.start = segment.start;
      spec.position = segment.start + segment.done;
      spec.end = segment.end;
      spec.identity = meta_.identity;
      spec.identity_fixed = true;
      threads_.emplace_back([this, i, spec = std::move(spec)] { fetch_segment(i, spec); });
    }
  }

  void fetch_segment(std::size_t i, const FetchSpec& spec) {
    SegmentSink sink(file_, spec.position, done_[i], part_path_);
    try {
      if (spec.position < *spec.end) {
        detail::fetch(impl_, spec, sink, worker_control_);
        if (!sink.flush()) throw Error(control_.context + ": " + sink.error() + kPartKept);
      }
    } catch (...) {
      (void)sink.flush();  // what arrived is valid: keep it for the resume
      errors_[i] = std::current_exception();
      stop_.cancel();
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    ++finished_;
    changed_.notify_all();
  }

  void supervise() {
    auto last_checkpoint = std::chrono::steady_clock::now();
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (finished_ == count_) break;
        changed_.wait_for(lock, kSupervisorTick);
        if (finished_ == count_) break;
      }
      if (control_.cancel.cancelled()) stop_.cancel();
      if (control_.log) drain_events();
      meter_.set_transferred(transferred_before_ + received_.load(std::memory_order_relaxed));
      meter_.report(done_before_ + delivered_.load(std::memory_order_relaxed), meta_.identity.total,
                    false);
      if (std::chrono::steady_clock::now() - last_checkpoint >= kCheckpointInterval) {
        checkpoint();
        last_checkpoint = std::chrono::steady_clock::now();
      }
    }
  }

  void checkpoint() {
    PartMeta snapshot = meta_;
    for (std::size_t i = 0; i < count_; ++i) {
      snapshot.segments[i].done = done_[i].load(std::memory_order_acquire);
    }
    std::error_code error;
    if (!file_.sync_data(error)) return;
    detail::write_part_meta(meta_path_, snapshot);
    meta_ = snapshot;
  }

  void drain_events() {
    std::vector<RequestEvent> pending;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      pending.swap(events_);
    }
    for (const RequestEvent& event : pending) control_.log(event);
  }

  void join_all() {
    stop_.cancel();
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  /// The error to report: the first that is not a sibling's cancellation (a CancelledError
  /// only when the caller cancelled), else the last of any.
  std::exception_ptr first_error() const {
    std::exception_ptr first;
    for (const std::exception_ptr& error : errors_) {
      if (!error) continue;
      try {
        std::rethrow_exception(error);
      } catch (const CancelledError&) {
        if (!first && control_.cancel.cancelled()) first = error;
      } catch (...) {
        return error;
      }
    }
    if (first) return first;
    for (const std::exception_ptr& error : errors_) {
      if (error) first = error;
    }
    return first;
  }

  const detail::ClientImpl& impl_;
  PartMeta& meta_;
  const std::string& part_path_;
  const std::string& meta_path_;
  const FetchControl& control_;
  ProgressMeter& meter_;
  File file_;
  const std::size_t count_;
  std::vector<std::atomic<std::uint64_t>> done_;
  std::uint64_t done_before_ = 0;
  std::mutex mutex_;  // guards finished_ and events_
  std::condition_variable changed_;
  std::size_t finished_ = 0;
  std::vector<std::exception_ptr> errors_;
  std::vector<RequestEvent> events_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> received_{0};
  const std::uint64_t transferred_before_;
  CancellationToken stop_;  // the caller's token, or a failed sibling
  FetchControl worker_control_;
  std::vector<std::thread> threads_;
};

/// A small in-memory sink for the probe of a segmented download.
class DiscardSink final : public FetchSink {
 public:
  bool write(const char* /*data*/, std::size_t /*size*/) override { return true; }
  bool restart() override { return true; }
};

/// Starts a segmented download: a one-byte probe tells whether the server answers ranges and how
/// large the video is. nullopt when a sequential download should be done instead.
std::optional<PartMeta> start_segments(const detail::ClientImpl& impl, const std::string& url,
                                       const std::string& part_path, const std::string& meta_path,
                                       const FetchControl& control,
                                       const DownloadOptions& options) {
  FetchSpec probe;
  probe.url = url;
  probe.end = 1;
  DiscardSink discard;
  FetchOutcome answer = detail::fetch(impl, probe, discard, control);
  const ResourceIdentity& identity = answer.identity;
  if (!answer.ranges_honoured || !identity.total || identity.validator().empty()) {
    return std::nullopt;
  }
  check_announced_size(control.context, options, identity);
  PartMeta meta;
  meta.source = url;
  meta.identity = identity;
  meta.segments = detail::plan_segments(*identity.total, options.segments, kMinSegmentBytes);
  if (meta.segments.size() < 2) return std::nullopt;

  File file = open_part(part_path, OpenMode::Truncate, control.context);
  // Reserving the space makes a full disk fail now rather than halfway; where the file system
  // cannot, a sparse file of the right size does.
  std::error_code error;
  if (!file.reserve(*identity.total, error)) {
    if (error == std::errc::no_space_on_device || error == std::errc::file_too_large) {
      throw Error(control.context + ": " +
                  system_error_text("cannot reserve space for", part_path, error));
    }
    if (!file.resize(*identity.total, error)) {
      throw Error(control.context + ": " + system_error_text("cannot size", part_path, error));
    }
  }
  detail::write_part_meta(meta_path, meta);
  return meta;
}

// --- finishing a file ----------------------------------------------------------------------

// What the finished bytes say against DownloadOptions::expected_size / expected_sha256 (any
// case); empty when they match or nothing was expected.
std::optional<std::string> size_mismatch(const DownloadOptions& options, std::uint64_t size) {
  if (!options.expected_size || size == *options.expected_size) return std::nullopt;
  return "the video has " + std::to_string(size) + " bytes, " +
         std::to_string(*options.expected_size) + " were expected";
}

std::optional<std::string> digest_mismatch(const DownloadOptions& options,
                                           const std::string& actual) {
  const std::string expected = detail::to_lower(options.expected_sha256);
  if (actual == expected) return std::nullopt;
  return "the video's SHA-256 is " + actual + ", " + expected + " was expected";
}

/// Renames the finished part to `path`; with replace_existing false, never over an existing file
/// (one may have appeared since the check before the download).
void put_in_place(const std::string& context, const DownloadOptions& options,
                  const std::string& part_path, const std::string& path) {
  const auto refuse = [&] {
    throw Error(context + ": " + quoted(path) +
                " appeared during the download and is not replaced (replace_existing is false)" +
                kPartKept);
  };
  std::error_code error;
  if (!options.replace_existing) {
    switch (detail::platform::move_into_place(part_path, path, error)) {
      case detail::platform::Placed::Moved:
        return;
      case detail::platform::Placed::TargetExists:
        refuse();
        break;
      case detail::platform::Placed::Failed:
        break;
    }
  } else if (detail::platform::replace_file(part_path, path, error)) {
    return;
  }
  throw Error(context + ": " + system_error_text("cannot rename to", path, error) + kPartKept);
}

void verify_and_rename(const std::string& context, const DownloadOptions& options,
                       const std::optional<std::uint64_t>& total, const std::string& part_path,
                       const std::string& meta_path, const std::string& path) {
  const std::uint64_t size = file_size(part_path).value_or(0);
  if (total && size != *total) {
    throw ResponseError(context + ": received " + std::to_string(size) +
                        " bytes but the server announced " + std::to_string(*total) + kPartKept);
  }
  std::optional<std::string> mismatch = size_mismatch(options, size);
  if (!mismatch && !options.expected_sha256.empty()) {
    mismatch = digest_mismatch(options, detail::sha256_of_file(part_path));
  }
  if (mismatch) {
    remove_part(part_path, meta_path);
    throw ResponseError(context + ": " + *mismatch + " (the download was discarded)");
  }
  put_in_place(context, options, part_path, path);
  detail::platform::sync_directory_of(path);
  std::error_code ignored;
  std::filesystem::remove(detail::platform::to_path(meta_path), ignored);
}

/// Runs the segments of `meta`; a failure that leaves not one byte in the part removes it.
void run_segments(const detail::ClientImpl& impl, PartMeta& meta, const std::string& part_path,
                  const std::string& meta_path, const FetchControl& control, ProgressMeter& meter) {
  try {
    SegmentRun(impl, meta, part_path, meta_path, control, meter).run();
  } catch (...) {
    const std::optional<PartMeta> kept = detail::read_part_meta(meta_path);
    const bool empty = !kept || std::all_of(kept->segments.begin(), kept->segments.end(),
                                            [](const PartSegment& s) { return s.done == 0; });
    if (empty) remove_part(part_path, meta_path);
    throw;
  }
}

/// A part left by an earlier call that may be resumed, and its size on disk.
struct ResumablePart {
  PartMeta meta;
  std::uint64_t size = 0;
};

/// The part of an earlier call when it can be resumed: the same source, a validator, and a size
/// that fits what its meta says. Anything else is removed.
std::optional<ResumablePart> resumable_part(const std::string& url, const std::string& part_path,
                                            const std::string& meta_path,
                                            const DownloadOptions& options) {
  std::optional<PartMeta> meta = options.resume ? detail::read_part_meta(meta_path) : std::nullopt;
  const std::optional<std::uint64_t> part_size = file_size(part_path);
  bool usable = meta && part_size && meta->source == url && !meta->identity.validator().empty();
  if (usable && !meta->segments.empty()) usable = part_size == meta->identity.total;
  if (usable && meta->segments.empty() && meta->identity.total) {
    usable = *part_size <= *meta->identity.total;
  }
  if (!usable) {
    remove_part(part_path, meta_path);
    return std::nullopt;
  }
  return ResumablePart{std::move(*meta), *part_size};
}

/// Fetches into "<path>.part" sequentially, from the end of `part` when there is one. Sets the
/// result's `resumed` and `total_size`.
DownloadResult download_sequential(const detail::ClientImpl& impl, const std::string& url,
                                   const std::string& part_path, const std::string& meta_path,
                                   const std::optional<ResumablePart>& part,
                                   const FetchControl& control, const DownloadOptions& options,
                                   ProgressMeter& meter) {
  DownloadResult result;
  const std::uint64_t offset = part ? part->size : 0;
  // A part that already holds every byte the server announced is finished without asking:
  // a gateway turns the 416 that such a request gets into a 502.
  if (part && part->meta.identity.total && offset == *part->meta.identity.total) {
    result.resumed = true;
    result.total_size = part->meta.identity.total;
    return result;
  }
  PartMeta fresh;
  fresh.source = url;
  PartFile file(part_path, meta_path, part ? part->meta : fresh, control.context, options);
  file.open_at(offset);
  FetchSpec spec;
  spec.url = url;
  spec.position = offset;
  if (part) spec.identity = part->meta.identity;
  FetchControl sequential = control;
  sequential.on_received = [&](std::uint64_t bytes) { meter.transferred(bytes); };
  sequential.on_delivered = [&](std::uint64_t /*bytes*/) {
    meter.report(file.size(), file.total(), false);
  };
  FetchOutcome outcome;
  try {
    outcome = detail::fetch(impl, spec, file, sequential);
  } catch (...) {
    // A refusal before the first byte leaves nothing to resume: no empty part behind.
    if (file.size() == 0) {
      file.close_quietly();
      remove_part(part_path, meta_path);
    }
    throw;
  }
  file.commit();
  result.resumed = offset > 0 && !file.restarted();
  result.total_size = outcome.identity.total;
  return result;
}

DownloadResult download_file(const detail::ClientImpl& impl, const std::string& url,
                             const std::string& context, const std::string& path,
                             const DownloadOptions& options, detail::Media media) {
  detail::check_download_target(path, options);
  const std::string part_path = path + ".part";
  const std::string meta_path = path + ".part.meta";
  FetchControl control = make_control(impl, context, options);
  control.media = media;
  ProgressMeter meter(*impl.clock, options);
  if (!options.resume) remove_part(part_path, meta_path);

  for (int changes = 0;; ++changes) {
    std::optional<ResumablePart> part = resumable_part(url, part_path, meta_path, options);
    try {
      std::optional<PartMeta> segmented;
      if (part && !part->meta.segments.empty()) {
        segmented = part->meta;
      } else if (!part && options.segments > 1) {
        segmented = start_segments(impl, url, part_path, meta_path, control, options);
      }
      DownloadResult result;
      if (segmented) {
        result.resumed = changes == 0 && part;
        run_segments(impl, *segmented, part_path, meta_path, control, meter);
        result.total_size = segmented->identity.total;
      } else {
        result =
            download_sequential(impl, url, part_path, meta_path, part, control, options, meter);
      }
      result.path = path;
      verify_and_rename(context, options, result.total_size, part_path, meta_path, path);
      result.bytes = file_size(path).value_or(0);
      result.bytes_transferred = meter.transferred();
      if (!result.total_size) result.total_size = result.bytes;
      meter.report(result.bytes, result.total_size, true);
      return result;
    } catch (const detail::ContentChangedError&) {
      // Only a segmented download gets here: its segments cannot start over one by one.
      if (changes + 1 >= kMaxContentChanges) throw;
      remove_part(part_path, meta_path);
    }
  }
}

// --- streams -------------------------------------------------------------------------------

/// Bytes to a std::ostream or a ByteSink, hashed on the way when a SHA-256 is expected.
class StreamSink final : public FetchSink {
 public:
  StreamSink(std::ostream* out, const ByteSink* callback, const std::string& context,
             const DownloadOptions& options, bool check)
      : out_(out), callback_(callback), context_(context), options_(options), check_(check) {
    if (check_ && !options.expected_sha256.empty()) hash_.emplace();
  }

  bool write(const char* data, std::size_t size) override {
    if (hash_) hash_->update(data, size);
    bytes_ += size;
    if (callback_ != nullptr) {
      (*callback_)(std::string_view(data, size));
      return true;
    }
    out_->write(data, static_cast<std::streamsize>(size));
    return static_cast<bool>(*out_);
  }

  void identified(const ResourceIdentity& identity) override {
    if (check_) check_announced_size(context_, options_, identity);
  }

  std::string error() const override { return "cannot write to the output stream"; }

  std::uint64_t bytes() const { return bytes_; }

  void finish() {
    if (out_ != nullptr && !out_->flush()) throw Error(context_ + ": " + error());
    if (!check_) return;
    std::optional<std::string> mismatch = size_mismatch(options_, bytes_);
    if (!mismatch && hash_) mismatch = digest_mismatch(options_, hash_->hex_digest());
    if (mismatch) throw ResponseError(context_ + ": " + *mismatch);
  }

 private:
  std::ostream* out_;
  const ByteSink* callback_;
  const std::string& context_;
  const DownloadOptions& options_;
  bool check_;
  std::optional<detail::Sha256> hash_;
  std::uint64_t bytes_ = 0;
};

DownloadResult stream(const detail::ClientImpl& impl, const std::string& url,
                      const std::string& context, std::uint64_t offset,
                      std::optional<std::uint64_t> end, StreamSink& sink,
                      const DownloadOptions& options) {
  FetchControl control = make_control(impl, context, options);
  ProgressMeter meter(*impl.clock, options);
  control.on_received = [&](std::uint64_t bytes) { meter.transferred(bytes); };
  control.on_delivered = [&](std::uint64_t /*bytes*/) {
    meter.report(sink.bytes(), end ? std::optional<std::uint64_t>(*end - offset) : std::nullopt,
                 false);
  };
  FetchSpec spec;
  spec.url = url;
  spec.start = offset;
  spec.position = offset;
  spec.end = end;
  const FetchOutcome outcome = detail::fetch(impl, spec, sink, control);
  sink.finish();
  DownloadResult result;
  result.bytes = sink.bytes();
  result.bytes_transferred = meter.transferred();
  result.total_size = outcome.identity.total;
  meter.report(sink.bytes(), end ? result.bytes : result.total_size.value_or(result.bytes), true);
  return result;
}

/// read_range's memory sink: it can start over, since nothing left the process.
class StringSink final : public FetchSink {
 public:
  explicit StringSink(std::string& bytes) : bytes_(bytes) {}
  bool write(const char* data, std::size_t size) override {
    bytes_.append(data, size);
    return true;
  }
  bool restart() override {
    bytes_.clear();
    return true;
  }

 private:
  std::string& bytes_;
};

std::optional<std::uint64_t> range_end(std::uint64_t offset, std::uint64_t length) {
  if (length > std::numeric_limits<std::uint64_t>::max() - offset) {
    throw ValidationError({"length: offset + length must not exceed 2^64 - 1"});
  }
  return offset + length;
}

}  // namespace

namespace detail {

std::optional<std::string> special_file_problem(const std::string& path) {
  using std::filesystem::file_type;
  std::error_code error;
  const file_type type = std::filesystem::status(platform::to_path(path), error).type();
  // Absent, or a dangling link (which the rename replaces): nothing of anyone's is lost.
  if (error || type == file_type::not_found || type == file_type::regular) return std::nullopt;
  const char* kind = type == file_type::directory   ? "a directory"
                     : type == file_type::fifo      ? "a FIFO"
                     : type == file_type::character ? "a character device"
                     : type == file_type::block     ? "a block device"
                     : type == file_type::socket    ? "a socket"
                                                    : "a special file";
  return quoted(path) + " is " + kind + ", not a regular file, and is never replaced";
}

void check_download_target(const std::string& path, const DownloadOptions& options) {
  std::vector<std::string> problems;
  add_option_problems(options, problems);
  if (path.empty()) {
    problems.emplace_back("path: must not be empty");
  } else {
    for (const std::string& file : {path, path + ".part", path + ".part.meta"}) {
      if (auto problem = special_file_problem(file)) problems.push_back("path: " + *problem);
    }
    std::error_code error;
    if (!options.replace_existing && problems.empty() &&
        std::filesystem::exists(platform::to_path(path), error)) {
      problems.push_back("path: " + quoted(path) +
                         " already exists (DownloadOptions::replace_existing is false)");
    }
  }
  if (!problems.empty()) throw ValidationError(std::move(problems));
}

DownloadResult download_to_file(const Client::Impl& impl, const std::string& url,
                                const std::string& what, const std::string& path,
                                const DownloadOptions& options, Media media) {
  return download_file(impl, url, what, path, options, media);
}

}  // namespace detail

DownloadResult Client::download(std::string_view task_id, const std::string& path,
                                const DownloadOptions& options) const {
  return download_url(impl_->content_url(task_id), "download " + std::string(task_id), path,
                      options);
}

DownloadResult Client::download_url(const std::string& url, const std::string& what,
                                    const std::string& path, const DownloadOptions& options) const {
  return download_file(*impl_, url, what, path, options, detail::Media::Video);
}

DownloadResult Client::download(std::string_view task_id, std::ostream& out,
                                const DownloadOptions& options) const {
  check_options(options);
  const std::string context = "download " + std::string(task_id);
  StreamSink sink(&out, nullptr, context, options, true);
  return stream(*impl_, impl_->content_url(task_id), context, 0, std::nullopt, sink, options);
}

DownloadResult Client::download(std::string_view task_id, const ByteSink& sink,
                                const DownloadOptions& options) const {
  check_options(options);
  if (!sink) throw ValidationError({"sink: must not be empty"});
  const std::string context = "download " + std::string(task_id);
  StreamSink stream_sink(nullptr, &sink, context, options, true);
  return stream(*impl_, impl_->content_url(task_id), context, 0, std::nullopt, stream_sink,
                options);
}

std::string Client::read_range(std::string_view task_id, std::uint64_t offset, std::uint64_t length,
                               const DownloadOptions& options) const {
  const std::optional<std::uint64_t> end = range_end(offset, length);
  const std::string url = impl_->content_url(task_id);
  std::string bytes;
  if (length == 0) return bytes;
  bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(length, kWriteBufferBytes * 16)));
  const std::string context = "read_range " + std::string(task_id);
  FetchControl control = make_control(*impl_, context, options);
  ProgressMeter meter(*impl_->clock, options);
  control.on_received = [&](std::uint64_t received) { meter.transferred(received); };
  control.on_delivered = [&](std::uint64_t /*delivered*/) {
    meter.report(bytes.size(), length, false);
  };
  FetchSpec spec;
  spec.url = url;
  spec.start = offset;
  spec.position = offset;
  spec.end = end;
  StringSink sink(bytes);
  detail::fetch(*impl_, spec, sink, control);
  meter.report(bytes.size(), bytes.size(), true);
  return bytes;
}

DownloadResult Client::read_range(std::string_view task_id, std::uint64_t offset,
                                  std::uint64_t length, const ByteSink& sink,
                                  const DownloadOptions& options) const {
  const std::optional<std::uint64_t> end = range_end(offset, length);
  if (!sink) throw ValidationError({"sink: must not be empty"});
  const std::string url = impl_->content_url(task_id);
  if (length == 0) return {};
  const std::string context = "read_range " + std::string(task_id);
  StreamSink stream_sink(nullptr, &sink, context, options, false);
  return stream(*impl_, url, context, offset, end, stream_sink, options);
}

}  // namespace seedance
