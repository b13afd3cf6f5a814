// Several reference images: characters or products the video should show.
// Usage: reference_images OUT.mp4 IMAGE_URL...
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: reference_images OUT.mp4 IMAGE_URL...\n";
    return 2;
  }
  try {
    const seedance::Client client;
    auto request = seedance::VideoRequest().prompt("The two characters meet in a sunny park");
    for (int i = 2; i < argc; ++i) request.reference_image(argv[i]);  // role reference_image
    const seedance::Task task = client.generate(request, argv[1]);
    std::cout << task.task_id << " " << argv[1] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "reference_images: " << error.what() << "\n";
    return 1;
  }
}
