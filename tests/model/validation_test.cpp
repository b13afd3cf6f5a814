// VideoRequest::validate(): one failing input per rule, the accepted edges, and all problems at
// once.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seedance/request.hpp"

namespace seedance {
namespace {

using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::SizeIs;

const char kPng[] = "data:image/png;base64,iVBORw0KGgo=";
const char kMp4[] = "https://example.com/v.mp4";

VideoRequest prompted() { return VideoRequest().prompt("A paper boat"); }

TEST(Validation, AMinimalRequestIsValid) { EXPECT_THAT(prompted().validate(), IsEmpty()); }

TEST(Validation, ModelMustNotBeEmpty) {
  EXPECT_THAT(prompted().model("").validate(), ElementsAre("model: must not be empty"));
  EXPECT_THAT(prompted().model("  ").validate(), ElementsAre("model: must not be empty"));
  EXPECT_THAT(prompted().model("seedance-3.0-preview").validate(), IsEmpty());
}

TEST(Validation, PromptOrVisualInputIsRequired) {
  EXPECT_THAT(VideoRequest().validate(),
              ElementsAre(AllOf(HasSubstr("prompt: required"), HasSubstr("visual input"))));
  EXPECT_THAT(VideoRequest().audio("https://example.com/a.mp3").validate(),
              ElementsAre(HasSubstr("prompt: required")));
}

TEST(Validation, AnyVisualInputOrATextItemReplacesThePrompt) {
  EXPECT_THAT(VideoRequest().image("https://example.com/a.png").validate(), IsEmpty());
  EXPECT_THAT(VideoRequest().add_image("https://example.com/a.png").validate(), IsEmpty());
  EXPECT_THAT(VideoRequest().first_frame("https://example.com/a.png").validate(), IsEmpty());
  EXPECT_THAT(VideoRequest().video("https://example.com/a.mp4").validate(), IsEmpty());
  EXPECT_THAT(VideoRequest().add_content(ContentItem::text("A boat")).validate(), IsEmpty());
}

TEST(Validation, PromptMustNotBeBlank) {
  EXPECT_THAT(VideoRequest().prompt("").validate(),
              ElementsAre("prompt: must not be empty or only whitespace"));
  EXPECT_THAT(VideoRequest().prompt(" \n\t").validate(),
              ElementsAre("prompt: must not be empty or only whitespace"));
}

TEST(Validation, PromptMustBeUtf8) {
  EXPECT_THAT(VideoRequest().prompt("caf\xE9").validate(),
              ElementsAre("prompt: must be valid UTF-8"));
  EXPECT_THAT(VideoRequest().prompt("caf\xC3\xA9 \xF0\x9F\x8E\xA5").validate(), IsEmpty());
}

TEST(Validation, FastModelRefuses1080p) {
  const auto fast = [] { return prompted().model(std::string(models::kSeedance2Fast)); };
  EXPECT_THAT(fast().resolution(Resolution::P1080).validate(),
              ElementsAre(AllOf(HasSubstr("resolution:"), HasSubstr("seedance-2.0-fast"),
                                HasSubstr("1080p"))));
  EXPECT_THAT(fast().resolution(Resolution::P720).validate(), IsEmpty());
  EXPECT_THAT(prompted().resolution(Resolution::P1080).validate(), IsEmpty());
}

TEST(Validation, DurationMustBe4To15OrAutomatic) {
  EXPECT_THAT(prompted().duration(3).validate(),
              ElementsAre("duration: must be 4..15 seconds or -1 (automatic), got 3"));
  EXPECT_THAT(prompted().duration(16).validate(), ElementsAre(HasSubstr("got 16")));
  EXPECT_THAT(prompted().duration(0).validate(), SizeIs(1));
  EXPECT_THAT(prompted().duration(-2).validate(), SizeIs(1));
  for (const int seconds : {4, 10, 15, kAutoDuration}) {
    EXPECT_THAT(prompted().duration(seconds).validate(), IsEmpty()) << seconds;
  }
}

TEST(Validation, SeedMustBeMinusOneTo2Pow32MinusOne) {
  EXPECT_THAT(prompted().seed(-2).validate(),
              ElementsAre("seed: must be -1..4294967295 (-1 means random), got -2"));
  EXPECT_THAT(prompted().seed(4294967296).validate(), ElementsAre(HasSubstr("got 4294967296")));
  for (const std::int64_t seed : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{4294967295}}) {
    EXPECT_THAT(prompted().seed(seed).validate(), IsEmpty()) << seed;
  }
}

TEST(Validation, ExecutionExpiresAfterMustBePositive) {
  EXPECT_THAT(prompted().execution_expires_after(0).validate(),
              ElementsAre("execution_expires_after: must be a positive number of seconds, got 0"));
  EXPECT_THAT(prompted().execution_expires_after(-60).validate(), SizeIs(1));
  EXPECT_THAT(prompted().execution_expires_after(172800).validate(), IsEmpty());
}

TEST(Validation, CallbackUrlMustBeHttp) {
  for (const char* url : {"ftp://hooks.example.com/x", "hooks.example.com/x", "https://",
                          "https:///path", "https://hooks.example.com/a b", ""}) {
    EXPECT_THAT(prompted().callback_url(url).validate(),
                ElementsAre(HasSubstr("callback_url: must be an http(s) URL, got \"")))
        << url;
  }
  EXPECT_THAT(prompted().callback_url("http://127.0.0.1:8080/hook").validate(), IsEmpty());
  EXPECT_THAT(prompted().callback_url("HTTPS://hooks.example.com/x?a=1").validate(), IsEmpty());
}

TEST(Validation, ImageMustBeHttpOrImageDataUriOrBase64) {
  EXPECT_THAT(prompted().image("/home/me/cat.png").validate(),
              ElementsAre(AllOf(HasSubstr("image: must be an http(s) URL, a data:image/"),
                                HasSubstr("or bare base64"), HasSubstr("image_file()"),
                                HasSubstr("/home/me/cat.png"))));
  EXPECT_THAT(prompted().image("ftp://example.com/cat.png").validate(), SizeIs(1));
  EXPECT_THAT(prompted().image(kPng).validate(), IsEmpty());
  EXPECT_THAT(prompted().image("https://example.com/cat.png").validate(), IsEmpty());
}

TEST(Validation, BareBase64IsAnImageInEveryImageField) {
  for (const char* data : {"iVBORw0KGgo=", "iVBORw0KGgo", "/9j/4A==", "/9j/4A", "R0lGODlh"}) {
    EXPECT_THAT(prompted().image(data).validate(), IsEmpty()) << data;
    EXPECT_THAT(prompted().add_image(data).validate(), IsEmpty()) << data;
    EXPECT_THAT(prompted().add_content(ContentItem::image(data)).validate(), IsEmpty()) << data;
  }
}

TEST(Validation, Base64OfALengthNoEncoderProducesIsRefused) {
  // A lone last character, padding short of a group of four, or more than two '='.
  for (const char* data : {"iVBORw0KG", "/9j/4A=", "AA===", "="}) {
    EXPECT_THAT(prompted().image(data).validate(),
                ElementsAre(HasSubstr("image: must be an http(s) URL, a data:image/")))
        << data;
  }
  EXPECT_THAT(prompted().add_image("https://e.com/a.png").add_image("AA=").validate(),
              ElementsAre(HasSubstr("images[1]: must be an http(s) URL")));
  EXPECT_THAT(prompted().reference_image("abcde").validate(),
              ElementsAre(HasSubstr("metadata.content[0].image_url.url: must be an http(s) URL")));
}

TEST(Validation, EveryImagesEntryIsCheckedAndNamedByIndex) {
  EXPECT_THAT(prompted().add_image("https://example.com/a.png").add_image("cat.png").validate(),
              ElementsAre(HasSubstr("images[1]: must be an http(s) URL")));
}

TEST(Validation, ImageDataUriMustBeBase64Image) {
  for (const char* uri : {"data:text/plain;base64,aGVsbG8=", "data:image/png,rawbytes",
                          "data:image/png;base64,", "data:image/png;base64,!!notbase64!!",
                          "data:image/;base64,AAAA", "data:image/png;base64"}) {
    EXPECT_THAT(prompted().image(uri).validate(),
                ElementsAre(HasSubstr("image: a data: URI must have the form "
                                      "data:image/<type>;base64,<base64 data>")))
        << uri;
  }
  EXPECT_THAT(prompted().image("DATA:IMAGE/JPEG;BASE64,/9j/4A==").validate(), IsEmpty());
  EXPECT_THAT(prompted().image("data:image/svg+xml;charset=utf-8;base64,PHN2Zz4=").validate(),
              IsEmpty());
}

TEST(Validation, VideoAndAudioTakeOnlyHttpUrls) {
  EXPECT_THAT(prompted().video("data:video/mp4;base64,AAAA").validate(),
              ElementsAre(AllOf(HasSubstr("metadata.content[0].video_url.url: must be an http(s) "
                                          "URL"),
                                HasSubstr("only images take inline data"))));
  EXPECT_THAT(prompted().audio("/tmp/track.mp3").validate(),
              ElementsAre(AllOf(HasSubstr("metadata.content[0].audio_url.url"),
                                HasSubstr("only images take inline data"))));
  EXPECT_THAT(prompted().video("https://example.com/v.mp4").audio("http://e.com/a.mp3").validate(),
              IsEmpty());
}

TEST(Validation, ImageContentItemUrlsAreChecked) {
  EXPECT_THAT(prompted().first_frame("data:image/png;base64,@@").validate(),
              ElementsAre(HasSubstr("metadata.content[0].image_url.url: a data: URI")));
  EXPECT_THAT(prompted().reference_image("ref.png").validate(),
              ElementsAre(HasSubstr("metadata.content[0].image_url.url: must be an http(s) URL")));
}

TEST(Validation, AtMostOneFirstFrame) {
  EXPECT_THAT(
      prompted().first_frame("https://e.com/1.png").first_frame("https://e.com/2.png").validate(),
      ElementsAre("metadata.content[0], metadata.content[1]: at most one image may have role "
                  "first_frame, got 2"));
}

TEST(Validation, TheTopLevelImageIsTheFirstFrame) {
  EXPECT_THAT(prompted().image(kPng).first_frame("https://e.com/2.png").validate(),
              ElementsAre("image, metadata.content[0]: at most one image may have role "
                          "first_frame, got 2 (the top-level image is the first frame)"));
  EXPECT_THAT(prompted().image(kPng).last_frame(kPng).add_image(kPng).validate(), IsEmpty());
}

TEST(Validation, AtMostOneLastFrame) {
  EXPECT_THAT(prompted().last_frame(kPng).last_frame(kPng).last_frame(kPng).validate(),
              ElementsAre("metadata.content[0], metadata.content[1], metadata.content[2]: at most "
                          "one image may have role last_frame, got 3"));
}

TEST(Validation, FirstAndLastFramePlusReferencesAreFine) {
  EXPECT_THAT(prompted()
                  .first_frame(kPng)
                  .last_frame(kPng)
                  .reference_image(kPng)
                  .reference_image(kPng)
                  .validate(),
              IsEmpty());
}

TEST(Validation, EveryImageNeedsARoleWhenThereAreSeveral) {
  EXPECT_THAT(prompted()
                  .first_frame("https://e.com/1.png")
                  .add_content(ContentItem::image("https://e.com/2.png"))
                  .validate(),
              ElementsAre(AllOf(HasSubstr("metadata.content[1].role: required on every image"),
                                HasSubstr("more than one image"))));
}

TEST(Validation, TopLevelImagesCountWhenAContentImageLacksARole) {
  // to_json() sends them all in metadata.content, where every image needs a role.
  EXPECT_THAT(prompted().image(kPng).add_content(ContentItem::image(kPng)).validate(),
              ElementsAre(HasSubstr("metadata.content[0].role: required on every image")));
  EXPECT_THAT(prompted().add_image(kPng).add_content(ContentItem::image(kPng)).validate(),
              SizeIs(1));
  EXPECT_THAT(prompted().add_content(ContentItem::image(kPng)).video(kMp4).validate(), IsEmpty());
}

TEST(Validation, TextItemsNeedText) {
  EXPECT_THAT(prompted().add_content(ContentItem::text(" ")).validate(),
              ElementsAre("metadata.content[0].text: must not be empty or only whitespace"));
}

TEST(Validation, OnlyImagesTakeARole) {
  ContentItem video = ContentItem::video("https://e.com/v.mp4");
  video.role = ImageRole::FirstFrame;
  EXPECT_THAT(prompted().add_content(video).validate(),
              ElementsAre("metadata.content[0].role: only image_url items take a role, got "
                          "first_frame on a video_url item"));
  ContentItem text = ContentItem::text("words");
  text.role = ImageRole::ReferenceImage;
  EXPECT_THAT(prompted().add_content(text).validate(),
              ElementsAre(HasSubstr("metadata.content[0].role: only image_url items")));
}

TEST(Validation, ExtraFieldValueMustBeJson) {
  EXPECT_THAT(prompted().extra_field("user", "{not json").validate(),
              ElementsAre(HasSubstr(
                  "extra_field \"user\": the value must be valid JSON, got \"{not json\"")));
  EXPECT_THAT(prompted().extra_field("user", "").validate(), SizeIs(1));
  EXPECT_THAT(prompted().extra_field("user", R"({"id": 1})").extra_field("n", "2").validate(),
              IsEmpty());
}

TEST(Validation, ExtraFieldKeyMustNotBeEmpty) {
  EXPECT_THAT(prompted().extra_field("", "1").validate(),
              ElementsAre("extra_field: the key must not be empty"));
}

TEST(Validation, ForwardCompatibilityFieldsAreAcceptedWithAnyValue) {
  EXPECT_THAT(prompted().frames(-7).camera_fixed(true).draft(true).validate(), IsEmpty());
  EXPECT_THAT(prompted().frames(false).camera_fixed(2).draft(-1).validate(), IsEmpty());
}

TEST(Validation, EveryProblemIsReportedAtOnce) {
  const auto problems = VideoRequest(std::string(models::kSeedance2Fast))
                            .resolution(Resolution::P1080)
                            .duration(20)
                            .seed(-5)
                            .execution_expires_after(0)
                            .callback_url("mailto:me@example.com")
                            .image("./first.png")
                            .video("data:video/mp4;base64,AAAA")
                            .first_frame(kPng)
                            .first_frame(kPng)
                            .extra_field("", "nope")
                            .validate();
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("resolution:"), HasSubstr("duration:"), HasSubstr("seed:"),
                          HasSubstr("execution_expires_after:"), HasSubstr("callback_url:"),
                          HasSubstr("image:"), HasSubstr("metadata.content[0].video_url.url:"),
                          HasSubstr("first_frame, got 3"), HasSubstr("key must not be empty"),
                          HasSubstr("must be valid JSON")));
}

TEST(Validation, LongValuesAreShortenedInMessages) {
  const std::string long_path = "/" + std::string(500, 'x') + ".png";
  const auto problems = prompted().image(long_path).validate();
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_LT(problems[0].size(), 250u);
  EXPECT_THAT(problems[0], HasSubstr("...\""));
}

}  // namespace
}  // namespace seedance
