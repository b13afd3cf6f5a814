// The mock's internal parts on their own: route parsing, the task store's lifecycle, ranges and
// the fault book.
#include <gtest/gtest.h>

#include "content.hpp"
#include "faults.hpp"
#include "routes.hpp"
#include "task_store.hpp"

namespace seedance::mock::detail {
namespace {

TEST(RouteParse, ApiPathsAndAlias) {
  EXPECT_EQ(parse_route("/v1/videos").kind, Route::Collection);
  const Route detail = parse_route("/v1/video/generations/task_1");
  EXPECT_EQ(detail.kind, Route::Detail);
  EXPECT_EQ(detail.id, "task_1");
  EXPECT_TRUE(detail.alias);
  const Route content = parse_route("/v1/videos/task_1/content");
  EXPECT_EQ(content.kind, Route::Content);
  EXPECT_FALSE(content.alias);
  EXPECT_EQ(parse_route("/v1/videos/").kind, Route::Unknown);
  EXPECT_EQ(parse_route("/v1/videos/task_1/other").kind, Route::Unknown);
  EXPECT_EQ(parse_route("/v1/videosx").kind, Route::Unknown);
}

TEST(RouteParse, UpstreamStorage) {
  const Route r = parse_route("/upstream-storage/task_1/last_frame.png");
  EXPECT_EQ(r.kind, Route::Storage);
  EXPECT_EQ(r.id, "task_1");
  EXPECT_EQ(r.file, "last_frame.png");
  EXPECT_EQ(parse_route("/upstream-storage/task_1/other.bin").kind, Route::Unknown);
  EXPECT_EQ(parse_route("/upstream-storage//video.mp4").kind, Route::Unknown);
}

TEST(RouteParse, GatewayRoutesOnlyItsMethods) {
  EXPECT_FALSE(gateway_unrouted("POST", parse_route("/v1/videos")));
  EXPECT_TRUE(gateway_unrouted("GET", parse_route("/v1/videos")));
  EXPECT_FALSE(gateway_unrouted("HEAD", parse_route("/v1/videos/t")));
  EXPECT_TRUE(gateway_unrouted("GET", parse_route("/v1/video/generations/t/content")));
  EXPECT_TRUE(gateway_unrouted("GET", parse_route("/nowhere")));
}

TEST(RouteParse, Origins) {
  EXPECT_EQ(base_url("0.0.0.0", 80), "http://127.0.0.1:80");
  EXPECT_EQ(base_url("::", 80), "http://[::1]:80");
  EXPECT_EQ(upstream_base_url("127.0.0.1", 80), "http://localhost:80");
  EXPECT_EQ(upstream_base_url("localhost", 80), "http://127.0.0.1:80");
}

TEST(TaskStoreLifecycle, PollsMoveATaskToItsEnd) {
  TaskStore store(42);
  const Task added = store.add(submitted_task("m", "a cat", false, {3, 100}));
  EXPECT_EQ(added.phase, Phase::NotStart);
  EXPECT_EQ(store.detail(added.id, true)->phase, Phase::Queued);
  const Task second = *store.detail(added.id, true);
  EXPECT_EQ(second.phase, Phase::InProgress);
  EXPECT_EQ(second.progress, 50);
  EXPECT_EQ(store.detail(added.id, false)->polls, 2);  // HEAD-like: not counted
  const Task done = *store.detail(added.id, true);
  EXPECT_EQ(done.phase, Phase::Success);
  EXPECT_NE(done.finish_time, 0);
  EXPECT_EQ(store.detail(added.id, true)->phase, Phase::Success);
  EXPECT_FALSE(store.detail("task_none", true));
}

TEST(TaskStoreLifecycle, MarkersChooseTheEnd) {
  TaskStore store(1);
  const Task failing = store.add(submitted_task("m", "x mock:fail", false, {1, 100}));
  EXPECT_EQ(store.detail(failing.id, true)->phase, Phase::Failure);
  const Task stuck = store.add(submitted_task("m", "mock:stuck-unknown", false, {1, 100}));
  EXPECT_EQ(store.detail(stuck.id, true)->phase, Phase::Unknown);
  const Task cut = store.add(submitted_task("m", "mock:cut-content", false, {1, 100}));
  EXPECT_TRUE(store.take_cut(cut.id));
  EXPECT_FALSE(store.take_cut(cut.id));
}

TEST(TaskStoreLifecycle, IdsAreDistinctAndEtagsChange) {
  TaskStore store(7);
  TaskOptions options;
  const Task a = store.add(created_task(options, {3, 10}));
  const Task b = store.add(created_task(options, {3, 10}));
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(store.size(), 2u);
  const std::string etag = store.snapshot(a.id)->etag;
  store.change_etag(a.id);
  EXPECT_NE(store.snapshot(a.id)->etag, etag);
  EXPECT_EQ(store.snapshot(a.id)->status, "SUCCESS");
}

TEST(ContentRange, SingleRangesAndRefusals) {
  Reply whole;
  whole.video = true;
  whole.video_size = 100;
  whole.length = 100;
  const Reply part = apply_range(whole, "bytes=10-19");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.offset, 10u);
  EXPECT_EQ(part.length, 10u);
  EXPECT_EQ(apply_range(whole, "bytes=-30").offset, 70u);
  EXPECT_EQ(apply_range(whole, "bytes=100-").status, 416);
  EXPECT_EQ(apply_range(whole, "bytes=0-1,5-6").status, 200);
  EXPECT_EQ(apply_range(whole, "items=0-1").status, 200);
}

TEST(FaultBookTake, FirstMatchUsedUp) {
  FaultBook book;
  FaultRule first = FaultRule::parse("GET /v1/videos/{id}: status=503");
  book.add(first);
  book.add(FaultRule::parse("* *: close-before-response times=always"));
  EXPECT_FALSE(book.next_closes("GET", "/v1/videos/t"));
  EXPECT_EQ(book.take("get", "/v1/videos/t")->status, 503);
  EXPECT_TRUE(book.next_closes("GET", "/v1/videos/t"));
  EXPECT_TRUE(book.take("POST", "/v1/videos")->close_before_response);
  EXPECT_EQ(book.pending(), 1u);
  EXPECT_EQ(fault_reply(FaultRule::parse("/x: body=html")).status, 502);
}

}  // namespace
}  // namespace seedance::mock::detail
