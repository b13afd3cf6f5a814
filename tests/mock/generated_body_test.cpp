// The fault bodies that test a client's limits: body=huge (a task detail of SIZE bytes) and
// body=nested (a task detail nested DEPTH arrays deep), generated as they are sent.
#include <stdexcept>
#include <string>

#include "generated_body.hpp"
#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

std::string whole(const detail::GeneratedBody& body) {
  std::string text(static_cast<std::size_t>(body.size()), '\0');
  body.fill(0, text.data(), text.size());
  return text;
}

TEST(GeneratedBody, FillsAnyStretchAsTheWholeWouldHaveIt) {
  detail::GeneratedBody body;
  body.append("<");
  body.append("ab", 5);
  body.append(">");
  EXPECT_EQ(body.size(), 12u);
  EXPECT_EQ(whole(body), "<ababababab>");
  std::string part(4, '\0');
  body.fill(2, part.data(), part.size());
  EXPECT_EQ(part, "baba");
  body.fill(8, part.data(), part.size());
  EXPECT_EQ(part, "bab>");
}

TEST(GeneratedBody, AHugeDetailHasExactlyItsSizeAndIsATask) {
  const detail::GeneratedBody body = detail::huge_task_detail(100000);
  EXPECT_EQ(body.size(), 100000u);
  const json detail = parse_json(whole(body));
  EXPECT_EQ(detail["id"], "task_mock_huge");
  const std::string padding = detail["padding"].get<std::string>();
  EXPECT_EQ(padding.find_first_not_of('x'), std::string::npos);
  EXPECT_GT(padding.size(), 99000u);
  EXPECT_GT(detail::huge_task_detail(1).size(), 1u);  // never less than the detail itself
}

TEST(GeneratedBody, ANestedDetailIsValidJsonOfThatDepth) {
  const std::string text = whole(detail::nested_task_detail(3));
  EXPECT_NE(text.find(R"("detail":[[[]]]})"), std::string::npos) << text;
  EXPECT_EQ(parse_json(text)["detail"][0][0].size(), 0u);
  EXPECT_EQ(detail::nested_task_detail(100000).size(), text.size() - 6 + 200000);
}

TEST(GeneratedBody, AWideDetailHasExactlyItsSizeAndManyValues) {
  for (const std::uint64_t size : {std::uint64_t{3000}, std::uint64_t{3001}, std::uint64_t{3002}}) {
    const detail::GeneratedBody body = detail::wide_task_detail(size);
    EXPECT_EQ(body.size(), size);
    const json detail = parse_json(whole(body));
    EXPECT_EQ(detail["id"], "task_mock_wide");
    EXPECT_GT(detail["items"].size(), 900u);
  }
}

TEST(FaultRuleParse, HugeAndNestedBodiesTakeTheirSizeAndRoundTrip) {
  const FaultRule huge = FaultRule::parse("GET /v1/videos/{id}: body=huge size=200m");
  EXPECT_EQ(huge.body, FaultBody::Huge);
  EXPECT_EQ(huge.body_size, 200u * 1024 * 1024);
  EXPECT_EQ(FaultRule::parse(huge.to_string()).body_size, huge.body_size);
  const FaultRule nested = FaultRule::parse("GET *: body=nested depth=5000 times=always");
  EXPECT_EQ(nested.body, FaultBody::Nested);
  EXPECT_EQ(nested.body_depth, 5000u);
  EXPECT_EQ(FaultRule::parse(nested.to_string()).body_depth, 5000u);
  EXPECT_EQ(FaultRule::parse("GET *: body=nested").body_depth, 100000u);
  EXPECT_EQ(FaultRule::parse(FaultRule::parse("GET *: body=wide size=4m").to_string()).body_size,
            4u * 1024 * 1024);
  EXPECT_THROW(FaultRule::parse("GET *: status=500 size=1m"), std::invalid_argument);
  EXPECT_THROW(FaultRule::parse("GET *: body=huge depth=3"), std::invalid_argument);
}

TEST(FaultInjection, AHugeBodyIsStreamedWhole) {
  MockServer server;
  server.start();
  server.add_fault("GET /v1/videos/{id}: body=huge size=3m");
  auto client = make_client(server);
  const auto response = client->Get("/v1/videos/task_any");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 3u * 1024 * 1024);
  EXPECT_EQ(parse_json(response->body)["status"], "IN_PROGRESS");
}

}  // namespace
}  // namespace seedance::mock::test
