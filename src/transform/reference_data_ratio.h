// An exact conversion factor between two units or two currencies, and its one rounding step.
//
// A factor is kept as a fraction of two integers (numerator / denominator), not as a decimal, so
// that an inverse (MWh → MMBtu is 1 / 0.293071) and a chain (gal → bbl → MT) stay exact. Rounding
// happens once, when the factor is applied to a value at the scale of the field that receives the
// result: the exact quotient is rounded half-even (banker's rounding, unbiased over many trades)
// and the caller is told whether it was exact, so it can say so in a note. All arithmetic is on
// arrow::Decimal128 integers; a product that could exceed 38 digits is refused, never wrapped.
#pragma once

#include <arrow/util/decimal.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::transform {

class Ratio {
 public:
  Ratio() = default;  // 1

  // A plain decimal ("42", "0.293071"). Zero and negative factors are Invalid.
  static Result<Ratio> FromDecimal(std::string_view text);
  // numerator / denominator, both positive integers.
  static Result<Ratio> FromIntegers(int64_t numerator, int64_t denominator);

  Ratio Inverse() const;
  // this × other, reduced. Invalid when the reduced terms do not fit 38 digits.
  Result<Ratio> Times(const Ratio& other) const;

  bool IsOne() const { return num_ == den_; }
  // Nearest double: for comparing conversions within a tolerance, never for converting.
  double ToDouble() const { return num_.ToDouble(0) / den_.ToDouble(0); }

  struct Applied {
    arrow::Decimal128 value;  // unscaled, at the requested scale
    bool exact = true;        // false: the exact result had more digits and was rounded
  };
  // `value` (unscaled at `scale_in`) × this, at `scale_out`, rounded half-even.
  Result<Applied> Apply(const arrow::Decimal128& value, int32_t scale_in, int32_t scale_out) const;

  // "42", "1000000/293071": the exact fraction, for notes.
  std::string ToString() const;

  friend bool operator==(const Ratio& a, const Ratio& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }

 private:
  Ratio(arrow::Decimal128 num, arrow::Decimal128 den) : num_(num), den_(den) {}

  arrow::Decimal128 num_{1};  // > 0
  arrow::Decimal128 den_{1};  // > 0, coprime with num_
};

// Convenience for callers holding proto Decimal strings: `text` × ratio at `scale`, as the
// canonical decimal string (no trailing zeros). `exact` is set as in Ratio::Applied.
Result<std::string> ApplyToDecimalString(const Ratio& ratio, std::string_view text, int32_t scale,
                                         bool* exact);

}  // namespace tradeflow::transform
