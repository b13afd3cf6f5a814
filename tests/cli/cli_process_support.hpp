// Helpers of the tests that run the real `seedance` binary as a child process.
#pragma once

#include <gmock/gmock.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "seedance/mock/mock_server.hpp"

namespace seedance::cli {

// The programs under test.
inline const std::string kCli = SEEDANCE_CLI_PATH;
inline const std::string kMockServer = SEEDANCE_MOCK_SERVER_PATH;

/// How a child ended and everything it printed, for a failure message.
inline std::string describe(const testing::ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + " signal " + std::to_string(result.signal) +
         "\n--- stdout\n" + result.out + "--- stderr\n" + result.err;
}

/// An in-process mock server whose tasks succeed at the first poll, so no run waits.
inline mock::MockServerOptions quick_mock_options(const std::string& api_key,
                                                  std::uint64_t video_size) {
  mock::MockServerOptions options;
  options.api_key = api_key;
  options.polls_to_complete = 1;
  options.video_size = video_size;
  return options;
}

/// `environment` with the key and the server to use: the key goes in the environment, never on
/// the command line, where other users could see it.
inline std::vector<std::string> with_server(std::vector<std::string> environment,
                                            const std::string& api_key,
                                            const std::string& base_url) {
  environment.push_back("SEEDANCE_API_KEY=" + api_key);
  environment.push_back("SEEDANCE_BASE_URL=" + base_url);
  return environment;
}

/// Exactly one line holding one JSON value (what --json prints).
inline nlohmann::json one_json_line(const std::string& text) {
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  return nlohmann::json::parse(text);
}

/// Runs the CLI to completion and checks that `api_key` appears nowhere in what it printed.
inline testing::ProcessResult run_without_leaking(const std::vector<std::string>& arguments,
                                                  const std::vector<std::string>& environment,
                                                  const std::string& api_key) {
  testing::ProcessResult result = testing::run_process(kCli, arguments, environment);
  EXPECT_THAT(result.out + result.err, ::testing::Not(::testing::HasSubstr(api_key)));
  return result;
}

}  // namespace seedance::cli
