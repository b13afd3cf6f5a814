// The mapping of request and wait flags onto VideoRequest and WaitOptions.
#include "request_flags.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "command_line.hpp"
#include "seedance/error.hpp"
#include "temp_dir.hpp"

namespace seedance::cli {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

using nlohmann::json;

constexpr const char* kPngDataPrefix = "data:image/png;base64,";

RequestFlags prompt_only(const std::string& prompt = "A paper boat on a rainy street") {
  RequestFlags flags;
  flags.prompt = prompt;
  return flags;
}

TEST(BuildVideoRequest, DefaultsToSeedance2AndSetsOnlyThePrompt) {
  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(prompt_only(), problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(request.model(), "seedance-2.0");
  EXPECT_EQ(request.prompt(), "A paper boat on a rainy street");
  EXPECT_FALSE(request.image());
  EXPECT_FALSE(request.duration());
  EXPECT_FALSE(request.resolution());
  EXPECT_FALSE(request.watermark());
  EXPECT_FALSE(request.generate_audio());
  EXPECT_FALSE(request.return_last_frame());
  EXPECT_THAT(request.content(), IsEmpty());
}

TEST(BuildVideoRequest, MapsEveryScalarFlag) {
  RequestFlags flags = prompt_only();
  flags.model = "seedance-2.0-fast";
  flags.duration = "7";
  flags.resolution = "720p";
  flags.ratio = "9:16";
  flags.seed = "4294967295";
  flags.watermark = true;
  flags.generate_audio = true;
  flags.service_tier = "priority";
  flags.expires_after = "172800";
  flags.return_last_frame = true;
  flags.callback_url = "https://hooks.example.com/done";

  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(flags, problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(request.model(), "seedance-2.0-fast");
  EXPECT_EQ(request.duration(), 7);
  EXPECT_EQ(request.resolution(), Resolution::P720);
  EXPECT_EQ(request.ratio(), Ratio::R9x16);
  EXPECT_EQ(request.seed(), 4294967295LL);
  EXPECT_EQ(request.watermark(), true);
  EXPECT_EQ(request.generate_audio(), true);
  EXPECT_EQ(request.service_tier(), ServiceTier::Priority);
  EXPECT_EQ(request.execution_expires_after(), 172800);
  EXPECT_EQ(request.return_last_frame(), true);
  EXPECT_EQ(request.callback_url(), "https://hooks.example.com/done");
}

TEST(BuildVideoRequest, DurationAutoAndMinusOneBothMeanAuto) {
  for (const char* text : {"auto", "-1"}) {
    RequestFlags flags = prompt_only();
    flags.duration = text;
    std::vector<std::string> problems;
    EXPECT_EQ(build_video_request(flags, problems).duration(), kAutoDuration) << text;
    EXPECT_THAT(problems, IsEmpty()) << text;
  }
}

TEST(BuildVideoRequest, MapsUrlImagesToTheirFieldsAndRoles) {
  RequestFlags flags = prompt_only();
  flags.image = "https://img.example.com/first.png";
  flags.images = {"https://img.example.com/a.png", "https://img.example.com/b.png"};
  flags.last_frame = "https://img.example.com/lf.png";
  flags.reference_images = {"https://img.example.com/r1.png", "https://img.example.com/r2.png"};
  flags.video = "https://media.example.com/source.mp4";
  flags.audio = "https://media.example.com/track.mp3";

  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(flags, problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(request.image(), "https://img.example.com/first.png");
  EXPECT_EQ(request.images(), (std::vector<std::string>{"https://img.example.com/a.png",
                                                        "https://img.example.com/b.png"}));
  const auto& content = request.content();
  ASSERT_THAT(content, SizeIs(5));
  EXPECT_EQ(content[0].type, ContentType::ImageUrl);
  EXPECT_EQ(content[0].role, ImageRole::LastFrame);
  EXPECT_EQ(content[0].value, "https://img.example.com/lf.png");
  EXPECT_EQ(content[1].role, ImageRole::ReferenceImage);
  EXPECT_EQ(content[1].value, "https://img.example.com/r1.png");
  EXPECT_EQ(content[2].role, ImageRole::ReferenceImage);
  EXPECT_EQ(content[2].value, "https://img.example.com/r2.png");
  EXPECT_EQ(content[3].type, ContentType::VideoUrl);
  EXPECT_EQ(content[3].value, "https://media.example.com/source.mp4");
  EXPECT_EQ(content[4].type, ContentType::AudioUrl);
  EXPECT_EQ(content[4].value, "https://media.example.com/track.mp3");
}

TEST(BuildVideoRequest, MixedImageFlagsAreAllSentInContentWithRoles) {
  RequestFlags flags = prompt_only();
  flags.image = "https://img.example.com/first.png";
  flags.images = {"https://img.example.com/a.png"};
  flags.last_frame = "https://img.example.com/lf.png";
  std::vector<std::string> problems;
  const json body = json::parse(build_video_request(flags, problems).to_json());
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_FALSE(body.contains("image"));
  EXPECT_FALSE(body.contains("images"));
  EXPECT_EQ(body.at("prompt"), "A paper boat on a rainy street");
  const auto item = [](const char* url, const char* role) {
    return json{{"type", "image_url"}, {"image_url", {{"url", url}}}, {"role", role}};
  };
  EXPECT_EQ(body.at("metadata").at("content"),
            json::array({item("https://img.example.com/first.png", "first_frame"),
                         item("https://img.example.com/a.png", "reference_image"),
                         item("https://img.example.com/lf.png", "last_frame")}));
}

TEST(BuildVideoRequest, ImageAloneStaysTheTopLevelImage) {
  RequestFlags flags = prompt_only();
  flags.image = "https://img.example.com/first.png";
  std::vector<std::string> problems;
  const json body = json::parse(build_video_request(flags, problems).to_json());
  EXPECT_EQ(body.at("image"), "https://img.example.com/first.png");
  EXPECT_FALSE(body.contains("metadata"));
}

TEST(BuildVideoRequest, ImageAndFirstFrameTogetherAreAProblemNamingBoth) {
  RequestFlags flags = prompt_only();
  flags.image = "https://img.example.com/a.png";
  flags.first_frame = "https://img.example.com/b.png";
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, ElementsAre(AllOf(StartsWith("image, metadata.content[0]: "),
                                          HasSubstr("at most one image may have role "
                                                    "first_frame"))));
}

TEST(BuildVideoRequest, BareBase64IsPassedThroughByEveryImageFlag) {
  const std::string data = "iVBORw0KGgo=";
  EXPECT_EQ(resolve_image_argument(data), data);
  RequestFlags flags = prompt_only();
  flags.image = data;
  std::vector<std::string> problems;
  EXPECT_EQ(json::parse(build_video_request(flags, problems).to_json()).at("image"), data);
  flags.images = {data};
  flags.last_frame = data;
  flags.reference_images = {data};
  const VideoRequest request = build_video_request(flags, problems);
  EXPECT_THAT(problems, IsEmpty());
  const json body = json::parse(request.to_json());  // outlives the loop over its content
  ASSERT_EQ(body.at("metadata").at("content").size(), 4u);
  for (const auto& item : body.at("metadata").at("content")) {
    EXPECT_EQ(item.at("image_url").at("url"), data);
  }
}

TEST(BuildVideoRequest, ForwardCompatibilityFlagsTakeANumberOrABoolean) {
  RequestFlags flags = prompt_only();
  flags.frames = "121";
  flags.camera_fixed = "true";
  flags.draft = "0";
  std::vector<std::string> problems;
  const json metadata = json::parse(build_video_request(flags, problems).to_json()).at("metadata");
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(metadata, (json{{"frames", 121}, {"camera_fixed", true}, {"draft", 0}}));
  flags.frames = "false";
  flags.camera_fixed = "-3";
  flags.draft = "true";
  const VideoRequest request = build_video_request(flags, problems);
  EXPECT_EQ(request.frames(), IntOrBool(false));
  EXPECT_EQ(request.camera_fixed(), IntOrBool(-3));
  EXPECT_EQ(request.draft(), IntOrBool(true));
}

TEST(BuildVideoRequest, ForwardCompatibilityFlagsRefuseOtherWords) {
  RequestFlags flags = prompt_only();
  flags.frames = "lots";
  flags.camera_fixed = "yes";
  flags.draft = "99999999999";
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, ElementsAre("--frames: 'lots' is not a whole number, true or false",
                                    "--camera-fixed: 'yes' is not a whole number, true or false",
                                    "--draft: '99999999999' is not a whole number, true or false"));
}

// The command line's request flags, parsed as `seedance submit --prompt p ARGS...` would be.
RequestFlags submit_flags(std::vector<const char*> argv) {
  argv.insert(argv.begin(), {"seedance", "submit", "--prompt", "p"});
  std::ostringstream out;
  std::ostringstream err;
  const ParseResult result =
      parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  EXPECT_TRUE(result.command_line) << err.str();
  return result.command_line ? result.command_line->request : RequestFlags{};
}

TEST(RequestFlagsCommandLine, CameraFixedAndDraftAloneMeanTrueAndTakeAValue) {
  const RequestFlags alone = submit_flags({"--camera-fixed", "--draft", "--frames", "24"});
  EXPECT_EQ(alone.camera_fixed, "true");
  EXPECT_EQ(alone.draft, "true");
  EXPECT_EQ(alone.frames, "24");
  const RequestFlags valued = submit_flags({"--camera-fixed=false", "--draft=1"});
  EXPECT_EQ(valued.camera_fixed, "false");
  EXPECT_EQ(valued.draft, "1");
  EXPECT_FALSE(valued.frames);
  const RequestFlags none = submit_flags({});
  EXPECT_FALSE(none.camera_fixed);
  EXPECT_FALSE(none.draft);
}

TEST(RequestFlagsCommandLine, BooleansTakeBothWaysAndTheLastOneCounts) {
  const RequestFlags on =
      submit_flags({"--watermark", "--generate-audio=true", "--return-last-frame"});
  EXPECT_EQ(on.watermark, true);
  EXPECT_EQ(on.generate_audio, true);
  EXPECT_EQ(on.return_last_frame, true);
  const RequestFlags off =
      submit_flags({"--no-watermark", "--generate-audio=false", "--no-return-last-frame"});
  EXPECT_EQ(off.watermark, false);
  EXPECT_EQ(off.generate_audio, false);
  EXPECT_EQ(off.return_last_frame, false);
  EXPECT_EQ(submit_flags({"--watermark", "--no-watermark"}).watermark, false);
  EXPECT_EQ(submit_flags({"--no-watermark", "--watermark"}).watermark, true);
  EXPECT_FALSE(submit_flags({}).watermark);
}

TEST(RequestFlagsCommandLine, IntOrBoolFieldsHaveANegation) {
  const RequestFlags off = submit_flags({"--no-camera-fixed", "--no-draft", "--no-frames"});
  EXPECT_EQ(off.camera_fixed, "false");
  EXPECT_EQ(off.draft, "false");
  EXPECT_EQ(off.frames, "false");
}

TEST(BuildVideoRequest, FalseBooleansAreSentAsFalse) {
  RequestFlags flags = prompt_only();
  flags.watermark = false;
  flags.generate_audio = false;
  flags.return_last_frame = false;
  std::vector<std::string> problems;
  const json body = json::parse(build_video_request(flags, problems).to_json());
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(body.at("metadata").at("watermark"), false);
  EXPECT_EQ(body.at("metadata").at("generate_audio"), false);
  EXPECT_EQ(body.at("metadata").at("return_last_frame"), false);
}

TEST(BuildVideoRequest, SetPutsFieldsTheToolDoesNotKnowIntoTheBody) {
  RequestFlags flags = prompt_only();
  flags.resolution = "720p";
  flags.set_fields = {"metadata.new_option={\"a\":[1,2]}", "metadata.style=\"noir\"",
                      "top_level=3"};
  std::vector<std::string> problems;
  const json body = json::parse(build_video_request(flags, problems).to_json());
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(body.at("metadata").at("new_option"), json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(body.at("metadata").at("style"), "noir");
  EXPECT_EQ(body.at("metadata").at("resolution"), "720p");  // merged, not replaced
  EXPECT_EQ(body.at("top_level"), 3);
}

TEST(BuildVideoRequest, SetRefusesFieldsWithAFlagAndValuesThatAreNotJson) {
  RequestFlags flags = prompt_only();
  flags.set_fields = {
      "metadata.watermark=true", "model=\"x\"", "metadata.style=noir", "no_equals", "metadata={}",
      "metadata.a.b=1"};
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(
      problems,
      ElementsAre("--set 'metadata.watermark=true': metadata.watermark has a flag: use --watermark",
                  "--set 'model=\"x\"': model has a flag: use --model",
                  "--set 'metadata.style=noir': 'noir' is not JSON (a string needs its quotes: "
                  "'\"text\"')",
                  "--set 'no_equals': give KEY=JSON, where KEY is a field or metadata.FIELD",
                  "--set 'metadata={}': give KEY=JSON, where KEY is a field or metadata.FIELD",
                  "--set 'metadata.a.b=1': give KEY=JSON, where KEY is a field or "
                  "metadata.FIELD"));
}

TEST(BuildVideoRequest, SetValuesGoThroughTheBoundedParser) {
  RequestFlags flags = prompt_only();
  flags.set_fields = {"metadata.deep=" + std::string(1000, '[') + std::string(1000, ']')};
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], HasSubstr("is not JSON"));
}

TEST(BuildVideoRequest, AtPathReadsALocalPngAsADataUriForEveryImageFlag) {
  testing::TempDir dir;
  const std::string png = dir.file("frame.png");
  testing::write_file(png, testing::tiny_png());

  RequestFlags flags;
  flags.image = "@" + png;
  flags.images = {"@" + png};
  flags.last_frame = "@" + png;
  flags.reference_images = {"@" + png};

  std::vector<std::string> problems;
  const VideoRequest request = build_video_request(flags, problems);
  EXPECT_THAT(problems, IsEmpty());
  const std::string expected = image_file(png);
  EXPECT_THAT(expected, StartsWith(kPngDataPrefix));
  EXPECT_EQ(request.image(), expected);
  EXPECT_EQ(request.images(), std::vector<std::string>{expected});
  ASSERT_THAT(request.content(), SizeIs(2));
  for (const auto& item : request.content()) EXPECT_EQ(item.value, expected);

  // --first-frame apart: next to --image it would be a second first frame.
  RequestFlags first_frame_only;
  first_frame_only.first_frame = "@" + png;
  const VideoRequest first = build_video_request(first_frame_only, problems);
  EXPECT_THAT(problems, IsEmpty());
  ASSERT_THAT(first.content(), SizeIs(1));
  EXPECT_EQ(first.content()[0].value, expected);
}

TEST(ResolveImageArgument, LeavesUrlsAndDataUrisAlone) {
  EXPECT_EQ(resolve_image_argument("https://img.example.com/a.png"),
            "https://img.example.com/a.png");
  EXPECT_EQ(resolve_image_argument("data:image/png;base64,AAAA"), "data:image/png;base64,AAAA");
}

TEST(BuildVideoRequest, UnreadableImageFileIsAProblemNamingFlagAndPath) {
  testing::TempDir dir;
  const std::string missing = dir.file("missing.png");
  RequestFlags flags = prompt_only();
  flags.image = "@" + missing;
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, Contains(AllOf(StartsWith("--image: "), HasSubstr("missing.png"))));
}

TEST(BuildVideoRequest, AFileThatIsNoImageIsAProblem) {
  testing::TempDir dir;
  const std::string text_file = dir.file("notes.txt");
  testing::write_file(text_file, "not an image");
  RequestFlags flags = prompt_only();
  flags.reference_images = {"@" + text_file};
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, Contains(StartsWith("--reference-image: ")));
}

TEST(BuildVideoRequest, ReportsEveryMalformedFlagAtOnce) {
  RequestFlags flags = prompt_only();
  flags.duration = "five";
  flags.resolution = "4k";
  flags.ratio = "2:1";
  flags.seed = "12abc";
  flags.service_tier = "gold";
  flags.expires_after = "1.5";
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, Contains(StartsWith("--duration: 'five'")));
  EXPECT_THAT(problems, Contains(StartsWith("--resolution: '4k'")));
  EXPECT_THAT(problems, Contains(StartsWith("--ratio: '2:1'")));
  EXPECT_THAT(problems, Contains(StartsWith("--seed: '12abc'")));
  EXPECT_THAT(problems, Contains(StartsWith("--service-tier: 'gold'")));
  EXPECT_THAT(problems, Contains(StartsWith("--expires-after: '1.5'")));
}

TEST(BuildVideoRequest, IncludesTheRequestsOwnValidationProblems) {
  RequestFlags flags = prompt_only();
  flags.duration = "99";                 // Parses, but is outside 4..15.
  flags.seed = "-2";                     // Parses, but is below -1.
  flags.video = "file:///tmp/clip.mp4";  // Not an http(s) URL.
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  EXPECT_THAT(problems, Contains(HasSubstr("duration")));
  EXPECT_THAT(problems, Contains(HasSubstr("seed")));
  EXPECT_THAT(problems, Contains(HasSubstr("video_url")));
}

TEST(BuildVideoRequest, NoPromptAndNoImageIsAProblem) {
  std::vector<std::string> problems;
  build_video_request(RequestFlags{}, problems);
  EXPECT_THAT(problems, Not(IsEmpty()));
}

TEST(BuildWaitOptions, KeepsTheLibraryDefaultsWhenNoFlagIsGiven) {
  std::vector<std::string> problems;
  const WaitOptions options = build_wait_options(WaitFlags{}, problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(options.poll_interval, WaitOptions{}.poll_interval);
  EXPECT_EQ(options.timeout, WaitOptions{}.timeout);
}

TEST(BuildWaitOptions, MapsSecondsToMilliseconds) {
  WaitFlags flags;
  flags.poll_interval = "7.5";
  flags.timeout = "600";
  std::vector<std::string> problems;
  const WaitOptions options = build_wait_options(flags, problems);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(options.poll_interval, std::chrono::milliseconds(7500));
  EXPECT_EQ(options.timeout, std::chrono::minutes(10));
}

TEST(BuildWaitOptions, AcceptsExactlyTheFloorOfFiveSeconds) {
  WaitFlags flags;
  flags.poll_interval = "5";
  std::vector<std::string> problems;
  EXPECT_EQ(build_wait_options(flags, problems).poll_interval, kMinPollInterval);
  EXPECT_THAT(problems, IsEmpty());
}

TEST(BuildWaitOptions, RefusesAPollIntervalBelowFiveSeconds) {
  for (const char* text : {"2", "4.99", "0", "-10"}) {
    WaitFlags flags;
    flags.poll_interval = text;
    std::vector<std::string> problems;
    build_wait_options(flags, problems);
    EXPECT_THAT(problems,
                ElementsAre(AllOf(StartsWith("--poll-interval:"), HasSubstr("5 seconds"))))
        << text;
  }
}

TEST(BuildWaitOptions, RefusesMalformedOrNegativeNumbers) {
  WaitFlags flags;
  flags.poll_interval = "ten";
  flags.timeout = "-1";
  std::vector<std::string> problems;
  build_wait_options(flags, problems);
  EXPECT_THAT(problems,
              ElementsAre(StartsWith("--poll-interval: 'ten'"), StartsWith("--timeout: '-1'")));
  flags.poll_interval = "nan";
  flags.timeout = "inf";
  problems.clear();
  build_wait_options(flags, problems);
  EXPECT_THAT(problems, SizeIs(2));
}

TEST(BuildWaitOptions, ZeroTimeoutMeansWaitForEver) {
  WaitFlags flags;
  flags.timeout = "0";
  std::vector<std::string> problems;
  EXPECT_EQ(build_wait_options(flags, problems).timeout, std::chrono::milliseconds(0));
  EXPECT_THAT(problems, IsEmpty());
}

TEST(ParseTimeoutFlag, TakesSecondsWithAFractionAndNamesWhatZeroMeans) {
  std::vector<std::string> problems;
  EXPECT_EQ(parse_timeout_flag("1.5", "sets no limit", problems), std::chrono::milliseconds(1500));
  EXPECT_EQ(parse_timeout_flag("0", "sets no limit", problems), std::chrono::milliseconds(0));
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(parse_timeout_flag("-1", "sets no limit", problems), std::nullopt);
  EXPECT_EQ(parse_timeout_flag("soon", "sets no limit", problems), std::nullopt);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "--timeout: '-1' is not a number of seconds (0 sets no limit)");
}

TEST(CheckOutputPath, AcceptsAFileInAnExistingDirectory) {
  testing::TempDir dir;
  std::vector<std::string> problems;
  check_output_path(dir.file("video.mp4"), false, problems);
  EXPECT_THAT(problems, IsEmpty());
}

TEST(CheckOutputPath, RefusesAMissingDirectoryADirectoryAndAnEmptyName) {
  testing::TempDir dir;
  std::vector<std::string> problems;
  check_output_path(dir.file("no-such-dir/video.mp4"), false, problems);
  check_output_path(dir.path().string(), false, problems);
  check_output_path("", false, problems);
  EXPECT_THAT(problems, ElementsAre(HasSubstr("does not exist"), HasSubstr("is a directory"),
                                    HasSubstr("empty")));
}

TEST(CheckOutputPath, RefusesAnExistingFileUnlessOverwriting) {
  testing::TempDir dir;
  const std::string existing = dir.file("video.mp4");
  testing::write_file(existing, "mine");
  std::vector<std::string> problems;
  check_output_path(existing, true, problems);
  EXPECT_THAT(problems, IsEmpty());
  check_output_path(existing, false, problems);
  EXPECT_THAT(problems, ElementsAre(HasSubstr("pass --overwrite")));
}

TEST(ParseStallTimeout, TakesWholeSecondsFromOne) {
  std::vector<std::string> problems;
  EXPECT_EQ(parse_stall_timeout("5", problems), std::chrono::seconds(5));
  EXPECT_EQ(parse_stall_timeout("0", problems), std::nullopt);
  EXPECT_EQ(parse_stall_timeout("1.5", problems), std::nullopt);
  EXPECT_EQ(parse_stall_timeout("soon", problems), std::nullopt);
  EXPECT_EQ(problems.size(), 3u);
}

TEST(ThrowIfAny, ThrowsAValidationErrorWithEveryProblem) {
  EXPECT_NO_THROW(throw_if_any({}));
  try {
    throw_if_any({"first", "second"});
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.problems(), ElementsAre("first", "second"));
  }
}

// A media flag naming an existing file without '@' sends nothing and says how to send the file.
TEST(BuildVideoRequest, ALocalFileWithoutTheAtSignIsAProblemThatSaysHow) {
  testing::TempDir dir;
  const std::string png = dir.file("first.png");
  testing::write_file(png, testing::tiny_png());
  RequestFlags flags = prompt_only();
  flags.image = png;
  flags.images = {png};
  flags.first_frame = png;
  flags.last_frame = png;
  flags.reference_images = {png};
  std::vector<std::string> problems;
  build_video_request(flags, problems);
  ASSERT_THAT(problems, SizeIs(5));
  for (const char* flag :
       {"--image", "--images", "--first-frame", "--last-frame", "--reference-image"}) {
    EXPECT_THAT(problems, Contains(std::string(flag) + ": '" + png +
                                   "' is a local file; to send a local file, write @" + png));
  }

  // Video and audio go by URL only, so '@' is no way out for them.
  flags = prompt_only();
  flags.video = png;
  flags.audio = png;
  problems.clear();
  build_video_request(flags, problems);
  ASSERT_THAT(problems, SizeIs(2));
  EXPECT_THAT(problems[0], StartsWith("--video: '" + png +
                                      "' is a local file; the API takes video "
                                      "and audio only by http(s) URL"));
  EXPECT_THAT(problems[1], StartsWith("--audio: '" + png + "' is a local file"));

  // A name that is no file is left to the usual checks.
  flags = prompt_only();
  flags.image = dir.file("missing.png");
  problems.clear();
  build_video_request(flags, problems);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], Not(HasSubstr("local file;")));
}

}  // namespace
}  // namespace seedance::cli
