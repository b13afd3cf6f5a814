#include "http/curl/curl_multi.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "http/curl/curl_exchange.hpp"
#include "http/curl/curl_handle.hpp"
#include "http/curl/curl_wrappers.hpp"
#include "http/response_limit.hpp"

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

void ConnectionGauge::Counter::on_open() {
  const std::size_t now_open = open.fetch_add(1) + 1;
  opened.fetch_add(1);
  std::size_t seen = peak.load();
  while (now_open > seen && !peak.compare_exchange_weak(seen, now_open)) {
  }
}

void ConnectionGauge::on_open(bool shared) {
  all_.on_open();
  if (shared) shared_.on_open();
}

void ConnectionGauge::on_close(bool shared) {
  all_.open.fetch_sub(1);
  if (shared) shared_.open.fetch_sub(1);
}

ConnectionCounts ConnectionGauge::read() const {
  ConnectionCounts counts;
  counts.open = all_.open.load();
  counts.peak = all_.peak.load();
  counts.opened = all_.opened.load();
  counts.shared_open = shared_.open.load();
  counts.shared_peak = shared_.peak.load();
  counts.shared_opened = shared_.opened.load();
  return counts;
}

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

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
      enforce_response_limit(queued.request, completion.response);
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

/// One transfer on the multi handle. Heap-allocated: libcurl holds the exchange's address.
struct Transfer {
  Transfer(JobId job_id, HttpRequest http_request, TimePoint started_at)
      : job(job_id), request(std::move(http_request)), started(started_at) {}

  JobId job;
  HttpRequest request;
  HttpResponse response;
  detail::CurlExchange exchange{request, response};
  std::unique_ptr<detail::CurlHandle> handle;
  TimePoint started;
};

class CurlMultiHttp final : public AsyncHttp {
 public:
  CurlMultiHttp(const TransportOptions& options, std::size_t max_connections,
                std::size_t max_streams_per_connection, std::shared_ptr<Clock> clock)
      : options_(options),
        clock_(std::move(clock)),
        real_clock_(clock_.get() == Clock::system().get()) {
    detail::ensure_curl_global_init();
    multi_.reset(curl_multi_init());
    if (!multi_) throw std::runtime_error("could not create a libcurl multi handle");
    const long connections = static_cast<long>(std::max<std::size_t>(1, max_connections));
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
    // Over HTTP/2 the limits above count connections, not requests: a request that can go as
    // one more stream on an open connection needs no new one, and one that needs a connection
    // while all are open waits for one to close. The streams of one connection are capped
    // here, besides the cap the server announces.
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    const long streams = static_cast<long>(std::max<std::size_t>(1, max_streams_per_connection));
    (void)curl_multi_setopt(multi_.get(), CURLMOPT_MAX_CONCURRENT_STREAMS, streams);
    // Every submit opens a connection of its own; over TLS, resuming an earlier session spares
    // each of them most of a full handshake (the connection is still a new one). One thread
    // drives every handle, so the share needs no locks.
    tls_sessions_.reset(curl_share_init());
    if (tls_sessions_) {
      (void)curl_share_setopt(tls_sessions_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }

  ~CurlMultiHttp() override {
    for (auto& [easy, transfer] : active_) (void)curl_multi_remove_handle(multi_.get(), easy);
    active_.clear();
    held_.clear();
    idle_.clear();
  }

  void start(JobId job, HttpRequest request) override {
    auto transfer = std::make_unique<Transfer>(job, std::move(request), clock_->now());
    const std::string problem = prepare(*transfer);
    if (!problem.empty()) {
      fail(std::move(transfer), problem);
      return;
    }
    by_job_[job] = transfer->handle->get();
    admit(std::move(transfer));
  }

  void cancel(JobId job) override {
    const auto found = by_job_.find(job);
    if (found == by_job_.end()) return;
    CURL* easy = found->second;
    by_job_.erase(found);
    const auto held = std::find_if(held_.begin(), held_.end(), [easy](const auto& transfer) {
      return transfer->handle->get() == easy;
    });
    if (held != held_.end()) {
      auto transfer = std::move(*held);
      held_.erase(held);
      end_cancelled(std::move(transfer));
      return;
    }
    if (easy == pioneer_) pioneer_ = nullptr;
    // Removing an unfinished transfer closes its connection.
    (void)curl_multi_remove_handle(multi_.get(), easy);
    auto transfer = std::move(active_.at(easy));
    active_.erase(easy);
    end_cancelled(std::move(transfer));
    release_held();
  }

  /// Reports a transfer taken out of the multi handle (or never in it) as cancelled.
  void end_cancelled(std::unique_ptr<Transfer> transfer) {
    Completion completion;
    completion.job = transfer->job;
    completion.response.error = TransportError::Cancelled;
    completion.response.error_detail = "cancelled";
    completion.duration = elapsed_since(*clock_, transfer->started);
    failed_.push_back(std::move(completion));
    recycle(std::move(transfer->handle));
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

  std::size_t in_flight() const override { return active_.size() + held_.size() + failed_.size(); }

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
      if (easy == pioneer_) pioneer_ = nullptr;
      // A callback's exception stays an Aborted response here: the engine's thread goes on.
      transfer->exchange.finish(result, easy, transfer->handle->error_message());
      Completion completion;
      completion.job = transfer->job;
      completion.response = std::move(transfer->response);
      completion.duration = elapsed_since(*clock_, transfer->started);
      completed.push_back(std::move(completion));
      recycle(std::move(transfer->handle));
    }
    release_held();
  }

  /// Adds the transfer to the multi handle, or holds it back. libcurl 7.88 puts a transfer on
  /// an HTTP/2 connection only once that connection is set up (CURLOPT_PIPEWAIT waits only
  /// while no connection to the host has told its protocol yet): a burst of polls with no
  /// shared connection open would each open one. So while one of them (the pioneer) opens the
  /// first shared connection, the others wait for it to end, then go as streams on that
  /// connection (or, over HTTP/1.1, as usual). Submits never wait: they open their own, and
  /// neither do requests that share no connection (clear_text_h2_single_use).
  void admit(std::unique_ptr<Transfer> transfer) {
    CURL* easy = transfer->handle->get();
    if (!transfer->request.fresh_connection &&
        !detail::clear_text_h2_single_use(options_.http_version, transfer->request.url)) {
      if (pioneer_ != nullptr) {
        held_.push_back(std::move(transfer));
        return;
      }
      if (gauge_.read().shared_open == 0) pioneer_ = easy;
    }
    const CURLMcode added = curl_multi_add_handle(multi_.get(), easy);
    if (added != CURLM_OK) {
      if (easy == pioneer_) pioneer_ = nullptr;
      by_job_.erase(transfer->job);
      fail(std::move(transfer), curl_multi_strerror(added));
      return;
    }
    active_.emplace(easy, std::move(transfer));
  }

  /// Admits the held transfers once no pioneer is in flight (the first admitted may be one).
  void release_held() {
    while (pioneer_ == nullptr && !held_.empty()) {
      auto transfer = std::move(held_.front());
      held_.pop_front();
      admit(std::move(transfer));
    }
  }

  void fail(std::unique_ptr<Transfer> transfer, std::string problem) {
    Completion completion;
    completion.job = transfer->job;
    completion.response.error = TransportError::Other;
    completion.response.error_detail = std::move(problem);
    failed_.push_back(std::move(completion));
    recycle(std::move(transfer->handle));
  }

  void recycle(std::unique_ptr<detail::CurlHandle> handle) {
    if (handle && idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
  }

  /// Gives the transfer a handle set up for its request; returns a problem, empty on success.
  std::string prepare(Transfer& transfer) {
    if (!idle_.empty()) {
      transfer.handle = std::move(idle_.back());
      idle_.pop_back();
    } else {
      detail::CurlProfile profile;
      profile.gauge = &gauge_;
      profile.share = tls_sessions_.get();
      // A submit's connection of its own is closed after it, so the idle connections of the
      // cache stay the polls', and is never shared with them (see CurlProfile).
      profile.close_fresh_connections = true;
      // The other requests wait for a connection that turns out to be HTTP/2 to multiplex on,
      // rather than each opening one while the first is still being set up.
      profile.wait_to_multiplex = true;
      std::string problem;
      transfer.handle = detail::CurlHandle::create(options_, profile, problem);
      if (!transfer.handle) return problem;
    }
    return transfer.handle->prepare(transfer.request, transfer.exchange);
  }

  static constexpr std::size_t kMaxIdleHandles = 32;
  const TransportOptions options_;
  std::shared_ptr<Clock> clock_;
  const bool real_clock_;
  // Before multi_: a connection calls back the gauge of the handle that opened it, also when
  // the multi handle's cleanup closes it.
  ConnectionGauge gauge_;
  // Before the handles, which reference it.
  detail::CurlSharePtr tls_sessions_;
  detail::CurlMultiPtr multi_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::unordered_map<JobId, CURL*> by_job_;
  // Shared-connection transfers waiting for the pioneer, the one opening that connection.
  std::deque<std::unique_ptr<Transfer>> held_;
  CURL* pioneer_ = nullptr;
  std::vector<std::unique_ptr<detail::CurlHandle>> idle_;
  std::vector<Completion> failed_;
  ClockWaiter waiter_;
};

}  // namespace

std::unique_ptr<AsyncHttp> make_curl_multi_http(const TransportOptions& options,
                                                std::size_t max_connections,
                                                std::size_t max_streams_per_connection,
                                                std::shared_ptr<Clock> clock) {
  return std::make_unique<CurlMultiHttp>(options, max_connections, max_streams_per_connection,
                                         std::move(clock));
}

std::unique_ptr<AsyncHttp> make_blocking_http(std::shared_ptr<HttpTransport> transport,
                                              std::shared_ptr<Clock> clock) {
  return std::make_unique<BlockingHttp>(std::move(transport), std::move(clock));
}

}  // namespace seedance::detail
