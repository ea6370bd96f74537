#include "validate/lei.h"

namespace tradeflow::validate {
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
  // Reduce digit by digit: a letter contributes two digits (A = 10 ... Z = 35).
  unsigned remainder = 0;
  for (char c : lei) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
    } else if (IsUpper(c)) {
      remainder = (remainder * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return remainder == 1;
}

}  // namespace tradeflow::validate
