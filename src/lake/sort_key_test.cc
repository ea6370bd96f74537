#include "lake/sort_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace tradeflow::lake {
namespace {

std::string Str(std::string_view v, bool desc = false) {
  std::string k;
  AppendStringSortKey(v, desc, &k);
  return k;
}

std::string Int(int64_t v, bool desc = false) {
  std::string k;
  AppendIntSortKey(v, desc, &k);
  return k;
}

std::string Null(bool desc = false) {  // with the direction's default null order
  std::string k;
  AppendNullSortKey(/*nulls_first=*/!desc, &k);
  return k;
}

TEST(SortKeyTest, IntegersSortNumericallyWithNullsFirst) {
  std::vector<int64_t> values = {
      5, -1, 0, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 42, -42};
  std::vector<std::string> keys;
  for (int64_t v : values) keys.push_back(Int(v));
  keys.push_back(Null());
  std::sort(keys.begin(), keys.end());
  std::sort(values.begin(), values.end());
  EXPECT_EQ(keys[0], Null());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(keys[i + 1], Int(values[i]));
}

TEST(SortKeyTest, DescendingReversesValuesAndPutsNullsLast) {
  EXPECT_LT(Int(7, true), Int(3, true));
  EXPECT_LT(Str("b", true), Str("a", true));
  // Iceberg's default for a descending sort, which the table's sort order says.
  EXPECT_LT(Int(std::numeric_limits<int64_t>::min(), true), Null(true));
  EXPECT_LT(Str("", true), Null(true));
  EXPECT_LT(Str("zzz", true), Null(true));
}

TEST(SortKeyTest, StringsSortByBytesAndPrefixesFirst) {
  EXPECT_LT(Str("ab"), Str("abc"));
  EXPECT_LT(Str(""), Str("a"));
  EXPECT_LT(Str("B"), Str("a"));  // bytes, not locale
  EXPECT_LT(Str(std::string_view("a\0b", 3)), Str("ab"));
  EXPECT_LT(Str("a"), Str(std::string_view("a\0", 2)));
  EXPECT_LT(Str("\xC3\xA9"), Str("\xE2\x82\xAC"));  // é before €: UTF-8 bytes unsigned
  EXPECT_LT(Str("abc", true), Str("ab", true));
}

TEST(SortKeyTest, ColumnsCompareLeftToRight) {
  // (trade_date, trade_id): the second column only breaks ties of the first.
  auto key = [](int64_t date, std::string_view id) {
    std::string k;
    AppendIntSortKey(date, false, &k);
    AppendStringSortKey(id, false, &k);
    return k;
  };
  EXPECT_LT(key(1, "z"), key(2, "a"));
  EXPECT_LT(key(2, "a"), key(2, "b"));
  // A string column followed by another: "ab"+"c" must not equal "a"+"bc".
  std::string a, b;
  AppendStringSortKey("ab", false, &a);
  AppendStringSortKey("c", false, &a);
  AppendStringSortKey("a", false, &b);
  AppendStringSortKey("bc", false, &b);
  EXPECT_NE(a, b);
  EXPECT_GT(a, b);
}

TEST(SortKeyTest, DecimalsSortBySignedUnscaledValue) {
  auto dec = [](int64_t high, uint64_t low) {
    std::string k;
    AppendDecimalSortKey(high, low, false, &k);
    return k;
  };
  EXPECT_LT(dec(-1, ~0ULL), dec(0, 0));  // -1 < 0
  EXPECT_LT(dec(0, 1), dec(0, 2));
  EXPECT_LT(dec(0, ~0ULL), dec(1, 0));
}

TEST(SortKeyTest, BooleansFalseFirst) {
  std::string f, t;
  AppendBoolSortKey(false, false, &f);
  AppendBoolSortKey(true, false, &t);
  EXPECT_LT(f, t);
}

}  // namespace
}  // namespace tradeflow::lake
