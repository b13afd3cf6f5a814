// VideoRequest::from_json(): the validated inverse of to_json().
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "seedance/error.hpp"
#include "seedance/request.hpp"

namespace seedance {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The problems from_json() reports for `text`; empty when it reads the body.
std::vector<std::string> problems_of(const std::string& text) {
  try {
    VideoRequest::from_json(text);
  } catch (const ValidationError& error) {
    return error.problems();
  }
  return {};
}

TEST(RequestFromJson, EveryGoldenBodyRoundTrips) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SEEDANCE_MODEL_GOLDEN_DIR)) {
    SCOPED_TRACE(entry.path().filename().string());
    const std::string golden = read_text(entry.path());
    const std::string body = VideoRequest::from_json(golden).to_json();
    EXPECT_EQ(json::parse(body), json::parse(golden));
    EXPECT_EQ(VideoRequest::from_json(body).to_json(), body);
    ++files;
  }
  EXPECT_GE(files, 10);
}

TEST(RequestFromJson, EveryTypedFieldIsReadBack) {
  const VideoRequest request = VideoRequest("seedance-2.0-fast")
                                   .prompt("p")
                                   .duration(-1)
                                   .resolution(Resolution::P480)
                                   .ratio(Ratio::Adaptive)
                                   .seed(-1)
                                   .watermark(true)
                                   .generate_audio(false)
                                   .service_tier(ServiceTier::Default)
                                   .execution_expires_after(60)
                                   .return_last_frame(false)
                                   .callback_url("https://hooks.example.com/x")
                                   .frames(true)
                                   .camera_fixed(0)
                                   .draft(1)
                                   .add_content(ContentItem::text("more"))
                                   .add_content(ContentItem::image("https://example.com/a.png"))
                                   .video("https://example.com/v.mp4")
                                   .audio("https://example.com/a.mp3");
  const VideoRequest read = VideoRequest::from_json(request.to_json());
  EXPECT_EQ(read.to_json(), request.to_json());
  EXPECT_EQ(read.model(), "seedance-2.0-fast");
  EXPECT_EQ(read.ratio(), Ratio::Adaptive);
  EXPECT_EQ(read.frames(), IntOrBool(true));
  EXPECT_EQ(read.camera_fixed(), IntOrBool(0));
  ASSERT_EQ(read.content().size(), 4u);
  EXPECT_EQ(read.content()[1].role, std::nullopt);
  EXPECT_EQ(read.content()[3].type, ContentType::AudioUrl);
  EXPECT_THAT(read.extra_fields(), IsEmpty());
}

TEST(RequestFromJson, UnknownMembersArePassedThroughAsExtraFields) {
  const VideoRequest read = VideoRequest::from_json(
      R"({"prompt":"p","future":{"a":1},"metadata":{"newer":true,"duration":5,"seed":3}})");
  EXPECT_EQ(read.seed(), 3);
  const json body = json::parse(read.to_json());
  EXPECT_EQ(body.at("future"), json({{"a", 1}}));
  EXPECT_EQ(body.at("metadata").at("newer"), true);
  EXPECT_EQ(body.at("metadata").at("duration"), 5);
  EXPECT_EQ(body.at("metadata").at("seed"), 3);
}

TEST(RequestFromJson, ProblemsNameTheField) {
  EXPECT_THAT(problems_of("not json"), ElementsAre("not valid JSON"));
  EXPECT_THAT(problems_of("[1]"), ElementsAre("must be a JSON object (a request body), got array"));
  EXPECT_THAT(problems_of(R"({"prompt":"p","duration":"5","images":"a.png"})"),
              ElementsAre("duration: must be an integer, got string",
                          "images: must be an array of strings, got string"));
  EXPECT_THAT(problems_of(R"({"prompt":"p","images":[1]})"),
              ElementsAre("images[0]: must be a string"));
  EXPECT_THAT(problems_of(R"({"prompt":"p","metadata":{"resolution":"4k","ratio":"2:1"}})"),
              ElementsAre("metadata.ratio: must be 16:9, 4:3, 1:1, 3:4, 9:16, 21:9 or adaptive, "
                          "got \"2:1\"",
                          "metadata.resolution: must be 480p, 720p or 1080p, got \"4k\""));
  EXPECT_THAT(problems_of(R"({"prompt":"p","metadata":{"frames":"121","watermark":1}})"),
              ElementsAre("metadata.frames: must be an integer or a boolean, got string",
                          "metadata.watermark: must be a boolean, got number"));
  EXPECT_THAT(problems_of(R"({"prompt":"p","metadata":[]})"),
              ElementsAre("metadata: must be an object, got array"));
  EXPECT_THAT(problems_of(R"({"prompt":"p","duration":60})"),
              ElementsAre(HasSubstr("duration: must be 4..15 seconds")));
}

TEST(RequestFromJson, ContentItemProblemsNameTheItem) {
  EXPECT_THAT(problems_of(R"({"prompt":"p","metadata":{"content":{}}})"),
              ElementsAre("metadata.content: must be an array, got object"));
  EXPECT_THAT(
      problems_of(
          R"({"prompt":"p","metadata":{"content":[1,{"text":"t"},{"type":"gif"},)"
          R"({"type":"image_url","image_url":"u"},)"
          R"({"type":"image_url","image_url":{"url":"https://x.com/a.png"},"role":"hero"}]}})"),
      ElementsAre("metadata.content[0]: must be an object, got number",
                  "metadata.content[1].type: required (text, image_url, video_url or audio_url)",
                  "metadata.content[2].type: must be text, image_url, video_url or audio_url, got "
                  "\"gif\"",
                  "metadata.content[3].image_url: must be an object with a url",
                  "metadata.content[4].role: must be first_frame, last_frame or reference_image"));
}

}  // namespace
}  // namespace seedance
