// Decimal numbers for money, prices and quantities: parsed exactly, never through a float.
//
// A value is parsed from plain text ("-1234.5") into an unscaled 128-bit integer at a fixed scale,
// the representation of Iceberg decimal(P,S) and Arrow decimal128. A value that needs more
// fraction digits than the scale allows, or more digits than the precision, is rejected: silently
// rounding a price is exactly the kind of error this project exists to prevent.
#pragma once

#include <arrow/util/decimal.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::model {

struct DecimalType {
  int32_t precision = 38;
  int32_t scale = 10;
};

// Parses `text` (optional sign, digits, optional '.' and digits; surrounding blanks ignored) at
// `type.scale`. Errors say what is wrong with the text, e.g. "'1.123' has 3 decimal places, more
// than the 2 allowed".
Result<arrow::Decimal128> ParseDecimal(std::string_view text, DecimalType type);

// The canonical plain-text form: no exponent, no trailing fraction zeros, "-0" normalised to "0".
// Used for the string inside the proto Decimal message, so equal values compare equal.
Result<std::string> CanonicalDecimalString(std::string_view text);

// `value` at `scale` in the canonical plain-text form above. (Decimal128::ToString switches to
// an exponent for small values: "0E-10" for a zero at scale 10.)
std::string PlainDecimalString(const arrow::Decimal128& value, int32_t scale);

// Both at once: the canonical form of `text` if ParseDecimal accepts it at `type`, else
// ParseDecimal's error. Usual values are checked and rendered in one pass over the text, without
// building the 128-bit value.
Result<std::string> CanonicalDecimal(std::string_view text, DecimalType type);

}  // namespace tradeflow::model
