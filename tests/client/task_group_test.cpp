// TaskGroup and the *_async calls on a fake clock and a scripted service: the whole schedule of
// many tasks, deterministic and without sleeping.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "fake_service.hpp"
#include "seedance/task_group.hpp"
#include "task_group_options.hpp"

namespace seedance {
namespace {

using testing::FakeClock;
using testing::FakeService;
using ::testing::HasSubstr;
using testing::steady_group_options;

std::size_t thread_count() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.';
    ::closedir(dir);
  }
  return count;
}

std::vector<VideoRequest> prompts(int count, const std::string& prefix = "a boat") {
  std::vector<VideoRequest> requests;
  for (int i = 0; i < count; ++i) {
    requests.push_back(VideoRequest().prompt(prefix + " " + std::to_string(i)));
  }
  return requests;
}

class TaskGroupTest : public ::testing::Test {
 protected:
  explicit TaskGroupTest(int polls_to_complete = 3)
      : clock_(std::make_shared<FakeClock>()),
        service_(std::make_shared<FakeService>(clock_, polls_to_complete)) {}

  Client make_client(RetryPolicy retry = {}) {
    ClientOptions options;
    options.base_url = "https://api.example.com";
    options.api_key = "sk-test";
    options.transport = service_;
    options.clock = clock_;
    retry.initial_backoff = std::chrono::milliseconds(100);
    options.retry = retry;
    return Client(options);
  }

  static void expect_floor(const std::map<std::string, std::vector<double>>& polls) {
    for (const auto& [task, times] : polls) {
      for (std::size_t i = 1; i < times.size(); ++i) {
        // Fake times are exact ticks; the tolerance only absorbs their conversion to double.
        EXPECT_GE(times[i] - times[i - 1], 5.0 - 1e-9) << task << " polls " << i - 1 << ", " << i;
      }
    }
  }

  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<FakeService> service_;
};

TEST_F(TaskGroupTest, EveryTaskFinishesOnTheExactScheduleTheFloorAllows) {
  TaskGroup group(make_client(), steady_group_options());
  group.submit_all(prompts(10));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 10u);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].index, i);
    ASSERT_TRUE(results[i].ok());
    EXPECT_EQ(results[i].task->status, TaskStatus::Success);
    ASSERT_TRUE(results[i].receipt.has_value());
    EXPECT_EQ(results[i].receipt->task_id, results[i].task_id);
    ids.insert(results[i].task_id);
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(service_->created(), 10u);
  const auto polls = service_->poll_times();
  ASSERT_EQ(polls.size(), 10u);
  for (const auto& [task, times] : polls) {
    EXPECT_EQ(times, (std::vector<double>{0, 5, 10})) << task;  // at once, then the floor
  }
  EXPECT_EQ(clock_->seconds(), 10.0);
  EXPECT_EQ(group.unfinished(), 0u);
  EXPECT_FALSE(group.next().has_value());
  // An injected transport's connections are not the group's to see.
  EXPECT_EQ(group.stats().connections_opened, 0u);
}

TEST_F(TaskGroupTest, BoundsTheTasksInFlight) {
  TaskGroupOptions options = steady_group_options();
  options.max_in_flight = 3;
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(9));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 9u);
  // A task is in flight from its submit to its last poll; count the overlaps.
  std::vector<std::pair<double, int>> edges;
  const auto records = service_->records();
  std::map<std::string, double> first;
  std::map<std::string, double> last;
  int submit_number = 0;
  for (const auto& record : records) {
    if (record.method == "POST") {
      first["task_" + std::to_string(++submit_number)] = record.at_seconds;
    } else {
      last[record.path.substr(11)] = record.at_seconds;
    }
  }
  for (const auto& [task, start] : first) {
    edges.push_back({start, +1});
    edges.push_back({last[task], -1});  // sorts before a start at the same time
  }
  std::sort(edges.begin(), edges.end());
  int open = 0;
  int peak = 0;
  for (const auto& edge : edges) peak = std::max(peak, open += edge.second);
  EXPECT_EQ(peak, 3);
  EXPECT_EQ(clock_->seconds(), 30.0);  // three rounds of 10 s
}

TEST_F(TaskGroupTest, CapsTheRequestRate) {
  TaskGroupOptions options = steady_group_options();
  options.max_requests_per_second = 4;
  options.max_in_flight = 100;
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(20));
  for (const auto& result : group.wait_all()) EXPECT_TRUE(result.ok());
  const auto records = service_->records();
  ASSERT_EQ(records.size(), 80u);  // 20 submits + 60 polls
  // A token bucket of 4/s with a burst of 4: at most 4 + 4*w requests in any window of w s.
  for (std::size_t i = 0; i < records.size(); ++i) {
    for (std::size_t j = i; j < records.size(); ++j) {
      const double window = records[j].at_seconds - records[i].at_seconds;
      EXPECT_LE(static_cast<double>(j - i + 1), 4 + 4 * window + 1e-6) << i << ".." << j;
    }
  }
  expect_floor(service_->poll_times());
  EXPECT_GE(clock_->seconds(), (80 - 4) / 4.0);
}

TEST_F(TaskGroupTest, RetriesKeepTheFloorAndRetryAfterLengthensIt) {
  service_->fault = [](const HttpRequest& request,
                       std::size_t number) -> std::optional<HttpResponse> {
    if (request.method != "GET") return std::nullopt;
    HttpResponse response;
    if (number == 3) {  // task_1's second poll
      response.status = 429;
      response.headers = {{"Retry-After", "12"}};
      return response;
    }
    if (number == 4) {
      response.error = TransportError::ConnectionLost;
      return response;
    }
    return std::nullopt;
  };
  TaskGroup group(make_client(), steady_group_options());
  group.submit(VideoRequest().prompt("one"));
  ASSERT_TRUE(group.wait_all().at(0).ok());
  // 0 submit, 0 QUEUED, 5: 429 -> 17: connection lost -> 22 IN_PROGRESS, 27 SUCCESS.
  EXPECT_EQ(service_->poll_times()["task_1"], (std::vector<double>{0, 5, 17, 22, 27}));
}

TEST_F(TaskGroupTest, ASubmitThatMayHaveReachedTheServiceIsReportedNeverResent) {
  auto posts_seen = std::make_shared<int>(0);
  service_->fault = [posts_seen](const HttpRequest& request,
                                 std::size_t) -> std::optional<HttpResponse> {
    if (request.method != "POST") return std::nullopt;
    HttpResponse response;
    switch (++*posts_seen) {
      case 2:
        response.error = TransportError::ConnectionLost;  // sent, answer lost
        return response;
      case 3:
        response.error = TransportError::Connect;  // nothing sent: may be retried
        return response;
      case 5:
        response.status = 502;
        response.body = "<html>bad gateway</html>";
        return response;
      default:
        return std::nullopt;
    }
  };
  TaskGroupOptions options = steady_group_options();
  options.max_in_flight = 1;  // one job at a time, so the submits come in job order
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(4));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_THROW(results[1].rethrow(), SubmitOutcomeUnknownError);
  EXPECT_TRUE(results[2].ok()) << "a connect failure is retried";
  EXPECT_THROW(results[3].rethrow(), SubmitOutcomeUnknownError);
  std::size_t posts = 0;
  for (const auto& record : service_->records()) posts += record.method == "POST";
  EXPECT_EQ(posts, 5u);  // one each, plus the retry of the connect failure
}

TEST_F(TaskGroupTest, FailuresCarryTheReasonOrComeBackAsValues) {
  {
    TaskGroup group(make_client(), steady_group_options());
    group.submit(VideoRequest().prompt("please fail"));
    const auto result = group.wait_all().at(0);
    try {
      result.rethrow();
      FAIL() << "expected TaskFailedError";
    } catch (const TaskFailedError& error) {
      EXPECT_EQ(error.task().fail_reason.value_or(""), "content policy");
      EXPECT_EQ(error.task_id(), result.task_id);
    }
  }
  TaskGroupOptions options = steady_group_options();
  options.wait.throw_on_failure = false;
  TaskGroup group(make_client(), options);
  group.submit(VideoRequest().prompt("please fail"));
  const auto result = group.wait_all().at(0);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.task->status, TaskStatus::Failure);
}

TEST_F(TaskGroupTest, TimeoutsFireOnTimePerTask) {
  service_->never_finish = true;
  TaskGroupOptions options = steady_group_options();
  options.wait.timeout = std::chrono::seconds(22);
  std::vector<double> finished_at;
  options.on_result = [&](const TaskResult&) { finished_at.push_back(clock_->seconds()); };
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(2));
  for (const auto& result : group.wait_all()) {
    EXPECT_THROW(result.rethrow(), TimeoutError);
    ASSERT_TRUE(result.task.has_value());  // the last status seen
  }
  EXPECT_EQ(finished_at, (std::vector<double>{22, 22}));
  EXPECT_EQ(service_->poll_times()["task_1"], (std::vector<double>{0, 5, 10, 15, 20}));
}

TEST_F(TaskGroupTest, CancellingOneJobLeavesTheOthers) {
  TaskGroupOptions options = steady_group_options();
  TaskGroup* group_pointer = nullptr;
  bool cancelled = false;
  std::promise<void> added;
  const std::shared_future<void> jobs_added = added.get_future().share();
  clock_->on_sleep = [&](Clock::time_point deadline) {
    if (!cancelled && deadline == Clock::time_point() + std::chrono::seconds(5)) {
      cancelled = true;
      jobs_added.wait();  // the engine can get here before submit_all() has returned
      group_pointer->cancel(1);
    }
  };
  TaskGroup group(make_client(), options);
  group_pointer = &group;
  group.submit_all(prompts(3));
  added.set_value();
  const auto results = group.wait_all();
  EXPECT_TRUE(results[0].ok());
  EXPECT_THROW(results[1].rethrow(), CancelledError);
  EXPECT_EQ(results[1].task_id, "task_2");  // the task exists: its id is reported
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(service_->poll_times()["task_2"].size(), 1u);
}

TEST_F(TaskGroupTest, ResultsArriveAsEachTaskFinishes) {
  std::vector<std::size_t> order;
  TaskGroupOptions options = steady_group_options();
  options.on_result = [&](const TaskResult& result) { order.push_back(result.index); };
  TaskGroup group(make_client(), options);
  group.track("task_b");  // tracked tasks: existing ones, polled from their first poll
  group.submit(VideoRequest().prompt("new"));
  std::vector<std::size_t> via_next;
  while (auto result = group.next()) via_next.push_back(result->index);
  EXPECT_EQ(order.size(), 2u);
  EXPECT_EQ(via_next, order);
}

TEST_F(TaskGroupTest, InvalidInputIsRefusedBeforeAnythingIsAdded) {
  TaskGroupOptions too_fast = steady_group_options();
  too_fast.wait.poll_interval = std::chrono::seconds(2);
  EXPECT_THROW(TaskGroup(make_client(), too_fast), ValidationError);
  TaskGroupOptions no_slots = steady_group_options();
  no_slots.max_in_flight = 0;
  EXPECT_THROW(TaskGroup(make_client(), no_slots), ValidationError);

  TaskGroup group(make_client(), steady_group_options());
  std::vector<VideoRequest> requests = prompts(2);
  requests.push_back(VideoRequest());  // no prompt
  EXPECT_THROW(group.submit_all(requests), ValidationError);
  EXPECT_THROW(group.track("../etc"), ValidationError);
  EXPECT_EQ(group.unfinished(), 0u);
  EXPECT_TRUE(group.wait_all().empty());
  EXPECT_TRUE(service_->records().empty());
}

TEST_F(TaskGroupTest, DownloadsEachFinishedVideo) {
  TaskGroupOptions options = steady_group_options();
  options.download_dir = ::testing::TempDir() + "/group-downloads";
  ASSERT_EQ(std::system(("mkdir -p '" + options.download_dir + "'").c_str()), 0);
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(3));
  for (const auto& result : group.wait_all()) {
    ASSERT_TRUE(result.ok());
    ASSERT_TRUE(result.download.has_value());
    EXPECT_EQ(result.download->path, options.download_dir + "/" + result.task_id + ".mp4");
    std::ifstream in(result.download->path);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str(), "VIDEO:" + result.task_id);
  }
}

TEST_F(TaskGroupTest, AsyncCallsShareOneThread) {
  const Client client = make_client();
  const std::size_t before = thread_count();
  std::vector<AsyncResult<Task>> waits;
  for (int i = 1; i <= 30; ++i) {
    waits.push_back(client.wait_async("task_w" + std::to_string(i), steady_group_options().wait));
  }
  EXPECT_LE(thread_count(), before + 1);  // the engine, not one thread per task
  for (auto& wait : waits) EXPECT_EQ(wait.get().status, TaskStatus::Success);
  expect_floor(service_->poll_times());
}

TEST_F(TaskGroupTest, AsyncSubmitAndGenerate) {
  const Client client = make_client();
  AsyncResult<Receipt> receipt = client.submit_async(VideoRequest().prompt("x"));
  EXPECT_EQ(receipt.get().task_id, "task_1");
  const std::string path = ::testing::TempDir() + "/async.mp4";
  AsyncResult<Task> generated =
      client.generate_async(VideoRequest().prompt("y"), path, steady_group_options().wait);
  const Task task = generated.get();
  EXPECT_EQ(task.task_id, "task_2");
  std::ifstream in(path);
  std::string bytes;
  std::getline(in, bytes);
  EXPECT_EQ(bytes, "VIDEO:task_2");
  EXPECT_THROW(client.submit_async(VideoRequest()), ValidationError);
  WaitOptions too_fast;
  too_fast.poll_interval = std::chrono::seconds(1);
  EXPECT_THROW(client.wait_async("task_1", too_fast), ValidationError);
}

// The caller's token (WaitOptions::cancel), watched by every job, stops the whole group within
// the engine's look-at interval.
TEST_F(TaskGroupTest, TheCallersTokenStopsEveryJob) {
  service_->never_finish = true;
  TaskGroupOptions options = steady_group_options();
  const CancellationToken stop;
  options.wait.cancel = stop;
  double cancelled_at = 0;
  options.on_polled = [&](std::size_t, const std::string&) {
    if (clock_->seconds() >= 5.0 && cancelled_at == 0) {
      cancelled_at = clock_->seconds();
      stop.cancel();
    }
  };
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(20));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 20u);
  for (const auto& result : results) {
    EXPECT_THROW(result.rethrow(), CancelledError) << result.index;
  }
  EXPECT_EQ(cancelled_at, 5.0);
  EXPECT_LE(clock_->seconds(), 5.05 + 1e-9);  // not a poll of the third round
  for (const auto& [task, times] : service_->poll_times()) EXPECT_LE(times.back(), 5.0) << task;
}

// A job given a token cancelled already ends at once: nothing is submitted.
TEST_F(TaskGroupTest, ATokenCancelledBeforehandSubmitsNothing) {
  TaskGroupOptions options = steady_group_options();
  const CancellationToken stop;
  stop.cancel();
  options.wait.cancel = stop;
  TaskGroup group(make_client(), options);
  group.submit_all(prompts(3));
  const auto results = group.wait_all();
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) EXPECT_THROW(result.rethrow(), CancelledError);
  EXPECT_EQ(service_->created(), 0u);
  EXPECT_EQ(clock_->seconds(), 0.0);
}

TEST_F(TaskGroupTest, AsyncCancelEndsTheWait) {
  service_->never_finish = true;
  const Client client = make_client();
  WaitOptions forever = steady_group_options().wait;
  forever.timeout = std::chrono::milliseconds(0);
  AsyncResult<Task> wait = client.wait_async("task_x", forever);
  wait.cancel();
  EXPECT_THROW(wait.get(), CancelledError);
}

TEST_F(TaskGroupTest, AsyncErrorsKeepTheTaskId) {
  const Client client = make_client();
  auto failed =
      client.generate_async(VideoRequest().prompt("please fail"),
                            ::testing::TempDir() + "/never.mp4", steady_group_options().wait);
  try {
    failed.get();
    FAIL() << "expected TaskFailedError";
  } catch (const TaskFailedError& error) {
    EXPECT_EQ(error.task_id(), "task_1");
    EXPECT_THAT(error.what(), HasSubstr("content policy"));
  }
}

}  // namespace
}  // namespace seedance
