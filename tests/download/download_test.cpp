// Downloads over real HTTP against the mock server and its faults: every byte must end up exact,
// whatever breaks, and nothing broken may ever be renamed into place.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cancelled_download.hpp"
#include "download/download_part.hpp"
#include "download/sha256.hpp"
#include "fakes.hpp"
#include "seedance/client.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance {
namespace {

using mock::MockServer;
using mock::RecordedRequest;
using testing::download_cancelled_after;
using testing::FakeClock;
using ::testing::HasSubstr;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr std::uint64_t kSize = 2 * 1024 * 1024;

// Expects `call` to throw E with `part` in its message.
template <typename E, typename Call>
void expect_throw_saying(Call call, const std::string& part) {
  EXPECT_THROW(
      {
        try {
          call();
        } catch (const E& error) {
          EXPECT_THAT(error.what(), HasSubstr(part));
          throw;
        }
      },
      E);
}

class DownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    id = server.create_succeeded_task(kSize);
    path = dir.file("video.mp4");
  }

  /// A client on the real transport; back-off sleeps go through a fake clock, so retries are
  /// instant. `real_clock` for tests that need progress reports (the meter reads the clock).
  Client client(bool real_clock = false,
                std::chrono::seconds low_speed_time = std::chrono::seconds(30)) {
    ClientOptions options;
    options.base_url = server.base_url();
    options.api_key = server.api_key();
    if (!real_clock) options.clock = std::make_shared<FakeClock>();
    options.transport_options.low_speed_time = low_speed_time;
    options.logger = [this](const RequestEvent& event) {
      const std::lock_guard<std::mutex> lock(events_mutex);
      events.push_back(event);
    };
    return Client(options);
  }

  /// Options of a client on `clock`, without the event log.
  ClientOptions options_on(std::shared_ptr<FakeClock> clock) const {
    ClientOptions options;
    options.base_url = server.base_url();
    options.api_key = server.api_key();
    options.clock = std::move(clock);
    return options;
  }

  std::vector<RecordedRequest> downloads() const {
    std::vector<RecordedRequest> found;
    for (const RecordedRequest& request : server.requests()) {
      if (request.path == content_path()) found.push_back(request);
    }
    return found;
  }
  std::string content_path() const { return "/v1/videos/" + id + "/content"; }
  std::string expected() const { return MockServer::expected_video(id, kSize); }
  std::string etag() const { return server.task(id)->etag; }
  bool exists(const std::string& file) const { return std::ifstream(file).good(); }

  MockServer server;
  TempDir dir;
  std::string id;
  std::string path;
  std::mutex events_mutex;
  std::vector<RequestEvent> events;
};

TEST_F(DownloadTest, DownloadsTheExactBytesAndLeavesNothingBehind) {
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  EXPECT_EQ(result.bytes, kSize);
  EXPECT_EQ(result.bytes_transferred, kSize);
  EXPECT_EQ(result.total_size, kSize);
  EXPECT_FALSE(result.resumed);
  EXPECT_FALSE(exists(path + ".part"));
  EXPECT_FALSE(exists(path + ".part.meta"));
}

class DroppedConnection : public DownloadTest,
                          public ::testing::WithParamInterface<std::uint64_t> {};

TEST_P(DroppedConnection, ResumesFromTheCutWithIfRange) {
  const std::uint64_t cut = GetParam();
  server.add_fault("GET */content: close-after-bytes=" + std::to_string(cut));
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].header("Range"), "");
  if (cut > 0) {
    EXPECT_EQ(sent[1].header("Range"), "bytes=" + std::to_string(cut) + "-");
    EXPECT_EQ(sent[1].header("If-Range"), etag());
    EXPECT_EQ(sent[1].status, 206);
    EXPECT_EQ(result.bytes_transferred, kSize);  // not a byte twice
  }
}

INSTANTIATE_TEST_SUITE_P(TenOffsets, DroppedConnection,
                         ::testing::Values(0, 1, 4095, 16384, 65536, 100001, 524288, 1048575,
                                           1048577, kSize - 1));

TEST_F(DownloadTest, SurvivesManyDropsInOneCall) {
  for (int i = 0; i < 6; ++i) server.add_fault("GET */content: close-after-bytes=200k");
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  EXPECT_EQ(downloads().size(), 7u);
  EXPECT_EQ(result.bytes_transferred, kSize);
}

TEST_F(DownloadTest, AStallIsDetectedAndResumed) {
  server.add_fault("GET */content: stall-after-bytes=300k stall-ms=20000");
  client(false, std::chrono::seconds(1)).download(id, path);
  EXPECT_EQ(read_file(path), expected());
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].header("Range"), "bytes=" + std::to_string(300 * 1024) + "-");
  bool stalled = false;
  for (const RequestEvent& event : events) stalled |= event.error == TransportError::Stalled;
  EXPECT_TRUE(stalled);
}

TEST_F(DownloadTest, AServerIgnoringTheRangeStillGivesTheExactBytes) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: ignore-range");
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].status, 200);
  EXPECT_EQ(result.bytes_transferred, 300000 + kSize);  // the repeated bytes were skipped
}

TEST_F(DownloadTest, AChangedEtagRestartsCleanlyFromZero) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: change-etag");
  const std::string old_etag = etag();
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  EXPECT_FALSE(result.resumed);
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].header("If-Range"), old_etag);
  EXPECT_EQ(sent[1].status, 200);
  EXPECT_NE(etag(), old_etag);
}

TEST_F(DownloadTest, AWrongContentRangeStartIsAnErrorAndThePartIsKept) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: content-range=\"bytes 299999-" + std::to_string(kSize - 1) +
                   "/" + std::to_string(kSize) + "\"");
  write_file(path, "the previous video");
  try {
    client().download(id, path);
    FAIL() << "a Content-Range that does not continue the part was accepted";
  } catch (const ResponseError& error) {
    EXPECT_THAT(error.what(), HasSubstr("does not continue at byte 300000"));
    EXPECT_THAT(error.what(), HasSubstr("kept"));
  }
  EXPECT_EQ(read_file(path), "the previous video");
  EXPECT_EQ(read_file(path + ".part"), expected().substr(0, 300000));
  // The next call resumes the kept part.
  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes_transferred, kSize - 300000);
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, AWrongContentRangeTotalIsAnError) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: content-range=\"bytes 300000-" + std::to_string(kSize - 1) +
                   "/" + std::to_string(kSize + 10) + "\"");
  expect_throw_saying<ResponseError>([&] { client().download(id, path); }, "total");
  EXPECT_FALSE(exists(path));
}

TEST_F(DownloadTest, AWriteErrorSurfacesAndKeepsThePart) {
  // A file-size limit makes write(2) fail with EFBIG, as a full disk fails with ENOSPC.
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = saved;
  limited.rlim_cur = 1200 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string message;
  try {
    client().download(id, path);
  } catch (const Error& error) {
    message = error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_THAT(message, HasSubstr("cannot write"));
  EXPECT_THAT(message, HasSubstr("kept"));
  EXPECT_FALSE(exists(path));
  const std::string part = read_file(path + ".part");
  ASSERT_GT(part.size(), 0u);
  EXPECT_EQ(part, expected().substr(0, part.size()));
  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, AFailingStreamSurfaces) {
  std::ofstream full("/dev/full", std::ios::binary);
  ASSERT_TRUE(full.is_open());
  expect_throw_saying<Error>([&] { client().download(id, full); },
                             "cannot write to the output stream");
}

TEST_F(DownloadTest, AThrowingCallbackStopsTheDownloadWithItsException) {
  std::uint64_t seen = 0;
  const ByteSink sink = [&seen](std::string_view bytes) {
    seen += bytes.size();
    if (seen > 100000) throw std::runtime_error("the player is full");
  };
  EXPECT_THROW(client().download(id, sink), std::runtime_error);
}

TEST_F(DownloadTest, CancellationFromAnotherThreadLeavesAResumablePart) {
  server.add_fault("GET */content: rate=2m");
  download_cancelled_after(200000, {}, [&](const DownloadOptions& options) {
    client(true).download(id, path, options);
  });
  EXPECT_FALSE(exists(path));
  const std::string part = read_file(path + ".part");
  ASSERT_GE(part.size(), 200000u);
  ASSERT_LT(part.size(), kSize);
  EXPECT_EQ(part, expected().substr(0, part.size()));

  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes_transferred, kSize - part.size());
  EXPECT_EQ(read_file(path), expected());
  EXPECT_EQ(downloads().back().header("Range"), "bytes=" + std::to_string(part.size()) + "-");
}

// A server that drops every connection after one byte makes progress each time, so the
// downloader resumes at once, forever: the timeout is what ends it, with the bytes kept.
TEST_F(DownloadTest, ADownloadThatDripsEndsAtItsTimeoutWithItsPartKept) {
  server.add_fault("GET */content: close-after-bytes=1 times=always");
  auto clock = std::make_shared<FakeClock>();
  ClientOptions options = options_on(clock);
  // Each attempt "takes" 300 ms: the logger hears of every one as it ends.
  options.logger = [clock](const RequestEvent&) { clock->advance(std::chrono::milliseconds(300)); };
  DownloadOptions download;
  download.timeout = std::chrono::seconds(1);
  expect_throw_saying<TimeoutError>([&] { Client(options).download(id, path, download); },
                                    "the download's timeout passed");
  EXPECT_EQ(downloads().size(), 4u);  // at 0, 0.3, 0.6 and 0.9 s; none at 1.2 s
  EXPECT_FALSE(exists(path));
  EXPECT_EQ(read_file(path + ".part"), expected().substr(0, 4));

  server.clear_faults();
  const DownloadResult result = client().download(id, path);
  EXPECT_EQ(read_file(path), expected());
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes_transferred, kSize - 4);
}

TEST_F(DownloadTest, ARetryThatWouldComeAfterTheTimeoutIsNotWaitedFor) {
  server.add_fault("GET */content: status=503 retry-after=10");
  auto clock = std::make_shared<FakeClock>();
  ClientOptions options = options_on(clock);
  DownloadOptions download;
  download.timeout = std::chrono::seconds(5);
  expect_throw_saying<TimeoutError>([&] { Client(options).download(id, path, download); },
                                    "timeout passed");
  EXPECT_EQ(downloads().size(), 1u);
  EXPECT_EQ(clock->seconds(), 0.0);  // it did not sleep towards a retry it could not make
}

TEST_F(DownloadTest, ANegativeTimeoutIsRefusedBeforeAnythingIsSent) {
  DownloadOptions download;
  download.timeout = std::chrono::milliseconds(-1);
  expect_throw_saying<ValidationError>([&] { client().download(id, path, download); },
                                       "timeout: must not be negative");
  EXPECT_TRUE(downloads().empty());
}

TEST_F(DownloadTest, AChangedEtagAcrossCallsStartsOver) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: status=404");  // permanent: the call gives up, part kept
  EXPECT_THROW(client().download(id, path), ApiError);
  ASSERT_EQ(read_file(path + ".part").size(), 300000u);
  server.change_etag(id);
  const DownloadResult result = client().download(id, path);
  EXPECT_FALSE(result.resumed);
  EXPECT_EQ(downloads().back().status, 200);
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, ACompletePartIsFinishedByA416) {
  write_file(path + ".part", expected());
  detail::PartMeta meta;
  meta.source = server.base_url() + content_path();
  meta.identity.etag = etag();
  detail::write_part_meta(path + ".part.meta", meta);
  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes_transferred, 0u);
  EXPECT_EQ(downloads().back().status, 416);
  EXPECT_EQ(read_file(path), expected());
}

// Through the gateway a 416 arrives as a 502 (controller/video_proxy.go): a part whose meta
// recorded the total and that holds all of it is finished without asking.
TEST_F(DownloadTest, ACompletePartWithAKnownTotalNeedsNoRequest) {
  server.add_fault("GET */content: status=502 times=always");
  write_file(path + ".part", expected());
  detail::PartMeta meta;
  meta.source = server.base_url() + content_path();
  meta.identity.etag = etag();
  meta.identity.total = kSize;
  detail::write_part_meta(path + ".part.meta", meta);
  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes, kSize);
  EXPECT_EQ(result.total_size, kSize);
  EXPECT_EQ(result.bytes_transferred, 0u);
  EXPECT_TRUE(downloads().empty());
  EXPECT_EQ(read_file(path), expected());
  EXPECT_FALSE(exists(path + ".part.meta"));
}

TEST_F(DownloadTest, NoResumeStartsOver) {
  write_file(path + ".part", std::string(1000, 'x'));
  detail::PartMeta meta;
  meta.source = server.base_url() + content_path();
  meta.identity.etag = etag();
  detail::write_part_meta(path + ".part.meta", meta);
  DownloadOptions options;
  options.resume = false;
  const DownloadResult result = client().download(id, path, options);
  EXPECT_FALSE(result.resumed);
  EXPECT_EQ(downloads().back().header("Range"), "");
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, APartOfAnotherSourceIsNeverResumed) {
  write_file(path + ".part", std::string(1000, 'x'));
  detail::PartMeta meta;
  meta.source = server.base_url() + "/v1/videos/task_other/content";
  meta.identity.etag = etag();
  detail::write_part_meta(path + ".part.meta", meta);
  client().download(id, path);
  EXPECT_EQ(downloads().back().header("Range"), "");
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, AnExistingFileSurvivesAFailedDownload) {
  write_file(path, "the previous video");
  server.add_fault("GET */content: status=503 times=always");
  EXPECT_THROW(client().download(id, path), ApiError);
  EXPECT_EQ(read_file(path), "the previous video");
}

TEST_F(DownloadTest, ExpectedSizeAndSha256AreChecked) {
  const std::string digest = [&] {
    detail::Sha256 hash;
    hash.update(expected().data(), expected().size());
    return hash.hex_digest();
  }();
  DownloadOptions options;
  options.expected_size = kSize;
  options.expected_sha256 = digest;
  EXPECT_EQ(client().download(id, path, options).bytes, kSize);
  EXPECT_EQ(read_file(path), expected());

  const std::string other = dir.file("other.mp4");
  options.expected_sha256 = std::string(64, '0');
  EXPECT_THROW(client().download(id, other, options), ResponseError);
  EXPECT_FALSE(exists(other));
  EXPECT_FALSE(exists(other + ".part"));

  options.expected_sha256.clear();
  options.expected_size = kSize + 1;
  EXPECT_THROW(client().download(id, other, options), ResponseError);
  EXPECT_FALSE(exists(other));

  options.expected_size.reset();
  options.expected_sha256 = "not hex";
  EXPECT_THROW(client().download(id, other, options), ValidationError);

  std::ostringstream out;
  options.expected_sha256 = digest;
  client().download(id, out, options);
  EXPECT_EQ(out.str(), expected());
  std::ostringstream wrong;
  options.expected_sha256 = std::string(64, 'a');
  EXPECT_THROW(client().download(id, wrong, options), ResponseError);
}

TEST_F(DownloadTest, StreamsToAnOstreamAndACallbackAcrossDrops) {
  server.add_fault("GET */content: close-after-bytes=500000");
  std::ostringstream out;
  const DownloadResult result = client().download(id, out);
  EXPECT_EQ(out.str(), expected());
  EXPECT_EQ(result.bytes, kSize);
  EXPECT_TRUE(result.path.empty());

  server.add_fault("GET */content: close-after-bytes=700000");
  std::string collected;
  std::size_t largest_chunk = 0;
  client().download(id, [&](std::string_view bytes) {
    collected.append(bytes);
    largest_chunk = std::max(largest_chunk, bytes.size());
  });
  EXPECT_EQ(collected, expected());
  EXPECT_LE(largest_chunk, 1024u * 1024u);
}

TEST_F(DownloadTest, AStreamCannotSpliceTwoVersions) {
  server.add_fault("GET */content: close-after-bytes=500000");
  server.add_fault("GET */content: change-etag");
  std::ostringstream out;
  EXPECT_THROW(client().download(id, out), ResponseError);
}

TEST_F(DownloadTest, ReadsRanges) {
  const Client c = client();
  EXPECT_EQ(c.read_range(id, 1000, 5000), MockServer::expected_video_range(id, kSize, 1000, 5000));
  EXPECT_EQ(c.read_range(id, kSize - 10, 100), expected().substr(kSize - 10));
  EXPECT_EQ(c.read_range(id, 0, 0), "");
  EXPECT_EQ(downloads().back().header("Range"),
            "bytes=" + std::to_string(kSize - 10) + "-" + std::to_string(kSize + 89));
  try {
    c.read_range(id, kSize, 10);
    FAIL() << "a range past the end was accepted";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.http_status(), 416);
  }

  std::string collected;
  const DownloadResult result =
      c.read_range(id, 123456, 700000, [&](std::string_view bytes) { collected.append(bytes); });
  EXPECT_EQ(collected, expected().substr(123456, 700000));
  EXPECT_EQ(result.bytes, 700000u);
  EXPECT_EQ(result.total_size, kSize);
}

TEST_F(DownloadTest, RangesSurviveDropsAndServersWithoutRanges) {
  const Client c = client();
  server.add_fault("GET */content: close-after-bytes=100000");
  EXPECT_EQ(c.read_range(id, 5000, 300000), expected().substr(5000, 300000));
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].header("Range"), "bytes=105000-304999");
  EXPECT_EQ(sent[1].header("If-Range"), etag());

  server.add_fault("GET */content: ignore-range");
  EXPECT_EQ(c.read_range(id, 600000, 1000), expected().substr(600000, 1000));
}

TEST_F(DownloadTest, SegmentsDownloadInParallelAndResume) {
  constexpr std::uint64_t kBig = 8 * 1024 * 1024;
  const std::string big = server.create_succeeded_task(kBig);
  server.add_fault("GET */content: close-after-bytes=700k times=3");
  DownloadOptions options;
  options.segments = 4;
  const DownloadResult result = client().download(big, path, options);
  const std::string got = read_file(path);
  const std::string want = MockServer::expected_video(big, kBig);
  ASSERT_EQ(got.size(), want.size());
  std::size_t first = 0;
  while (first < got.size() && got[first] == want[first]) ++first;
  std::size_t last = got.size();
  while (last > first && got[last - 1] == want[last - 1]) --last;
  EXPECT_EQ(first, got.size()) << "differs in [" << first << ", " << last << ") " << int(got[0])
                               << " " << int(want[0]) << " " << int(got[1000]) << " "
                               << int(want[1000]) << got.substr(4, 8) << want.substr(4, 8);
  EXPECT_EQ(result.bytes, kBig);
  std::size_t ranged = 0;
  for (const RecordedRequest& request : server.requests()) {
    if (request.status == 206) ++ranged;
  }
  // The probe (one byte) uses up one of the faults; two segments are cut and resume.
  EXPECT_EQ(server.pending_faults(), 0u);
  EXPECT_GE(ranged, 1u + 4u + 2u) << "the probe, four segments, two resumes";
  EXPECT_FALSE(exists(path + ".part.meta"));
}

TEST_F(DownloadTest, ASegmentedPartResumesAcrossCalls) {
  constexpr std::uint64_t kBig = 8 * 1024 * 1024;
  const std::string big = server.create_succeeded_task(kBig);
  server.add_fault("GET */content: rate=4m times=always");
  DownloadOptions segmented;
  segmented.segments = 4;
  download_cancelled_after(1024 * 1024, segmented, [&](const DownloadOptions& options) {
    client(true).download(big, path, options);
  });
  const auto meta = detail::read_part_meta(path + ".part.meta");
  ASSERT_TRUE(meta);
  ASSERT_EQ(meta->segments.size(), 4u);
  std::uint64_t kept = 0;
  for (const auto& segment : meta->segments) kept += segment.done;
  EXPECT_GT(kept, 0u);

  server.clear_faults();
  DownloadOptions again;  // segments = 1: the part's own layout wins
  const DownloadResult result = client().download(big, path, again);
  EXPECT_TRUE(result.resumed);
  EXPECT_LE(result.bytes_transferred, kBig - kept);
  EXPECT_EQ(read_file(path), MockServer::expected_video(big, kBig));
}

TEST_F(DownloadTest, SegmentsFallBackToOneStreamWithoutRanges) {
  server.add_fault("GET */content: ignore-range");
  DownloadOptions options;
  options.segments = 4;
  client().download(id, path, options);
  EXPECT_EQ(read_file(path), expected());
}

TEST_F(DownloadTest, SegmentsRestartWhenTheContentChanges) {
  constexpr std::uint64_t kBig = 4 * 1024 * 1024;
  const std::string big = server.create_succeeded_task(kBig);
  server.add_fault("GET */content: close-after-bytes=100000");  // the probe passes (1 byte)
  server.add_fault("GET */content: change-etag");
  DownloadOptions options;
  options.segments = 4;
  client().download(big, path, options);
  EXPECT_EQ(read_file(path), MockServer::expected_video(big, kBig));
}

}  // namespace
}  // namespace seedance
