// Runs every body of tests/model/corpus (shaped as the real services send them, each naming its
// source) through the parser and checks the expected reading.
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/json_codec.hpp"
#include "seedance/error.hpp"
#include "seedance/task.hpp"

namespace seedance {
namespace {

using nlohmann::json;

struct CorpusCase {
  std::string name;
  json spec;
};

std::vector<CorpusCase> load_corpus() {
  std::vector<CorpusCase> cases;
  for (const auto& entry : std::filesystem::directory_iterator(SEEDANCE_MODEL_CORPUS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    cases.push_back({entry.path().stem().string(), json::parse(text.str())});
  }
  return cases;
}

std::string body_of(const json& spec) {
  return spec.contains("body_text") ? spec.at("body_text").get<std::string>()
                                    : spec.at("body").dump();
}

// The reading of a task or receipt as the corpus spells it.
json reading_of(const Task& task) {
  return {{"task_id", task.task_id},
          {"status", std::string(to_string(task.status))},
          {"status_raw", task.status_text},
          {"progress", task.progress},
          {"finished", task.finished()},
          {"result_url", task.result_url ? json(*task.result_url) : json(nullptr)},
          {"last_frame_url", task.last_frame_url ? json(*task.last_frame_url) : json(nullptr)},
          {"fail_reason", task.fail_reason ? json(*task.fail_reason) : json(nullptr)},
          {"error_code", task.error ? json(task.error->code) : json(nullptr)},
          {"error_message", task.error ? json(task.error->message) : json(nullptr)},
          {"created_at", task.created_at ? json(*task.created_at) : json(nullptr)}};
}

json reading_of(const Receipt& receipt) {
  return {{"task_id", receipt.task_id},
          {"status", std::string(to_string(receipt.status))},
          {"status_raw", receipt.status_text},
          {"progress", receipt.progress}};
}

json reading_of(const ApiError& error) {
  return {{"api_error",
           {{"message", error.what()},
            {"type", error.type()},
            {"code", error.code()},
            {"request_id", error.request_id()}}}};
}

json read(const json& spec) {
  const std::string body = body_of(spec);
  const int status = spec.at("http_status");
  const std::string parse = spec.at("parse");
  if (parse == "error") return reading_of(detail::api_error_from_error_body(body, status));
  try {
    return parse == "task" ? reading_of(parse_task(body, status))
                           : reading_of(parse_receipt(body, status));
  } catch (const ApiError& error) {
    return reading_of(error);
  }
}

// Every expected member, nested objects member by member.
void expect_subset(const json& expected, const json& actual, const std::string& where) {
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(key)) << where << ": no " << key << " in " << actual.dump();
    if (value.is_object()) {
      expect_subset(value, actual.at(key), where + "." + key);
    } else {
      EXPECT_EQ(actual.at(key), value) << where << "." << key;
    }
  }
}

TEST(ResponseCorpus, EveryBodyParsesAsItsSourceMeans) {
  const std::vector<CorpusCase> cases = load_corpus();
  ASSERT_GE(cases.size(), 20u);
  for (const auto& corpus_case : cases) {
    SCOPED_TRACE(corpus_case.name + " (" + corpus_case.spec.at("source").get<std::string>() + ")");
    ASSERT_TRUE(corpus_case.spec.contains("expect"));
    expect_subset(corpus_case.spec.at("expect"), read(corpus_case.spec), corpus_case.name);
  }
}

}  // namespace
}  // namespace seedance
