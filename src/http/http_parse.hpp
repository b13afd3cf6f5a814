// Parsing of the response header block as libcurl hands it over, one line at a time. Kept apart
// from the libcurl glue so that the fuzzer (fuzz/fuzz_response_headers.cpp) reaches it directly.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "seedance/transport.hpp"

namespace seedance::detail {

/// "HTTP/1.1 206 Partial Content" -> 206; 0 when malformed.
int parse_status_line(std::string_view line) noexcept;

/// The value of the first Content-Length header when it is a plain decimal number of at most 18
/// digits; nullopt otherwise.
std::optional<std::size_t> parse_content_length(const HttpHeaders& headers);

/// Collects the header blocks of one exchange, interim 1xx responses included.
class HeaderBlockParser {
 public:
  /// What one line was.
  enum class Line {
    Status,  ///< A status line: a new block starts (the previous block's headers are dropped).
    Field,   ///< A header field, or the continuation of one (obsolete line folding).
    End,     ///< The blank line closing a block; see final_block().
    Ignored  ///< Neither (no colon, or a continuation before any field).
  };

  /// Takes one line, with or without its CR LF.
  Line feed(std::string_view line, HttpHeaders& headers);

  /// Status of the block being read (0 when its status line was malformed or absent).
  int status() const noexcept { return status_; }
  /// After Line::End: true unless the block was an interim 1xx response.
  bool final_block() const noexcept { return status_ < 100 || status_ >= 200; }

 private:
  int status_ = 0;
};

}  // namespace seedance::detail
