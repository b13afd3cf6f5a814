// The CLI's request and wait flags, as typed, and their mapping onto the SDK's types.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seedance/request.hpp"
#include "seedance/wait.hpp"

namespace seedance::cli {

/// The request flags of `generate` and `submit`, exactly as given on the command line. Numbers and
/// enum words stay text here so that every bad value is reported together, not just the first.
struct RequestFlags {
  std::string model = std::string(models::kSeedance2);
  std::optional<std::string> prompt;
  /// --prompt-file: the prompt is this file's text ("-": standard input), final line break
  /// dropped. Exclusive with --prompt.
  std::optional<std::string> prompt_file;
  std::optional<std::string> image;  ///< URL, data: URI, base64 or @PATH.
  std::vector<std::string> images;   ///< Each a URL, data: URI, base64 or @PATH.
  std::optional<std::string> first_frame;
  std::optional<std::string> last_frame;
  std::vector<std::string> reference_images;
  std::optional<std::string> video;
  std::optional<std::string> audio;
  std::optional<std::string> duration;  ///< Seconds, or "auto".
  std::optional<std::string> resolution;
  std::optional<std::string> ratio;
  std::optional<std::string> seed;
  /// The booleans: unset sends nothing (the API's default); --no-NAME or --NAME=false sends false.
  std::optional<bool> watermark;
  std::optional<bool> generate_audio;
  std::optional<std::string> service_tier;
  std::optional<std::string> expires_after;  ///< Seconds.
  std::optional<bool> return_last_frame;
  std::optional<std::string> callback_url;
  /// Forward-compatibility fields: a whole number, "true" or "false" ("true" when given alone).
  std::optional<std::string> frames;
  std::optional<std::string> camera_fixed;
  std::optional<std::string> draft;
  /// --set KEY=JSON (or metadata.KEY=JSON), as typed, in order: fields the tool has no flag for.
  std::vector<std::string> set_fields;
};

/// The waiting flags of `generate` and `wait`, in seconds as typed.
struct WaitFlags {
  std::optional<std::string> poll_interval;
  std::optional<std::string> timeout;
};

/// "@PATH" becomes seedance::image_file(PATH) (a base64 data: URI); anything else (a URL, a data:
/// URI, bare base64) is returned as is. Throws ValidationError naming the path when the file is
/// not a readable image.
std::string resolve_image_argument(const std::string& argument);

/// Maps the flags onto a VideoRequest. Every problem found - a flag that does not parse, an image
/// file that cannot be read, and everything VideoRequest::validate() reports - is appended to
/// `problems`; the returned request holds what did parse.
VideoRequest build_video_request(const RequestFlags& flags, std::vector<std::string>& problems);

/// Maps the flags onto WaitOptions (the library's defaults for what is not given). A poll interval
/// below kMinPollInterval, or a negative or malformed number, is appended to `problems`.
WaitOptions build_wait_options(const WaitFlags& flags, std::vector<std::string>& problems);

/// `--timeout` as typed (seconds, a fraction allowed; 0 for no limit) in milliseconds, or the
/// problem appended to `problems`; `zero_means` completes the message, e.g. "waits for ever".
std::optional<std::chrono::milliseconds> parse_timeout_flag(const std::string& text,
                                                            const std::string& zero_means,
                                                            std::vector<std::string>& problems);

/// The -o of generate and download that sends the video to stdout.
inline constexpr std::string_view kStdoutPath = "-";

/// Appends a problem unless the directory that would hold `output_path` exists, so that a typo in
/// -o is caught before a task is submitted and paid for; also when -o names what a download must
/// never replace (a directory, FIFO, device or socket), or an existing file without `overwrite`.
void check_output_path(const std::string& output_path, bool overwrite,
                       std::vector<std::string>& problems);

/// `--stall-timeout` as typed (whole seconds, at least 1), or the problem appended to `problems`.
std::optional<std::chrono::seconds> parse_stall_timeout(const std::string& text,
                                                        std::vector<std::string>& problems);

/// Throws ValidationError(problems) when `problems` is not empty.
void throw_if_any(const std::vector<std::string>& problems);

}  // namespace seedance::cli
