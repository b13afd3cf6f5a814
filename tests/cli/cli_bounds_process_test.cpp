// The real `seedance` against answers no service should send, from the in-process mock's fault
// rules: a 200 MiB task detail (refused at the limit, naming it), one nested 100,000 deep
// (refused, where --json status used to crash with SIGSEGV) and one of a million empty arrays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "seedance/mock/mock_server.hpp"

namespace seedance::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kApiKey = "sk-cli-bounds-3b9e51f4";

class CliBoundsTest : public ::testing::Test {
 protected:
  CliBoundsTest() : server_(quick_mock_options(kApiKey, 1024)) { server_.start(); }

  ProcessResult seedance(const std::vector<std::string>& arguments) {
    return run_without_leaking(
        arguments, with_server(testing::sanitizer_environment(), kApiKey, server_.base_url()),
        kApiKey);
  }

  // The --json error object on stderr, after checking the process exited on its own.
  static json error_of(const ProcessResult& result) {
    EXPECT_EQ(result.signal, 0) << describe(result);
    return one_json_line(result.err).at("error");
  }

  mock::MockServer server_;
};

TEST_F(CliBoundsTest, AStatusDetailNested100000DeepIsRefusedWithoutACrash) {
  server_.add_fault("GET /v1/videos/{id}: body=nested depth=100000");
  const ProcessResult result = seedance({"--json", "status", "task_deep"});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  const json error = error_of(result);
  EXPECT_EQ(error.at("kind"), "response_error");
  EXPECT_THAT(error.at("message").get<std::string>(), HasSubstr("deeper than 128 levels"));
  EXPECT_TRUE(result.out.empty());
}

TEST_F(CliBoundsTest, AStatusDetailOfAMillionValuesIsRefusedBeforeItBecomesADocument) {
  server_.add_fault("GET /v1/videos/{id}: body=wide size=4m");
  const ProcessResult result = seedance({"--json", "status", "task_wide"});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  EXPECT_THAT(error_of(result).at("message").get<std::string>(),
              HasSubstr("holds more than 100000 values"));
}

TEST_F(CliBoundsTest, AStatusDetailOf200MbIsRefusedAtTheLimitAndNotAskedAgain) {
  server_.add_fault("GET /v1/videos/{id}: body=huge size=200m");
  const ProcessResult result = seedance({"--json", "status", "task_huge"});
  EXPECT_EQ(result.exit_code, 3) << describe(result);
  const json error = error_of(result);
  EXPECT_EQ(error.at("kind"), "response_error");
  EXPECT_THAT(error.at("message").get<std::string>(),
              HasSubstr("exceeds the limit of 4194304 bytes (max_response_bytes)"));
  EXPECT_EQ(server_.count("GET", "/v1/videos/task_huge"), 1u);
}

TEST_F(CliBoundsTest, ASubmitAnswerOf200MbMayHaveCreatedATask) {
  server_.add_fault("POST /v1/videos: body=huge size=200m");
  const ProcessResult result = seedance({"--json", "submit", "--prompt", "a paper boat"});
  EXPECT_EQ(result.exit_code, 5) << describe(result);
  const json error = error_of(result);
  EXPECT_EQ(error.at("kind"), "submit_outcome_unknown");
  EXPECT_THAT(error.at("message").get<std::string>(), HasSubstr("4194304 bytes"));
  EXPECT_EQ(server_.count("POST", "/v1/videos"), 1u);
}

}  // namespace
}  // namespace seedance::cli
