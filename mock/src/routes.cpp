#include "routes.hpp"

#include <httplib.h>

#include <cstring>

#include "content.hpp"
#include "gateway.hpp"
#include "reference.hpp"
#include "text.hpp"
#include "validation.hpp"

namespace seedance::mock::detail {
namespace {

constexpr const char* kStoragePrefix = "/upstream-storage/";

Route parse_storage_route(const std::string& path) {
  const std::string rest = path.substr(std::strlen(kStoragePrefix));
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string::npos) return {};
  Route r{Route::Storage, rest.substr(0, slash), false, rest.substr(slash + 1)};
  if (r.file != "video.mp4" && r.file != "last_frame.png") return {};
  return r;
}

bool is_get(const std::string& method) { return method == "GET" || method == "HEAD"; }

RangeHeaders range_headers(const httplib::Request& req) {
  RangeHeaders h;
  h.range = trim(req.get_header_value("Range"));
  if (req.has_header("If-Range")) h.if_range = trim(req.get_header_value("If-Range"));
  return h;
}

Reply task_not_found(const std::string& id, const Exchange& ex) {
  if (!ex.gateway()) return reference_task_not_found(id);
  return body_reply(400, gateway_task_error("task_not_exist", "task_not_exist"));
}

}  // namespace

Route parse_route(const std::string& path) {
  if (starts_with(path, kStoragePrefix)) return parse_storage_route(path);
  for (const char* base : {"/v1/videos", "/v1/video/generations"}) {
    const std::string b = base;
    const bool alias = b != "/v1/videos";
    if (path == b) return {Route::Collection, "", alias, ""};
    if (!starts_with(path, b + "/")) continue;
    const std::string rest = path.substr(b.size() + 1);
    const std::size_t slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (id.empty()) return {};
    if (slash == std::string::npos) return {Route::Detail, id, alias, ""};
    if (rest.substr(slash + 1) == "content") return {Route::Content, id, alias, ""};
    return {};
  }
  return {};
}

bool gateway_unrouted(const std::string& method, const Route& route) {
  switch (route.kind) {
    case Route::Collection:
      return method != "POST";
    case Route::Detail:
      return !is_get(method);
    case Route::Content:
      return !is_get(method) || route.alias;  // no alias for /content
    case Route::Storage:
      return false;
    case Route::Unknown:
      break;
  }
  return true;
}

std::string base_url(std::string host, int port) {
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

std::string upstream_base_url(const std::string& host, int port) {
  // Another host name for the same address is another origin.
  if (host.empty() || host == "0.0.0.0" || host == "127.0.0.1") return base_url("localhost", port);
  if (host == "localhost") return base_url("127.0.0.1", port);
  return base_url(host, port);
}

Api::Api(TaskStore& tasks, const Settings& settings, std::function<std::string()> upstream_base)
    : tasks_(tasks), settings_(settings), upstream_base_(std::move(upstream_base)) {}

Exchange Api::exchange() const {
  Exchange ex;
  ex.dialect = settings_.get().dialect;
  if (ex.gateway()) ex.request_id = gateway_request_id();
  return ex;
}

std::string Api::storage_url(const std::string& id) const {
  return upstream_base_() + "/upstream-storage/" + id;
}

Reply Api::answer(const httplib::Request& req, const Exchange& ex) {
  const Route route = parse_route(req.path);
  if (route.kind == Route::Storage) return storage(req, route);
  if (ex.gateway() && gateway_unrouted(req.method, route)) {
    return body_reply(404, gateway_invalid_url(req.method, req.path));
  }
  if (route.kind == Route::Unknown && !starts_with(req.path, "/v1/")) return not_found(req.path);
  Reply refusal;
  if (!authorized(req, ex, refusal)) return refusal;
  const bool get = is_get(req.method);
  switch (route.kind) {
    case Route::Collection:
      return req.method == "POST" ? submit(req.body, ex) : method_not_allowed(req.method, "POST");
    case Route::Detail:
      // HEAD reports without advancing the task: it must not have side effects.
      return get ? detail(route, req.method == "GET", ex) : method_not_allowed(req.method, "GET");
    case Route::Content:
      return get ? content(req, route, ex) : method_not_allowed(req.method, "GET");
    case Route::Storage:
    case Route::Unknown:
      break;
  }
  return not_found(req.path);
}

bool Api::authorized(const httplib::Request& req, const Exchange& ex, Reply& refusal) const {
  const std::string key = settings_.get().api_key;
  const std::string value = trim(req.get_header_value("Authorization"));
  std::string message;
  if (value.empty()) {
    message = "Missing API key: send 'Authorization: Bearer <key>'.";
  } else if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ") ||
             trim(value.substr(7)) != key) {
    message = "Invalid API key.";
  } else {
    return true;
  }
  // middleware/auth.go: every refused key is the same "invalid token", without a code.
  refusal = ex.gateway() ? body_reply(401, gateway_api_error("Invalid token", ex.request_id, ""))
                         : reference_unauthorized(message);
  return false;
}

Reply Api::submit(const std::string& body, const Exchange& ex) {
  Submission s;
  if (auto e = validate_submit(body, s)) {
    // relay/common: the gateway refuses a body with a TaskError and HTTP 400.
    return ex.gateway() ? body_reply(400, gateway_task_error("invalid_request", e->message))
                        : reference_invalid_submit(*e);
  }
  const Task t = tasks_.add(
      submitted_task(s.model, s.text, s.return_last_frame, settings_.get().task_defaults));
  return body_reply(200, video_receipt(t, ex.gateway() ? "queued" : "QUEUED"));
}

Reply Api::detail(const Route& route, bool advance, const Exchange& ex) {
  const std::optional<Task> t = tasks_.detail(route.id, advance);
  if (!t) return task_not_found(route.id, ex);
  const std::string storage = storage_url(t->id);
  if (!ex.gateway()) return body_reply(200, reference_detail(*t, storage));
  return body_reply(
      200, route.alias ? gateway_task_response(*t, storage) : gateway_video_object(*t, storage));
}

Reply Api::content(const httplib::Request& req, const Route& route, const Exchange& ex) {
  const std::optional<Task> t = tasks_.find(route.id);
  Reply r = ex.gateway() ? gateway_content(t, range_headers(req))
                         : reference_content(t, route.id, range_headers(req));
  // "mock:cut-content": the gateway's time limit cuts the first download halfway.
  if (r.video && r.length > 0 && tasks_.take_cut(route.id)) r.cut_after = r.length / 2;
  return r;
}

Reply Api::storage(const httplib::Request& req, const Route& route) const {
  if (!is_get(req.method)) return method_not_allowed(req.method, "GET");
  return storage_file(tasks_.find(route.id), route.id, route.file, range_headers(req));
}

}  // namespace seedance::mock::detail
