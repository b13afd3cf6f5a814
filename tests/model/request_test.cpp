// Request building and serialization: golden bodies, enum words, determinism, extra fields.
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

json load_golden(const std::string& name) {
  const std::string path = std::string(SEEDANCE_MODEL_GOLDEN_DIR) + "/" + name;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open golden file " + path);
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str());
}

VideoRequest full_request() {
  return VideoRequest()
      .model("seedance-2.0")
      .prompt(
          "A paper boat drifting down a rainy street, \"cinematic\"\n\tslow pan \\ \xE9\x9B\xA8")
      .image("https://example.com/first.png")
      .add_image("https://example.com/ref-1.png")
      .add_image("data:image/png;base64,iVBORw0KGgo=")
      .duration(5)
      .resolution(Resolution::P1080)
      .ratio(Ratio::R16x9)
      .seed(4294967295)
      .watermark(false)
      .generate_audio(true)
      .service_tier(ServiceTier::Priority)
      .execution_expires_after(172800)
      .return_last_frame(true)
      .callback_url("https://hooks.example.com/seedance?task=1&source=sdk")
      .frames(121)
      .camera_fixed(true)
      .draft(false)
      .add_content(ContentItem::text("The boat spins slowly"))
      .last_frame("https://example.com/last.png")
      .reference_image("data:image/jpeg;base64,/9j/4AAQ")
      .video("https://example.com/source.mp4")
      .audio("https://example.com/track.mp3");
}

TEST(RequestJson, EveryFieldOfTheSchemaMatchesTheGoldenBody) {
  const VideoRequest request = full_request();
  ASSERT_THAT(request.validate(), testing::IsEmpty());
  EXPECT_EQ(json::parse(request.to_json()), load_golden("full_request.json"));
}

TEST(RequestJson, TextToVideoSendsOnlyModelAndPromptAndNoEmptyMetadata) {
  const auto body =
      VideoRequest(std::string(models::kSeedance2Fast)).prompt("A lighthouse at dusk").to_json();
  EXPECT_EQ(json::parse(body), load_golden("text_to_video.json"));
}

TEST(RequestJson, ASingleImageItemNeedsNoRoleAndIsSentWithoutOne) {
  const auto body =
      VideoRequest().add_content(ContentItem::image("https://example.com/only.png")).to_json();
  EXPECT_EQ(json::parse(body), load_golden("single_image_item.json"));
}

TEST(RequestJson, ASingleImageStaysTheTopLevelImage) {
  const auto body = VideoRequest().prompt("A lighthouse").image("https://example.com/a.png");
  EXPECT_EQ(json::parse(body.to_json()), load_golden("single_image.json"));
}

TEST(RequestJson, ASingleImagesEntryStaysTheTopLevelImagesArray) {
  const json body =
      json::parse(VideoRequest().prompt("p").add_image("https://example.com/r.png").to_json());
  EXPECT_EQ(body.at("images"), json::array({"https://example.com/r.png"}));
  EXPECT_FALSE(body.contains("metadata"));
}

TEST(RequestJson, ImageAndImagesGoIntoContentWithRolesBeforeTheItems) {
  const auto request = VideoRequest()
                           .prompt("A lighthouse")
                           .image("https://example.com/first.png")
                           .add_image("https://example.com/ref-1.png")
                           .add_image("iVBORw0KGgo=")
                           .last_frame("https://example.com/last.png")
                           .reference_image("https://example.com/ref-2.png");
  EXPECT_EQ(json::parse(request.to_json()), load_golden("image_and_references.json"));
}

TEST(RequestJson, AnImageNextToAVideoItemMovesIntoContentAsTheFirstFrame) {
  // The gateway would replace a top-level image by metadata.content and lose it.
  const auto request = VideoRequest()
                           .prompt("Continue the shot")
                           .image("https://example.com/first.png")
                           .video("https://example.com/source.mp4");
  EXPECT_EQ(json::parse(request.to_json()), load_golden("image_with_video.json"));
}

TEST(RequestJson, BareBase64IsSentAsGiven) {
  const auto request = VideoRequest().prompt("A lighthouse").image("iVBORw0KGgo");
  EXPECT_EQ(json::parse(request.to_json()), load_golden("bare_base64.json"));
}

TEST(RequestJson, GettersReportImagesWhereTheyWereSetNotWhereTheyAreSent) {
  const auto request =
      VideoRequest().image("https://example.com/a.png").audio("https://example.com/t.mp3");
  EXPECT_EQ(request.image(), "https://example.com/a.png");
  ASSERT_EQ(request.content().size(), 1u);
  EXPECT_EQ(request.content()[0].type, ContentType::AudioUrl);
  const json body = json::parse(request.to_json());
  EXPECT_FALSE(body.contains("image"));
  EXPECT_EQ(body.at("metadata").at("content").size(), 2u);
}

TEST(RequestJson, ForwardCompatibilityFieldsAreSentAsIntegers) {
  const auto request = VideoRequest().prompt("p").frames(121).camera_fixed(1).draft(0);
  EXPECT_EQ(json::parse(request.to_json()), load_golden("forward_compat_int.json"));
}

TEST(RequestJson, ForwardCompatibilityFieldsAreSentAsBooleans) {
  const auto request = VideoRequest().prompt("p").frames(true).camera_fixed(false).draft(true);
  EXPECT_EQ(json::parse(request.to_json()), load_golden("forward_compat_bool.json"));
}

TEST(RequestJson, DurationIsSentOnceAtTheTopLevel) {
  const json body =
      json::parse(VideoRequest().prompt("p").duration(kAutoDuration).seed(1).to_json());
  EXPECT_EQ(body.at("duration"), -1);
  EXPECT_FALSE(body.contains("seconds"));
  ASSERT_TRUE(body.contains("metadata"));
  EXPECT_FALSE(body.at("metadata").contains("duration"));
}

TEST(RequestJson, OutputIsDeterministicAndCanonical) {
  const std::string body = full_request().to_json();
  EXPECT_EQ(body, full_request().to_json());
  // Sorted keys and no whitespace: byte-identical to nlohmann's own dump of the same document.
  EXPECT_EQ(body, json::parse(body).dump());
}

TEST(RequestJson, ControlCharactersAreEscaped) {
  const std::string prompt = std::string("bell\x07 nul") + '\0' + "\x1f end\b\f\r";
  const std::string body = VideoRequest().prompt(prompt).to_json();
  EXPECT_EQ(json::parse(body).at("prompt").get<std::string>(), prompt);
  EXPECT_EQ(body, json::parse(body).dump());
}

TEST(RequestJson, ExtraFieldsOverrideAndMergeIntoObjects) {
  const auto body =
      VideoRequest()
          .prompt("A lighthouse at dusk")
          .duration(5)
          .resolution(Resolution::P720)
          .seed(7)
          .watermark(false)
          .extra_field("duration", "8")
          .extra_field("metadata", R"({"seed": null, "watermark": true, "motion_strength": 0.5})")
          .extra_field("user", R"({"id": "u-42"})")
          .extra_field("seconds", "null")
          .to_json();
  EXPECT_EQ(json::parse(body), load_golden("extra_fields.json"));
}

TEST(RequestJson, ANonObjectExtraValueReplacesTheSdkObject) {
  const json body = json::parse(
      VideoRequest().prompt("p").seed(3).extra_field("metadata", R"("opaque")").to_json());
  EXPECT_EQ(body.at("metadata"), "opaque");
}

TEST(RequestJson, InvalidRequestThrowsValidationErrorWithEveryProblem) {
  const VideoRequest request = VideoRequest("").duration(3);
  try {
    (void)request.to_json();
    FAIL() << "to_json() accepted an invalid request";
  } catch (const ValidationError& error) {
    EXPECT_EQ(error.problems(), request.validate());
    EXPECT_EQ(error.problems().size(), 3u);  // model, prompt, duration
    EXPECT_THAT(error.what(), testing::HasSubstr("duration: must be 4..15"));
  }
}

TEST(RequestBuilder, GettersReturnWhatWasSet) {
  const VideoRequest request = full_request().extra_field("k", "1");
  EXPECT_EQ(request.model(), "seedance-2.0");
  EXPECT_EQ(request.image(), "https://example.com/first.png");
  EXPECT_EQ(request.images().size(), 2u);
  EXPECT_EQ(request.duration(), 5);
  EXPECT_EQ(request.resolution(), Resolution::P1080);
  EXPECT_EQ(request.ratio(), Ratio::R16x9);
  EXPECT_EQ(request.seed(), 4294967295);
  EXPECT_EQ(request.watermark(), false);
  EXPECT_EQ(request.generate_audio(), true);
  EXPECT_EQ(request.service_tier(), ServiceTier::Priority);
  EXPECT_EQ(request.execution_expires_after(), 172800);
  EXPECT_EQ(request.return_last_frame(), true);
  EXPECT_EQ(request.frames(), IntOrBool(121));
  EXPECT_EQ(request.camera_fixed(), IntOrBool(true));
  EXPECT_EQ(request.draft(), IntOrBool(false));
  ASSERT_EQ(request.content().size(), 5u);
  EXPECT_EQ(request.content()[1].type, ContentType::ImageUrl);
  EXPECT_EQ(request.content()[1].role, ImageRole::LastFrame);
  EXPECT_EQ(request.content()[3].type, ContentType::VideoUrl);
  EXPECT_EQ(request.content()[4].type, ContentType::AudioUrl);
  ASSERT_EQ(request.extra_fields().size(), 1u);
  EXPECT_EQ(request.extra_fields()[0].first, "k");
}

TEST(RequestBuilder, DefaultModelIsSeedance2) {
  EXPECT_EQ(VideoRequest().model(), models::kSeedance2);
}

template <typename Enum>
void expect_round_trip(std::initializer_list<std::pair<Enum, std::string_view>> words,
                       std::optional<Enum> (*parse)(std::string_view) noexcept) {
  for (const auto& [value, word] : words) {
    EXPECT_EQ(to_string(value), word);
    EXPECT_EQ(parse(word), value) << word;
  }
  EXPECT_EQ(parse(""), std::nullopt);
  EXPECT_EQ(parse("nonsense"), std::nullopt);
}

TEST(EnumWords, ResolutionRatioTierAndRoleRoundTrip) {
  expect_round_trip<Resolution>(
      {{Resolution::P480, "480p"}, {Resolution::P720, "720p"}, {Resolution::P1080, "1080p"}},
      &parse_resolution);
  expect_round_trip<Ratio>({{Ratio::R16x9, "16:9"},
                            {Ratio::R4x3, "4:3"},
                            {Ratio::R1x1, "1:1"},
                            {Ratio::R3x4, "3:4"},
                            {Ratio::R9x16, "9:16"},
                            {Ratio::R21x9, "21:9"},
                            {Ratio::Adaptive, "adaptive"}},
                           &parse_ratio);
  expect_round_trip<ServiceTier>({{ServiceTier::Auto, "auto"},
                                  {ServiceTier::Default, "default"},
                                  {ServiceTier::Priority, "priority"}},
                                 &parse_service_tier);
  expect_round_trip<ImageRole>({{ImageRole::FirstFrame, "first_frame"},
                                {ImageRole::LastFrame, "last_frame"},
                                {ImageRole::ReferenceImage, "reference_image"}},
                               &parse_image_role);
  EXPECT_EQ(parse_resolution("720P"), std::nullopt);  // the API's words, exactly
}

TEST(EnumWords, ContentTypeWords) {
  EXPECT_EQ(to_string(ContentType::Text), "text");
  EXPECT_EQ(to_string(ContentType::ImageUrl), "image_url");
  EXPECT_EQ(to_string(ContentType::VideoUrl), "video_url");
  EXPECT_EQ(to_string(ContentType::AudioUrl), "audio_url");
}

TEST(EnumWords, EveryRatioAndTierIsSerializedWithItsWord) {
  for (const Ratio ratio : {Ratio::R16x9, Ratio::R4x3, Ratio::R1x1, Ratio::R3x4, Ratio::R9x16,
                            Ratio::R21x9, Ratio::Adaptive}) {
    const json body = json::parse(VideoRequest().prompt("p").ratio(ratio).to_json());
    EXPECT_EQ(body.at("metadata").at("ratio"), to_string(ratio));
  }
  for (const ServiceTier tier : {ServiceTier::Auto, ServiceTier::Default, ServiceTier::Priority}) {
    const json body = json::parse(VideoRequest().prompt("p").service_tier(tier).to_json());
    EXPECT_EQ(body.at("metadata").at("service_tier"), to_string(tier));
  }
}

}  // namespace
}  // namespace seedance
