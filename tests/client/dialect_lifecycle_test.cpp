// A task's whole lifecycle through Client against the in-process mock in each of its dialects:
// the reference's shapes and the public gateway's (an OpenAI video object on /v1/videos/{id}, a
// {"code","data"} record on /v1/video/generations/{id}, {"code","message"} errors, a request id
// header), on the main and on the alias routes. Time is a fake clock: no test waits out a poll.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "mock_fixture.hpp"
#include "seedance/seedance.hpp"
#include "temp_dir.hpp"

namespace seedance::testing {
namespace {

using mock::Dialect;
using mock::MockServer;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::uint64_t kVideoSize = 64 * 1024;  // small_mock_options()
const std::string kFailReason = "mock: generation failed (the prompt contains mock:fail)";
const std::string kSweepReason = "任务超时（1440分钟）";

struct DialectCase {
  Dialect dialect;
  bool alias_routes;
};

// Each dialect on the main routes (/v1/videos...) and on the alias routes (/v1/video/generations).
const DialectCase kCases[] = {{Dialect::Reference, false},
                              {Dialect::Reference, true},
                              {Dialect::Gateway, false},
                              {Dialect::Gateway, true}};

std::string case_name(const DialectCase& dialect_case) {
  return std::string(dialect_case.dialect == Dialect::Gateway ? "Gateway" : "Reference") +
         (dialect_case.alias_routes ? "AliasRoutes" : "MainRoutes");
}
std::string test_name(const ::testing::TestParamInfo<DialectCase>& info) {
  return case_name(info.param);
}
void PrintTo(const DialectCase& dialect_case, std::ostream* out) {
  *out << case_name(dialect_case);
}

class DialectLifecycleTest : public MockClientTest,
                             public ::testing::WithParamInterface<DialectCase> {
 protected:
  DialectLifecycleTest() { server_.set_dialect(GetParam().dialect); }
  // The observer of record_polls_of() writes to members that go before the server does.
  ~DialectLifecycleTest() override { server_.set_request_observer(nullptr); }

  Client dialect_client() {
    ClientOptions options = this->options();
    options.use_alias_routes = GetParam().alias_routes;
    return Client(options);
  }

  bool gateway() const { return GetParam().dialect == Dialect::Gateway; }
  /// The gateway's /v1/videos/{id}: the OpenAI video object, lowercase words, no fail_reason.
  bool gateway_main_route() const { return gateway() && !GetParam().alias_routes; }

  std::string collection() const {
    return GetParam().alias_routes ? "/v1/video/generations" : "/v1/videos";
  }
  std::string detail_path(const std::string& id) const { return collection() + "/" + id; }
  static std::string content_path(const std::string& id) { return "/v1/videos/" + id + "/content"; }

  /// Requests for exactly this path.
  std::size_t requests_to(const std::string& path) const {
    std::size_t count = 0;
    for (const auto& request : server_.requests()) count += request.path == path ? 1 : 0;
    return count;
  }

  /// The service's word for a status on the route in use.
  std::string word(TaskStatus status) const {
    if (!gateway_main_route()) return std::string(to_string(status));
    switch (status) {
      case TaskStatus::Queued:
        return "queued";
      case TaskStatus::InProgress:
        return "in_progress";
      case TaskStatus::Success:
        return "completed";
      case TaskStatus::Failure:
        return "failed";
      case TaskStatus::Unknown:
        break;
    }
    return "unknown";
  }

  /// Records the fake clock's time at every poll of `id` (as the server receives it, while the
  /// client waits for the answer and its clock stands still).
  void record_polls_of(const std::string& id) {
    const std::string path = detail_path(id);
    server_.set_request_observer([this, path](const mock::RecordedRequest& request) {
      if (request.method != "GET" || request.path != path) return;
      const auto at = clock_->now();
      std::lock_guard<std::mutex> lock(polls_mutex_);
      poll_times_.push_back(at);
    });
  }
  std::vector<Clock::time_point> poll_times() {
    std::lock_guard<std::mutex> lock(polls_mutex_);
    return poll_times_;
  }

  /// Polls every 5 s exactly (no jitter), so the schedule on the fake clock is known.
  static WaitOptions every_five_seconds() {
    WaitOptions options;
    options.poll_interval = seconds(5);
    options.poll_jitter = milliseconds(0);
    return options;
  }

  std::string submit(const std::string& prompt) {
    return dialect_client().submit(VideoRequest().prompt(prompt)).task_id;
  }

  TempDir dir_;
  std::mutex polls_mutex_;
  std::vector<Clock::time_point> poll_times_;
};

INSTANTIATE_TEST_SUITE_P(Dialects, DialectLifecycleTest, ::testing::ValuesIn(kCases), test_name);

TEST_P(DialectLifecycleTest, GenerateSavesTheExactVideoFromTheContentRoute) {
  std::vector<Task> seen;
  WaitOptions wait = every_five_seconds();
  wait.on_progress = [&seen](const Task& task) { seen.push_back(task); };
  const std::string path = dir_.file("boat.mp4");

  const Task task = dialect_client().generate(video_request(), path, wait);

  EXPECT_EQ(task.status, TaskStatus::Success);
  EXPECT_EQ(task.status_text, word(TaskStatus::Success));
  EXPECT_EQ(task.progress, 100);
  EXPECT_TRUE(read_file(path) == MockServer::expected_video(task.task_id, kVideoSize));
  EXPECT_EQ(gateway(), !task.request_id.empty()) << task.request_id;
  // The same states in the same order, whatever words the service used for them.
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].status, TaskStatus::Queued);
  EXPECT_EQ(seen[0].status_text, word(TaskStatus::Queued));
  EXPECT_EQ(seen[1].status, TaskStatus::InProgress);
  EXPECT_EQ(seen[1].status_text, word(TaskStatus::InProgress));
  EXPECT_EQ(seen[2].status, TaskStatus::Success);
  // Submitted and polled on the routes asked for, downloaded from the one download route.
  EXPECT_EQ(server_.count("POST", collection()), 1u);
  EXPECT_EQ(requests_to(detail_path(task.task_id)), 3u);
  EXPECT_EQ(server_.task(task.task_id)->polls, 3);
  EXPECT_EQ(server_.count("GET", content_path(task.task_id)), 1u);
  EXPECT_EQ(server_.count("GET", "/v1/video/generations/" + task.task_id + "/content"), 0u);
  EXPECT_EQ(server_.count("GET", "/upstream-storage/"), 0u);
}

TEST_P(DialectLifecycleTest, AFailureWithAnErrorObjectIsTaskFailedWithTheServicesMessage) {
  const std::string path = dir_.file("failed.mp4");
  try {
    dialect_client().generate(VideoRequest().prompt("a storm mock:fail"), path,
                              every_five_seconds());
    FAIL() << "expected TaskFailedError";
  } catch (const TaskFailedError& error) {
    EXPECT_EQ(error.task().status, TaskStatus::Failure);
    EXPECT_EQ(error.task().status_text, word(TaskStatus::Failure));
    EXPECT_EQ(error.task().fail_reason, kFailReason);
    EXPECT_THAT(error.what(), HasSubstr(kFailReason));
    EXPECT_EQ(error.task_id(), error.task().task_id);
    if (gateway_main_route()) {
      ASSERT_TRUE(error.task().error.has_value());
      EXPECT_EQ(error.task().error->message, kFailReason);
      EXPECT_EQ(error.task().error->code, "InternalServiceError");
      EXPECT_EQ(error.code(), "InternalServiceError");
    }
    EXPECT_EQ(server_.count("GET", content_path(error.task().task_id)), 0u);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
}

TEST_P(DialectLifecycleTest, AFailedTaskNamesNoResultUrl) {
  mock::TaskOptions failed;
  failed.state = mock::TaskState::Failure;
  failed.outcome = mock::Outcome::Fail;
  failed.fail_reason = kFailReason;
  const Task task = dialect_client().get(server_.create_task(failed));
  EXPECT_EQ(task.status, TaskStatus::Failure);
  EXPECT_EQ(task.fail_reason, kFailReason);
  EXPECT_FALSE(task.result_url.has_value()) << *task.result_url;
}

TEST_P(DialectLifecycleTest, ATimeoutSweepIsTaskFailed) {
  const std::string id = submit("a long take mock:timeout-sweep");
  try {
    dialect_client().wait(id, every_five_seconds());
    FAIL() << "expected TaskFailedError";
  } catch (const TaskFailedError& error) {
    EXPECT_EQ(error.task().status, TaskStatus::Failure);
    EXPECT_EQ(error.task().status_text, word(TaskStatus::Failure));
    if (gateway_main_route()) {
      // The gateway's sweep writes only fail_reason, which its video object does not carry.
      EXPECT_FALSE(error.task().error.has_value());
      EXPECT_FALSE(error.task().fail_reason.has_value()) << *error.task().fail_reason;
    } else {
      EXPECT_EQ(error.task().fail_reason, kSweepReason);
      EXPECT_THAT(error.what(), HasSubstr(kSweepReason));
    }
  }
  EXPECT_EQ(server_.task(id)->polls, 3);
}

// A task that never finishes is polled, never less than 5 s apart, until the wait's timeout.
class StuckTaskTest : public DialectLifecycleTest {
 protected:
  void expect_polled_until_the_timeout(const std::string& marker, TaskStatus last_status,
                                       const std::string& last_word) {
    const std::string id = submit("a still life " + marker);
    record_polls_of(id);
    WaitOptions wait = every_five_seconds();
    wait.timeout = seconds(23);
    const auto started = clock_->now();
    try {
      dialect_client().wait(id, wait);
      FAIL() << "expected TimeoutError";
    } catch (const TimeoutError& error) {
      EXPECT_EQ(error.task_id(), id);
      ASSERT_TRUE(error.last_task().has_value());
      EXPECT_EQ(error.last_task()->status, last_status);
      EXPECT_EQ(error.last_task()->status_text, last_word);
    }
    EXPECT_EQ(clock_->now() - started, seconds(23));
    const std::vector<Clock::time_point> polls = poll_times();
    ASSERT_EQ(polls.size(), 5u);  // at 0, 5, 10, 15 and 20 s
    EXPECT_EQ(server_.task(id)->polls, 5);
    for (std::size_t i = 1; i < polls.size(); ++i) {
      EXPECT_GE(polls[i] - polls[i - 1], seconds(5)) << "poll " << i;
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Dialects, StuckTaskTest, ::testing::ValuesIn(kCases), test_name);

TEST_P(StuckTaskTest, StuckUnknownIsPolledUntilTheTimeout) {
  expect_polled_until_the_timeout("mock:stuck-unknown", TaskStatus::Unknown,
                                  word(TaskStatus::Unknown));
}

TEST_P(StuckTaskTest, StuckNotStartedIsPolledUntilTheTimeout) {
  if (gateway_main_route()) {
    // The gateway's ToVideoStatus has no case for NOT_START: its video object says "unknown".
    expect_polled_until_the_timeout("mock:stuck-not-started", TaskStatus::Unknown, "unknown");
  } else {
    expect_polled_until_the_timeout("mock:stuck-not-started", TaskStatus::Queued,
                                    gateway() ? "NOT_START" : "QUEUED");
  }
}

TEST_P(DialectLifecycleTest, AnUnknownTaskIdIsAnApiErrorWithTheServicesMessage) {
  const Client client = dialect_client();
  const auto expect_service_message = [this](const ApiError& error) {
    if (gateway()) {
      EXPECT_THAT(error.what(), HasSubstr("task_not_exist"));
      EXPECT_EQ(error.http_status(), 400);
      EXPECT_EQ(error.code(), "task_not_exist");
      EXPECT_FALSE(error.request_id().empty());
    } else {
      EXPECT_THAT(error.what(), HasSubstr("Task task_nope does not exist."));
      EXPECT_EQ(error.http_status(), 404);
      EXPECT_EQ(error.code(), "task_not_found");
    }
    EXPECT_THAT(error.what(), Not(HasSubstr("{")));  // the message, not the raw body
  };
  try {
    client.get("task_nope");
    FAIL() << "expected ApiError from get";
  } catch (const ApiError& error) {
    expect_service_message(error);
  }
  try {
    client.wait("task_nope", every_five_seconds());
    FAIL() << "expected ApiError from wait";
  } catch (const ApiError& error) {
    expect_service_message(error);
  }
  EXPECT_EQ(server_.count("GET", detail_path("task_nope")), 2u);  // neither was retried
}

TEST_P(DialectLifecycleTest, TheContentOfAnUnfinishedTaskIsAnApiErrorAndWritesNoFile) {
  mock::TaskOptions queued;
  queued.state = mock::TaskState::Queued;
  const std::string id = server_.create_task(queued);
  const std::string path = dir_.file("early.mp4");
  try {
    dialect_client().download(id, path);
    FAIL() << "expected ApiError";
  } catch (const ApiError& error) {
    if (gateway()) {
      EXPECT_EQ(error.http_status(), 400);
      EXPECT_THAT(error.what(), HasSubstr("Task is not completed yet, current status: "));
      EXPECT_FALSE(error.request_id().empty());
    } else {
      EXPECT_EQ(error.http_status(), 409);
      EXPECT_EQ(error.code(), "task_not_ready");
      EXPECT_THAT(error.what(), HasSubstr("its video can be downloaded once it is SUCCESS"));
    }
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(server_.count("GET", content_path(id)), 1u);
}

TEST_P(DialectLifecycleTest, TheContentOfAnUnfinishedTaskLeavesNoPartFile) {
  mock::TaskOptions queued;
  queued.state = mock::TaskState::Queued;
  const std::string id = server_.create_task(queued);
  const std::string path = dir_.file("early.mp4");
  EXPECT_THROW(dialect_client().download(id, path), ApiError);
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
}

TEST_P(DialectLifecycleTest, ACutDownloadResumesToTheExactBytes) {
  const std::string path = dir_.file("cut.mp4");
  const Task task = dialect_client().generate(VideoRequest().prompt("a river mock:cut-content"),
                                              path, every_five_seconds());
  EXPECT_TRUE(read_file(path) == MockServer::expected_video(task.task_id, kVideoSize));
  EXPECT_EQ(server_.count("GET", content_path(task.task_id)), 2u);
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
}

TEST_P(DialectLifecycleTest, A502OnTheContentIsRetriedToTheExactBytes) {
  const std::string id = server_.create_succeeded_task(kVideoSize);
  server_.add_fault("GET */content: status=502 times=1");
  const std::string path = dir_.file("retried.mp4");
  const DownloadResult result = dialect_client().download(id, path);
  EXPECT_EQ(result.bytes, kVideoSize);
  EXPECT_TRUE(read_file(path) == MockServer::expected_video(id, kVideoSize));
  EXPECT_EQ(server_.count("GET", content_path(id)), 2u);
  EXPECT_EQ(server_.pending_faults(), 0u);
}

TEST_P(DialectLifecycleTest, TheLastFrameComesFromWhereTheTaskSaysWithoutTheKey) {
  const Client client = dialect_client();
  const std::string id =
      client.submit(VideoRequest().prompt("a sunset").return_last_frame(true)).task_id;
  const Task task = client.wait(id, every_five_seconds());
  ASSERT_EQ(task.status, TaskStatus::Success);
  const std::string from_task = dir_.file("from_task.png");
  const std::string from_id = dir_.file("from_id.png");
  server_.clear_log();

  if (gateway_main_route()) {
    // The OpenAI video object names no last frame, and there is no route to invent.
    EXPECT_FALSE(task.last_frame_url.has_value()) << *task.last_frame_url;
    try {
      client.download_last_frame(task, from_task);
      FAIL() << "expected an error from download_last_frame(task)";
    } catch (const Error& error) {
      EXPECT_THAT(error.what(), HasSubstr("names no last frame"));
    }
    try {
      client.download_last_frame(id, from_id);
      FAIL() << "expected an error from download_last_frame(id)";
    } catch (const Error& error) {
      EXPECT_THAT(error.what(), HasSubstr("names no last frame"));
    }
    for (const auto& request : server_.requests()) {
      EXPECT_EQ(request.path, detail_path(id)) << "only the status query of the id overload";
    }
    EXPECT_FALSE(std::filesystem::exists(from_task));
    EXPECT_FALSE(std::filesystem::exists(from_id));
    return;
  }

  const std::string frame =
      server_.upstream_base_url() + "/upstream-storage/" + id + "/last_frame.png";
  EXPECT_EQ(task.last_frame_url, frame);
  client.download_last_frame(task, from_task);
  client.download_last_frame(id, from_id);
  EXPECT_TRUE(read_file(from_task) == MockServer::last_frame_png());
  EXPECT_TRUE(read_file(from_id) == MockServer::last_frame_png());
  std::size_t frames = 0;
  for (const auto& request : server_.requests()) {
    if (request.path != "/upstream-storage/" + id + "/last_frame.png") continue;
    ++frames;
    EXPECT_EQ(request.header("Authorization"), "");
    EXPECT_EQ(request.status, 200);
  }
  EXPECT_EQ(frames, 2u);
  EXPECT_EQ(server_.count("GET", "/v1/videos/" + id + "/last_frame"), 0u);
}

}  // namespace
}  // namespace seedance::testing
