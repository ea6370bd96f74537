#include "model/decimal.h"

#include <cctype>

namespace tradeflow::model {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Accepts exactly: [+-]? digits* ( '.' digits* )? with at least one digit. Arrow's parser also
// takes exponents, which no trade file should contain in a money field.
bool IsPlainDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

Result<arrow::Decimal128> ParseDecimal(std::string_view raw, DecimalType type) {
  std::string_view text = Trim(raw);
  if (!IsPlainDecimal(text)) {
    return Status::Invalid("'" + std::string(raw) + "' is not a decimal number");
  }
  arrow::Decimal128 value;
  int32_t precision = 0, scale = 0;
  arrow::Status st = arrow::Decimal128::FromString(text, &value, &precision, &scale);
  if (!st.ok()) return Status::Invalid("'" + std::string(raw) + "' is not a decimal number");
  if (scale > type.scale) {
    // Extra fraction digits are fine only when they are zeros ("1.500" at scale 2).
    auto reduced = value.Rescale(scale, type.scale);
    if (!reduced.ok()) {
      return Status::Invalid("'" + std::string(text) + "' has " + std::to_string(scale) +
                             " decimal places, more than the " + std::to_string(type.scale) +
                             " allowed");
    }
    value = *reduced;
  } else if (scale < type.scale) {
    auto widened = value.Rescale(scale, type.scale);
    if (!widened.ok()) {
      return Status::Invalid("'" + std::string(text) + "' does not fit decimal(" +
                             std::to_string(type.precision) + "," + std::to_string(type.scale) +
                             ")");
    }
    value = *widened;
  }
  if (!value.FitsInPrecision(type.precision)) {
    return Status::Invalid("'" + std::string(text) + "' does not fit decimal(" +
                           std::to_string(type.precision) + "," + std::to_string(type.scale) + ")");
  }
  return value;
}

Result<std::string> CanonicalDecimalString(std::string_view raw) {
  std::string_view text = Trim(raw);
  if (!IsPlainDecimal(text)) {
    return Status::Invalid("'" + std::string(raw) + "' is not a decimal number");
  }
  bool negative = text.front() == '-';
  if (text.front() == '-' || text.front() == '+') text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  while (int_part.size() > 1 && int_part.front() == '0') int_part.remove_prefix(1);
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  if (int_part.empty()) int_part = "0";
  // Built front to back (no insert at the front, which GCC 12 at -O3 wrongly flags as an
  // overlapping memcpy under -Werror=restrict).
  const bool zero = int_part == "0" && frac_part.empty();
  std::string out;
  out.reserve(int_part.size() + frac_part.size() + 2);
  if (negative && !zero) out.push_back('-');
  out.append(int_part);
  if (!frac_part.empty()) {
    out.push_back('.');
    out.append(frac_part);
  }
  return out;
}

}  // namespace tradeflow::model
