#include "transform/reference_data_ratio.h"

#include <algorithm>

#include "model/decimal.h"

namespace tradeflow::transform {
namespace {

using arrow::Decimal128;

constexpr int32_t kMaxDigits = 38;

// Number of decimal digits of |x| (0 for 0).
int32_t Digits(const Decimal128& x) {
  if (x == 0) return 0;
  for (int32_t d = 1; d <= kMaxDigits; ++d) {
    if (x.FitsInPrecision(d)) return d;
  }
  return kMaxDigits + 1;
}

Decimal128 Abs(const Decimal128& x) { return Decimal128(arrow::BasicDecimal128::Abs(x)); }

// Truncating division; `b` is never zero here (denominators are positive by construction).
void DivMod(const Decimal128& a, const Decimal128& b, Decimal128* q, Decimal128* r) {
  arrow::BasicDecimal128 bq, br;
  (void)a.arrow::BasicDecimal128::Divide(b, &bq, &br);
  *q = Decimal128(bq);
  *r = Decimal128(br);
}

void DivMod(const arrow::Decimal256& a, const arrow::Decimal256& b, arrow::Decimal256* q,
            arrow::Decimal256* r) {
  arrow::BasicDecimal256 bq, br;
  (void)a.arrow::BasicDecimal256::Divide(b, &bq, &br);
  *q = arrow::Decimal256(bq);
  *r = arrow::Decimal256(br);
}

// a × b, refusing any product that might not fit 38 digits.
Result<Decimal128> CheckedMultiply(const Decimal128& a, const Decimal128& b) {
  if (Digits(a) + Digits(b) > kMaxDigits) {
    return Status::Invalid("result too large for 38 decimal digits");
  }
  return Decimal128(a * b);
}

Decimal128 Gcd(Decimal128 a, Decimal128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    Decimal128 q, r;
    DivMod(a, b, &q, &r);
    a = b;
    b = r;
  }
  return a;
}

Decimal128 Quotient(const Decimal128& a, const Decimal128& b) {
  Decimal128 q, r;
  DivMod(a, b, &q, &r);
  return q;
}

// Decimal128::FromString wraps around past 38 digits instead of failing. What it reads is the
// unscaled integer: the digits without the point, from the first that is not zero.
bool AtMost38Digits(std::string_view canonical) {
  size_t digits = 0;
  for (char c : canonical) {
    if (c < '0' || c > '9' || (digits == 0 && c == '0')) continue;
    ++digits;
  }
  return digits <= 38;
}

}  // namespace

Result<Ratio> Ratio::FromDecimal(std::string_view text) {
  TF_ASSIGN_OR_RETURN(std::string canonical, model::CanonicalDecimalString(text));
  Decimal128 value;
  int32_t precision = 0, scale = 0;
  if (!AtMost38Digits(canonical)) {
    return Status::Invalid("'" + std::string(text) + "' has more than 38 digits");
  }
  if (!Decimal128::FromString(canonical, &value, &precision, &scale).ok() || scale > kMaxDigits) {
    return Status::Invalid("'" + std::string(text) + "' is not a decimal number");
  }
  if (value <= 0) return Status::Invalid("factor '" + canonical + "' must be positive");
  Decimal128 den = Decimal128::GetScaleMultiplier(scale);
  Decimal128 g = Gcd(value, den);
  return Ratio(Quotient(value, g), Quotient(den, g));
}

Result<Ratio> Ratio::FromIntegers(int64_t numerator, int64_t denominator) {
  if (numerator <= 0 || denominator <= 0) return Status::Invalid("factor must be positive");
  Decimal128 g = Gcd(Decimal128(numerator), Decimal128(denominator));
  return Ratio(Quotient(Decimal128(numerator), g), Quotient(Decimal128(denominator), g));
}

Ratio Ratio::Inverse() const { return Ratio(den_, num_); }

Result<Ratio> Ratio::Times(const Ratio& other) const {
  // Cross-reduce first so that the terms stay as small as the exact result allows.
  Decimal128 g1 = Gcd(num_, other.den_);
  Decimal128 g2 = Gcd(other.num_, den_);
  auto num = CheckedMultiply(Quotient(num_, g1), Quotient(other.num_, g2));
  auto den = CheckedMultiply(Quotient(den_, g2), Quotient(other.den_, g1));
  if (!num.ok() || !den.ok()) {
    return Status::Invalid("factor " + ToString() + " × " + other.ToString() +
                           " does not fit 38 decimal digits");
  }
  return Ratio(*num, *den);
}

namespace {

// a - b (Decimal256 has no binary minus).
template <typename D>
D Minus(const D& a, const D& b) {
  D negated(b);
  negated.Negate();
  return D(a + negated);
}

// numerator / denominator (> 0), rounded half-even; D is Decimal128 or, for a product past 38
// digits, Decimal256. Compared as |r| against d - |r| so that 2|r| can never overflow.
template <typename D>
std::pair<D, bool> DivideHalfEven(const D& numerator, const D& denominator) {
  D quotient, remainder;
  DivMod(numerator, denominator, &quotient, &remainder);
  if (remainder == D(0)) return {quotient, true};
  const D r(D::Abs(remainder));
  const D rest(Minus(denominator, r));
  D half, odd;
  DivMod(quotient, D(2), &half, &odd);
  const bool away = r > rest || (r == rest && odd != D(0));
  if (away) quotient = numerator.IsNegative() ? Minus(quotient, D(1)) : D(quotient + D(1));
  return {quotient, false};
}

}  // namespace

Result<Ratio::Applied> Ratio::Apply(const Decimal128& value, int32_t scale_in,
                                    int32_t scale_out) const {
  // result × 10^scale_out = value × num × 10^(scale_out - scale_in) / den.
  const int32_t shift = scale_out - scale_in;
  if (shift < -kMaxDigits || shift > kMaxDigits) return Status::Invalid("scale out of range");
  const int shift_digits = shift > 0 ? shift : 0;
  if (Digits(value) + Digits(num_) + shift_digits <= kMaxDigits &&
      Digits(den_) + (shift < 0 ? -shift : 0) <= kMaxDigits) {
    Decimal128 numerator(value * num_);
    Decimal128 denominator = den_;
    if (shift >= 0) {
      numerator = Decimal128(numerator * Decimal128::GetScaleMultiplier(shift));
    } else {
      denominator = Decimal128(denominator * Decimal128::GetScaleMultiplier(-shift));
    }
    auto [quotient, exact] = DivideHalfEven(numerator, denominator);
    return Applied{quotient, exact};
  }
  // A product past 38 digits (1e21 m3 × 1000000000000/158987294928) whose result may still fit:
  // computed in 256 bits, which hold 76 digits; beyond those the result could not fit anyway
  // (the denominator has at most 38 digits), and Decimal256's multiply would wrap. (The
  // denominator times 10^-shift stays within 76 digits, as the shift is at most 38.)
  if (Digits(value) + Digits(num_) + shift_digits > 2 * kMaxDigits) {
    return Status::Invalid("result too large for 38 decimal digits");
  }
  using arrow::Decimal256;
  Decimal256 numerator(Decimal256(arrow::BasicDecimal256(value)) *
                       Decimal256(arrow::BasicDecimal256(num_)));
  Decimal256 denominator{arrow::BasicDecimal256(den_)};
  if (shift >= 0) {
    numerator = Decimal256(numerator * Decimal256::GetScaleMultiplier(shift));
  } else {
    denominator = Decimal256(denominator * Decimal256::GetScaleMultiplier(-shift));
  }
  auto [quotient, exact] = DivideHalfEven(numerator, denominator);
  if (!quotient.FitsInPrecision(kMaxDigits)) {
    return Status::Invalid("result too large for 38 decimal digits");
  }
  const auto& words = quotient.little_endian_array();  // fits: the low 128 bits are the value
  return Applied{Decimal128(static_cast<int64_t>(words[1]), words[0]), exact};
}

std::string Ratio::ToString() const {
  if (den_ == 1) return num_.ToIntegerString();
  return num_.ToIntegerString() + "/" + den_.ToIntegerString();
}

Result<std::string> ApplyToDecimalString(const Ratio& ratio, std::string_view text, int32_t scale,
                                         bool* exact) {
  TF_ASSIGN_OR_RETURN(std::string canonical, model::CanonicalDecimalString(text));
  Decimal128 value;
  int32_t precision = 0, scale_in = 0;
  if (!AtMost38Digits(canonical)) {
    return Status::Invalid("'" + std::string(text) + "' has more than 38 digits");
  }
  if (!Decimal128::FromString(canonical, &value, &precision, &scale_in).ok()) {
    return Status::Invalid("'" + std::string(text) + "' is not a decimal number");
  }
  TF_ASSIGN_OR_RETURN(Ratio::Applied applied, ratio.Apply(value, scale_in, scale));
  *exact = applied.exact;
  return model::PlainDecimalString(applied.value, scale);
}

}  // namespace tradeflow::transform
