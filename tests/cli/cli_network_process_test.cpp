// The real `seedance` binary on paths where the network fails or goes through something: exit
// codes that say whether anything was sent (a connection, name, proxy tunnel or TLS handshake
// that failed before the request left is 4, never 5), certificates that are not trusted, and the
// --proxy and --ca-bundle flags and config keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_process_support.hpp"
#include "recording_listener.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;
using testing::RecordingListener;

const std::string kApiKey = "sk-cli-network-7c41d0e2";

// Exactly this environment, plus `extra`: no proxy variable unless a test sets one, and a
// resolver that gives up within a second when offline.
std::vector<std::string> environment(const std::string& base_url,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> variables =
      with_server(testing::sanitizer_environment(), kApiKey, base_url);
  variables.emplace_back("RES_OPTIONS=timeout:1 attempts:1");
  variables.insert(variables.end(), extra.begin(), extra.end());
  return variables;
}

ProcessResult seedance(const std::vector<std::string>& arguments, const std::string& base_url,
                       std::vector<std::string> extra = {}) {
  return run_without_leaking(arguments, environment(base_url, std::move(extra)), kApiKey);
}

// A submit that never reached the service: retried, then exit 4 without the "may be billed"
// warning of exit 5.
void expect_unsent_submit(const ProcessResult& result) {
  EXPECT_EQ(result.exit_code, 4) << describe(result);
  EXPECT_EQ(result.signal, 0);
  EXPECT_THAT(result.err, HasSubstr("attempt 2")) << "the submit was not retried";
  EXPECT_THAT(result.err, Not(HasSubstr("billed")));
  EXPECT_THAT(result.err, Not(HasSubstr("may have created")));
}

const std::vector<std::string> kSubmit = {"--verbose", "submit", "--prompt", "a paper boat"};

std::string closed_port() {
  const RecordingListener gone("");  // bound, then released when it goes
  return gone.url();
}

TEST(CliNetwork, ASubmitToARefusedPortIsRetriedThenExitsFour) {
  expect_unsent_submit(seedance(kSubmit, closed_port()));
}

TEST(CliNetwork, ASubmitToANameThatDoesNotResolveIsRetriedThenExitsFour) {
  const ProcessResult result = seedance(kSubmit, "https://seedance-cli-test.invalid");
  expect_unsent_submit(result);
  EXPECT_THAT(result.err, HasSubstr("name resolution failed"));
}

TEST(CliNetwork, ASubmitThroughAProxyRefusingTheTunnelIsRetriedThenExitsFour) {
  RecordingListener proxy("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  std::vector<std::string> arguments = kSubmit;
  arguments.insert(arguments.begin(), {"--proxy", proxy.url()});
  expect_unsent_submit(seedance(arguments, "https://127.0.0.1:9"));
  EXPECT_EQ(proxy.connections(), 4);  // every attempt asked for a tunnel, and nothing else
  EXPECT_THAT(proxy.received(), HasSubstr("CONNECT 127.0.0.1:9 HTTP/1.1"));
  EXPECT_THAT(proxy.received(), Not(HasSubstr("POST")));
}

TEST(CliNetwork, ASubmitToAPeerThatSpeaksNoTlsIsRetriedThenExitsFour) {
  RecordingListener peer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  expect_unsent_submit(seedance(kSubmit, peer.url("https")));
  EXPECT_EQ(peer.connections(), 4);
  EXPECT_THAT(peer.received(), Not(HasSubstr("POST")));
}

// A task detail, as a proxy that answers for the server would return it.
const std::string kProxiedDetail = R"({"id":"task_proxied","status":"IN_PROGRESS","progress":50})";
const std::string kProxyAnswer =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    "Content-Length: " +
    std::to_string(kProxiedDetail.size()) + "\r\nConnection: close\r\n\r\n" + kProxiedDetail;
// A host only the proxy can reach.
const std::string kBehindTheProxy = "http://seedance-proxy-test.invalid";
const std::string kProxiedRequestLine =
    "GET http://seedance-proxy-test.invalid/v1/videos/task_proxied HTTP/1.1";

TEST(CliProxy, TheProxyFlagCarriesTheRequestAndBeatsTheVariables) {
  RecordingListener proxy(kProxyAnswer);
  const ProcessResult result = seedance({"--proxy", proxy.url(), "status", "task_proxied"},
                                        kBehindTheProxy, {"http_proxy=" + closed_port()});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, "IN_PROGRESS 50%\n");
  EXPECT_THAT(proxy.received(), HasSubstr(kProxiedRequestLine));
}

TEST(CliProxy, TheProxyVariablesKeepWorking) {
  RecordingListener proxy(kProxyAnswer);
  const ProcessResult result =
      seedance({"status", "task_proxied"}, kBehindTheProxy, {"http_proxy=" + proxy.url()});
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(proxy.received(), HasSubstr(kProxiedRequestLine));
}

TEST(CliProxy, TheConfigFileNamesAProxyAndACaBundle) {
  RecordingListener proxy(kProxyAnswer);
  const testing::TempDir dir;
  std::ofstream(dir.file("config")) << "proxy = " << proxy.url() << "\n";
  const ProcessResult result =
      seedance({"--config", dir.file("config"), "status", "task_proxied"}, kBehindTheProxy);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_THAT(proxy.received(), HasSubstr(kProxiedRequestLine));

  std::ofstream(dir.file("config")) << "ca_bundle = " << dir.file("missing.pem") << "\n";
  const ProcessResult refused =
      seedance({"--config", dir.file("config"), "status", "task_proxied"}, proxy.url());
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_THAT(refused.err, HasSubstr(dir.file("missing.pem") + " is not a readable file"));
}

TEST(CliCaBundle, AFileThatDoesNotExistIsRefusedBeforeAnythingIsSent) {
  RecordingListener server(kProxyAnswer);
  const ProcessResult result =
      seedance({"--ca-bundle", "/nonexistent/company-ca.pem", "submit", "--prompt", "x"},
               server.url("https"));
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_THAT(result.err, HasSubstr("ca_bundle: /nonexistent/company-ca.pem is not a readable"));
  EXPECT_EQ(server.connections(), 0);
}

// openssl s_server with a self-signed certificate for 127.0.0.1, serving files of `dir` (-WWW).
class TlsServer {
 public:
  explicit TlsServer(const testing::TempDir& dir)
      : certificate_(dir.file("cert.pem")),
        process_("/bin/sh",
                 {"-c", "cd '" + dir.path().string() +
                            "' && exec openssl s_server -accept 127.0.0.1:0 -cert cert.pem "
                            "-key key.pem -WWW"},
                 {"PATH=/usr/bin:/bin"}) {
    // It prints "ACCEPT 127.0.0.1:PORT" once it listens (after other lines).
    std::string address;
    process_.wait_for_output([&address](const std::string& out, const std::string&) {
      const std::size_t at = out.find("ACCEPT ");
      const std::size_t end = out.find('\n', at);
      if (at == std::string::npos || end == std::string::npos) return false;
      address = out.substr(at + 7, end - at - 7);
      return true;
    });
    url_ = "https://" + address;
  }

  /// Writes the key and certificate the server uses into `dir`; false without openssl.
  static bool make_certificate(const testing::TempDir& dir) {
    const ProcessResult made = testing::run_process(
        "/bin/sh",
        {"-c", "cd '" + dir.path().string() +
                   "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                   "-nodes -keyout key.pem -out cert.pem -subj /CN=127.0.0.1 "
                   "-addext subjectAltName=IP:127.0.0.1 -days 2"},
        {"PATH=/usr/bin:/bin"});
    return made.exit_code == 0;
  }

  const std::string& url() const { return url_; }
  const std::string& certificate() const { return certificate_; }

 private:
  std::string certificate_;
  ChildProcess process_;  // killed by its destructor
  std::string url_;
};

TEST(CliCaBundle, AnUntrustedCertificateIsNotRetriedAndTheBundleFlagFixesIt) {
  const testing::TempDir dir;
  if (!TlsServer::make_certificate(dir)) GTEST_SKIP() << "openssl is not installed";
  std::filesystem::create_directories(dir.path() / "v1" / "videos");
  std::ofstream(dir.file("v1/videos/task_tls"))
      << R"({"id":"task_tls","status":"SUCCESS","progress":100})";
  TlsServer server(dir);

  const ProcessResult refused = seedance({"--verbose", "status", "task_tls"}, server.url());
  EXPECT_EQ(refused.exit_code, 4) << describe(refused);
  EXPECT_THAT(refused.err, HasSubstr("certificate verify failed: SSL certificate problem"));
  EXPECT_THAT(refused.err, HasSubstr("attempt 1 -> no response"));
  EXPECT_THAT(refused.err, HasSubstr("give up"));
  EXPECT_THAT(refused.err, Not(HasSubstr("attempt 2")));
  EXPECT_THAT(refused.err, HasSubstr("pass --ca-bundle FILE"));

  const ProcessResult trusted =
      seedance({"--ca-bundle", server.certificate(), "status", "task_tls"}, server.url());
  EXPECT_EQ(trusted.exit_code, 0) << describe(trusted);
  EXPECT_EQ(trusted.out, "SUCCESS 100%\n");
}

}  // namespace
}  // namespace seedance::cli
