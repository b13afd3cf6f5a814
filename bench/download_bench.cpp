// Downloads one task's video with the SDK and prints what happened, for bench/download_bench.sh:
//   download_bench BASE_URL TASK_ID OUTPUT [--segments N] [--stop-at BYTES] [--ca-bundle FILE]
//                  [--http1.1] [--buffer-size BYTES]
// Over TLS the SDK speaks HTTP/2 where the server offers it (its default), HTTP/1.1 with
// --http1.1; --buffer-size sets TransportOptions::receive_buffer_bytes.
// --stop-at cancels the download once that many bytes are on disk (the part is kept), so that a
// second run measures what a resume transfers. Prints one line:
//   seconds=S bytes=B transferred=T resumed=0|1 max_rss_kib=K
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "seedance/client.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s BASE_URL TASK_ID OUTPUT [--segments N] [--stop-at BYTES] "
                 "[--ca-bundle FILE] [--http1.1] [--buffer-size BYTES]\n",
                 argv[0]);
    return 2;
  }
  seedance::DownloadOptions options;
  std::uint64_t stop_at = 0;
  seedance::ClientOptions client_options;
  for (int i = 4; i < argc; ++i) {
    if (std::strcmp(argv[i], "--http1.1") == 0) {
      client_options.transport_options.http_version = seedance::HttpVersion::Http1_1;
      continue;
    }
    if (i + 1 == argc) break;
    const char* value = argv[++i];
    if (std::strcmp(argv[i - 1], "--segments") == 0) options.segments = std::atoi(value);
    if (std::strcmp(argv[i - 1], "--stop-at") == 0) stop_at = std::strtoull(value, nullptr, 10);
    if (std::strcmp(argv[i - 1], "--ca-bundle") == 0) {
      client_options.transport_options.ca_bundle = value;
    }
    if (std::strcmp(argv[i - 1], "--buffer-size") == 0) {
      client_options.transport_options.receive_buffer_bytes = std::strtoull(value, nullptr, 10);
    }
  }
  seedance::CancellationToken cancel;
  options.cancel = cancel;
  if (stop_at > 0) {
    options.on_progress = [&](const seedance::DownloadProgress& progress) {
      if (progress.bytes_done >= stop_at) cancel.cancel();
    };
  }
  client_options.base_url = argv[1];
  client_options.api_key = "bench";
  const seedance::Client client(client_options);
  const auto started = std::chrono::steady_clock::now();
  seedance::DownloadResult result;
  int status = 0;
  try {
    result = client.download(argv[2], argv[3], options);
  } catch (const seedance::CancelledError&) {
    status = 3;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "download_bench: %s\n", error.what());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("seconds=%.3f bytes=%llu transferred=%llu resumed=%d max_rss_kib=%ld\n", seconds,
              static_cast<unsigned long long>(result.bytes),
              static_cast<unsigned long long>(result.bytes_transferred), result.resumed ? 1 : 0,
              usage.ru_maxrss);
  return status;
}
