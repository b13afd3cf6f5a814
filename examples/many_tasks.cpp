// Many videos at once: one TaskGroup submits them all, polls each (never closer than 5 s), and
// downloads each one as it finishes, on one background thread.
// Usage: SEEDANCE_BASE_URL=... SEEDANCE_API_KEY=... many_tasks OUT_DIR PROMPT...
#include <iostream>
#include <vector>

#include "seedance/seedance.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: many_tasks OUT_DIR PROMPT...\n";
    return 2;
  }
  try {
    seedance::TaskGroupOptions options;
    options.download_dir = argv[1];  // each video to OUT_DIR/<task_id>.mp4
    options.max_in_flight = 8;       // at most 8 tasks submitted and unfinished at once
    options.on_result = [](const seedance::TaskResult& result) {
      std::cerr << "job " << result.index << (result.ok() ? ": done\n" : ": failed\n");
    };
    seedance::TaskGroup group(seedance::Client(), options);
    std::vector<seedance::VideoRequest> requests;
    for (int i = 2; i < argc; ++i) requests.push_back(seedance::VideoRequest().prompt(argv[i]));
    group.submit_all(requests);

    int failures = 0;
    for (const seedance::TaskResult& result : group.wait_all()) {
      try {
        result.rethrow();
        std::cout << result.task_id << " " << result.download->path << "\n";
      } catch (const seedance::Error& error) {
        ++failures;  // SubmitOutcomeUnknownError: a task may exist, check before resubmitting
        std::cerr << "job " << result.index << " (" << result.task_id << "): " << error.what()
                  << "\n";
      }
    }
    return failures == 0 ? 0 : 1;
  } catch (const seedance::Error& error) {
    std::cerr << "many_tasks: " << error.what() << "\n";
    return 1;
  }
}
