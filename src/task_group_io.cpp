#include "task_group_io.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "curl_wrappers.hpp"

namespace seedance::detail {

void ClockWaiter::wakeup() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = true;
    token_.cancel();
  }
  woken_.notify_all();
}

void ClockWaiter::wait(Clock& clock, std::optional<TimePoint> until) {
  CancellationToken token;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!pending_) {
      if (!until) {
        woken_.wait(lock, [this] { return pending_; });
      } else {
        token = token_;
        lock.unlock();
        (void)clock.sleep_until(*until, token);  // returns early when wakeup() cancels it
        lock.lock();
      }
    }
    if (pending_) {
      pending_ = false;
      token_ = CancellationToken();
    }
  }
}

void ConnectionGauge::on_open() {
  const std::size_t now_open = open_.fetch_add(1) + 1;
  opened_.fetch_add(1);
  std::size_t peak = peak_.load();
  while (now_open > peak && !peak_.compare_exchange_weak(peak, now_open)) {
  }
}

void ConnectionGauge::on_close() { open_.fetch_sub(1); }

ConnectionCounts ConnectionGauge::read() const {
  ConnectionCounts counts;
  counts.open = open_.load();
  counts.peak = peak_.load();
  counts.opened = opened_.load();
  return counts;
}

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// Collected JSON bodies are capped: a status or submit answer is a few hundred bytes.
constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;
/// With a clock other than the real one, libcurl is polled at least this often (real time).
constexpr int kForeignClockPollMs = 5;
/// The longest single wait inside libcurl, as a safety net for lost wakeups.
constexpr int kMaxPollMs = 1000;

milliseconds elapsed_since(Clock& clock, TimePoint since) {
  return std::chrono::duration_cast<milliseconds>(clock.now() - since);
}

class BlockingHttp final : public AsyncHttp {
 public:
  BlockingHttp(std::shared_ptr<HttpTransport> transport, std::shared_ptr<Clock> clock)
      : transport_(std::move(transport)), clock_(std::move(clock)) {}

  void start(JobId job, HttpRequest request) override {
    queued_.push_back({job, std::move(request)});
  }

  void cancel(JobId job) override {
    const auto found = std::find_if(queued_.begin(), queued_.end(),
                                    [job](const Queued& queued) { return queued.job == job; });
    if (found == queued_.end()) return;
    queued_.erase(found);
    Completion completion;
    completion.job = job;
    completion.response.error = TransportError::Cancelled;
    completion.response.error_detail = "cancelled";
    cancelled_.push_back(std::move(completion));
  }

  void run(std::optional<TimePoint> wake_at, std::vector<Completion>& completed) override {
    if (queued_.empty() && cancelled_.empty()) {
      waiter_.wait(*clock_, wake_at);
      return;
    }
    for (Completion& completion : cancelled_) completed.push_back(std::move(completion));
    cancelled_.clear();
    while (!queued_.empty()) {
      Queued queued = std::move(queued_.front());
      queued_.pop_front();
      Completion completion;
      completion.job = queued.job;
      const TimePoint sent_at = clock_->now();
      completion.response = transport_->send(queued.request);
      completion.duration = elapsed_since(*clock_, sent_at);
      completed.push_back(std::move(completion));
    }
  }

  void wakeup() override { waiter_.wakeup(); }
  std::size_t in_flight() const override { return queued_.size() + cancelled_.size(); }

 private:
  struct Queued {
    JobId job;
    HttpRequest request;
  };
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<Clock> clock_;
  std::deque<Queued> queued_;
  std::vector<Completion> cancelled_;
  ClockWaiter waiter_;
};

/// One transfer on the multi handle, reached from libcurl's callbacks.
struct Transfer {
  JobId job = 0;
  HttpRequest request;
  HttpResponse response;
  internal::CurlEasyPtr easy;
  internal::CurlSlistPtr headers;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  int block_status = 0;
  bool headers_done = false;
  bool too_large = false;
  TimePoint started{};
};

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

int parse_status_line(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return 0;
  int status = 0;
  for (std::size_t i = space + 1; i < space + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    status = status * 10 + (line[i] - '0');
  }
  return status;
}

std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  HttpHeaders& headers = transfer.response.headers;
  if (line.substr(0, 5) == "HTTP/") {
    transfer.block_status = parse_status_line(line);
    headers.clear();  // only the final response's headers count
  } else if (line.empty()) {
    if (transfer.block_status >= 200) {
      transfer.headers_done = true;
      transfer.response.status = transfer.block_status;
    }
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(std::string(trim(line.substr(0, colon))),
                         std::string(trim(line.substr(colon + 1))));
  }
  return bytes;
}

std::size_t on_body_bytes(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.response.body.size() + bytes > kMaxBodyBytes) {
    transfer.too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  transfer.response.body.append(data, bytes);
  return bytes;
}

/// Creates the socket as libcurl would (close-on-exec besides), and counts it.
curl_socket_t open_counted_socket(void* gauge, curlsocktype /*purpose*/, curl_sockaddr* address) {
  const curl_socket_t descriptor =
      ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (descriptor != CURL_SOCKET_BAD) static_cast<ConnectionGauge*>(gauge)->on_open();
  return descriptor;
}

int close_counted_socket(void* gauge, curl_socket_t descriptor) {
  static_cast<ConnectionGauge*>(gauge)->on_close();
  return ::close(descriptor);
}

TransportError classify(CURLcode code, CURL* easy) {
  if (code != CURLE_OPERATION_TIMEDOUT) return internal::classify_curl_code(code);
  // libcurl stamps "pretransfer" once the request went out; before it, only the connect
  // timeout can have fired.
  curl_off_t pretransfer_us = 0;
  (void)curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  return pretransfer_us > 0 ? TransportError::Timeout : TransportError::Connect;
}

class CurlMultiHttp final : public AsyncHttp {
 public:
  CurlMultiHttp(const TransportOptions& options, std::size_t max_connections,
                std::shared_ptr<Clock> clock)
      : options_(options),
        clock_(std::move(clock)),
        real_clock_(clock_.get() == Clock::system().get()) {
    internal::ensure_curl_global_init();
    multi_.reset(curl_multi_init());
    if (!multi_) throw std::runtime_error("could not create a libcurl multi handle");
    const long connections = static_cast<long>(std::max<std::size_t>(1, max_connections));
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
  }

  ~CurlMultiHttp() override {
    for (auto& [easy, transfer] : active_) (void)curl_multi_remove_handle(multi_.get(), easy);
    active_.clear();
    idle_.clear();
  }

  void start(JobId job, HttpRequest request) override {
    auto transfer = std::make_unique<Transfer>();
    transfer->job = job;
    transfer->request = std::move(request);
    transfer->started = clock_->now();
    std::string problem = prepare(*transfer);
    if (problem.empty()) {
      CURL* easy = transfer->easy.get();
      const CURLMcode added = curl_multi_add_handle(multi_.get(), easy);
      if (added == CURLM_OK) {
        by_job_[job] = easy;
        active_.emplace(easy, std::move(transfer));
        return;
      }
      problem = curl_multi_strerror(added);
    }
    Completion completion;
    completion.job = job;
    completion.response.error = TransportError::Other;
    completion.response.error_detail = std::move(problem);
    failed_.push_back(std::move(completion));
  }

  void cancel(JobId job) override {
    const auto found = by_job_.find(job);
    if (found == by_job_.end()) return;
    CURL* easy = found->second;
    by_job_.erase(found);
    // Removing an unfinished transfer closes its connection.
    (void)curl_multi_remove_handle(multi_.get(), easy);
    auto transfer = std::move(active_.at(easy));
    active_.erase(easy);
    Completion completion;
    completion.job = job;
    completion.response.error = TransportError::Cancelled;
    completion.response.error_detail = "cancelled";
    completion.duration = elapsed_since(*clock_, transfer->started);
    failed_.push_back(std::move(completion));
    recycle(std::move(transfer->easy));
  }

  void run(std::optional<TimePoint> wake_at, std::vector<Completion>& completed) override {
    const std::size_t before = completed.size();
    for (Completion& completion : failed_) completed.push_back(std::move(completion));
    failed_.clear();
    perform(completed);
    if (completed.size() > before) return;
    if (active_.empty() && !real_clock_) {
      waiter_.wait(*clock_, wake_at);  // an injected clock decides how long "later" is
      return;
    }
    int timeout_ms = kMaxPollMs;
    if (wake_at) {
      const auto until = std::chrono::ceil<milliseconds>(*wake_at - clock_->now()).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(until, 0, kMaxPollMs));
    }
    if (!real_clock_) timeout_ms = std::min(timeout_ms, kForeignClockPollMs);
    if (timeout_ms > 0) (void)curl_multi_poll(multi_.get(), nullptr, 0, timeout_ms, nullptr);
    perform(completed);
  }

  void wakeup() override {
    (void)curl_multi_wakeup(multi_.get());
    waiter_.wakeup();
  }

  std::size_t in_flight() const override { return active_.size() + failed_.size(); }

  ConnectionCounts connections() const override { return gauge_.read(); }

 private:
  void perform(std::vector<Completion>& completed) {
    int running = 0;
    (void)curl_multi_perform(multi_.get(), &running);
    int queued = 0;
    while (const CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode result = message->data.result;
      (void)curl_multi_remove_handle(multi_.get(), easy);
      auto transfer = std::move(active_.at(easy));
      active_.erase(easy);
      by_job_.erase(transfer->job);
      Completion completion;
      completion.job = transfer->job;
      completion.response = std::move(transfer->response);
      completion.duration = elapsed_since(*clock_, transfer->started);
      HttpResponse& response = completion.response;
      if (result != CURLE_OK) {
        response.error = transfer->too_large ? TransportError::Other : classify(result, easy);
        response.error_detail = transfer->too_large ? std::string("the response is too large")
                                : transfer->error_buffer[0] != '\0'
                                    ? std::string(transfer->error_buffer.data())
                                    : std::string(curl_easy_strerror(result));
      } else if (!transfer->headers_done) {
        long code = 0;
        (void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
        response.status = static_cast<int>(code);
      }
      completed.push_back(std::move(completion));
      recycle(std::move(transfer->easy));
    }
  }

  void recycle(internal::CurlEasyPtr easy) {
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(easy));
  }

  /// Sets up the transfer's easy handle; returns a problem, empty on success.
  std::string prepare(Transfer& transfer) {
    const HttpRequest& request = transfer.request;
    if (auto problem = internal::invalid_header(request.headers)) return std::move(*problem);
    std::string line;
    for (const auto& [name, value] : request.headers) {
      line = name + (value.empty() ? ";" : ": " + value);
      if (!internal::append_to_slist(transfer.headers, line.c_str())) return "out of memory";
    }
    if (request.method == "POST" && !internal::append_to_slist(transfer.headers, "Expect:")) {
      return "out of memory";
    }
    if (!idle_.empty()) {
      transfer.easy = std::move(idle_.back());
      idle_.pop_back();
      curl_easy_reset(transfer.easy.get());
    } else {
      transfer.easy.reset(curl_easy_init());
      if (!transfer.easy) return "could not create a libcurl handle";
    }
    CURL* easy = transfer.easy.get();
    CURLcode code = CURLE_OK;
    const auto set = [&](auto option, auto value) {
      if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PRIVATE, static_cast<void*>(&transfer));
    set(CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
    set(CURLOPT_HEADERFUNCTION, on_header_line);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
    set(CURLOPT_WRITEFUNCTION, on_body_bytes);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    set(CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit);
    set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
    if (!options_.proxy.empty()) set(CURLOPT_PROXY, options_.proxy.c_str());
    if (!options_.ca_bundle.empty()) set(CURLOPT_CAINFO, options_.ca_bundle.c_str());
    if (!options_.ca_path.empty()) set(CURLOPT_CAPATH, options_.ca_path.c_str());
    set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.user_agent.empty()) set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_OPENSOCKETFUNCTION, open_counted_socket);
    set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&gauge_));
    set(CURLOPT_CLOSESOCKETFUNCTION, close_counted_socket);
    set(CURLOPT_CLOSESOCKETDATA, static_cast<void*>(&gauge_));
    set(CURLOPT_URL, request.url.c_str());
    if (request.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, request.body.data());  // the Transfer outlives the transfer
      if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    set(CURLOPT_HTTPHEADER, transfer.headers.get());
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    // A submit gets a connection of its own: libcurl silently resends a request whose reused
    // connection turns out dead, and a submit must never be sent twice.
    set(CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
    // ... and gives it back at once, so the idle connections of the cache stay the polls'.
    set(CURLOPT_FORBID_REUSE, request.fresh_connection ? 1L : 0L);
    if (code != CURLE_OK) {
      return std::string("libcurl rejected the request: ") + curl_easy_strerror(code);
    }
    return {};
  }

  static constexpr std::size_t kMaxIdleHandles = 32;
  const TransportOptions options_;
  std::shared_ptr<Clock> clock_;
  const bool real_clock_;
  // Before multi_: a connection calls back the gauge of the handle that opened it, also when
  // the multi handle's cleanup closes it.
  ConnectionGauge gauge_;
  internal::CurlMultiPtr multi_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::unordered_map<JobId, CURL*> by_job_;
  std::vector<internal::CurlEasyPtr> idle_;
  std::vector<Completion> failed_;
  ClockWaiter waiter_;
};

}  // namespace

std::unique_ptr<AsyncHttp> make_curl_multi_http(const TransportOptions& options,
                                                std::size_t max_connections,
                                                std::shared_ptr<Clock> clock) {
  return std::make_unique<CurlMultiHttp>(options, max_connections, std::move(clock));
}

std::unique_ptr<AsyncHttp> make_blocking_http(std::shared_ptr<HttpTransport> transport,
                                              std::shared_ptr<Clock> clock) {
  return std::make_unique<BlockingHttp>(std::move(transport), std::move(clock));
}

}  // namespace seedance::detail
