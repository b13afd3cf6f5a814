// A program outside the seedance tree, built against an installed (or vendored) seedance-cpp:
// checks the version the headers and the library report, then generates one video through the
// service at SEEDANCE_BASE_URL (the mock server, in the checks) and checks the file.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "seedance/seedance.hpp"

int main() {
  const std::string header_version = std::to_string(SEEDANCE_VERSION_MAJOR) + "." +
                                     std::to_string(SEEDANCE_VERSION_MINOR) + "." +
                                     std::to_string(SEEDANCE_VERSION_PATCH);
  if (seedance::version() != header_version) {
    std::cerr << "library " << seedance::version() << " but headers " << header_version << "\n";
    return 1;
  }
  try {
    seedance::Client client;
    const auto request = seedance::VideoRequest().prompt("A consumer's first video").duration(5);
    const seedance::Task task = client.generate(request, "consumer.mp4");
    std::ifstream video("consumer.mp4", std::ios::binary | std::ios::ate);
    if (!video || video.tellg() <= 0) {
      std::cerr << "consumer.mp4 is missing or empty\n";
      return 1;
    }
    std::remove("consumer.mp4");
    std::cout << "seedance " << seedance::version() << ": " << task.task_id << " ok\n";
    return 0;
  } catch (const seedance::Error& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}
