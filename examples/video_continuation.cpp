// Video continuation: the model continues an existing clip.
// Usage: video_continuation SOURCE_VIDEO_URL OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: video_continuation SOURCE_VIDEO_URL OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;
    const auto request = seedance::VideoRequest()
                             .prompt("The car drives on into the tunnel")
                             .video(argv[1]);  // metadata.content[] item of type video_url
    const seedance::Task task = client.generate(request, argv[2]);
    std::cout << task.task_id << " " << argv[2] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "video_continuation: " << error.what() << "\n";
    return 1;
  }
}
