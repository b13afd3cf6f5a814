// First and last frame: the model animates from one picture to the other.
// Usage: first_last_frame FIRST_URL LAST_URL OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: first_last_frame FIRST_URL LAST_URL OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;
    const auto request = seedance::VideoRequest()
                             .prompt("A flower bud opens into full bloom")
                             .first_frame(argv[1])  // metadata.content[] with role first_frame
                             .last_frame(argv[2]);  // ... and role last_frame
    const seedance::Task task = client.generate(request, argv[3]);
    std::cout << task.task_id << " " << argv[3] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "first_last_frame: " << error.what() << "\n";
    return 1;
  }
}
