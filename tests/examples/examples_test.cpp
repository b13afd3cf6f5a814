// Runs every example program, and the README's code, against the in-process mock server: the
// examples and the docs cannot rot without failing CI.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "child_process.hpp"
#include "seedance/mock/mock_server.hpp"

namespace {

using seedance::mock::MockServer;
using seedance::mock::MockServerOptions;
using seedance::testing::ChildProcess;
using seedance::testing::ProcessResult;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class ExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MockServerOptions options;
    options.polls_to_complete = 1;  // the first poll finds SUCCESS: no waiting on the 5 s floor
    options.video_size = 64 * 1024;
    server_ = std::make_unique<MockServer>(options);
    server_->start();
    out_dir_ = ::testing::TempDir() + "examples-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string mkdir = "mkdir -p '" + out_dir_ + "'";
    ASSERT_EQ(std::system(mkdir.c_str()), 0);
  }

  ProcessResult run(const std::string& program, const std::vector<std::string>& arguments) {
    ChildProcess child(
        program, arguments,
        {"SEEDANCE_BASE_URL=" + server_->base_url(), "SEEDANCE_API_KEY=" + server_->api_key()});
    return child.finish();
  }

  /// Runs an example that prints "<task id> <path>" and checks the video it saved.
  void expect_generates(const std::string& program, std::vector<std::string> arguments,
                        const std::string& out_path) {
    const ProcessResult result = run(program, arguments);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::istringstream words(result.out);
    std::string task_id;
    words >> task_id;
    const auto task = server_->task(task_id);
    ASSERT_TRUE(task) << result.out;
    EXPECT_EQ(read_file(out_path), MockServer::expected_video(task_id, task->video_size));
  }

  std::unique_ptr<MockServer> server_;
  std::string out_dir_;
};

TEST_F(ExamplesTest, TextToVideo) {
  const std::string out = out_dir_ + "/t2v.mp4";
  expect_generates(EXAMPLE_text_to_video, {out}, out);
}

TEST_F(ExamplesTest, ImageToVideoFromALocalFile) {
  const std::string image = out_dir_ + "/frame.png";
  std::ofstream(image, std::ios::binary) << MockServer::last_frame_png();
  const std::string out = out_dir_ + "/i2v.mp4";
  expect_generates(EXAMPLE_image_to_video, {image, out}, out);
  const auto requests = server_->requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(requests.front().body.find("data:image/png;base64,"), std::string::npos);
}

TEST_F(ExamplesTest, FirstAndLastFrame) {
  const std::string out = out_dir_ + "/fl.mp4";
  expect_generates(EXAMPLE_first_last_frame,
                   {"https://example.com/first.png", "https://example.com/last.png", out}, out);
  const std::string body = server_->requests().front().body;
  EXPECT_NE(body.find("\"first_frame\""), std::string::npos);
  EXPECT_NE(body.find("\"last_frame\""), std::string::npos);
}

TEST_F(ExamplesTest, ReferenceImages) {
  const std::string out = out_dir_ + "/ref.mp4";
  expect_generates(EXAMPLE_reference_images,
                   {out, "https://example.com/a.png", "https://example.com/b.png"}, out);
  EXPECT_NE(server_->requests().front().body.find("\"reference_image\""), std::string::npos);
}

TEST_F(ExamplesTest, VideoContinuation) {
  const std::string out = out_dir_ + "/cont.mp4";
  expect_generates(EXAMPLE_video_continuation, {"https://example.com/source.mp4", out}, out);
  EXPECT_NE(server_->requests().front().body.find("\"video_url\""), std::string::npos);
}

TEST_F(ExamplesTest, AudioDrivenVideo) {
  const std::string out = out_dir_ + "/audio.mp4";
  expect_generates(EXAMPLE_audio_driven,
                   {"https://example.com/singer.png", "https://example.com/song.mp3", out}, out);
  EXPECT_NE(server_->requests().front().body.find("\"audio_url\""), std::string::npos);
}

TEST_F(ExamplesTest, GenerationOptions) {
  const std::string out = out_dir_ + "/options.mp4";
  const ProcessResult result = run(EXAMPLE_generation_options, {out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* field : {"\"seed\":42", "\"ratio\":\"21:9\"", "\"resolution\":\"720p\"",
                            "\"watermark\":false", "\"generate_audio\":true"}) {
    EXPECT_NE(result.out.find(field), std::string::npos) << field;
  }
  EXPECT_NE(result.err.find("SUCCESS 100%"), std::string::npos) << result.err;
  EXPECT_FALSE(read_file(out).empty());
}

TEST_F(ExamplesTest, ReadmeExampleRuns) {
  const ProcessResult result = run(README_SNIPPET_0, {});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("saved to boat.mp4"), std::string::npos);
}

TEST_F(ExamplesTest, ManyTasks) {
  const ProcessResult result = run(EXAMPLE_many_tasks, {out_dir_, "one", "two", "three", "four"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::size_t videos = 0;
  for (std::string task_id, path; lines >> task_id >> path; ++videos) {
    const auto task = server_->task(task_id);
    ASSERT_TRUE(task) << task_id;
    EXPECT_EQ(path, out_dir_ + "/" + task_id + ".mp4");
    EXPECT_EQ(read_file(path), MockServer::expected_video(task_id, task->video_size));
  }
  EXPECT_EQ(videos, 4u);
  EXPECT_EQ(server_->count("POST", "/v1/videos"), 4u);
}

}  // namespace
