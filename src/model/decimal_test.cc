#include "model/decimal.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// Arrow's parser wraps around past 128 bits: 2^128 + 310 must not come back as 310.
TEST(DecimalTest, RejectsValuesBeyond128BitsInsteadOfWrappingAround) {
  const std::string two_to_128_plus_310 = "340282366920938463463374607431768211766";
  for (const std::string& text : std::vector<std::string>{
           two_to_128_plus_310, "-" + two_to_128_plus_310, two_to_128_plus_310 + ".5",
           "340282366920938463463374607431768211146", std::string(140, '9'),
           std::string(1000, '9') + ".25"}) {
    auto v = ParseDecimal(text, {38, 6});
    ASSERT_FALSE(v.ok()) << text << " read as " << v->ToString(6);
    EXPECT_NE(v.status().message().find("does not fit decimal(38,6)"), std::string::npos)
        << v.status().message();
  }
  // Zeros around the digits are not digits: these fit.
  EXPECT_EQ(
      ParseDecimal(std::string(200, '0') + "310.5" + std::string(200, '0'), {38, 6})->ToString(6),
      "310.500000");
  EXPECT_EQ(ParseDecimal("-0." + std::string(200, '0'), {38, 6})->ToString(6), "0.000000");
  auto tiny = ParseDecimal("0." + std::string(100, '0') + "1", {38, 6});
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.status().message().find("has 101 decimal places, more than the 6 allowed"),
            std::string::npos)
      << tiny.status().message();
  // The largest value decimal(38,6) holds, and one more.
  const std::string max = std::string(32, '9') + "." + std::string(6, '9');
  EXPECT_EQ(ParseDecimal(max, {38, 6})->ToString(6), max);
  EXPECT_FALSE(ParseDecimal("1" + std::string(32, '0'), {38, 6}).ok());
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

// CanonicalDecimal decides most values without Arrow; it must agree with ParseDecimal followed by
// CanonicalDecimalString on every text and type, errors included.
TEST(DecimalTest, PlainDecimalStringHasNoExponent) {
  EXPECT_EQ(PlainDecimalString(arrow::Decimal128(0), 10), "0");
  EXPECT_EQ(PlainDecimalString(arrow::Decimal128(-1), 10), "-0.0000000001");
  EXPECT_EQ(PlainDecimalString(arrow::Decimal128(1234500), 3), "1234.5");
  EXPECT_EQ(PlainDecimalString(arrow::Decimal128(-120), 2), "-1.2");
  EXPECT_EQ(PlainDecimalString(arrow::Decimal128(42), 0), "42");
}

TEST(DecimalTest, CanonicalDecimalAgreesWithParseThenCanonical) {
  const std::string digits38(38, '9');
  const std::vector<std::string> signs = {"", "-", "+"};
  const std::vector<std::string> ints = {"",
                                         "0",
                                         "00",
                                         "7",
                                         "012",
                                         "100",
                                         "123456789",
                                         "99999999999999999999",
                                         "10000000000000000000000000000",
                                         digits38.substr(0, 30),
                                         digits38};
  const std::vector<std::string> fracs = {"",
                                          ".",
                                          ".0",
                                          ".5",
                                          ".50",
                                          ".0001",
                                          ".125",
                                          ".1234567890",
                                          ".12345678901234567890",
                                          ".000000000000"};
  const std::vector<DecimalType> types = {{38, 10}, {10, 2},  {5, 0},  {6, 2},  {38, 20}, {18, 6},
                                          {3, 3},   {38, 38}, {38, 0}, {40, 2}, {5, 7},   {4, -1}};
  int checked = 0;
  for (const auto& sign : signs) {
    for (const auto& i : ints) {
      for (const auto& f : fracs) {
        for (const char* pad : {"", " "}) {
          const std::string text = pad + sign + i + f + pad;
          for (const auto& type : types) {
            auto parsed = ParseDecimal(text, type);
            auto expected = parsed.ok() ? CanonicalDecimalString(text) : parsed.status();
            auto actual = CanonicalDecimal(text, type);
            std::string at = "'" + text + "' at (" + std::to_string(type.precision) + "," +
                             std::to_string(type.scale) + ")";
            ASSERT_EQ(actual.ok(), expected.ok()) << at;
            if (actual.ok()) {
              EXPECT_EQ(*actual, *expected) << at;
            } else {
              EXPECT_EQ(actual.status().message(), expected.status().message()) << at;
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
  for (const char* bad : {"", "abc", "1e3", "1.2.3", "--1", "1,5", "."}) {
    EXPECT_EQ(CanonicalDecimal(bad, {38, 10}).status().message(),
              ParseDecimal(bad, {38, 10}).status().message());
  }
}

// ParseDecimal reads values that fit 18 digits itself; the value must be the one Arrow's parser
// gives, rescaled to the type, for every shape of text.
TEST(DecimalTest, FastPathAgreesWithArrowsParser) {
  const std::vector<std::string> texts = {"0",
                                          "-0",
                                          "+0.000",
                                          "7",
                                          "-7.5",
                                          "012.50",
                                          "65.25",
                                          "1.500",
                                          "-0.1",
                                          ".5",
                                          "3.",
                                          "999999999999",
                                          "-123456.78",
                                          "1234567.89",
                                          "0.0000001",
                                          "12345678.90",
                                          "-99999999.999",
                                          "100000000"};
  const std::vector<DecimalType> types = {{38, 10}, {18, 6}, {10, 2}, {12, 4}, {18, 0}, {9, 9}};
  for (const auto& text : texts) {
    for (const auto& type : types) {
      std::string at = "'" + text + "' at (" + std::to_string(type.precision) + "," +
                       std::to_string(type.scale) + ")";
      arrow::Decimal128 value;
      int32_t precision = 0, scale = 0;
      std::string arrow_text = text.front() == '+' ? text.substr(1) : text;
      if (arrow_text.back() == '.') arrow_text.pop_back();
      if (arrow_text.front() == '.') arrow_text = "0" + arrow_text;
      ASSERT_TRUE(arrow::Decimal128::FromString(arrow_text, &value, &precision, &scale).ok()) << at;
      auto rescaled = value.Rescale(scale, type.scale);
      bool fits = rescaled.ok() && rescaled->FitsInPrecision(type.precision);
      auto parsed = ParseDecimal(text, type);
      ASSERT_EQ(parsed.ok(), fits) << at;
      if (fits) {
        EXPECT_EQ(*parsed, *rescaled) << at;
      }
    }
  }
}

}  // namespace
}  // namespace tradeflow::model
