// One HTTP exchange over libcurl, as both transports run it: the header and body callbacks (the
// fuzzed HeaderBlockParser reads every header line, folded ones included) and the mapping of how
// the transfer ended to TransportError and error_detail.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>

#include "http/http_parse.hpp"
#include "seedance/transport.hpp"

namespace seedance::detail {

/// The state of one transfer, reached from libcurl's callbacks. Stays where it is (libcurl holds
/// its address) from CurlHandle::prepare() to finish().
class CurlExchange {
 public:
  /// The request and response outlive the exchange.
  CurlExchange(const HttpRequest& request, HttpResponse& response);
  CurlExchange(const CurlExchange&) = delete;
  CurlExchange& operator=(const CurlExchange&) = delete;

  /// libcurl's CURLOPT_HEADERFUNCTION and CURLOPT_WRITEFUNCTION, with the exchange as user data.
  static std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user);
  static std::size_t on_body_bytes(char* data, std::size_t size, std::size_t count, void* user);

  /// True (and remembered) once the request's CancellationToken is cancelled.
  bool note_cancellation();
  /// Explains a transfer that libcurl could not drive to an end (see finish()), unless the
  /// exchange itself stopped it for a reason of its own.
  void set_failure_detail(std::string detail);

  /// Completes the response once the transfer is over: `result` is libcurl's, nullopt when the
  /// transfer did not end (the multi interface failed, or it was cancelled); `easy` its handle,
  /// `error_message` its error buffer. Sets response.error and error_detail for a failure.
  void finish(std::optional<CURLcode> result, CURL* easy, const char* error_message);

  /// What a callback threw; the caller rethrows it once the handle is back in its pool.
  std::exception_ptr exception() const { return exception_; }

 private:
  enum class Stop { None, Aborted, Cancelled, Threw, TooLarge };

  bool deliver_headers(int status);
  bool collects_body() const;
  void stop_too_large();
  void record_exception();
  void stop(Stop why, std::string detail);
  TransportError classify(CURLcode code, CURL* easy) const;
  TransportError classify_timeout(CURL* easy) const;
  TransportError classify_connection_failure(CURLcode code, CURL* easy) const;

  const HttpRequest& request_;
  HttpResponse& response_;
  /// Real time, whatever clock the caller runs on: libcurl's limits are in real time too.
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  detail::HeaderBlockParser parser_;
  bool headers_delivered_ = false;
  Stop stop_ = Stop::None;
  std::string stop_detail_;
  std::exception_ptr exception_;
};

}  // namespace seedance::detail
