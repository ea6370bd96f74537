#include "common/quote.h"

#include <gtest/gtest.h>

namespace tradeflow {
namespace {

TEST(QuoteValueTest, ShortValuesWholeLongOnesTheirStartAndLength) {
  EXPECT_EQ(QuoteValue("EUR"), "'EUR'");
  EXPECT_EQ(QuoteValue(std::string(80, 'x')), "'" + std::string(80, 'x') + "'");
  EXPECT_EQ(QuoteValue(std::string(1 << 20, 'x')),
            "'" + std::string(80, 'x') + "...' (1048576 bytes)");
  // Not inside a character: "é" is two bytes, and the cut falls between them.
  std::string accents = std::string(79, 'a') + "\xC3\xA9" + "bbb";
  EXPECT_EQ(QuoteValue(accents), "'" + std::string(79, 'a') + "...' (84 bytes)");
}

}  // namespace
}  // namespace tradeflow
