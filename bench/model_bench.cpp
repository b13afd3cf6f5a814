// The typed model layer against the same work done directly with nlohmann::json.
//   Request: build + validate + serialize a request with a prompt, metadata and four reference
//            images, versus building the same document as nlohmann::json and dumping it.
//   Task:    parse_task() on a typical SUCCESS body, versus json::parse and reading the same
//   fields.
#include <cstdint>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "seedance/request.hpp"
#include "seedance/task.hpp"

namespace {

using nlohmann::json;

const std::string kPrompt =
    "A paper boat drifting down a rainy neon-lit street at night, slow dolly shot, shallow depth "
    "of field";

// Four ~100-character reference image URLs.
const std::string kImageUrls[4] = {
    "https://assets.example-cdn.com/projects/4f2a9c/references/"
    "character-front-view-v3.png?sig=a1b2c3",
    "https://assets.example-cdn.com/projects/4f2a9c/references/"
    "character-side-view-v3.png?sig=d4e5f6",
    "https://assets.example-cdn.com/projects/4f2a9c/references/"
    "street-background-night.jpg?sig=g7h8i9",
    "https://assets.example-cdn.com/projects/4f2a9c/references/"
    "paper-boat-prop-closeup.png?sig=j0k1l2",
};

void BM_Request_Typed(benchmark::State& state) {
  for (auto _ : state) {
    seedance::VideoRequest request(std::string(seedance::models::kSeedance2));
    request.prompt(kPrompt)
        .duration(8)
        .resolution(seedance::Resolution::P720)
        .ratio(seedance::Ratio::R16x9)
        .seed(42)
        .watermark(false)
        .generate_audio(true);
    for (const auto& url : kImageUrls) request.reference_image(url);
    std::string body = request.to_json();  // validates, then serializes
    benchmark::DoNotOptimize(body.data());
  }
}
BENCHMARK(BM_Request_Typed);

void BM_Request_RawNlohmann(benchmark::State& state) {
  for (auto _ : state) {
    json body;
    body["model"] = std::string(seedance::models::kSeedance2);
    body["prompt"] = kPrompt;
    body["duration"] = 8;
    json& metadata = body["metadata"];
    metadata["resolution"] = "720p";
    metadata["ratio"] = "16:9";
    metadata["seed"] = 42;
    metadata["watermark"] = false;
    metadata["generate_audio"] = true;
    json& content = metadata["content"];
    for (const auto& url : kImageUrls) {
      content.push_back(
          {{"type", "image_url"}, {"image_url", {{"url", url}}}, {"role", "reference_image"}});
    }
    std::string text = body.dump();
    benchmark::DoNotOptimize(text.data());
  }
}
BENCHMARK(BM_Request_RawNlohmann);

// A typical task detail on success, about 300 bytes.
const std::string kSuccessBody =
    R"({"id":"task_01JQ8Z6X4M2N7P9R3T5V8W0Y2A","task_id":"task_01JQ8Z6X4M2N7P9R3T5V8W0Y2A",)"
    R"("object":"video","model":"seedance-2.0","status":"SUCCESS","progress":"100%",)"
    R"("result_url":"/v1/videos/task_01JQ8Z6X4M2N7P9R3T5V8W0Y2A/content","fail_reason":null,)"
    R"("created_at":1767225600,"finished_at":1767225724,"duration":8,"resolution":"720p"})";

void BM_TaskParse_Typed(benchmark::State& state) {
  for (auto _ : state) {
    seedance::Task task = seedance::parse_task(kSuccessBody);
    benchmark::DoNotOptimize(&task);
  }
}
BENCHMARK(BM_TaskParse_Typed);

struct PlainTask {
  std::string task_id;
  std::string model;
  std::string status;
  std::string progress;
  std::optional<std::string> result_url;
  std::optional<std::string> fail_reason;
  std::optional<std::int64_t> created_at;
};

void BM_TaskParse_RawNlohmann(benchmark::State& state) {
  for (auto _ : state) {
    const json body = json::parse(kSuccessBody);
    PlainTask task;
    task.task_id = body.at("task_id").get<std::string>();
    task.model = body.at("model").get<std::string>();
    task.status = body.at("status").get<std::string>();
    task.progress = body.at("progress").get<std::string>();
    if (body.contains("result_url") && body["result_url"].is_string()) {
      task.result_url = body["result_url"].get<std::string>();
    }
    if (body.contains("fail_reason") && body["fail_reason"].is_string()) {
      task.fail_reason = body["fail_reason"].get<std::string>();
    }
    task.created_at = body.at("created_at").get<std::int64_t>();
    benchmark::DoNotOptimize(&task);
  }
}
BENCHMARK(BM_TaskParse_RawNlohmann);

}  // namespace
