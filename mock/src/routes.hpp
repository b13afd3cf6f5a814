// The API's routes: a path parsed into a route, and each route answered in the dialect the
// server speaks, from the task store, the content and the dialect's bodies.
#pragma once

#include <functional>
#include <string>

#include "reply.hpp"
#include "settings.hpp"
#include "task_store.hpp"

namespace httplib {
struct Request;
}

namespace seedance::mock::detail {

struct Route {
  enum Kind { Collection, Detail, Content, Storage, Unknown } kind = Unknown;
  std::string id;
  bool alias = false;  // under /v1/video/generations
  std::string file;    // Storage: "video.mp4" or "last_frame.png"
};

Route parse_route(const std::string& path);

/// The gateway has no route for this request (it answers before any key check).
bool gateway_unrouted(const std::string& method, const Route& route);

/// "http://HOST:PORT" for a listening address (a wildcard one reads as loopback).
std::string base_url(std::string host, int port);
/// The upstream storage's origin: the same port under another host name.
std::string upstream_base_url(const std::string& host, int port);

/// What one request needs to know of the dialect it is answered in.
struct Exchange {
  Dialect dialect = Dialect::Reference;
  std::string request_id;  // gateway: the X-Oneapi-Request-Id
  bool gateway() const { return dialect == Dialect::Gateway; }
};

class Api {
 public:
  /// `upstream_base` gives the upstream storage's origin (the port is known once listening).
  Api(TaskStore& tasks, const Settings& settings, std::function<std::string()> upstream_base);

  /// The dialect spoken now, with a new request id for the gateway.
  Exchange exchange() const;
  Reply answer(const httplib::Request& req, const Exchange& ex);

 private:
  bool authorized(const httplib::Request& req, const Exchange& ex, Reply& refusal) const;
  Reply submit(const std::string& body, const Exchange& ex);
  Reply detail(const Route& route, bool advance, const Exchange& ex);
  Reply content(const httplib::Request& req, const Route& route, const Exchange& ex);
  Reply storage(const httplib::Request& req, const Route& route) const;
  /// The task's folder in the upstream storage (another origin: no key is sent there).
  std::string storage_url(const std::string& id) const;

  TaskStore& tasks_;
  const Settings& settings_;
  std::function<std::string()> upstream_base_;
};

}  // namespace seedance::mock::detail
