#include "validate/lei.h"

#include <gtest/gtest.h>

#include <string>

namespace tradeflow::validate {
namespace {

TEST(LeiTest, ValidVectors) {
  for (const char* lei : {"5493001KJTIIGC8Y1R12", "529900T8BM49AURSDO55"}) {
    EXPECT_TRUE(IsLeiFormat(lei)) << lei;
    EXPECT_TRUE(HasValidLeiCheckDigits(lei)) << lei;
  }
}

TEST(LeiTest, AnySingleCharacterChangeBreaksTheCheckDigits) {
  // MOD 97-10 detects every single-character substitution.
  for (std::string lei : {"5493001KJTIIGC8Y1R12", "529900T8BM49AURSDO55"}) {
    for (size_t i = 0; i < lei.size(); ++i) {
      std::string changed = lei;
      changed[i] = changed[i] == '9' ? '8' : (changed[i] == 'Z' ? 'Y' : changed[i] + 1);
      if (changed[i] == ':') changed[i] = 'A';  // '9' + 1 is not alphanumeric
      if (!IsLeiFormat(changed)) continue;      // a letter in the check digits
      EXPECT_FALSE(HasValidLeiCheckDigits(changed)) << changed;
    }
  }
}

TEST(LeiTest, Format) {
  EXPECT_FALSE(IsLeiFormat(""));
  EXPECT_FALSE(IsLeiFormat("5493001KJTIIGC8Y1R1"));    // 19
  EXPECT_FALSE(IsLeiFormat("5493001KJTIIGC8Y1R123"));  // 21
  EXPECT_FALSE(IsLeiFormat("5493001kjtiigc8y1r12"));   // lower case
  EXPECT_FALSE(IsLeiFormat("5493001KJTIIGC8Y1R1A"));   // check digits must be digits
  EXPECT_FALSE(IsLeiFormat("5493001KJTIIGC8Y-R12"));
  EXPECT_FALSE(HasValidLeiCheckDigits("5493001KJTIIGC8Y-R12"));
}

}  // namespace
}  // namespace tradeflow::validate
