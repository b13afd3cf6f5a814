// libFuzzer harness: the response header block as libcurl hands it to the transport, one line at
// a time (status lines, fields, folded continuations, interim 1xx blocks), then the header
// look-ups the client makes on the result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/http_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  seedance::detail::HeaderBlockParser parser;
  seedance::HttpHeaders headers;
  while (!input.empty()) {
    const auto end = input.find('\n');
    const std::string_view line = input.substr(0, end == std::string_view::npos ? end : end + 1);
    input.remove_prefix(line.size());
    const auto kind = parser.feed(line, headers);
    const int status = parser.status();
    if (status < 0 || status > 999) std::abort();
    if (kind == seedance::detail::HeaderBlockParser::Line::Status && !headers.empty()) std::abort();
  }
  for (const auto& [name, value] : headers) {
    // Names never carry the separator; neither part keeps surrounding whitespace.
    if (name.find(':') != std::string::npos) std::abort();
    if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) std::abort();
  }
  (void)seedance::detail::parse_content_length(headers);
  (void)seedance::find_header(headers, "retry-after");
  return 0;
}
