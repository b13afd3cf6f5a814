// The libcurl HttpTransport: a pool of reused easy handles, each driven through its own private
// multi handle so cancellation is noticed within kPollIntervalMs even while the socket is idle.
#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/curl/curl_exchange.hpp"
#include "http/curl/curl_handle.hpp"
#include "http/curl/curl_wrappers.hpp"
#include "seedance/transport.hpp"

namespace seedance {
namespace {

using detail::CurlExchange;
using detail::CurlHandle;
using detail::CurlMultiPtr;
using detail::CurlSharePtr;

/// Idle handles kept for reuse; more concurrent callers get fresh handles that are freed after.
constexpr std::size_t kMaxIdleHandles = 16;
/// Longest wait inside libcurl between two looks at the cancellation token.
constexpr int kPollIntervalMs = 50;

/// One pooled connection context: an easy handle with its private multi handle. The multi owns
/// the connection cache, so the pair is always used together.
struct PooledHandle {
  std::unique_ptr<CurlHandle> handle;
  CurlMultiPtr multi;  // Declared after `handle`, so destroyed (closing connections) first.
};

/// Mutexes guarding the data libcurl shares between the pooled handles (DNS, TLS sessions).
struct ShareLocks {
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes;
};

void lock_shared_data(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].lock();
}

void unlock_shared_data(CURL*, curl_lock_data data, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].unlock();
}

HttpResponse failure(TransportError error, std::string detail) {
  HttpResponse response;
  response.error = error;
  response.error_detail = std::move(detail);
  return response;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    detail::ensure_curl_global_init();
    share_.reset(curl_share_init());
    if (share_) {
      CURLSH* share = share_.get();
      (void)curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_shared_data);
      (void)curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_shared_data);
      (void)curl_share_setopt(share, CURLSHOPT_USERDATA, share_locks_.get());
      // Connections stay per handle (sharing the cache costs a lock on every request).
      (void)curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      (void)curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  ~CurlTransport() override {
    // Handles reference the share, so they go first.
    std::lock_guard<std::mutex> lock(pool_mutex_);
    idle_.clear();
  }

  HttpResponse send(const HttpRequest& request) override {
    if (request.cancel && request.cancel->cancelled()) {
      return failure(TransportError::Cancelled, "cancelled before sending");
    }
    std::string problem;
    std::unique_ptr<PooledHandle> pooled = acquire(problem);
    if (!pooled) return failure(TransportError::Other, problem);
    HttpResponse response;
    CurlExchange exchange(request, response);
    problem = pooled->handle->prepare(request, exchange);
    if (!problem.empty()) {
      release(std::move(pooled));
      return failure(TransportError::Other, std::move(problem));
    }
    const std::optional<CURLcode> result = run(*pooled, exchange);
    exchange.finish(result, pooled->handle->get(), pooled->handle->error_message());
    release(std::move(pooled));
    if (exchange.exception()) std::rethrow_exception(exchange.exception());
    return response;
  }

 private:
  /// Drives the transfer; nullopt when the multi interface itself failed or it was cancelled.
  static std::optional<CURLcode> run(PooledHandle& pooled, CurlExchange& exchange) {
    CURLM* multi = pooled.multi.get();
    CURL* easy = pooled.handle->get();
    CURLMcode status = curl_multi_add_handle(multi, easy);
    if (status != CURLM_OK) {
      exchange.set_failure_detail(curl_multi_strerror(status));
      return std::nullopt;
    }
    std::optional<CURLcode> result;
    while (true) {
      int running = 0;
      status = curl_multi_perform(multi, &running);
      if (status != CURLM_OK) break;
      if (running == 0) {
        int queued = 0;
        while (const CURLMsg* message = curl_multi_info_read(multi, &queued)) {
          if (message->msg == CURLMSG_DONE) result = message->data.result;
        }
        break;
      }
      if (exchange.note_cancellation()) break;
      status = curl_multi_poll(multi, nullptr, 0, kPollIntervalMs, nullptr);
      if (status != CURLM_OK) break;
    }
    // Removing an unfinished transfer closes its connection; a finished one returns to the cache.
    (void)curl_multi_remove_handle(multi, easy);
    if (status != CURLM_OK) {
      exchange.set_failure_detail(curl_multi_strerror(status));
    } else if (!result) {
      exchange.set_failure_detail("the transfer did not end");
    }
    return result;
  }

  std::unique_ptr<PooledHandle> acquire(std::string& problem) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (!idle_.empty()) {
        // Most recently used first: its connection is the likeliest to still be alive.
        std::unique_ptr<PooledHandle> pooled = std::move(idle_.back());
        idle_.pop_back();
        return pooled;
      }
    }
    return create_handle(problem);
  }

  void release(std::unique_ptr<PooledHandle> pooled) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex_);
      if (idle_.size() < kMaxIdleHandles) {
        idle_.push_back(std::move(pooled));
        return;
      }
    }
    // Surplus handle: destroyed (closing its connection) outside the lock.
  }

  std::unique_ptr<PooledHandle> create_handle(std::string& problem) const {
    detail::CurlProfile profile;
    profile.receive_buffer_bytes = options_.receive_buffer_bytes;
    profile.share = share_.get();
    auto pooled = std::make_unique<PooledHandle>();
    pooled->multi.reset(curl_multi_init());
    if (!pooled->multi) {
      problem = "could not create a libcurl handle";
      return nullptr;
    }
    pooled->handle = CurlHandle::create(options_, profile, problem);
    if (!pooled->handle) return nullptr;
    return pooled;
  }

  const TransportOptions options_;
  // Declared before the pool: every handle must be gone before the share is cleaned up.
  std::unique_ptr<ShareLocks> share_locks_ = std::make_unique<ShareLocks>();
  CurlSharePtr share_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<PooledHandle>> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(const TransportOptions& options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace seedance
