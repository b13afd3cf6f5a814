// The config file and the precedence flags > environment > config file; the JSON error shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "commands/support.hpp"
#include "config.hpp"
#include "exit_codes.hpp"
#include "scoped_variable.hpp"
#include "seedance/error.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::ScopedVariable;
using ::testing::SizeIs;

TEST(ConfigFile, ParsesKeyValueLines) {
  std::vector<std::string> problems;
  const ConfigFile config = parse_config(
      "# my account\n  base_url = https://api.example.com  \napi_key=\"sk-from-file-123\"\n\n",
      "cfg", problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.base_url, "https://api.example.com");
  EXPECT_EQ(config.api_key, "sk-from-file-123");
}

// A file written on Windows (or checked out with CRLF line ends) reads the same.
TEST(ConfigFile, CrlfLineEndsReadAsLf) {
  std::vector<std::string> problems;
  const ConfigFile config = parse_config(
      "# my account\r\nbase_url = https://api.example.com\r\napi_key=\"sk-from-file-123\"\r\n"
      "alias_routes = true\r\n\r\n",
      "cfg", problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.base_url, "https://api.example.com");
  EXPECT_EQ(config.api_key, "sk-from-file-123");
  EXPECT_TRUE(config.alias_routes);
}

TEST(ConfigFile, AliasRoutesIsTrueOrFalse) {
  std::vector<std::string> problems;
  EXPECT_TRUE(parse_config("alias_routes = true\n", "cfg", problems).alias_routes);
  EXPECT_FALSE(parse_config("alias_routes = false\n", "cfg", problems).alias_routes);
  EXPECT_THAT(problems, IsEmpty());
  parse_config("alias_routes = yes\n", "cfg", problems);
  EXPECT_THAT(problems, ElementsAre("cfg:1: alias_routes must be true or false"));
}

TEST(ConfigFile, ProblemsNameTheLineButNeverTheValue) {
  std::vector<std::string> problems;
  parse_config("api_key sk-secret-value-9\napi-key = sk-secret-value-9\n", "cfg", problems);
  ASSERT_THAT(problems, SizeIs(2));
  EXPECT_EQ(problems[0], "cfg:1: expected `key = value`");
  EXPECT_THAT(problems[1], HasSubstr("cfg:2: unknown key \"api-key\""));
  for (const auto& problem : problems) EXPECT_THAT(problem, Not(HasSubstr("sk-secret")));
}

TEST(ConfigFile, DefaultPathFollowsXdg) {
  {
    ScopedVariable xdg("XDG_CONFIG_HOME", "/xdg");
    EXPECT_EQ(default_config_path(), "/xdg/seedance/config");
  }
  ScopedVariable no_xdg("XDG_CONFIG_HOME", nullptr);
  ScopedVariable home("HOME", "/home/me");
  EXPECT_EQ(default_config_path(), "/home/me/.config/seedance/config");
}

TEST(ConfigFile, AnExplicitPathMustExistTheDefaultNeedNot) {
  testing::TempDir dir;
  ScopedVariable xdg("XDG_CONFIG_HOME", dir.path().c_str());
  std::vector<std::string> problems;
  EXPECT_EQ(load_config("", problems).path, "");
  EXPECT_THAT(problems, IsEmpty());
  load_config(dir.file("missing"), problems);
  EXPECT_THAT(problems, ElementsAre(HasSubstr("--config: ")));

  std::filesystem::create_directories(dir.path() / "seedance");
  testing::write_file(dir.file("seedance/config"), "base_url = http://from-default\n");
  problems.clear();
  EXPECT_EQ(load_config("", problems).base_url, "http://from-default");
}

TEST(ConfigPrecedence, FlagThenEnvironmentThenFile) {
  ScopedVariable variable("SEEDANCE_BASE_URL", "http://from-env");
  EXPECT_EQ(resolve_setting("http://from-flag", "SEEDANCE_BASE_URL", "http://from-file"),
            "http://from-flag");
  EXPECT_EQ(resolve_setting("", "SEEDANCE_BASE_URL", "http://from-file"), "http://from-env");
  ScopedVariable unset("SEEDANCE_BASE_URL", nullptr);
  EXPECT_EQ(resolve_setting("", "SEEDANCE_BASE_URL", "http://from-file"), "http://from-file");
}

TEST(ConfigFile, NamesACaBundleAndAProxy) {
  std::vector<std::string> problems;
  const ConfigFile config = parse_config(
      "ca_bundle = /etc/company/ca.pem\nproxy = \"http://proxy:3128\"\n", "cfg", problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(config.ca_bundle, "/etc/company/ca.pem");
  EXPECT_EQ(config.proxy, "http://proxy:3128");
}

TEST(ConfigFile, HttpVersionIsAutoOneOneOrPriorKnowledge) {
  std::vector<std::string> problems;
  for (const char* value : {"auto", "1.1", "2-prior-knowledge"}) {
    EXPECT_EQ(
        parse_config(std::string("http_version = ") + value + "\n", "cfg", problems).http_version,
        value);
  }
  EXPECT_THAT(problems, IsEmpty());
  parse_config("http_version = 2\n", "cfg", problems);
  EXPECT_THAT(problems, ElementsAre("cfg:1: http_version must be auto, 1.1 or 2-prior-knowledge"));
}

TEST(ConfigPrecedence, HttpVersionFlagThenFile) {
  const testing::TempDir dir;
  const std::string path = dir.file("config");
  testing::write_file(path, "http_version = 2-prior-knowledge\n");
  const ScopedVariable xdg("XDG_CONFIG_HOME", dir.path().c_str());  // no default config file
  const auto version = [](const CommandLine& command_line) {
    std::ostringstream err;
    const RunSettings settings;
    Console console(err, command_line, settings);
    std::vector<std::string> problems;
    return client_options(command_line, settings, console, problems).transport_options.http_version;
  };
  CommandLine command_line;
  command_line.base_url = "https://api.example.com";
  command_line.api_key = "sk-test-key";
  EXPECT_EQ(version(command_line), HttpVersion::Automatic);
  command_line.http1_1 = true;
  EXPECT_EQ(version(command_line), HttpVersion::Http1_1);
  command_line.config_path = path;
  EXPECT_EQ(version(command_line), HttpVersion::Http1_1);  // the flag wins
  command_line.http1_1 = false;
  EXPECT_EQ(version(command_line), HttpVersion::Http2PriorKnowledge);
}

TEST(ConfigPrecedence, ProxyFlagThenTheProxyVariablesThenFile) {
  ScopedVariable http("http_proxy", nullptr);
  ScopedVariable https("https_proxy", nullptr);
  ScopedVariable https_upper("HTTPS_PROXY", nullptr);
  ScopedVariable all("all_proxy", nullptr);
  ScopedVariable all_upper("ALL_PROXY", nullptr);
  EXPECT_EQ(resolve_proxy("http://flag:1", "http://file:3"), "http://flag:1");
  EXPECT_EQ(resolve_proxy("", "http://file:3"), "http://file:3");
  ScopedVariable set("https_proxy", "http://env:2");
  // libcurl reads the variable itself: the file's proxy must not override it.
  EXPECT_EQ(resolve_proxy("", "http://file:3"), "");
  EXPECT_EQ(resolve_proxy("http://flag:1", "http://file:3"), "http://flag:1");
}

TEST(ReportError, AnUntrustedCertificateGetsTheCaBundleHint) {
  std::ostringstream err;
  const CertificateError error("get task_1: certificate verify failed: self-signed certificate");
  EXPECT_EQ(report_error(error, err, ""), kExitNetworkError);
  EXPECT_THAT(err.str(), HasSubstr("seedance: error: get task_1: certificate verify failed"));
  EXPECT_THAT(err.str(), HasSubstr("pass --ca-bundle FILE"));
  std::ostringstream json_err;
  EXPECT_EQ(report_error_json(error, json_err, ""), kExitNetworkError);
  EXPECT_THAT(nlohmann::json::parse(json_err.str()).at("error").at("hint").get<std::string>(),
              HasSubstr("--ca-bundle"));
}

TEST(JsonErrors, CarryTheApiFieldsAndTheExitCode) {
  std::ostringstream err;
  ApiError error("bad key sk-secret-key-1 rejected", 401, "authentication_error",
                 "invalid_api_key");
  error.set_task_id("task_9");
  EXPECT_EQ(report_error_json(error, err, "sk-secret-key-1"), kExitApiError);
  const std::string text = err.str();
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);  // One line.
  const auto object = nlohmann::json::parse(text).at("error");
  EXPECT_EQ(object.at("message"), "bad key *** rejected");
  EXPECT_EQ(object.at("type"), "authentication_error");
  EXPECT_EQ(object.at("code"), "invalid_api_key");
  EXPECT_EQ(object.at("kind"), "api_error");
  EXPECT_EQ(object.at("exit_code"), 3);
  EXPECT_EQ(object.at("http_status"), 401);
  EXPECT_EQ(object.at("task_id"), "task_9");
  EXPECT_FALSE(object.contains("request_id"));
}

TEST(ReportError, NamesTheServicesRequestId) {
  ApiError error("task_not_exist", 400, "", "task_not_exist");
  error.set_request_id("20261206194733123456789abcdef");
  std::ostringstream text;
  EXPECT_EQ(report_error(error, text, "sk-any-key-123"), kExitApiError);
  EXPECT_EQ(text.str(),
            "seedance: error: task_not_exist\n"
            "seedance: request id: 20261206194733123456789abcdef\n");
  std::ostringstream json_text;
  report_error_json(error, json_text, "sk-any-key-123");
  EXPECT_EQ(nlohmann::json::parse(json_text.str()).at("error").at("request_id"),
            "20261206194733123456789abcdef");
}

TEST(JsonErrors, ValidationProblemsAreAnArray) {
  std::ostringstream err;
  EXPECT_EQ(report_error_json(ValidationError({"line 2: a", "line 3: b"}), err, ""), 2);
  const auto object = nlohmann::json::parse(err.str()).at("error");
  EXPECT_EQ(object.at("type"), "validation_error");
  EXPECT_EQ(object.at("problems"), nlohmann::json::array({"line 2: a", "line 3: b"}));
}

}  // namespace
}  // namespace seedance::cli
