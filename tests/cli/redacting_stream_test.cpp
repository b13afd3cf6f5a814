#include "redacting_stream.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace seedance::cli {
namespace {

const std::string kKey = "sk-redacting-stream-key";

TEST(RedactingStream, RemovesTheSecretFromWhatIsWritten) {
  std::ostringstream target;
  {
    RedactingStream out(target, kKey);
    out << "{\"message\":\"bad key " << kKey << "\"}" << '\n' << kKey << kKey;
  }
  EXPECT_EQ(target.str(), "{\"message\":\"bad key ***\"}\n******");
}

TEST(RedactingStream, CatchesASecretWrittenInPieces) {
  std::ostringstream target;
  RedactingStream out(target, kKey);
  out << "key: " << kKey.substr(0, 5);
  EXPECT_EQ(target.str(), "key: ");  // the start of the key is held back
  for (const char c : kKey.substr(5)) out << c;
  out << " end" << std::flush;
  EXPECT_EQ(target.str(), "key: *** end");
}

TEST(RedactingStream, AFlushForwardsWhatWasHeldBack) {
  std::ostringstream target;
  RedactingStream out(target, kKey);
  out << "sk-" << std::flush;
  EXPECT_EQ(target.str(), "sk-");
}

TEST(RedactingStream, AShortOrEmptySecretChangesNothing) {
  for (const std::string secret : {"", "k"}) {
    std::ostringstream target;
    {
      RedactingStream out(target, secret);
      out << "keep every k" << 42;
    }
    EXPECT_EQ(target.str(), "keep every k42");
  }
}

}  // namespace
}  // namespace seedance::cli
