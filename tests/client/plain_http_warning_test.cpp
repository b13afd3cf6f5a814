// The warning when the API key would travel over plain http to a host that is not loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes.hpp"
#include "seedance/client.hpp"

namespace seedance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "sk-plain-http-test-key";

std::vector<std::string> warnings_for(const std::string& base_url) {
  std::vector<std::string> warnings;
  ClientOptions options;
  options.base_url = base_url;
  options.api_key = kKey;
  options.transport =
      std::make_shared<testing::FakeTransport>(std::make_shared<testing::FakeClock>());
  options.on_warning = [&warnings](const std::string& warning) { warnings.push_back(warning); };
  const Client client(options);
  return warnings;
}

TEST(PlainHttpWarning, WarnsOnceForAHostThatIsNotLoopback) {
  for (const char* url : {"http://api.example.com", "http://10.0.0.7:8080/v1",
                          "http://127.example.com", "http://[2001:db8::1]:80"}) {
    const auto warnings = warnings_for(url);
    ASSERT_EQ(warnings.size(), 1u) << url;
    EXPECT_THAT(warnings[0], HasSubstr("plain http")) << url;
    EXPECT_THAT(warnings[0], Not(HasSubstr(kKey)));
  }
}

TEST(PlainHttpWarning, LoopbackAndHttpsAreQuiet) {
  for (const char* url : {"https://api.example.com", "http://localhost:8080", "http://127.0.0.1",
                          "http://127.1.2.3:9000", "http://[::1]:8080"}) {
    EXPECT_THAT(warnings_for(url), ::testing::IsEmpty()) << url;
  }
}

}  // namespace
}  // namespace seedance
