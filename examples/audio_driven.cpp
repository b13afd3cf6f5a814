// Audio-driven video: the picture follows a sound track.
// Usage: audio_driven IMAGE_URL AUDIO_URL OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: audio_driven IMAGE_URL AUDIO_URL OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;
    const auto request = seedance::VideoRequest()
                             .prompt("The singer performs on a small stage")
                             .first_frame(argv[1])
                             .audio(argv[2]);  // metadata.content[] item of type audio_url
    const seedance::Task task = client.generate(request, argv[3]);
    std::cout << task.task_id << " " << argv[3] << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "audio_driven: " << error.what() << "\n";
    return 1;
  }
}
