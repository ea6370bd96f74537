#include "model/lei.h"

#include <cstdint>

namespace tradeflow::model {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

}  // namespace

bool IsLeiFormat(std::string_view lei) {
  if (lei.size() != 20) return false;
  for (size_t i = 0; i < 18; ++i) {
    if (!IsDigit(lei[i]) && !IsUpper(lei[i])) return false;
  }
  return IsDigit(lei[18]) && IsDigit(lei[19]);
}

bool HasValidLeiCheckDigits(std::string_view lei) {
  // Check digits are 98 - (the first 18 characters × 100 mod 97): 02 to 98. 00, 01 and 99 pass
  // the remainder test (99 is 2 more than 97) but no issuer assigns them.
  if (lei.size() == 20 && IsDigit(lei[18]) && IsDigit(lei[19])) {
    const int check = (lei[18] - '0') * 10 + (lei[19] - '0');
    if (check < 2 || check > 98) return false;
  }
  // ISO 7064 MOD 97-10 over the digits, a letter contributing two (A = 10 ... Z = 35). The number
  // is reduced once it reaches 10^16, not at every digit: it runs on every record.
  constexpr uint64_t kReduceAt = 10'000'000'000'000'000ULL;  // 10^16: × 100 stays below 2^64
  uint64_t value = 0;
  for (char c : lei) {
    if (IsDigit(c)) {
      value = value * 10 + static_cast<uint64_t>(c - '0');
    } else if (IsUpper(c)) {
      value = value * 100 + static_cast<uint64_t>(c - 'A' + 10);
    } else {
      return false;
    }
    if (value >= kReduceAt) value %= 97;
  }
  return value % 97 == 1;
}

}  // namespace tradeflow::model
