// image_file(): format detection, base64 encoding and every error case, on files made here.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seedance/error.hpp"
#include "seedance/request.hpp"

namespace seedance {
namespace {

namespace fs = std::filesystem;
using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::StartsWith;

const std::string kPngMagic("\x89PNG\r\n\x1a\n", 8);
const std::string kJpegMagic("\xFF\xD8\xFF\xE0", 4);

std::string decode_base64(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : text) {
    if (c == '=') break;
    const auto value = alphabet.find(c);
    if (value == std::string::npos) throw std::runtime_error("not base64");
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out += static_cast<char>((bits >> bit_count) & 0xFF);
    }
  }
  return out;
}

class ImageFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "seedance_image_file_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }

  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string path = (directory_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // The single problem image_file() reported for `path`.
  static std::string failure_of(const std::string& path, std::size_t max_bytes = 1024) {
    try {
      (void)image_file(path, max_bytes);
    } catch (const ValidationError& error) {
      EXPECT_EQ(error.problems().size(), 1u);
      return error.problems().empty() ? std::string() : error.problems().front();
    }
    ADD_FAILURE() << "image_file accepted " << path;
    return {};
  }

  fs::path directory_;
};

TEST_F(ImageFileTest, PngBecomesAPngDataUri) {
  const std::string bytes = kPngMagic + std::string("\0\0\0\rIHDR", 8);
  const std::string uri = image_file(write("a.png", bytes));
  ASSERT_THAT(uri, StartsWith("data:image/png;base64,"));
  EXPECT_EQ(decode_base64(uri.substr(22)), bytes);
}

TEST_F(ImageFileTest, JpegIsDetectedFromItsBytesNotItsName) {
  EXPECT_THAT(image_file(write("photo.png", kJpegMagic + "JFIF")),
              StartsWith("data:image/jpeg;base64,"));
}

TEST_F(ImageFileTest, WebpIsDetected) {
  const std::string bytes = std::string("RIFF\x24\0\0\0WEBPVP8 ", 16);
  EXPECT_THAT(image_file(write("a.webp", bytes)), StartsWith("data:image/webp;base64,"));
}

TEST_F(ImageFileTest, GifIsDetectedAndEncodedWithPadding) {
  EXPECT_EQ(image_file(write("0.gif", "GIF89a")), "data:image/gif;base64,R0lGODlh");
  EXPECT_EQ(image_file(write("1.gif", "GIF89a!")), "data:image/gif;base64,R0lGODlhIQ==");
  EXPECT_EQ(image_file(write("2.gif", "GIF89a!!")), "data:image/gif;base64,R0lGODlhISE=");
  EXPECT_THAT(image_file(write("87.gif", "GIF87a")), StartsWith("data:image/gif;base64,"));
}

TEST_F(ImageFileTest, LargeFileRoundTripsAndIsAcceptedAsAnImage) {
  std::string bytes = kPngMagic;
  std::uint32_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1664525u + 1013904223u;
    bytes += static_cast<char>(state >> 24);
  }
  const std::string uri = image_file(write("big.png", bytes), bytes.size());
  EXPECT_EQ(decode_base64(uri.substr(22)), bytes);
  EXPECT_THAT(VideoRequest().image(uri).validate(), IsEmpty());
}

TEST_F(ImageFileTest, MissingFileIsRefusedNamingThePath) {
  const std::string path = (directory_ / "missing.png").string();
  EXPECT_THAT(failure_of(path), AllOf(HasSubstr(path), HasSubstr("cannot open"),
                                      HasSubstr("No such file or directory")));
}

TEST_F(ImageFileTest, DirectoryIsRefused) {
  EXPECT_THAT(failure_of(directory_.string()),
              AllOf(HasSubstr(directory_.string()), HasSubstr("cannot read")));
}

TEST_F(ImageFileTest, EmptyFileIsRefused) {
  const std::string path = write("empty.png", "");
  EXPECT_THAT(failure_of(path), AllOf(HasSubstr(path), HasSubstr("is empty")));
}

TEST_F(ImageFileTest, OversizedFileIsRefused) {
  const std::string bytes = kPngMagic + std::string(100, 'x');
  const std::string path = write("big.png", bytes);
  EXPECT_THAT(failure_of(path, 64),
              AllOf(HasSubstr(path), HasSubstr("larger than the limit of 64 bytes")));
  EXPECT_NO_THROW((void)image_file(path, bytes.size()));  // exactly at the limit is fine
}

TEST_F(ImageFileTest, UnsupportedFormatsAreRefused) {
  for (const auto& [name, bytes] :
       {std::pair<std::string, std::string>{"notes.png", "just some text"},
        {"sound.webp", std::string("RIFF\x24\0\0\0WAVEfmt ", 16)},
        {"short.webp", "RIFF"},
        {"pic.bmp", "BM\x36\0\0\0"}}) {
    const std::string path = write(name, bytes);
    EXPECT_THAT(failure_of(path),
                AllOf(HasSubstr(path), HasSubstr("is not a PNG, JPEG, WebP or GIF image")))
        << name;
  }
}

TEST_F(ImageFileTest, ErrorIsAValidationErrorListingOneProblem) {
  try {
    (void)image_file(write("empty.gif", ""));
    FAIL() << "accepted an empty file";
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.problems(), ElementsAre(StartsWith("image_file \"")));
  }
}

}  // namespace
}  // namespace seedance
