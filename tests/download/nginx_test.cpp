// Downloads from a real, standards-following static server: Debian's nginx on loopback, started
// here with its own configuration in a temporary directory (no root configuration, no daemon).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cancelled_download.hpp"
#include "child_process.hpp"
#include "seedance/client.hpp"
#include "temp_dir.hpp"

namespace seedance {
namespace {

using testing::ChildProcess;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

/// The first nginx found in the usual places; empty when there is none.
std::string find_nginx() {
  for (const char* candidate : {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "";
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

/// nginx serving `root` on 127.0.0.1:port. Requests without a Range are throttled, so a test can
/// interrupt a first download and resume it at full speed.
class Nginx {
 public:
  explicit Nginx(const TempDir& dir) : dir_(dir) {}

  /// Empty on success, else why nginx could not start.
  std::string start() {
    const std::string nginx = find_nginx();
    if (nginx.empty()) return "nginx is not installed (scripts/setup installs it)";
    // Workers may run as another user: let them read the served files.
    ::chmod(dir_.path().c_str(), 0755);
    std::filesystem::create_directories(dir_.path() / "logs");
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      const std::string config = dir_.file("nginx.conf");
      write_file(config, configuration());
      process_ = std::make_unique<ChildProcess>(
          nginx,
          std::vector<std::string>{"-p", dir_.path().string(), "-c", config, "-e",
                                   dir_.file("logs/error.log")},
          std::vector<std::string>{});
      for (int i = 0; i < 200; ++i) {
        if (accepts_connections(port_)) return "";
        if (process_->wait_for_output([](const std::string&, const std::string&) { return false; },
                                      std::chrono::milliseconds(25))) {
          break;
        }
      }
      process_.reset();
    }
    return "nginx did not start: " + read_file(dir_.file("logs/error.log"));
  }

  ~Nginx() {
    if (process_) {
      process_->send_signal(SIGTERM);
      (void)process_->finish();
    }
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string access_log() const { return read_file(dir_.file("logs/access.log")); }

 private:
  std::string configuration() const {
    const std::string root = dir_.path().string();
    return "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + root +
           "/logs/nginx.pid;\nerror_log " + root +
           "/logs/error.log;\nevents { worker_connections 64; }\nhttp {\n"
           "  access_log " +
           root +
           "/logs/access.log;\n"
           "  log_format ranges '$status $http_range|$http_if_range|$body_bytes_sent';\n"
           "  access_log " +
           root +
           "/logs/ranges.log ranges;\n"
           "  client_body_temp_path " +
           root +
           "/logs/body;\n"
           "  proxy_temp_path " +
           root +
           "/logs/proxy;\n"
           "  fastcgi_temp_path " +
           root +
           "/logs/fastcgi;\n"
           "  uwsgi_temp_path " +
           root +
           "/logs/uwsgi;\n"
           "  scgi_temp_path " +
           root +
           "/logs/scgi;\n"
           "  default_type application/octet-stream;\n"
           "  sendfile on;\n"
           "  server {\n"
           "    listen 127.0.0.1:" +
           std::to_string(port_) +
           ";\n"
           "    root " +
           root +
           "/www;\n"
           "    location / {\n"
           "      if ($http_range = '') { set $limit_rate 2m; }\n"
           "    }\n"
           "  }\n"
           "}\n";
  }

  const TempDir& dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    const std::uint64_t value = engine();
    std::memcpy(&bytes[i], &value, 8);
  }
  return bytes;
}

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir.path() / "www/v1/videos/task_nginx");
    video = random_bytes(kSize, 7);
    // The task's content URL is a plain static file: nginx answers it like any CDN would.
    write_file(content_file(), video);
    ::chmod((dir.path() / "www").c_str(), 0755);
    const std::string problem = nginx.start();
    if (!problem.empty()) GTEST_SKIP() << "skipped: " << problem;
    ClientOptions options;
    options.base_url = nginx.base_url();
    options.api_key = "unused-by-nginx";
    client = std::make_unique<Client>(options);
    path = dir.file("video.mp4");
  }

  std::string content_file() const { return dir.file("www/v1/videos/task_nginx/content"); }
  std::vector<std::string> range_log() const {
    std::vector<std::string> lines;
    std::istringstream in(read_file(dir.file("logs/ranges.log")));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  /// Starts a download and cancels it once `bytes` arrived; returns the part's size.
  std::uint64_t interrupted_download(std::uint64_t bytes) {
    testing::download_cancelled_after(bytes, {}, [&](const DownloadOptions& options) {
      client->download("task_nginx", path, options);
    });
    return std::filesystem::file_size(path + ".part");
  }

  static constexpr std::size_t kSize = 6 * 1024 * 1024;
  TempDir dir;
  Nginx nginx{dir};
  std::string video;
  std::unique_ptr<Client> client;
  std::string path;
};

TEST_F(NginxTest, DownloadsAStaticFile) {
  const DownloadResult result = client->download("task_nginx", path);
  EXPECT_EQ(result.bytes, kSize);
  EXPECT_EQ(read_file(path), video);
}

TEST_F(NginxTest, ResumesWithRangeAndIfRange) {
  const std::uint64_t kept = interrupted_download(1024 * 1024);
  ASSERT_GT(kept, 0u);
  ASSERT_LT(kept, kSize);
  const DownloadResult result = client->download("task_nginx", path);
  EXPECT_TRUE(result.resumed);
  EXPECT_EQ(result.bytes_transferred, kSize - kept);
  EXPECT_EQ(read_file(path), video);
  const auto log = range_log();
  ASSERT_GE(log.size(), 2u);
  // "206 bytes=N-|\x22etag\x22|sent" (nginx escapes the quotes): nginx honoured the Range
  // because If-Range carried its current ETag.
  EXPECT_THAT(log.back(), ::testing::StartsWith("206 bytes=" + std::to_string(kept) + "-|\\x22"));
}

TEST_F(NginxTest, AChangedFileDefeatsIfRangeAndRestartsFromZero) {
  const std::uint64_t kept = interrupted_download(1024 * 1024);
  ASSERT_GT(kept, 0u);
  // New content and a new modification time: nginx's ETag changes.
  const std::string replaced = random_bytes(kSize + 4096, 8);
  write_file(content_file(), replaced);
  const auto later = std::filesystem::last_write_time(content_file()) + std::chrono::hours(1);
  std::filesystem::last_write_time(content_file(), later);
  const DownloadResult result = client->download("task_nginx", path);
  EXPECT_FALSE(result.resumed);
  EXPECT_EQ(read_file(path), replaced);
  EXPECT_THAT(range_log().back(), ::testing::StartsWith("200 bytes=" + std::to_string(kept)));
}

TEST_F(NginxTest, SegmentsAndRangesWork) {
  DownloadOptions options;
  options.segments = 4;
  client->download("task_nginx", path, options);
  EXPECT_EQ(read_file(path), video);
  int partial = 0;
  for (const std::string& line : range_log()) partial += line.rfind("206 ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(partial, 5) << "a one-byte probe and four segments";

  EXPECT_EQ(client->read_range("task_nginx", 4096, 100000), video.substr(4096, 100000));
  EXPECT_EQ(client->read_range("task_nginx", kSize - 5, 100), video.substr(kSize - 5));
  EXPECT_THROW(client->read_range("task_nginx", kSize, 1), ApiError);
}

}  // namespace
}  // namespace seedance
