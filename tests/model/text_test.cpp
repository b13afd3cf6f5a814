// The small text helpers shared by the library and the CLI (src/text.hpp).
#include "text.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace seedance::detail {
namespace {

using std::chrono::milliseconds;

TEST(DurationText, IsInSecondsWithOnlyTheDecimalsNeeded) {
  EXPECT_EQ(duration_text(milliseconds(3000)), "3 s");
  EXPECT_EQ(duration_text(milliseconds(3600000)), "3600 s");
  EXPECT_EQ(duration_text(milliseconds(2500)), "2.5 s");
  EXPECT_EQ(duration_text(milliseconds(500)), "0.5 s");
  EXPECT_EQ(duration_text(milliseconds(1)), "0.001 s");
  EXPECT_EQ(duration_text(milliseconds(0)), "0 s");
}

}  // namespace
}  // namespace seedance::detail
