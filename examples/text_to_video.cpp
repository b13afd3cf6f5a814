// Text to video: a prompt is all it takes.
// Usage: SEEDANCE_BASE_URL=... SEEDANCE_API_KEY=... text_to_video OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: text_to_video OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;  // base URL and key from SEEDANCE_BASE_URL / SEEDANCE_API_KEY
    const auto request = seedance::VideoRequest()
                             .prompt("A paper boat drifting down a rainy street at dusk")
                             .duration(5);
    const seedance::Task task = client.generate(request, argv[1]);
    std::cout << task.task_id << " " << argv[1] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "text_to_video: " << error.what() << "\n";
    return 1;
  }
}
