#include "model/civil_date.h"

#include <gtest/gtest.h>

namespace tradeflow::model {
namespace {

TEST(CivilDateTest, CountsDaysFromTheEpoch) {
  int32_t days = -1;
  ASSERT_TRUE(DaysSinceEpoch(1970, 1, 1, &days));
  EXPECT_EQ(days, 0);
  ASSERT_TRUE(DaysSinceEpoch(2026, 4, 14, &days));
  EXPECT_EQ(days, 20557);
  ASSERT_TRUE(DaysSinceEpoch(1969, 12, 31, &days));
  EXPECT_EQ(days, -1);
  ASSERT_TRUE(DaysSinceEpoch(2024, 2, 29, &days));
}

TEST(CivilDateTest, RefusesWhatIsNotADate) {
  int32_t days = 0;
  EXPECT_FALSE(DaysSinceEpoch(2026, 2, 30, &days));
  EXPECT_FALSE(DaysSinceEpoch(2025, 2, 29, &days));
  EXPECT_FALSE(DaysSinceEpoch(2026, 13, 1, &days));
  EXPECT_FALSE(DaysSinceEpoch(2026, 0, 1, &days));
  // Parts that a byte-sized month or day would wrap into a valid date.
  EXPECT_FALSE(DaysSinceEpoch(2026, 257, 1, &days));
  EXPECT_FALSE(DaysSinceEpoch(2026, 1, 257, &days));
  EXPECT_FALSE(DaysSinceEpoch(67562, 1, 1, &days));
}

}  // namespace
}  // namespace tradeflow::model
