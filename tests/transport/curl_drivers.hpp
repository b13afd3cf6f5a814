// The two users of the one curl module, as test drivers: the blocking transport
// (make_curl_transport) and the multi driver under TaskGroup (make_curl_multi_http). Tests run
// against both must see the same results for the same wire.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "http/curl/curl_multi.hpp"
#include "seedance/clock.hpp"
#include "seedance/transport.hpp"

namespace seedance::testing {

using Send = std::function<HttpResponse(const TransportOptions&, HttpRequest)>;

inline HttpResponse send_blocking(const TransportOptions& options, HttpRequest request) {
  return make_curl_transport(options)->send(request);
}

inline HttpResponse send_through_multi(const TransportOptions& options, HttpRequest request) {
  const std::shared_ptr<Clock> clock = Clock::system();
  auto http = detail::make_curl_multi_http(options, 2, 100, clock);
  http->start(1, std::move(request));
  std::vector<detail::Completion> completed;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (completed.empty() && std::chrono::steady_clock::now() < give_up) {
    http->run(std::nullopt, completed);
  }
  if (completed.empty()) throw std::runtime_error("the multi driver never completed");
  return std::move(completed.front().response);
}

struct Driver {
  const char* name;
  Send send;
};

/// Both drivers, for INSTANTIATE_TEST_SUITE_P, named "blocking" and "multi".
inline auto both_drivers() {
  return ::testing::Values(Driver{"blocking", send_blocking}, Driver{"multi", send_through_multi});
}

inline std::string driver_name(const ::testing::TestParamInfo<Driver>& info) {
  return info.param.name;
}

/// A GET of `url` with a 10 s timeout.
inline HttpRequest get_request(const std::string& url) {
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = std::chrono::seconds(10);
  return request;
}

}  // namespace seedance::testing
