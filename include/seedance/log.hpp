// The request-log hook: what the SDK tells the application about each HTTP exchange.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "seedance/transport.hpp"

namespace seedance {

/// One HTTP attempt. Contains no secret: no API key, no Authorization header, no request body.
struct RequestEvent {
  std::string method;                           ///< "GET" or "POST".
  std::string path;                             ///< Path of the URL, e.g. "/v1/videos/task_123".
  int attempt = 1;                              ///< 1 for the first try.
  int status = 0;                               ///< HTTP status; 0 when no response arrived.
  TransportError error = TransportError::None;  ///< Why no response arrived, if none did.
  std::chrono::milliseconds duration{0};        ///< Time the attempt took.
  /// What the SDK does next: "done", "retry in 2000 ms (HTTP 503)", "give up: ...".
  std::string decision;
};

/// Receives one RequestEvent per HTTP attempt (ClientOptions::logger), on the calling thread.
using RequestLogger = std::function<void(const RequestEvent& event)>;

/// Receives warnings about an insecure or unusual configuration (ClientOptions::on_warning), such
/// as TLS verification turned off; one line of text, never a secret.
using WarningHandler = std::function<void(const std::string& message)>;

}  // namespace seedance
