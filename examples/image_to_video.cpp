// Image to video: a local picture becomes the first frame (sent inline as a data: URI).
// Usage: image_to_video IMAGE.png OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: image_to_video IMAGE OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;
    const auto request = seedance::VideoRequest()
                             .image(seedance::image_file(argv[1]))  // PNG, JPEG, WebP or GIF
                             .prompt("The camera slowly pushes in")
                             .ratio(seedance::Ratio::Adaptive);  // follow the image's shape
    const seedance::Task task = client.generate(request, argv[2]);
    std::cout << task.task_id << " " << argv[2] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "image_to_video: " << error.what() << "\n";
    return 1;
  }
}
