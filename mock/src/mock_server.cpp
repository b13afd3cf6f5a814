// MockServer: wires the parts together. The routes answer from the task store and the content;
// the faults replace or damage what they answer; the request log records it all.
#include "seedance/mock/mock_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "delivery.hpp"
#include "faults.hpp"
#include "http_server.hpp"
#include "reply.hpp"
#include "request_log.hpp"
#include "routes.hpp"
#include "settings.hpp"
#include "task_store.hpp"
#include "video_bytes.hpp"

namespace seedance::mock {

struct MockServer::Impl {
  explicit Impl(MockServerOptions o)
      : options(std::move(o)),
        settings(options),
        api(tasks, settings, [this] { return detail::upstream_base_url(options.host, port); }) {}

  const MockServerOptions options;  // what changes at run time is in `settings`
  detail::Settings settings;
  detail::TaskStore tasks;
  detail::FaultBook faults;
  detail::RequestLog log;
  detail::StopSignal stop;
  detail::Api api;

  std::mutex run_mutex;  // start/stop
  std::unique_ptr<detail::HttpServer> server;
  std::thread listen_thread;
  std::atomic<int> port{0};

  /// The steps a fault takes before the API answers: its delay, change_etag and ignore_range.
  void before_answer(const FaultRule& fault, const httplib::Request& req) {
    if (fault.delay.count() > 0) stop.pause(fault.delay, nullptr);
    if (fault.change_etag) {
      const detail::Route route = detail::parse_route(req.path);
      if (!route.id.empty()) tasks.change_etag(route.id);
    }
    if (fault.ignore_range) {
      // The request object inside cpp-httplib is not const (see handle()).
      auto& headers = const_cast<httplib::Request&>(req).headers;
      headers.erase("Range");
      headers.erase("If-Range");
    }
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    detail::Connection* conn = detail::current_connection();
    if (conn) {
      conn->dispatched = true;
      conn->drop_output = false;  // may have been set for the 100 Continue
    }
    // cpp-httplib would cut every body we return (error objects included) by the Range header
    // and cannot answer 416; ranges are applied here instead. The Request object inside
    // cpp-httplib is not const, so writing through the cast is well-defined.
    const_cast<httplib::Request&>(req).ranges.clear();
    if (conn && conn->warm_up) {
      res.set_content("{\"warm\":\"up\"}", "application/json");
      return;
    }

    const std::uint64_t sequence = log.record(detail::recorded(req, conn));
    const std::optional<FaultRule> fault = faults.take(req.method, req.path);
    if (fault) {
      log.mark_fault(sequence, fault->to_string());
      before_answer(*fault, req);
    }
    const detail::Exchange ex = api.exchange();
    detail::Reply reply =
        fault && fault->replaces_response() ? detail::fault_reply(*fault) : api.answer(req, ex);
    if (ex.gateway()) reply.headers.emplace_back("X-Oneapi-Request-Id", ex.request_id);
    if (fault) detail::add_fault_headers(*fault, reply);

    if (fault && fault->close_before_response) {
      // The request was processed (a POST created its task); its response is lost.
      if (conn) {
        conn->drop_output = true;
        conn->close_after_response = true;
      }
      res.status = reply.status;
      log.finish(sequence, 0);
      return;
    }
    detail::deliver(reply, fault ? &*fault : nullptr, res, conn, stop);
    log.finish(sequence, reply.status);
  }

  /// Requests cpp-httplib answers itself (a malformed request line, a Range header it cannot
  /// parse) get an error object too, are logged, and end their connection as a real server's
  /// would (cpp-httplib would go on reading the rest of a broken request as new ones).
  httplib::Server::HandlerResponse handle_error(const httplib::Request& req,
                                                httplib::Response& res) {
    detail::Connection* conn = detail::current_connection();
    if (conn && conn->dispatched) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 416 && (req.method == "GET" || req.method == "HEAD")) {
      // A Range header cpp-httplib rejects (another unit, first > last) must be ignored
      // (RFC 9110 14.2): answer normally; the content ignores what it cannot parse.
      res.headers.clear();
      res.body.clear();
      handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (conn) conn->close_after_response = true;
    const_cast<httplib::Request&>(req).ranges.clear();
    const detail::ErrorDefaults d = detail::error_defaults(res.status);
    res.set_content(
        detail::error_json(d.code, d.type,
                           "The request was rejected (HTTP " + std::to_string(res.status) + ")."),
        "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }

  void configure(detail::HttpServer& svr) {
    const httplib::Server::Handler handler = [this](const httplib::Request& req,
                                                    httplib::Response& res) { handle(req, res); };
    // One catch-all route per method: routing, logging and faults are done in handle().
    svr.Get(".*", handler);
    svr.Post(".*", handler);
    svr.Put(".*", handler);
    svr.Patch(".*", handler);
    svr.Delete(".*", handler);
    svr.Options(".*", handler);
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          return handle_error(req, res);
        }));
    svr.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      const detail::Connection* conn = detail::current_connection();
      if (conn && conn->dispatched) return;
      log.finish(log.record(detail::recorded(req, conn)), res.status);
    });
    svr.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response&) {
      // "Close before response" means zero bytes, the interim 100 Continue included. The client
      // then sends its body after its own expect timeout (curl: 1 s).
      if (faults.next_closes(req.method, req.path)) {
        if (detail::Connection* conn = detail::current_connection()) conn->drop_output = true;
      }
      return 100;
    });
    svr.set_keep_alive_max_count(std::max<std::size_t>(1, options.keep_alive_max_count));
    svr.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive_timeout.count()));
    svr.set_read_timeout(static_cast<time_t>(options.read_timeout.count()));
    svr.set_write_timeout(static_cast<time_t>(options.write_timeout.count()));
  }
};

MockServer::MockServer(MockServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MockServer::~MockServer() { stop(); }

void MockServer::start() {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> run(impl.run_mutex);
  if (impl.server) throw std::logic_error("MockServer::start: already running");
  impl.stop.reset();
  // Set by the listening thread once it serves; start() returns only then.
  struct Listening {
    std::mutex mutex;
    std::condition_variable cv;
    bool yes = false;
  };
  auto listening = std::make_shared<Listening>();
  detail::HttpServer::Settings settings;
  settings.initial_threads = impl.options.threads;
  settings.max_threads = std::max<std::size_t>(impl.options.threads, 1024);
  settings.on_listening = [listening] {
    {
      std::lock_guard<std::mutex> lock(listening->mutex);
      listening->yes = true;
    }
    listening->cv.notify_all();
  };
  settings.on_connection = [&impl](int delta) { impl.log.connection_changed(delta); };
  auto server = std::make_unique<detail::HttpServer>(std::move(settings));
  impl.configure(*server);
  const int port = server->bind(impl.options.host, impl.options.port);
  if (port <= 0) {
    throw std::runtime_error("MockServer::start: cannot listen on " + impl.options.host + ":" +
                             std::to_string(impl.options.port));
  }
  server->warm_up();
  detail::HttpServer* raw = server.get();
  impl.listen_thread = std::thread([raw] { raw->listen_after_bind(); });
  {
    std::unique_lock<std::mutex> lock(listening->mutex);
    listening->cv.wait(lock, [&listening] { return listening->yes; });
  }
  impl.server = std::move(server);
  impl.port = port;
}

void MockServer::stop() {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> run(impl.run_mutex);
  if (!impl.server) return;
  impl.stop.stop();
  impl.server->interrupt();
  impl.server->stop();
  impl.listen_thread.join();
  impl.server.reset();
}

bool MockServer::running() const {
  std::lock_guard<std::mutex> run(impl_->run_mutex);
  return impl_->server != nullptr;
}

std::string MockServer::base_url() const {
  return detail::base_url(impl_->options.host, impl_->port);
}

std::string MockServer::upstream_base_url() const {
  return detail::upstream_base_url(impl_->options.host, impl_->port);
}

int MockServer::port() const { return impl_->port.load(); }

std::string MockServer::api_key() const { return impl_->settings.get().api_key; }

void MockServer::set_api_key(const std::string& key) {
  impl_->settings.update([&](detail::Settings::Values& v) { v.api_key = key; });
}

void MockServer::set_polls_to_complete(int polls) {
  impl_->settings.update(
      [&](detail::Settings::Values& v) { v.task_defaults.polls_to_complete = polls; });
}

void MockServer::set_video_size(std::uint64_t bytes) {
  impl_->settings.update([&](detail::Settings::Values& v) { v.task_defaults.video_size = bytes; });
}

void MockServer::set_dialect(Dialect dialect) {
  impl_->settings.update([&](detail::Settings::Values& v) { v.dialect = dialect; });
}

Dialect MockServer::dialect() const { return impl_->settings.get().dialect; }

void MockServer::add_fault(FaultRule rule) { impl_->faults.add(std::move(rule)); }

void MockServer::add_fault(const std::string& rule) { add_fault(FaultRule::parse(rule)); }

void MockServer::clear_faults() { impl_->faults.clear(); }

std::size_t MockServer::pending_faults() const { return impl_->faults.pending(); }

std::string MockServer::create_task(const TaskOptions& options) {
  return impl_->tasks.add(detail::created_task(options, impl_->settings.get().task_defaults)).id;
}

std::string MockServer::create_succeeded_task() { return create_task(TaskOptions{}); }

std::string MockServer::create_succeeded_task(std::uint64_t video_size) {
  TaskOptions options;
  options.video_size = video_size;
  return create_task(options);
}

std::optional<TaskSnapshot> MockServer::task(const std::string& task_id) const {
  return impl_->tasks.snapshot(task_id);
}

std::size_t MockServer::task_count() const { return impl_->tasks.size(); }

void MockServer::change_etag(const std::string& task_id) { impl_->tasks.change_etag(task_id); }

std::vector<RecordedRequest> MockServer::requests() const { return impl_->log.entries(); }

std::size_t MockServer::count(const std::string& method, const std::string& path_prefix) const {
  return impl_->log.count(method, path_prefix);
}

std::size_t MockServer::open_connections() const { return impl_->log.open_connections(); }

std::size_t MockServer::peak_open_connections() const { return impl_->log.peak_open_connections(); }

void MockServer::reset_peak_open_connections() { impl_->log.reset_peak_open_connections(); }

std::size_t MockServer::connections_opened() const { return impl_->log.connections_opened(); }

void MockServer::clear_log() { impl_->log.clear(); }

void MockServer::set_request_observer(std::function<void(const RecordedRequest&)> observer) {
  impl_->log.set_observer(std::move(observer));
}

std::string MockServer::expected_video(const std::string& task_id, std::uint64_t size) {
  return expected_video_range(task_id, size, 0, static_cast<std::size_t>(size));
}

std::string MockServer::expected_video_range(const std::string& task_id, std::uint64_t size,
                                             std::uint64_t offset, std::size_t length) {
  if (offset >= size) return std::string();
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, size - offset));
  std::string out(n, '\0');
  detail::VideoGenerator(task_id, size).fill(offset, out.data(), n);
  return out;
}

std::string MockServer::last_frame_png() { return detail::last_frame_png(); }

}  // namespace seedance::mock
