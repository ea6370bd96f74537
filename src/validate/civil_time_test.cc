#include "validate/civil_time.h"

#include <gtest/gtest.h>

namespace tradeflow::validate {
namespace {

TEST(CivilTimeTest, DatesFromDays) {
  EXPECT_EQ(DateKeyFromDays(0), 19700101);
  EXPECT_EQ(DateKeyFromDays(-1), 19691231);
  EXPECT_EQ(DateKeyFromDays(20584), 20260511);
  EXPECT_EQ(DateKeyFromDays(11016), 20000229);
}

TEST(CivilTimeTest, LocalDateUsesTheOffset) {
  const int64_t t = 1778455800;  // 2026-05-10T23:30:00Z
  EXPECT_EQ(LocalDateKey(t, 0), 20260510);
  EXPECT_EQ(LocalDateKey(t, 3600), 20260511);
  EXPECT_EQ(LocalDateKey(-1, 0), 19691231);
  EXPECT_EQ(FormatUnixSeconds(t), "2026-05-10T23:30:00Z");
}

TEST(CivilTimeTest, Offsets) {
  EXPECT_EQ(ParseUtcOffset(""), 0);
  EXPECT_EQ(ParseUtcOffset("Z"), 0);
  EXPECT_EQ(ParseUtcOffset("UTC"), 0);
  EXPECT_EQ(ParseUtcOffset("+02:00"), 7200);
  EXPECT_EQ(ParseUtcOffset("-0530"), -19800);
  EXPECT_EQ(ParseUtcOffset("+01"), 3600);
  EXPECT_FALSE(ParseUtcOffset("+1"));
  EXPECT_FALSE(ParseUtcOffset("02:00"));
  EXPECT_FALSE(ParseUtcOffset("+02:60"));
  EXPECT_FALSE(ParseUtcOffset("+020000"));
  EXPECT_EQ(ParseUtcOffset("+01:19:32"), 3600 + 19 * 60 + 32);  // as the mapping writes it
  EXPECT_FALSE(ParseUtcOffset("+01:19:60"));
  EXPECT_FALSE(ParseUtcOffset("+01:19:3"));
  EXPECT_FALSE(ParseUtcOffset("Europe/London"));
}

TEST(CivilTimeTest, ParsesStrictDates) {
  EXPECT_EQ(ParseDateKey("2026-05-11"), 20260511);
  EXPECT_EQ(ParseDateKey("2024-02-29"), 20240229);
  EXPECT_FALSE(ParseDateKey("2026-02-29"));
  EXPECT_FALSE(ParseDateKey("2026-13-01"));
  EXPECT_FALSE(ParseDateKey("2026-5-11"));
  EXPECT_FALSE(ParseDateKey("20260511"));
  EXPECT_EQ(FormatDateKey(20260511), "2026-05-11");
}

}  // namespace
}  // namespace tradeflow::validate
