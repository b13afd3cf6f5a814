// Downloads: the bytes, the validators, Range/If-Range, and sizes too large to hold in memory.
#include <cstdint>
#include <ostream>
#include <string>

#include "test_util.hpp"

namespace seedance::mock::test {
namespace {

constexpr std::uint64_t kSize = 300000;

class ContentTest : public MockServerTest {
 protected:
  void SetUp() override {
    MockServerTest::SetUp();
    id = server.create_succeeded_task(kSize);
    path = "/v1/videos/" + id + "/content";
  }

  httplib::Result get(const httplib::Headers& headers = {}) { return client->Get(path, headers); }

  std::string id;
  std::string path;
};

TEST_F(ContentTest, FullDownloadMatchesTheExpectedBytes) {
  auto res = get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "video/mp4");
  EXPECT_EQ(res->get_header_value("Accept-Ranges"), "bytes");
  EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(kSize));
  const std::string etag = res->get_header_value("ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');  // strong: no W/ prefix
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(etag, server.task(id)->etag);
  EXPECT_NE(res->get_header_value("Last-Modified").find(" GMT"), std::string::npos);
  EXPECT_FALSE(res->has_header("Content-Range"));
  ASSERT_EQ(res->body.size(), kSize);
  EXPECT_EQ(res->body.substr(4, 8), "ftypisom");
  EXPECT_EQ(res->body.substr(36, 4), "mdat");
  EXPECT_TRUE(res->body == MockServer::expected_video(id, kSize));
}

TEST_F(ContentTest, SubmittedTasksUseTheConfiguredSize) {
  server.set_video_size(4321);
  server.set_polls_to_complete(1);
  const std::string task = submit(*client);
  ASSERT_TRUE(client->Get("/v1/videos/" + task));
  auto res = client->Get("/v1/videos/" + task + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, MockServer::expected_video(task, 4321));
}

TEST(ExpectedVideo, RangesAgreeWithTheWholeAndDifferPerTask) {
  const std::string whole = MockServer::expected_video("task_a", 200000);
  ASSERT_EQ(whole.size(), 200000u);
  for (std::uint64_t offset : {0ull, 1ull, 7ull, 39ull, 40ull, 65535ull, 65536ull, 131071ull}) {
    EXPECT_EQ(MockServer::expected_video_range("task_a", 200000, offset, 1000),
              whole.substr(offset, 1000))
        << offset;
  }
  EXPECT_EQ(MockServer::expected_video_range("task_a", 200000, 199990, 100), whole.substr(199990));
  EXPECT_EQ(MockServer::expected_video_range("task_a", 200000, 200000, 10), "");
  EXPECT_NE(MockServer::expected_video("task_b", 200000), whole);
  // The repeating table must not make two 64 KiB periods equal.
  EXPECT_NE(whole.substr(65536, 4096), whole.substr(131072, 4096));
  EXPECT_EQ(MockServer::expected_video("task_a", 10), std::string("\0\0\0 ftypis", 10));
}

struct RangeCase {
  const char* name;
  const char* range;
  int status;
  std::uint64_t first;  // for 206
  std::uint64_t last;
};

void PrintTo(const RangeCase& c, std::ostream* os) { *os << c.range; }

class RangeTest : public ContentTest, public ::testing::WithParamInterface<RangeCase> {};

TEST_P(RangeTest, Answers) {
  const RangeCase& c = GetParam();
  auto res = get({{"Range", c.range}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, c.status);
  EXPECT_EQ(res->get_header_value("Accept-Ranges"), "bytes");
  if (c.status == 206) {
    EXPECT_EQ(res->get_header_value("Content-Range"), "bytes " + std::to_string(c.first) + "-" +
                                                          std::to_string(c.last) + "/" +
                                                          std::to_string(kSize));
    EXPECT_EQ(res->body,
              MockServer::expected_video_range(id, kSize, c.first, c.last - c.first + 1));
  } else if (c.status == 416) {
    EXPECT_EQ(res->get_header_value("Content-Range"), "bytes */" + std::to_string(kSize));
    EXPECT_EQ(parse_json(res->body)["error"]["code"], "range_not_satisfiable");
  } else {
    EXPECT_FALSE(res->has_header("Content-Range"));
    EXPECT_TRUE(res->body == MockServer::expected_video(id, kSize));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, RangeTest,
    ::testing::Values(RangeCase{"FirstBytes", "bytes=0-99", 206, 0, 99},
                      RangeCase{"Middle", "bytes=1000-70000", 206, 1000, 70000},
                      RangeCase{"OpenEnded", "bytes=299990-", 206, 299990, 299999},
                      RangeCase{"Suffix", "bytes=-10", 206, 299990, 299999},
                      RangeCase{"LastByte", "bytes=299999-299999", 206, 299999, 299999},
                      RangeCase{"EndClipped", "bytes=299000-999999", 206, 299000, 299999},
                      RangeCase{"SuffixLargerThanFile", "bytes=-999999", 206, 0, 299999},
                      RangeCase{"StartPastEnd", "bytes=300000-", 416, 0, 0},
                      RangeCase{"StartFarPastEnd", "bytes=400000-500000", 416, 0, 0},
                      RangeCase{"EmptySuffix", "bytes=-0", 416, 0, 0},
                      RangeCase{"SeveralRangesGetAll", "bytes=0-1,5-6", 200, 0, 0},
                      RangeCase{"OtherUnitIgnored", "items=0-1", 200, 0, 0},
                      RangeCase{"ReversedIgnored", "bytes=500-100", 200, 0, 0},
                      RangeCase{"GarbageIgnored", "bytes=abc", 200, 0, 0}),
    [](const ::testing::TestParamInfo<RangeCase>& info) { return std::string(info.param.name); });

TEST_F(ContentTest, IfRange) {
  const std::string etag = server.task(id)->etag;
  auto res = get({{"Range", "bytes=100-199"}, {"If-Range", etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 206);
  EXPECT_EQ(res->body, MockServer::expected_video_range(id, kSize, 100, 100));

  const std::string last_modified = get()->get_header_value("Last-Modified");
  res = get({{"Range", "bytes=100-199"}, {"If-Range", last_modified}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 206);

  for (const std::string& stale : {std::string("\"something-else\""), "W/" + etag,
                                   std::string("Thu, 01 Jan 1970 00:00:00 GMT")}) {
    res = get({{"Range", "bytes=100-199"}, {"If-Range", stale}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << stale;
    EXPECT_FALSE(res->has_header("Content-Range"));
    EXPECT_EQ(res->body.size(), kSize);
  }
}

TEST_F(ContentTest, ChangedEtagDefeatsIfRange) {
  const std::string old_etag = server.task(id)->etag;
  server.change_etag(id);
  const std::string new_etag = server.task(id)->etag;
  EXPECT_NE(new_etag, old_etag);
  auto res = get({{"Range", "bytes=100-199"}, {"If-Range", old_etag}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("ETag"), new_etag);
  EXPECT_TRUE(res->body == MockServer::expected_video(id, kSize));  // same bytes, new validator
}

TEST_F(ContentTest, Head) {
  auto res = client->Head(path);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(kSize));
  EXPECT_TRUE(res->body.empty());
}

TEST_F(ContentTest, HugeVideosAreGeneratedOnTheFly) {
  // Neither size is ever held in memory: a range at the end is served straight away.
  const std::uint64_t gib = 1024ull * 1024 * 1024;
  for (const std::uint64_t size : {gib, 5 * gib}) {
    const std::string task = server.create_succeeded_task(size);
    const std::string p = "/v1/videos/" + task + "/content";
    auto head = client->Head(p);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(size));
    auto res = client->Get(p, {{"Range", "bytes=-5000"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 206);
    EXPECT_EQ(res->body, MockServer::expected_video_range(task, size, size - 5000, 5000));
    res = client->Get(p, {{"Range", "bytes=0-47"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, MockServer::expected_video_range(task, size, 0, 48));
  }
  // Above 4 GiB the mdat box needs a 64-bit size (size field 1, then the largesize).
  const std::string big = MockServer::expected_video_range("task_x", 5 * gib, 32, 16);
  EXPECT_EQ(big.substr(0, 8), std::string("\0\0\0\1mdat", 8));
}

TEST_F(ContentTest, EmptyVideo) {
  const std::string task = server.create_succeeded_task(0);
  auto res = client->Get("/v1/videos/" + task + "/content");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Length"), "0");
  EXPECT_TRUE(res->body.empty());
  res = client->Get("/v1/videos/" + task + "/content", {{"Range", "bytes=0-"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 416);
  EXPECT_EQ(res->get_header_value("Content-Range"), "bytes */0");
}

}  // namespace
}  // namespace seedance::mock::test
