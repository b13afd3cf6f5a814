// Unit tests of the batch parts: the job file, the rate limiter, the journal and the runner
// (on a TaskGroup against a fake transport and a fake clock, so no network and no sleeping).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "batch_jobs.hpp"
#include "batch_runner.hpp"
#include "fake_clock.hpp"
#include "journal.hpp"
#include "seedance/error.hpp"
#include "seedance/transport.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

// --- the job file ----------------------------------------------------------------------------

TEST(JobFile, TypedFieldsGiveTheSameBodyAsTheBuilder) {
  const ParsedJobs parsed = parse_job_file(
      R"({"name":"boat","model":"seedance-2.0-fast","prompt":"A paper boat","duration":5,)"
      R"("metadata":{"resolution":"720p","ratio":"16:9","seed":7,"watermark":false,)"
      R"("content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"},)"
      R"("role":"first_frame"}]}})"
      "\n");
  ASSERT_THAT(parsed.problems, IsEmpty());
  ASSERT_THAT(parsed.jobs, SizeIs(1));
  const BatchJob& job = parsed.jobs[0];
  EXPECT_EQ(job.line, 1);
  EXPECT_EQ(job.name, "boat");
  const std::string expected = VideoRequest("seedance-2.0-fast")
                                   .prompt("A paper boat")
                                   .duration(5)
                                   .resolution(Resolution::P720)
                                   .ratio(Ratio::R16x9)
                                   .seed(7)
                                   .watermark(false)
                                   .first_frame("https://example.com/a.png")
                                   .to_json();
  EXPECT_EQ(job.request.to_json(), expected);
}

// A job file saved on Windows gives the same jobs, and the same content hashes, so a journal
// written from the LF file still matches the CRLF one.
TEST(JobFile, CrlfLineEndsReadAsLf) {
  const std::string lf =
      "{\"name\":\"a\",\"prompt\":\"one\"}\n# a comment\n\n{\"name\":\"b\",\"prompt\":\"two\"}\n";
  const std::string crlf =
      "{\"name\":\"a\",\"prompt\":\"one\"}\r\n# a comment\r\n\r\n"
      "{\"name\":\"b\",\"prompt\":\"two\"}\r\n";
  const ParsedJobs from_lf = parse_job_file(lf);
  const ParsedJobs from_crlf = parse_job_file(crlf);
  ASSERT_THAT(from_crlf.problems, IsEmpty());
  ASSERT_THAT(from_crlf.jobs, SizeIs(2));
  ASSERT_THAT(from_lf.jobs, SizeIs(2));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(from_crlf.jobs[i].name, from_lf.jobs[i].name);
    EXPECT_EQ(from_crlf.jobs[i].line, from_lf.jobs[i].line);
    EXPECT_EQ(from_crlf.jobs[i].content_hash, from_lf.jobs[i].content_hash);
    EXPECT_EQ(from_crlf.jobs[i].request.to_json(), from_lf.jobs[i].request.to_json());
  }
  EXPECT_EQ(from_crlf.jobs[1].line, 4);
}

TEST(JobFile, UnknownFieldsArePassedThroughAndNameIsNotSent) {
  const ParsedJobs parsed =
      parse_job_file(R"({"name":"x","prompt":"p","future":{"a":1},"metadata":{"newer":true}})");
  ASSERT_THAT(parsed.problems, IsEmpty());
  const std::string body = parsed.jobs.at(0).request.to_json();
  EXPECT_THAT(body, HasSubstr(R"("future":{"a":1})"));
  EXPECT_THAT(body, HasSubstr(R"("newer":true)"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("\"name\"")));
}

TEST(JobFile, EveryInvalidLineIsReportedWithItsNumber) {
  const ParsedJobs parsed = parse_job_file(
      "{\"prompt\":\"fine\"}\n"
      "\n"
      "# a comment\n"
      "{\"prompt\":\"x\",\"duration\":60}\n"
      "not json\n"
      "[1,2]\n"
      "{\"prompt\":\"y\",\"metadata\":{\"resolution\":\"4k\"}}\n"
      "{\"prompt\":\"z\",\"name\":\"a/evil\"}\n");
  EXPECT_THAT(parsed.jobs, SizeIs(1));
  ASSERT_THAT(parsed.problems, SizeIs(5));
  EXPECT_THAT(parsed.problems[0], StartsWith("line 4: duration: must be 4..15"));
  EXPECT_EQ(parsed.problems[1], "line 5: not valid JSON");
  EXPECT_THAT(parsed.problems[2], StartsWith("line 6: must be a JSON object"));
  EXPECT_THAT(parsed.problems[3], StartsWith("line 7: metadata.resolution: must be 480p"));
  EXPECT_THAT(parsed.problems[4], StartsWith("line 8: name: only letters"));
}

TEST(JobFile, NamesMustBeUnique) {
  const ParsedJobs parsed =
      parse_job_file("{\"name\":\"a\",\"prompt\":\"1\"}\n{\"name\":\"a\",\"prompt\":\"2\"}\n");
  ASSERT_THAT(parsed.problems, SizeIs(1));
  EXPECT_THAT(parsed.problems[0], HasSubstr("line 2: name: \"a\" is already used on line 1"));
}

TEST(JobFile, WrongTypesNameTheField) {
  const ParsedJobs parsed = parse_job_file(R"({"prompt":"p","duration":"5","images":"a.png"})");
  EXPECT_THAT(parsed.problems, ElementsAre("line 1: duration: must be an integer, got string",
                                           "line 1: images: must be an array of strings, got "
                                           "string"));
}

// frames, camera_fixed and draft are "integer | boolean" in the reference: both are kept as given.
TEST(JobFile, ForwardCompatibilityFieldsTakeAnIntegerOrABoolean) {
  const ParsedJobs parsed =
      parse_job_file(R"({"prompt":"p","metadata":{"frames":121,"camera_fixed":1,"draft":false}})"
                     "\n"
                     R"({"prompt":"q","metadata":{"frames":true,"camera_fixed":true,"draft":0}})"
                     "\n"
                     R"({"prompt":"r","metadata":{"frames":"121"}})");
  ASSERT_THAT(parsed.jobs, SizeIs(2));
  EXPECT_EQ(parsed.jobs[0].request.to_json(),
            VideoRequest().prompt("p").frames(121).camera_fixed(1).draft(false).to_json());
  EXPECT_EQ(parsed.jobs[1].request.to_json(),
            VideoRequest().prompt("q").frames(true).camera_fixed(true).draft(0).to_json());
  EXPECT_THAT(parsed.problems,
              ElementsAre("line 3: metadata.frames: must be an integer or a boolean, got string"));
}

TEST(JobFile, AnEmptyFileIsAProblem) {
  EXPECT_THAT(parse_job_file("\n# nothing\n").problems, SizeIs(1));
}

TEST(JobFile, TheKeyIsLineAndContentHash) {
  const ParsedJobs first = parse_job_file("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n");
  const ParsedJobs edited = parse_job_file("{\"prompt\":\"a\"}\n{\"prompt\":\"B\"}\n");
  ASSERT_THAT(first.jobs, SizeIs(2));
  ASSERT_THAT(edited.jobs, SizeIs(2));
  EXPECT_EQ(first.jobs[0].key(), edited.jobs[0].key());
  EXPECT_NE(first.jobs[1].key(), edited.jobs[1].key());
  EXPECT_THAT(first.jobs[0].key(), StartsWith("1:"));
  EXPECT_EQ(content_hash(""), "cbf29ce484222325");  // FNV-1a's offset basis: stable forever.
}

// --- the journal -----------------------------------------------------------------------------

TEST(Journal, EntriesSurviveReopening) {
  testing::TempDir dir;
  const std::string path = dir.file("journal.sqlite");
  {
    Journal journal(path);
    JournalEntry entry;
    entry.job_key = "2:abc";
    entry.line = 2;
    entry.name = "boat";
    entry.state = JobState::Submitted;
    entry.task_id = "task_1";
    journal.put(entry);
    entry.job_key = "1:def";
    entry.line = 1;
    entry.state = JobState::Submitting;
    entry.task_id.clear();
    journal.put(entry);
    entry.state = JobState::Unknown;
    entry.message = "connection closed";
    journal.put(entry);  // Replaces, does not add.
  }
  Journal reopened(path);
  const auto entries = reopened.entries();
  ASSERT_THAT(entries, SizeIs(2));
  EXPECT_EQ(entries[0].job_key, "1:def");
  EXPECT_EQ(entries[0].state, JobState::Unknown);
  EXPECT_EQ(entries[0].message, "connection closed");
  EXPECT_EQ(entries[1].task_id, "task_1");
  EXPECT_EQ(entries[1].state, JobState::Submitted);
  EXPECT_EQ(entries[1].name, "boat");
}

TEST(Journal, AVersion1JournalIsUpgradedInPlace) {
  testing::TempDir dir;
  const std::string path = dir.file("old.sqlite");
  {
    // The schema of the first version, which set no user_version.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE jobs (job_key TEXT PRIMARY KEY, line INTEGER NOT NULL,"
                           " name TEXT NOT NULL, state TEXT NOT NULL, task_id TEXT NOT NULL,"
                           " output_path TEXT NOT NULL, message TEXT NOT NULL,"
                           " updated_at INTEGER NOT NULL);"
                           "INSERT INTO jobs VALUES ('1:abc', 1, 'boat', 'submitted', 'task_1', '',"
                           " '', 0);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const auto polled =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  {
    Journal journal(path);
    EXPECT_EQ(journal.schema_version(), kJournalSchemaVersion);
    const auto entries = journal.entries();
    ASSERT_THAT(entries, SizeIs(1));
    EXPECT_EQ(entries[0].task_id, "task_1");
    EXPECT_EQ(entries[0].last_polled, std::nullopt);
    journal.record_poll("1:abc", polled);
    JournalEntry entry = entries[0];
    entry.message = "still running";
    journal.put(entry);  // Keeps the poll time.
  }
  Journal reopened(path);
  EXPECT_EQ(reopened.schema_version(), kJournalSchemaVersion);
  EXPECT_EQ(reopened.entries().at(0).last_polled, polled);
  EXPECT_EQ(reopened.entries().at(0).message, "still running");
}

TEST(Journal, ASecondUserIsRefused) {
  testing::TempDir dir;
  Journal first(dir.file("j.sqlite"));
  EXPECT_THROW(Journal second(dir.file("j.sqlite")), JournalError);
}

TEST(Journal, StateWordsRoundTrip) {
  for (JobState state : {JobState::Submitting, JobState::Submitted, JobState::Done,
                         JobState::Failed, JobState::Unknown, JobState::Refused}) {
    EXPECT_EQ(parse_job_state(to_string(state)), state);
  }
  EXPECT_EQ(parse_job_state("bogus"), std::nullopt);
}

// --- the runner ------------------------------------------------------------------------------

// A service that creates tasks in memory; what each task does is scripted by its prompt. Every
// request is counted, every poll timed on the fake clock.
class FakeService : public HttpTransport {
 public:
  explicit FakeService(std::shared_ptr<testing::FakeClock> clock) : clock_(std::move(clock)) {}

  HttpResponse send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    HttpResponse response;
    response.status = 200;
    if (request.method == "POST") return submit(request);
    const std::string rest = request.url.substr(request.url.find("/v1/videos/") + 11);
    const std::string id = rest.substr(0, rest.find('/'));
    if (rest.find("/content") != std::string::npos) {
      ++downloads;
      --in_flight_;
      std::string body = "video of " + id;
      response.headers = {{"Content-Length", std::to_string(body.size())},
                          {"ETag", "\"" + id + "\""}};
      if (request.on_headers) request.on_headers(response.status, response.headers);
      if (request.on_body) request.on_body(body.data(), body.size());
      return response;
    }
    poll_times[id].push_back(clock_->seconds());
    const std::string prompt = prompts_[id];
    const std::string status = prompt == "fail"      ? "FAILURE"
                               : prompt == "timeout" ? "IN_PROGRESS"
                                                     : "SUCCESS";
    response.body = R"({"task_id":")" + id + R"(","status":")" + status + R"(","progress":"50%")" +
                    (status == "FAILURE" ? R"(,"fail_reason":"content policy")" : "") + "}";
    return response;
  }

  void remember(const std::string& task_id, const std::string& prompt) {
    std::lock_guard<std::mutex> lock(mutex_);
    prompts_[task_id] = prompt;
    ++in_flight_;
  }

  int submits = 0;
  int downloads = 0;
  int max_in_flight = 0;  // tasks created and not downloaded yet
  std::map<std::string, std::vector<double>> poll_times;

 private:
  HttpResponse submit(const HttpRequest& request) {
    ++submits;
    submit_times.push_back(clock_->seconds());
    const std::string prompt = nlohmann::json::parse(request.body).value("prompt", "");
    HttpResponse response;
    if (prompt == "unknown") {
      response.error = TransportError::ConnectionLost;  // after sending: the outcome is unknown
      return response;
    }
    if (prompt == "refused") {
      response.status = 400;
      response.body = R"({"error":{"message":"quota exceeded","type":"rate_limit_error"}})";
      return response;
    }
    const std::string id = "task_" + std::to_string(++next_id_);
    prompts_[id] = prompt;
    max_in_flight = std::max(max_in_flight, ++in_flight_);
    response.status = 200;
    response.body = R"({"id":")" + id + R"(","status":"QUEUED","progress":0})";
    return response;
  }

 public:
  std::vector<double> submit_times;

 private:
  std::shared_ptr<testing::FakeClock> clock_;
  std::mutex mutex_;
  int in_flight_ = 0;
  int next_id_ = 0;
  std::map<std::string, std::string> prompts_;
};

std::vector<BatchJob> jobs_of(const std::string& text) {
  ParsedJobs parsed = parse_job_file(text);
  EXPECT_THAT(parsed.problems, IsEmpty());
  return std::move(parsed.jobs);
}

class BatchRunnerTest : public ::testing::Test {
 protected:
  BatchReport run(const std::vector<BatchJob>& jobs) {
    Journal journal(dir_.file("journal.sqlite"));
    ClientOptions client_options;
    client_options.base_url = "https://api.example.com";
    client_options.api_key = "sk-test";
    client_options.transport = service_;
    client_options.clock = clock_;
    return run_batch(jobs, journal, Client(client_options), options_);
  }
  std::vector<JournalEntry> journal_entries() {
    Journal journal(dir_.file("journal.sqlite"));
    return journal.entries();
  }

  testing::TempDir dir_;
  std::shared_ptr<testing::FakeClock> clock_ = std::make_shared<testing::FakeClock>();
  std::shared_ptr<FakeService> service_ = std::make_shared<FakeService>(clock_);
  FakeService& fake_ = *service_;
  BatchOptions options_ = [this] {
    BatchOptions options;
    options.out_dir = dir_.path().string();
    options.concurrency = 3;
    options.wait.timeout = std::chrono::seconds(60);
    return options;
  }();
};

TEST_F(BatchRunnerTest, EveryJobIsSubmittedOnceAndSaved) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "{\"prompt\":\"p" + std::to_string(i) + "\"}\n";
  text += "{\"prompt\":\"named\",\"name\":\"clip\"}\n";
  const BatchReport report = run(jobs_of(text));
  EXPECT_EQ(report.count(JobOutcome::Done), 11);
  EXPECT_EQ(report.exit_code(), 0);
  EXPECT_EQ(fake_.submits, 11);
  EXPECT_LE(fake_.max_in_flight, 3);
  EXPECT_EQ(report.results.back().output_path, dir_.file("clip.mp4"));
  EXPECT_EQ(report.results.front().output_path, dir_.file(report.results.front().task_id + ".mp4"));
  for (const JournalEntry& entry : journal_entries()) EXPECT_EQ(entry.state, JobState::Done);
}

TEST_F(BatchRunnerTest, ASecondRunSubmitsNothingAgain) {
  const auto jobs = jobs_of("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n");
  run(jobs);
  const BatchReport again = run(jobs);
  EXPECT_EQ(fake_.submits, 2);
  EXPECT_EQ(fake_.downloads, 2);
  EXPECT_EQ(again.count(JobOutcome::Done), 2);
  EXPECT_TRUE(again.results[0].resumed);
}

TEST_F(BatchRunnerTest, ASubmittedJobIsResumedNotResubmitted) {
  const auto jobs = jobs_of("{\"prompt\":\"a\",\"name\":\"a\"}\n");
  {
    Journal journal(dir_.file("journal.sqlite"));
    JournalEntry entry{jobs[0].key(), 1,  "a", JobState::Submitted,
                       "task_old",    "", "",  std::nullopt};
    journal.put(entry);
  }
  fake_.remember("task_old", "a");
  const BatchReport report = run(jobs);
  EXPECT_EQ(fake_.submits, 0);
  EXPECT_EQ(report.results[0].task_id, "task_old");
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Done);
  EXPECT_EQ(testing::read_file(dir_.file("a.mp4")), "video of task_old");
}

TEST_F(BatchRunnerTest, AJobFoundSubmittingIsUnknownAndNotResubmitted) {
  const auto jobs = jobs_of("{\"prompt\":\"a\"}\n");
  {
    Journal journal(dir_.file("journal.sqlite"));
    journal.put({jobs[0].key(), 1, "", JobState::Submitting, "", "", "", std::nullopt});
  }
  BatchReport report = run(jobs);
  EXPECT_EQ(fake_.submits, 0);
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Unknown);
  EXPECT_EQ(report.exit_code(), 5);
  EXPECT_EQ(journal_entries().at(0).state, JobState::Unknown);

  report = run(jobs);  // Still not resubmitted.
  EXPECT_EQ(fake_.submits, 0);

  options_.resubmit_unknown = true;
  report = run(jobs);
  EXPECT_EQ(fake_.submits, 1);
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Done);
}

TEST_F(BatchRunnerTest, OutcomesOfFailuresAndTheExitCode) {
  const auto jobs = jobs_of(
      "{\"prompt\":\"fine\"}\n{\"prompt\":\"fail\"}\n{\"prompt\":\"refused\"}\n"
      "{\"prompt\":\"unknown\"}\n{\"prompt\":\"timeout\"}\n");
  BatchReport report = run(jobs);
  ASSERT_THAT(report.results, SizeIs(5));
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Done);
  EXPECT_EQ(report.results[1].outcome, JobOutcome::Failed);
  EXPECT_THAT(report.results[1].message, HasSubstr("content policy"));
  EXPECT_EQ(report.results[1].exit_code, 1);
  EXPECT_EQ(report.results[2].outcome, JobOutcome::Failed);
  EXPECT_EQ(report.results[2].exit_code, 3);
  EXPECT_EQ(report.results[3].outcome, JobOutcome::Unknown);
  EXPECT_EQ(report.results[4].outcome, JobOutcome::Incomplete);
  EXPECT_EQ(report.results[4].exit_code, 4);
  EXPECT_EQ(report.exit_code(), 5);
  EXPECT_EQ(fake_.submits, 5);

  // Again: the refused submit is retried (no task exists), the timed-out task is resumed, the
  // failed task and the unknown submit are left alone.
  report = run(jobs);
  EXPECT_EQ(fake_.submits, 6);
  EXPECT_EQ(report.results[1].outcome, JobOutcome::Failed);
  EXPECT_EQ(report.results[3].outcome, JobOutcome::Unknown);

  const std::string summary = format_summary(report, true);
  EXPECT_THAT(summary, HasSubstr("done 1, failed 2, unknown 1, incomplete 1"));
  EXPECT_THAT(summary, StartsWith("LINE"));
}

TEST_F(BatchRunnerTest, CancelledBeforeStartSubmitsNothing) {
  options_.cancel.cancel();
  const BatchReport report = run(jobs_of("{\"prompt\":\"a\"}\n"));
  EXPECT_EQ(fake_.submits, 0);
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Incomplete);
  EXPECT_THAT(journal_entries(), IsEmpty());
}

TEST_F(BatchRunnerTest, TheRateCapSpacesSubmits) {
  options_.rate = 0.5;
  run(jobs_of("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{\"prompt\":\"c\"}\n"));
  EXPECT_EQ(fake_.submits, 3);
  ASSERT_EQ(fake_.submit_times.size(), 3u);
  EXPECT_NEAR(fake_.submit_times[2] - fake_.submit_times[0], 4.0, 0.01);
  // Polls are not held back by the submit cap: the first task is polled at once.
  EXPECT_NEAR(fake_.poll_times.at("task_1").front(), fake_.submit_times[0], 0.01);
}

TEST_F(BatchRunnerTest, EachPollIsJournaledAndARestartKeepsTheFloor) {
  const auto jobs = jobs_of("{\"prompt\":\"a\",\"name\":\"a\"}\n");
  {
    Journal journal(dir_.file("journal.sqlite"));
    journal.put({jobs[0].key(), 1, "a", JobState::Submitted, "task_old", "", "", std::nullopt});
    // A crash 2 s after a poll of the task.
    journal.record_poll(jobs[0].key(), std::chrono::system_clock::now() - std::chrono::seconds(2));
  }
  fake_.remember("task_old", "a");
  clock_->advance(std::chrono::seconds(100));  // A clock well past the crash's poll.
  const BatchReport report = run(jobs);
  EXPECT_EQ(report.results[0].outcome, JobOutcome::Done);
  ASSERT_THAT(fake_.poll_times.at("task_old"), SizeIs(1));
  EXPECT_NEAR(fake_.poll_times.at("task_old")[0], 103.0, 0.1);  // 5 s after the last poll
}

TEST_F(BatchRunnerTest, APollTimeIsRecordedForEachPolledTask) {
  const auto jobs = jobs_of("{\"prompt\":\"timeout\"}\n");
  const auto before = std::chrono::system_clock::now();
  run(jobs);
  const auto entries = journal_entries();
  ASSERT_THAT(entries, SizeIs(1));
  ASSERT_TRUE(entries[0].last_polled.has_value());
  EXPECT_GE(*entries[0].last_polled + std::chrono::milliseconds(1), before);
}

TEST(JournalConflicts, AnEditedOrMovedLineIsReported) {
  const auto before = jobs_of("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n");
  std::vector<JournalEntry> entries = {
      {before[0].key(), 1, "", JobState::Submitted, "task_a", "", "", std::nullopt},
      {before[1].key(), 2, "", JobState::Done, "task_b", "", "", std::nullopt}};
  EXPECT_THAT(journal_conflicts(before, entries), IsEmpty());

  const auto appended = jobs_of("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{\"prompt\":\"c\"}\n");
  EXPECT_THAT(journal_conflicts(appended, entries), IsEmpty());

  const auto edited = jobs_of("{\"prompt\":\"a\"}\n{\"prompt\":\"B\"}\n");
  EXPECT_THAT(journal_conflicts(edited, entries),
              ElementsAre("line 2: changed since the journal recorded it as done (task task_b)"));

  const auto moved = jobs_of("{\"prompt\":\"new\"}\n{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n");
  const auto problems = journal_conflicts(moved, entries);
  ASSERT_THAT(problems, SizeIs(2));
  EXPECT_THAT(problems[0], HasSubstr("its content is now on line 2"));
}

}  // namespace
}  // namespace seedance::cli
