#include "model/lei.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tradeflow::model {
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

// The check reduces its number only now and then; it must agree with reducing at every digit,
// on letters-heavy codes too (each letter adds two digits), and with computed check digits.
TEST(LeiTest, AgreesWithDigitByDigitReduction) {
  auto digit_by_digit = [](const std::string& s) {
    unsigned r = 0;
    for (char c : s) {
      r = c <= '9' ? (r * 10 + static_cast<unsigned>(c - '0')) % 97
                   : (r * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    }
    return r;
  };
  std::mt19937 rng(11);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZZZZZZZZZ";
  for (int n = 0; n < 2000; ++n) {
    std::string base;
    for (int i = 0; i < 18; ++i) base += alphabet[rng() % alphabet.size()];
    const unsigned check = 98 - digit_by_digit(base + "00");
    std::string lei = base + (check < 10 ? "0" : "") + std::to_string(check);
    ASSERT_TRUE(HasValidLeiCheckDigits(lei)) << lei;
    lei[19] = lei[19] == '9' ? '0' : static_cast<char>(lei[19] + 1);
    EXPECT_EQ(HasValidLeiCheckDigits(lei), digit_by_digit(lei) == 1) << lei;
  }
}

// Check digits run from 02 to 98: 99 (and 01) leave the same remainder as 02 (and 98 + 1 = 99
// is never computed), so the remainder alone would pass them.
TEST(LeiTest, CheckDigitsOutsideTwoToNinetyEightAreInvalid) {
  EXPECT_TRUE(HasValidLeiCheckDigits("5493ZH9FHPJQ0M9U2202"));
  EXPECT_FALSE(HasValidLeiCheckDigits("5493ZH9FHPJQ0M9U2299"));
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
}  // namespace tradeflow::model
