// What TaskGroup's multi driver reports through the request log and its results, now that it
// classifies failures like the blocking transport: a stall and a name-resolution failure.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "loopback.hpp"
#include "mock_fixture.hpp"
#include "seedance/seedance.hpp"

namespace seedance {
namespace {

using testing::EventLog;

/// One submit through a TaskGroup to `options`' base URL: its result, and the log's events.
TaskResult submit_one(ClientOptions options, std::vector<RequestEvent>& events) {
  EventLog log;
  options.api_key = "test-key";
  options.logger = log.logger();
  TaskGroupOptions group_options;
  group_options.max_requests_per_second = 1000;
  TaskGroup group(Client(options), group_options);
  group.submit_all({VideoRequest().prompt("one submit")});
  std::vector<TaskResult> results = group.wait_all();
  events = log.events();
  if (results.size() != 1) throw std::logic_error("one job, one result");
  return std::move(results.front());
}

TEST(TaskGroupTransport, AStalledSubmitIsReportedAsStalledAndNeverResent) {
  // The answer's headers come, its body never does.
  const testing::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", true);
  ClientOptions options;
  options.base_url = server.url("");
  options.transport_options.low_speed_time = std::chrono::seconds(1);
  std::vector<RequestEvent> events;
  const TaskResult result = submit_one(options, events);
  EXPECT_THROW(result.rethrow(), SubmitOutcomeUnknownError);
  ASSERT_EQ(events.size(), 1u);  // never resent
  EXPECT_EQ(events[0].error, TransportError::Stalled) << events[0].decision;
}

TEST(TaskGroupTransport, AHostThatDoesNotResolveIsANameResolutionFailure) {
  ClientOptions options;
  options.base_url = "http://seedance-task-group-test.invalid";
  // Covers the name lookup too: a resolver that never answers fails as fast as one that does.
  options.transport_options.connect_timeout = std::chrono::milliseconds(300);
  options.retry.max_attempts = 1;
  std::vector<RequestEvent> events;
  const TaskResult result = submit_one(options, events);
  EXPECT_THROW(result.rethrow(), NetworkError);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, TransportError::NameResolution) << events[0].decision;
}

}  // namespace
}  // namespace seedance
