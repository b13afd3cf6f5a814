// The tuned baseline of bench/download_bench.sh: what a hand-written libcurl program does at best
// to download a URL to a durable file, with none of the SDK's work (no resume metadata, no
// validators, no cancellation, no retries). One easy handle with a 2 MiB receive buffer, write(2)
// through a 1 MiB buffer (chunks at least that large go straight from libcurl's buffer), fsync,
// rename over the target and fsync of its directory, as the SDK does. The sizes are the fastest
// tried on loopback (receive buffers of 128 KiB to 10 MiB, libcurl 7.88's largest, which was
// slower and costs up to 10 MiB more RSS; write buffers of 256 KiB to 4 MiB).
//   download_baseline URL OUTPUT [--http1.1] [--ca-bundle FILE] [--buffer-size BYTES]
//                     [--write-buffer BYTES] [--writeback-every BYTES]
// --writeback-every starts the kernel's writeback of each such stretch as soon as it is written
// (sync_file_range, Linux), so the final fsync has less left to wait for; 0 turns it off.
// Prints one line (sync_seconds: the final flush, fsync and rename):
//   seconds=S sync_seconds=S bytes=B http_version=V max_rss_kib=K
#include <curl/curl.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Output {
  int fd = -1;
  std::vector<char> buffer;
  std::size_t used = 0;
  std::uint64_t bytes = 0;
  std::uint64_t writeback_every = 0;
  std::uint64_t written = 0;       // handed to the kernel
  std::uint64_t writeback_at = 0;  // where the next writeback starts
  bool failed = false;
};

bool write_all(Output& out, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(out.fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
    out.written += static_cast<std::uint64_t>(n);
  }
#ifdef __linux__
  if (out.writeback_every > 0 && out.written - out.writeback_at >= out.writeback_every) {
    (void)::sync_file_range(out.fd, static_cast<off_t>(out.writeback_at),
                            static_cast<off_t>(out.written - out.writeback_at),
                            SYNC_FILE_RANGE_WRITE);
    out.writeback_at = out.written;
  }
#endif
  return true;
}

bool flush(Output& out) {
  const bool ok = out.used == 0 || write_all(out, out.buffer.data(), out.used);
  out.used = 0;
  return ok;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& out = *static_cast<Output*>(user);
  const std::size_t bytes = size * count;
  out.bytes += bytes;
  if (out.used + bytes > out.buffer.size() && !flush(out)) {
    out.failed = true;
    return 0;
  }
  if (bytes >= out.buffer.size()) {
    if (write_all(out, data, bytes)) return bytes;
    out.failed = true;
    return 0;
  }
  std::memcpy(out.buffer.data() + out.used, data, bytes);
  out.used += bytes;
  return bytes;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "download_baseline: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s URL OUTPUT [--http1.1] [--ca-bundle FILE] [--buffer-size BYTES] "
                 "[--write-buffer BYTES] [--writeback-every BYTES]\n",
                 argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const std::string path = argv[2];
  const std::string part = path + ".part";
  bool http1_1 = false;
  std::string ca_bundle;
  long buffer_size = 2L << 20;
  std::size_t write_buffer = 1 << 20;
  Output out;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--http1.1") {
      http1_1 = true;
      continue;
    }
    ++i;
    if (arg == "--ca-bundle") {
      ca_bundle = value;
    } else if (arg == "--buffer-size") {
      buffer_size = std::strtol(value, nullptr, 10);
    } else if (arg == "--write-buffer") {
      write_buffer = std::strtoull(value, nullptr, 10);
    } else if (arg == "--writeback-every") {
      out.writeback_every = std::strtoull(value, nullptr, 10);
    } else {
      fail("unknown option " + arg);
    }
  }
  out.buffer.resize(std::max<std::size_t>(write_buffer, 1));

  const auto started = std::chrono::steady_clock::now();
  out.fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out.fd < 0) fail("cannot open " + part + ": " + std::strerror(errno));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, buffer_size);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                   http1_1 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS);
  if (!ca_bundle.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_bundle.c_str());
  curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &out);
  const CURLcode code = curl_easy_perform(easy);
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  curl_easy_cleanup(easy);
  if (code != CURLE_OK || out.failed)
    fail(std::string("transfer failed: ") + curl_easy_strerror(code));
  const auto transferred = std::chrono::steady_clock::now();
  if (!flush(out)) fail("cannot write " + part + ": " + std::strerror(errno));
  if (::fsync(out.fd) != 0 || ::close(out.fd) != 0) fail("cannot sync " + part);
  if (std::rename(part.c_str(), path.c_str()) != 0) fail("cannot rename " + part);
  const auto slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  const auto finished = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(finished - started).count();
  const double sync_seconds = std::chrono::duration<double>(finished - transferred).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("seconds=%.3f sync_seconds=%.3f bytes=%llu http_version=%s max_rss_kib=%ld\n",
              seconds, sync_seconds, static_cast<unsigned long long>(out.bytes),
              version == CURL_HTTP_VERSION_2_0 ? "2" : "1.1", usage.ru_maxrss);
  return 0;
}
