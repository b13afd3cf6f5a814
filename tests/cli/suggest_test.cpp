// "Did you mean": edit distance and the choice of a suggestion.
#include "suggest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace seedance::cli {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsReplacementsAndSwaps) {
  EXPECT_EQ(edit_distance("generate", "generate"), 0u);
  EXPECT_EQ(edit_distance("genrate", "generate"), 1u);
  EXPECT_EQ(edit_distance("generatee", "generate"), 1u);
  EXPECT_EQ(edit_distance("genarate", "generate"), 1u);
  EXPECT_EQ(edit_distance("--promtp", "--prompt"), 1u);  // two letters swapped
  EXPECT_EQ(edit_distance("", "wait"), 4u);
  EXPECT_EQ(edit_distance("status", "submit"), 5u);
}

TEST(ClosestMatch, SuggestsOnlyWhatIsCloseEnough) {
  const std::vector<std::string> commands = {"generate", "submit", "status", "wait", "download"};
  EXPECT_EQ(closest_match("genrate", commands), "generate");
  EXPECT_EQ(closest_match("stauts", commands), "status");
  EXPECT_EQ(closest_match("wiat", commands), "wait");
  EXPECT_EQ(closest_match("frobnicate", commands), std::nullopt);
  EXPECT_EQ(closest_match("x", commands), std::nullopt);

  const std::vector<std::string> flags = {"--prompt", "--prompt-file", "--resolution", "--ratio"};
  EXPECT_EQ(closest_match("--promt", flags), "--prompt");
  EXPECT_EQ(closest_match("--resolutoin", flags), "--resolution");
  EXPECT_EQ(closest_match("--res", flags), "--resolution");  // the only flag it begins
  EXPECT_EQ(closest_match("--r", flags), std::nullopt);      // begins two
  EXPECT_EQ(closest_match("--colour", flags), std::nullopt);
  EXPECT_EQ(closest_match("-o", {"-h", "-q", "-v"}), std::nullopt);
}

}  // namespace
}  // namespace seedance::cli
