#include "model/decimal.h"

#include <cctype>

namespace tradeflow::model {
namespace {

constexpr int32_t kMaxDigits = 38;  // of a 128-bit decimal

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A plain decimal as written: "-012.50" is negative, "012", point, "50".
struct PlainDecimal {
  bool negative = false;
  bool point = false;
  std::string_view int_digits;
  std::string_view frac_digits;
};

// Accepts exactly: [+-]? digits* ( '.' digits* )? with at least one digit. Arrow's parser also
// takes exponents, which no trade file should contain in a money field.
bool SplitPlainDecimal(std::string_view s, PlainDecimal* out) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    out->negative = s.front() == '-';
    s.remove_prefix(1);
  }
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  out->int_digits = s.substr(0, i);
  if (i < s.size() && s[i] == '.') {
    out->point = true;
    size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    out->frac_digits = s.substr(start, i - start);
  }
  return i == s.size() && out->int_digits.size() + out->frac_digits.size() > 0;
}

std::string_view WithoutLeadingZeros(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

std::string_view WithoutTrailingZeros(std::string_view digits) {
  while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
  return digits;
}

std::string CanonicalForm(const PlainDecimal& d) {
  std::string_view int_part = WithoutLeadingZeros(d.int_digits);
  std::string_view frac_part = WithoutTrailingZeros(d.frac_digits);
  if (int_part.empty()) int_part = "0";
  // Built front to back (no insert at the front, which GCC 12 at -O3 wrongly flags as an
  // overlapping memcpy under -Werror=restrict).
  const bool zero = int_part == "0" && frac_part.empty();
  std::string out;
  out.reserve(int_part.size() + frac_part.size() + 2);
  if (d.negative && !zero) out.push_back('-');
  out.append(int_part);
  if (!frac_part.empty()) {
    out.push_back('.');
    out.append(frac_part);
  }
  return out;
}

// True when ParseDecimal certainly accepts `d` at `type`, decided from the digits alone: the
// digits beyond the scale are zeros (no rounding) and the integer digits plus the scale fit the
// precision. Only for the usual shapes (digits on both sides of a point, at most 38 in all) and
// the types Arrow supports; false leaves the decision, and the error message, to ParseDecimal.
bool SurelyFits(const PlainDecimal& d, DecimalType type) {
  if (type.scale < 0 || type.scale > type.precision || type.precision > kMaxDigits) return false;
  if (d.int_digits.empty() || (d.point && d.frac_digits.empty())) return false;
  if (d.int_digits.size() + d.frac_digits.size() > static_cast<size_t>(kMaxDigits)) return false;
  const size_t int_digits = WithoutLeadingZeros(d.int_digits).size();
  const size_t frac_digits = WithoutTrailingZeros(d.frac_digits).size();
  return frac_digits <= static_cast<size_t>(type.scale) &&
         int_digits + type.scale <= static_cast<size_t>(type.precision);
}

}  // namespace

Result<arrow::Decimal128> ParseDecimal(std::string_view raw, DecimalType type) {
  std::string_view text = Trim(raw);
  PlainDecimal d;
  if (!SplitPlainDecimal(text, &d)) {
    return Status::Invalid("'" + std::string(raw) + "' is not a decimal number");
  }
  // The usual value fits 18 digits at the type's scale: read it as an integer directly. Arrow's
  // general parser (below) was a visible share of writing trade events.
  if (SurelyFits(d, type) && WithoutLeadingZeros(d.int_digits).size() + type.scale <= 18) {
    int64_t unscaled = 0;
    for (char c : WithoutLeadingZeros(d.int_digits)) unscaled = unscaled * 10 + (c - '0');
    for (int32_t k = 0; k < type.scale; ++k) {  // digits past the scale are zeros (SurelyFits)
      const size_t at = static_cast<size_t>(k);
      unscaled = unscaled * 10 + (at < d.frac_digits.size() ? d.frac_digits[at] - '0' : 0);
    }
    return arrow::Decimal128(d.negative ? -unscaled : unscaled);
  }
  // Digits are counted before Arrow parses: Decimal128::FromString does not check for overflow,
  // so 2^128 + 310 would read as 310. Without leading and trailing zeros, a value that fits has
  // at most precision - scale integer digits and scale fraction digits, 38 in all at most.
  const std::string_view int_part = WithoutLeadingZeros(d.int_digits);
  const std::string_view frac_part = WithoutTrailingZeros(d.frac_digits);
  if (type.scale < 0 || type.scale > type.precision || type.precision > kMaxDigits) {
    return Status::Invalid("decimal(" + std::to_string(type.precision) + "," +
                           std::to_string(type.scale) + ") is not a supported type");
  }
  if (frac_part.size() > static_cast<size_t>(type.scale)) {
    return Status::Invalid("'" + std::string(text) + "' has " + std::to_string(frac_part.size()) +
                           " decimal places, more than the " + std::to_string(type.scale) +
                           " allowed");
  }
  if (int_part.size() + static_cast<size_t>(type.scale) > static_cast<size_t>(type.precision)) {
    return Status::Invalid("'" + std::string(text) + "' does not fit decimal(" +
                           std::to_string(type.precision) + "," + std::to_string(type.scale) + ")");
  }
  std::string digits = d.negative ? "-" : "";
  digits.append(int_part.empty() ? std::string_view("0") : int_part);
  if (!frac_part.empty()) digits.append(".").append(frac_part);
  arrow::Decimal128 value;
  int32_t precision = 0, scale = 0;
  arrow::Status st = arrow::Decimal128::FromString(digits, &value, &precision, &scale);
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
  PlainDecimal d;
  if (!SplitPlainDecimal(Trim(raw), &d)) {
    return Status::Invalid("'" + std::string(raw) + "' is not a decimal number");
  }
  return CanonicalForm(d);
}

Result<std::string> CanonicalDecimal(std::string_view raw, DecimalType type) {
  PlainDecimal d;
  if (SplitPlainDecimal(Trim(raw), &d) && SurelyFits(d, type)) return CanonicalForm(d);
  TF_RETURN_IF_ERROR(ParseDecimal(raw, type).status());
  return CanonicalDecimalString(raw);
}

std::string PlainDecimalString(const arrow::Decimal128& value, int32_t scale) {
  std::string digits = value.ToIntegerString();
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  if (scale > 0) {
    const size_t s = static_cast<size_t>(scale);
    if (digits.size() <= s) digits.insert(0, s + 1 - digits.size(), '0');
    digits.insert(digits.size() - s, ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  } else if (scale < 0) {
    digits.append(static_cast<size_t>(-scale), '0');
  }
  return negative && digits != "0" ? "-" + digits : digits;
}

}  // namespace tradeflow::model
