// Downloads against a hostile server or a hostile path: only the content asked for is stored, a
// resume never splices two versions, nothing that is not a regular file is ever replaced, and a
// trickle ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "download/download_part.hpp"
#include "download/media_type.hpp"
#include "fakes.hpp"
#include "seedance/client.hpp"
#include "seedance/mock/mock_server.hpp"
#include "temp_dir.hpp"

namespace seedance {
namespace {

using detail::accepts_content_type;
using detail::Media;
using mock::MockServer;
using mock::RecordedRequest;
using testing::FakeClock;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr std::uint64_t kSize = 512 * 1024;

// The message of what `call` throws as E; fails the test when it throws nothing or another type.
template <typename E, typename Call>
std::string message_of(Call call) {
  try {
    call();
  } catch (const E& error) {
    return error.what();
  } catch (const std::exception& other) {
    ADD_FAILURE() << "threw another error: " << other.what();
    return {};
  }
  ADD_FAILURE() << "threw nothing";
  return {};
}

class HostileDownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    id = server.create_succeeded_task(kSize);
    path = dir.file("video.mp4");
  }

  ClientOptions options() const {
    ClientOptions options;
    options.base_url = server.base_url();
    options.api_key = server.api_key();
    options.clock = std::make_shared<FakeClock>();  // back-off waits take no time
    return options;
  }
  Client client() const { return Client(options()); }

  std::vector<RecordedRequest> downloads() const {
    std::vector<RecordedRequest> found;
    for (const RecordedRequest& request : server.requests()) {
      if (request.path == "/v1/videos/" + id + "/content") found.push_back(request);
    }
    return found;
  }
  std::string expected() const { return MockServer::expected_video(id, kSize); }
  static bool exists(const std::string& file) {
    struct stat info {};
    return ::lstat(file.c_str(), &info) == 0;
  }
  void expect_nothing_saved() const {
    EXPECT_FALSE(exists(path));
    EXPECT_FALSE(exists(path + ".part"));
    EXPECT_FALSE(exists(path + ".part.meta"));
  }

  MockServer server;
  TempDir dir;
  std::string id;
  std::string path;
};

// --- only a video is saved as a video --------------------------------------------------------

TEST(MediaType, AcceptsTheMediaTheOctetTypesAndNone) {
  for (const char* type : {"video/mp4", "Video/MP4; codecs=avc1", "application/octet-stream",
                           "binary/octet-stream", "", "  "}) {
    EXPECT_TRUE(accepts_content_type(Media::Video, type)) << type;
  }
  for (const char* type : {"image/png", "IMAGE/JPEG", "application/octet-stream", ""}) {
    EXPECT_TRUE(accepts_content_type(Media::Image, type)) << type;
  }
  for (const char* type : {"application/json", "text/html; charset=utf-8", "text/plain",
                           "image/png", "video/", "video", "application/problem+json"}) {
    EXPECT_FALSE(accepts_content_type(Media::Video, type)) << type;
  }
  EXPECT_FALSE(accepts_content_type(Media::Image, "video/mp4"));
  EXPECT_EQ(detail::media_type_of(" Text/HTML ; charset=utf-8"), "text/html");
}

TEST_F(HostileDownloadTest, A200WithAnErrorObjectIsAnApiErrorAndNothingIsSaved) {
  server.add_fault("GET */content: status=200 body=error message=\"no video for this task\"");
  const std::string message = message_of<ApiError>([&] { client().download(id, path); });
  EXPECT_THAT(message, HasSubstr("no video for this task"));
  EXPECT_THAT(message, HasSubstr("instead of a video"));
  EXPECT_THAT(message, Not(HasSubstr("kept")));
  expect_nothing_saved();
  EXPECT_EQ(downloads().size(), 1u);  // not retried
}

TEST_F(HostileDownloadTest, AnErrorObjectUnderAnOctetTypeIsAnApiErrorToo) {
  server.add_fault(
      "GET */content: status=200 body=error message=\"quota gone\" "
      "content-type=application/octet-stream");
  EXPECT_THAT(message_of<ApiError>([&] { client().download(id, path); }), HasSubstr("quota gone"));
  expect_nothing_saved();
}

TEST_F(HostileDownloadTest, AnHtmlPageOrTextIsRefusedAndAStreamGetsNoByte) {
  server.add_fault("GET */content: status=200 body=html");
  EXPECT_THAT(message_of<ApiError>([&] { client().download(id, path); }),
              HasSubstr("Content-Type text/html"));
  expect_nothing_saved();
  server.add_fault("GET */content: content-type=text/plain");
  std::ostringstream out;
  EXPECT_THAT(message_of<ApiError>([&] { client().download(id, out); }),
              HasSubstr("Content-Type text/plain"));
  EXPECT_TRUE(out.str().empty());
}

TEST_F(HostileDownloadTest, OctetTypesAndNoTypeAreTakenForTheVideo) {
  for (const char* type : {"application/octet-stream", "binary/octet-stream", "none"}) {
    server.add_fault(std::string("GET */content: content-type=") + type);
    client().download(id, path);
    EXPECT_TRUE(read_file(path) == expected()) << type;
  }
}

TEST_F(HostileDownloadTest, AResumeAnsweredWithJsonKeepsThePartAndItsBytes) {
  server.add_fault("GET */content: close-after-bytes=100000");
  server.add_fault("GET */content: status=404");
  EXPECT_THROW(client().download(id, path), ApiError);
  server.add_fault("GET */content: content-type=application/json");
  const std::string message = message_of<ApiError>([&] { client().download(id, path); });
  EXPECT_THAT(message, HasSubstr("kept"));
  EXPECT_FALSE(exists(path));
  EXPECT_EQ(read_file(path + ".part"), expected().substr(0, 100000));
}

// --- a resume never mixes two versions -------------------------------------------------------

TEST_F(HostileDownloadTest, WithoutAValidatorABrokenDownloadStartsAgainFromZero) {
  server.add_fault("GET */content: no-validator close-after-bytes=100000");
  server.add_fault("GET */content: no-validator");
  client().download(id, path);
  EXPECT_TRUE(read_file(path) == expected());
  const auto sent = downloads();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].header("Range"), "");  // not bytes=100000-: those could be another version
}

TEST_F(HostileDownloadTest, A206WithoutThePartsValidatorRestartsFromZero) {
  server.add_fault("GET */content: close-after-bytes=300000");
  server.add_fault("GET */content: status=404");
  EXPECT_THROW(client().download(id, path), ApiError);
  // The validator travels with the part, for a resume by another process.
  const auto meta = detail::read_part_meta(path + ".part.meta");
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->identity.etag, server.task(id)->etag);

  // Like a gateway that drops If-Range: a 206 that does not name the part's version.
  server.add_fault("GET */content: no-validator");
  const DownloadResult result = client().download(id, path);
  EXPECT_TRUE(read_file(path) == expected());
  EXPECT_FALSE(result.resumed);
  const auto sent = downloads();
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent[sent.size() - 2].header("Range"), "bytes=300000-");
  EXPECT_EQ(sent.back().header("Range"), "");
}

TEST_F(HostileDownloadTest, APartWithoutAValidatorIsNeverResumed) {
  server.add_fault("GET */content: no-validator close-after-bytes=100000");
  server.add_fault("GET */content: status=404");
  EXPECT_THROW(client().download(id, path), Error);
  client().download(id, path);
  EXPECT_TRUE(read_file(path) == expected());
  EXPECT_EQ(downloads().back().header("Range"), "");
}

// --- never replace what is not ours ----------------------------------------------------------

TEST_F(HostileDownloadTest, AFifoADeviceASocketOrADirectoryIsRefusedBeforeAnythingIsSent) {
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string socket_path = dir.file("socket");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  socket_path.copy(address.sun_path, sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::vector<std::pair<std::string, std::string>> targets = {
      {fifo, "a FIFO"},
      {"/dev/null", "a character device"},
      {socket_path, "a socket"},
      {dir.path().string(), "a directory"}};
  for (const auto& target : targets) {
    const std::string message =
        message_of<ValidationError>([&] { client().download(id, target.first); });
    EXPECT_THAT(message, HasSubstr(target.first));
    EXPECT_THAT(message, HasSubstr(target.second));
  }
  // A part that is not a regular file is refused as well: opening a FIFO would block.
  ASSERT_EQ(::mkfifo((path + ".part").c_str(), 0600), 0);
  EXPECT_THAT(message_of<ValidationError>([&] { client().download(id, path); }),
              HasSubstr("a FIFO"));
  ::close(fd);
  EXPECT_TRUE(downloads().empty());
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
}

TEST_F(HostileDownloadTest, GenerateRefusesABadTargetBeforeTheSubmit) {
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(client().generate(VideoRequest().prompt("A paper boat"), fifo), ValidationError);
  write_file(path, "mine");
  DownloadOptions keep;
  keep.replace_existing = false;
  EXPECT_THROW(client().generate(VideoRequest().prompt("A paper boat"), path, {}, keep),
               ValidationError);
  EXPECT_EQ(server.count("POST"), 0u);
}

TEST_F(HostileDownloadTest, ReplaceExistingFalseRefusesAnExistingFileAndTrueReplacesIt) {
  write_file(path, "mine");
  DownloadOptions keep;
  keep.replace_existing = false;
  EXPECT_THAT(message_of<ValidationError>([&] { client().download(id, path, keep); }),
              HasSubstr("already exists"));
  EXPECT_EQ(read_file(path), "mine");
  EXPECT_TRUE(downloads().empty());
  client().download(id, path);  // the documented default
  EXPECT_TRUE(read_file(path) == expected());
}

TEST_F(HostileDownloadTest, ReplaceExistingFalseDoesNotReplaceAFileThatAppearsMeanwhile) {
  server.add_fault("GET */content: rate=1m");  // half a second: progress is reported meanwhile
  ClientOptions real_time = options();
  real_time.clock = nullptr;  // progress reports go by the clock
  DownloadOptions keep;
  keep.replace_existing = false;
  keep.on_progress = [this](const DownloadProgress&) {
    if (!exists(path)) write_file(path, "theirs");
  };
  EXPECT_THAT(message_of<Error>([&] { Client(real_time).download(id, path, keep); }),
              HasSubstr("not replaced"));
  EXPECT_EQ(read_file(path), "theirs");
  EXPECT_EQ(read_file(path + ".part").size(), kSize);  // kept, for a later call
}

TEST_F(HostileDownloadTest, AFailedDownloadLeavesNoEmptyPartAndClaimsNone) {
  server.add_fault("GET */content: delay-ms=3000");
  ClientOptions real_time = options();
  real_time.clock = nullptr;
  DownloadOptions quick;
  quick.timeout = std::chrono::milliseconds(300);
  const std::string message =
      message_of<TimeoutError>([&] { Client(real_time).download(id, path, quick); });
  EXPECT_THAT(message, Not(HasSubstr("kept")));
  expect_nothing_saved();
}

// --- a trickle ends --------------------------------------------------------------------------

TEST(StallDefaults, AreAFloorOf1KiBPerSecondOver30Seconds) {
  const TransportOptions defaults;
  EXPECT_EQ(defaults.low_speed_limit, 1024);
  EXPECT_EQ(defaults.low_speed_time, std::chrono::seconds(30));
}

TEST_F(HostileDownloadTest, ATrickleBelowTheFloorEndsWithNetworkErrorAfterTheRetries) {
  server.add_fault("GET */content: rate=64 times=always");
  ClientOptions trickle = options();
  trickle.clock = nullptr;  // libcurl's stall detection runs on real time
  trickle.transport_options.low_speed_time = std::chrono::seconds(1);
  trickle.retry.max_attempts = 2;
  trickle.retry.initial_backoff = std::chrono::milliseconds(1);
  DownloadOptions guard;
  guard.timeout = std::chrono::seconds(20);  // before the fix the trickle never ended
  const auto started = std::chrono::steady_clock::now();
  const std::string message =
      message_of<NetworkError>([&] { Client(trickle).download(id, path, guard); });
  EXPECT_THAT(message, HasSubstr("stall"));
  EXPECT_EQ(downloads().size(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(6));
  EXPECT_FALSE(exists(path));
}

TEST_F(HostileDownloadTest, ASlowButMovingDownloadAboveTheFloorIsNeverCutOff) {
  const std::string small = server.create_succeeded_task(24 * 1024);
  server.add_fault("GET */content: rate=16k");
  ClientOptions slow = options();
  slow.transport_options.low_speed_time = std::chrono::seconds(1);
  Client(slow).download(small, path);
  EXPECT_TRUE(read_file(path) == MockServer::expected_video(small, 24 * 1024));
  EXPECT_EQ(server.count("GET", "/v1/videos/" + small + "/content"), 1u);
}

}  // namespace
}  // namespace seedance
