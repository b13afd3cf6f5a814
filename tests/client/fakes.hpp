// Test doubles for the two things Client lets a test replace: time (fake_clock.hpp) and HTTP.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "seedance/transport.hpp"

namespace seedance::testing {

/// Replies from a script, records every request with the fake time it was sent at.
class FakeTransport : public HttpTransport {
 public:
  struct Sent {
    HttpRequest request;
    double at_seconds;
  };

  explicit FakeTransport(std::shared_ptr<FakeClock> clock) : clock_(std::move(clock)) {}

  /// Queues a reply; the handler form may stream a body through the request's callbacks.
  void reply(HttpResponse response) {
    handlers_.push_back([response](const HttpRequest& request) {
      HttpResponse copy = response;
      if (copy.error == TransportError::None && request.on_headers &&
          !request.on_headers(copy.status, copy.headers)) {
        copy.error = TransportError::Aborted;
        return copy;
      }
      if (copy.error == TransportError::None && request.on_body && !copy.body.empty()) {
        if (!request.on_body(copy.body.data(), copy.body.size())) {
          copy.error = TransportError::Aborted;
        }
        copy.body.clear();
      }
      return copy;
    });
  }
  void reply(int status, std::string body, HttpHeaders headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    reply(std::move(response));
  }
  void fail(TransportError error) {
    HttpResponse response;
    response.error = error;
    response.error_detail = "simulated";
    reply(std::move(response));
  }
  void handle(std::function<HttpResponse(const HttpRequest&)> handler) {
    handlers_.push_back(std::move(handler));
  }

  HttpResponse send(const HttpRequest& request) override {
    std::function<HttpResponse(const HttpRequest&)> handler;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sent_.push_back({request, clock_->seconds()});
      if (handlers_.empty()) {
        HttpResponse response;
        response.status = 599;
        response.body = "unscripted request";
        return response;
      }
      handler = std::move(handlers_.front());
      handlers_.pop_front();
    }
    return handler(request);
  }

  std::vector<Sent> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_.size();
  }

 private:
  std::shared_ptr<FakeClock> clock_;
  std::mutex mutex_;
  std::deque<std::function<HttpResponse(const HttpRequest&)>> handlers_;
  std::vector<Sent> sent_;
};

}  // namespace seedance::testing
