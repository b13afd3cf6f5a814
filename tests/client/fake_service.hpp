// A scripted stand-in for the service behind an HttpTransport: submits create tasks, each poll
// advances one, and a hook may replace any answer. Every request is recorded with the fake time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fakes.hpp"
#include "seedance/transport.hpp"

namespace seedance::testing {

class FakeService : public HttpTransport {
 public:
  struct Record {
    std::string method;
    std::string path;
    double at_seconds;
  };

  FakeService(std::shared_ptr<FakeClock> clock, int polls_to_complete)
      : clock_(std::move(clock)), polls_to_complete_(polls_to_complete) {}

  /// Replaces the answer to a request when it returns one (called with the request's number).
  std::function<std::optional<HttpResponse>(const HttpRequest&, std::size_t number)> fault;
  /// Prompts containing this end in FAILURE.
  std::string fail_marker = "please fail";
  /// Tasks never finish (for timeouts).
  bool never_finish = false;

  HttpResponse send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string path = request.url.substr(request.url.find("/v1/"));
    records_.push_back({request.method, path, clock_->seconds()});
    if (fault) {
      if (auto replaced = fault(request, records_.size())) return deliver(request, *replaced);
    }
    HttpResponse response;
    response.status = 200;
    if (request.method == "POST") {
      const std::string id = "task_" + std::to_string(++created_);
      polls_[id] = 0;
      failing_[id] = request.body.find(fail_marker) != std::string::npos;
      response.body =
          R"({"id":")" + id + R"(","task_id":")" + id +
          R"(","object":"video","model":"seedance-2.0","status":"QUEUED","progress":0})";
      return response;
    }
    const std::string rest = path.substr(std::string("/v1/videos/").size());
    const std::string id = rest.substr(0, rest.find('/'));
    if (rest.find("/content") != std::string::npos) {
      response.body = "VIDEO:" + id;
      response.headers = {{"Content-Length", std::to_string(response.body.size())},
                          {"ETag", "\"" + id + "\""}};
      return deliver(request, response);
    }
    const int polls = ++polls_[id];
    std::string status = polls >= polls_to_complete_ && !never_finish
                             ? (failing_[id] ? "FAILURE" : "SUCCESS")
                             : (polls == 1 ? "QUEUED" : "IN_PROGRESS");
    response.body = R"({"task_id":")" + id + R"(","status":")" + status + R"(","progress":")" +
                    std::to_string(status == "SUCCESS" ? 100 : polls * 10) + R"(%")" +
                    (status == "FAILURE" ? R"(,"fail_reason":"content policy")" : "") + "}";
    return response;
  }

  std::vector<Record> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }
  std::size_t created() {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(created_);
  }

  /// Times of the polls of each task.
  std::map<std::string, std::vector<double>> poll_times() {
    std::map<std::string, std::vector<double>> times;
    for (const Record& record : records()) {
      if (record.method != "GET" || record.path.find("/content") != std::string::npos) continue;
      times[record.path.substr(std::string("/v1/videos/").size())].push_back(record.at_seconds);
    }
    return times;
  }

 private:
  static HttpResponse deliver(const HttpRequest& request, HttpResponse response) {
    if (response.error == TransportError::None && request.on_headers &&
        !request.on_headers(response.status, response.headers)) {
      response.error = TransportError::Aborted;
      return response;
    }
    if (response.error == TransportError::None && request.on_body && !response.body.empty()) {
      if (!request.on_body(response.body.data(), response.body.size())) {
        response.error = TransportError::Aborted;
      }
      response.body.clear();
    }
    return response;
  }

  std::shared_ptr<FakeClock> clock_;
  int polls_to_complete_;
  std::mutex mutex_;
  std::vector<Record> records_;
  int created_ = 0;
  std::map<std::string, int> polls_;
  std::map<std::string, bool> failing_;
};

}  // namespace seedance::testing
