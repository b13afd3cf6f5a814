// The knobs: model, seed, ratio, resolution, watermark, generated audio, service tier, and a
// progress callback while waiting. Prints the exact JSON body before sending it.
// Usage: generation_options OUT.mp4
#include <iostream>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: generation_options OUT.mp4\n";
    return 2;
  }
  try {
    const seedance::Client client;
    const auto request = seedance::VideoRequest(std::string(seedance::models::kSeedance2Fast))
                             .prompt("Waves rolling onto a black-sand beach, drone shot")
                             .duration(8)
                             .seed(42)  // same seed and inputs: a similar video
                             .ratio(seedance::Ratio::R21x9)
                             .resolution(seedance::Resolution::P720)  // fast: up to 720p
                             .watermark(false)
                             .generate_audio(true)
                             .service_tier(seedance::ServiceTier::Default);
    std::cout << request.to_json() << "\n";

    const seedance::Receipt receipt = client.submit(request);
    seedance::WaitOptions wait;
    wait.on_progress = [](const seedance::Task& task) {
      std::cerr << seedance::to_string(task.status) << " " << task.progress << "%\n";
    };
    client.wait(receipt.task_id, wait);
    const seedance::DownloadResult video = client.download(receipt.task_id, argv[1]);
    std::cout << receipt.task_id << " " << video.path << " " << video.bytes << "\n";
  } catch (const seedance::Error& error) {
    std::cerr << "generation_options: " << error.what() << "\n";
    return 1;
  }
}
