// Client::download: streams the video into "<path>.part", resumes it with Range + If-Range, and
// renames it over <path> only once every byte is there and on disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "client_impl.hpp"
#include "content_range.hpp"
#include "json_codec.hpp"
#include "url.hpp"

namespace seedance {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kWriteBufferBytes = 1 << 20;
constexpr int kMaxRedirects = 5;

std::string system_error_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::uint64_t file_size_or_zero(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return static_cast<std::uint64_t>(info.st_size);
}

std::string read_validator(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void write_validator(const std::string& path, const std::string& validator) {
  std::ofstream out(path, std::ios::trunc);
  out << validator << '\n';
  if (!out) throw Error(system_error_text("cannot write", path));
}

/// The part file: buffered appends with plain write(2), since many small writes cost more than
/// the network on loopback.
class PartFile {
 public:
  explicit PartFile(std::string path) : path_(std::move(path)) { buffer_.reserve(kWriteBufferBytes); }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;
  ~PartFile() { close_quietly(); }

  /// Opens for appending at `offset`; offset 0 truncates.
  void open_at(std::uint64_t offset) {
    close_quietly();
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (offset == 0 ? O_TRUNC : O_APPEND);
    fd_ = ::open(path_.c_str(), flags, 0644);
    if (fd_ < 0) throw Error(system_error_text("cannot open", path_));
  }

  bool is_open() const noexcept { return fd_ >= 0; }

  /// Returns false (with the error remembered) when the disk refused the bytes.
  bool append(const char* data, std::size_t size) {
    if (buffer_.size() + size > kWriteBufferBytes && !flush()) return false;
    if (size >= kWriteBufferBytes) return write_all(data, size);
    buffer_.insert(buffer_.end(), data, data + size);
    return true;
  }

  bool flush() {
    if (buffer_.empty()) return true;
    const bool ok = write_all(buffer_.data(), buffer_.size());
    buffer_.clear();
    return ok;
  }

  /// Flushes, fsyncs and closes; throws on failure.
  void commit() {
    if (!flush()) throw Error(write_error_);
    if (::fsync(fd_) != 0) throw Error(system_error_text("cannot sync", path_));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw Error(system_error_text("cannot close", path_));
  }

  /// Keeps what was received so far, for a later resume.
  void close_quietly() noexcept {
    if (fd_ < 0) return;
    flush();
    ::close(fd_);
    fd_ = -1;
  }

  const std::string& write_error() const noexcept { return write_error_; }

 private:
  bool write_all(const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd_, data, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        write_error_ = system_error_text("cannot write", path_);
        return false;
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
    return true;
  }

  std::string path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::string write_error_;
};

/// What one GET of the content produced.
enum class Outcome { Complete, AlreadyComplete, Restart, Redirect, Failed };

}  // namespace

DownloadResult Client::download(std::string_view task_id, const std::string& path,
                                const DownloadOptions& options) const {
  return download_url(impl_->content_url(task_id), "download " + std::string(task_id), path,
                      options);
}

DownloadResult Client::download_url(std::string url, const std::string& what,
                                    const std::string& path, const DownloadOptions& options) const {
  const Impl& impl = *impl_;
  Clock& clock = *impl.clock;
  const std::string& context = what;
  const std::string part_path = path + ".part";
  const std::string validator_path = path + ".part.validator";
  const CancellationToken cancel = options.cancel.value_or(CancellationToken());

  PartFile part(part_path);
  DownloadResult result;
  result.path = path;
  bool resume_allowed = options.resume;
  int failures = 0;
  int redirects = 0;
  const auto started = clock.now();
  auto last_progress = started;

  for (int attempt = 1;; ++attempt) {
    std::uint64_t offset = resume_allowed ? file_size_or_zero(part_path) : 0;
    std::string validator = offset > 0 ? read_validator(validator_path) : std::string();
    // Without a validator a resumed range could splice two different videos: start over.
    if (validator.empty()) offset = 0;
    resume_allowed = true;  // within this call, what we wrote ourselves is always resumable

    HttpRequest request = impl.make_request("GET", url);
    request.timeout = milliseconds(0);  // a video may take long: stall detection guards instead
    request.cancel = cancel;
    if (offset > 0) {
      request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
      request.headers.emplace_back("If-Range", validator);
    }

    Outcome outcome = Outcome::Failed;
    std::optional<std::uint64_t> total;
    std::uint64_t received = 0;
    std::uint64_t written_from = offset;
    std::string error_body;
    std::string protocol_error;
    std::string location;

    const auto on_headers = [&](int status, const HttpHeaders& headers) {
      if (status == 206) {
        const auto range = detail::parse_content_range(find_header(headers, "content-range").value_or(""));
        if (!range || !range->first || range->first->start != offset) {
          protocol_error = "HTTP 206 with Content-Range \"" +
                           find_header(headers, "content-range").value_or("") +
                           "\" does not continue at byte " + std::to_string(offset);
          return false;
        }
        total = range->total;
        part.open_at(offset);
        result.resumed = true;
        outcome = Outcome::Complete;
        return true;
      }
      if (status == 200) {
        // Full body: the server ignored the range or the video changed. Start again cleanly.
        written_from = 0;
        result.resumed = false;
        if (const auto length = find_header(headers, "content-length")) {
          total = std::strtoull(length->c_str(), nullptr, 10);
        }
        const auto etag = find_header(headers, "etag");
        const std::string new_validator =
            etag && etag->rfind("W/", 0) != 0 ? *etag
                                               : find_header(headers, "last-modified").value_or("");
        part.open_at(0);
        if (new_validator.empty()) {
          std::remove(validator_path.c_str());
        } else {
          write_validator(validator_path, new_validator);
        }
        outcome = Outcome::Complete;
        return true;
      }
      if (status == 416 && offset > 0) {
        const auto range = detail::parse_content_range(find_header(headers, "content-range").value_or(""));
        outcome = range && range->total && *range->total == offset ? Outcome::AlreadyComplete
                                                                    : Outcome::Restart;
        return true;
      }
      if (status >= 300 && status < 400) {
        location = find_header(headers, "location").value_or("");
        outcome = location.empty() ? Outcome::Failed : Outcome::Redirect;
        return outcome == Outcome::Redirect;
      }
      outcome = Outcome::Failed;
      return true;  // read the error body for the message
    };
    const auto on_body = [&](const char* data, std::size_t size) {
      if (!part.is_open()) {
        if (error_body.size() < 4096) error_body.append(data, std::min<std::size_t>(size, 4096));
        return true;
      }
      if (!part.append(data, size)) return false;
      received += size;
      if (options.on_progress) {
        const auto now = clock.now();
        if (now - last_progress >= milliseconds(100)) {
          last_progress = now;
          const double seconds = std::chrono::duration<double>(now - started).count();
          DownloadProgress progress;
          progress.bytes_done = written_from + received;
          progress.bytes_total = total;
          progress.bytes_per_second =
              seconds > 0 ? static_cast<double>(result.bytes_transferred + received) / seconds : 0;
          options.on_progress(progress);
        }
      }
      return true;
    };

    // Exceptions must not unwind through libcurl's C frames: keep them for after the transfer.
    std::exception_ptr callback_error;
    const auto guarded = [&callback_error](auto&& callback) {
      try {
        return callback();
      } catch (...) {
        callback_error = std::current_exception();
        return false;
      }
    };

    request.on_headers = [&](int status, const HttpHeaders& headers) {
      return guarded([&] { return on_headers(status, headers); });
    };
    request.on_body = [&](const char* data, std::size_t size) {
      return guarded([&] { return on_body(data, size); });
    };

    const auto sent_at = clock.now();
    HttpResponse response = impl.send_once(request, attempt);
    const auto duration = std::chrono::duration_cast<milliseconds>(clock.now() - sent_at);
    response.body = error_body;
    result.bytes_transferred += received;
    if (callback_error) {
      part.close_quietly();
      std::rethrow_exception(callback_error);
    }

    if (!part.write_error().empty()) {
      part.close_quietly();
      impl.log(request, response, attempt, duration, "give up: write failed");
      throw Error(context + ": " + part.write_error() + " (the partial file is kept)");
    }
    if (!protocol_error.empty()) {
      part.close_quietly();
      impl.log(request, response, attempt, duration, "give up: " + protocol_error);
      throw ResponseError(context + ": " + protocol_error, response.status);
    }
    if (response.error == TransportError::None) {
      if (outcome == Outcome::Redirect && ++redirects <= kMaxRedirects) {
        impl.log(request, response, attempt, duration, "follow redirect");
        url = detail::resolve_location(url, location);
        continue;
      }
      if (outcome == Outcome::Restart) {
        impl.log(request, response, attempt, duration, "restart from byte 0");
        std::remove(part_path.c_str());
        std::remove(validator_path.c_str());
        continue;
      }
      if (outcome == Outcome::Complete || outcome == Outcome::AlreadyComplete) {
        if (outcome == Outcome::Complete) part.commit();
        const std::uint64_t size = file_size_or_zero(part_path);
        if (total && size != *total) {
          impl.log(request, response, attempt, duration, "give up: size mismatch");
          throw ResponseError(context + ": received " + std::to_string(size) +
                                  " bytes but the server announced " + std::to_string(*total) +
                                  " (the partial file is kept)",
                              response.status);
        }
        if (std::rename(part_path.c_str(), path.c_str()) != 0) {
          throw Error(context + ": " + system_error_text("cannot rename to", path));
        }
        std::remove(validator_path.c_str());
        impl.budget.refund();
        impl.log(request, response, attempt, duration, "done");
        result.bytes = size;
        if (options.on_progress) {
          DownloadProgress progress;
          progress.bytes_done = size;
          progress.bytes_total = size;
          const double seconds = std::chrono::duration<double>(clock.now() - started).count();
          progress.bytes_per_second =
              seconds > 0 ? static_cast<double>(result.bytes_transferred) / seconds : 0;
          options.on_progress(progress);
        }
        return result;
      }
    }
    part.close_quietly();

    if (response.error == TransportError::Cancelled || cancel.cancelled()) {
      impl.log(request, response, attempt, duration, "cancelled (the partial file is kept)");
      throw CancelledError(context + ": cancelled; the partial file is kept for resuming");
    }
    // Progress since the last failure means the connection works: resume at once, uncounted.
    if (received > 0 && response.error != TransportError::None) {
      failures = 0;
      impl.log(request, response, attempt, duration,
               "resume at once from byte " + std::to_string(written_from + received) + " (" +
                   detail::describe_failure(response) + ")");
      continue;
    }
    ++failures;
    if (!detail::should_retry(response, detail::Idempotency::Idempotent) ||
        failures >= impl.retry.max_attempts || !impl.budget.try_spend(response.error)) {
      impl.log(request, response, attempt, duration,
               "give up: " + detail::describe_failure(response));
      detail::throw_for_response(response, context);
    }
    const auto delay = impl.retry_delay(response, failures);
    impl.log(request, response, attempt, duration,
             "retry in " + std::to_string(delay.count()) + " ms (" +
                 detail::describe_failure(response) + ")");
    if (!clock.sleep_until(clock.now() + delay, cancel)) {
      throw CancelledError(context + ": cancelled; the partial file is kept for resuming");
    }
  }
}

}  // namespace seedance
