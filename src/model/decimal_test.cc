#include "model/decimal.h"

#include <gtest/gtest.h>

namespace tradeflow::model {
namespace {

TEST(DecimalTest, ParsesAtScaleExactly) {
  auto v = ParseDecimal("65.25", {38, 4});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->ToString(4), "65.2500");
  EXPECT_EQ(ParseDecimal(" -0.1 ", {10, 2})->ToString(2), "-0.10");
  EXPECT_EQ(ParseDecimal("1.500", {10, 2})->ToString(2), "1.50");
  EXPECT_EQ(ParseDecimal("12", {10, 0})->ToString(0), "12");
}

TEST(DecimalTest, KeepsValuesBinaryFloatsCannot) {
  // 0.1 + 0.2 style values and 38-digit numbers survive exactly.
  auto v = ParseDecimal("0.30000000000000000001", {38, 20});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ToString(20), "0.30000000000000000001");
  auto big = ParseDecimal("9999999999999999999999999999.9999999999", {38, 10});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->ToString(10), "9999999999999999999999999999.9999999999");
}

TEST(DecimalTest, RejectsRoundingAndOverflow) {
  auto lossy = ParseDecimal("1.125", {10, 2});
  ASSERT_FALSE(lossy.ok());
  EXPECT_EQ(lossy.status().message(), "'1.125' has 3 decimal places, more than the 2 allowed");
  EXPECT_FALSE(ParseDecimal("123456", {5, 0}).ok());
  EXPECT_FALSE(ParseDecimal("12345.6", {6, 2}).ok());
}

TEST(DecimalTest, RejectsNonDecimalText) {
  for (const char* bad : {"", "abc", "1e3", "1.2.3", "--1", "1,5", "."}) {
    EXPECT_FALSE(ParseDecimal(bad, {38, 10}).ok()) << bad;
  }
}

TEST(DecimalTest, CanonicalString) {
  EXPECT_EQ(*CanonicalDecimalString("0065.2500"), "65.25");
  EXPECT_EQ(*CanonicalDecimalString("-0.000"), "0");
  EXPECT_EQ(*CanonicalDecimalString("+3."), "3");
  EXPECT_EQ(*CanonicalDecimalString(".5"), "0.5");
  EXPECT_FALSE(CanonicalDecimalString("x").ok());
}

}  // namespace
}  // namespace tradeflow::model
