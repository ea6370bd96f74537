// The unit conversions that are definitions, not data: built into every ReferenceData so that a
// reference file only needs the commodity-specific factors (density, calorific value, contract
// terms). Values and sources are those of docs/reference-data.md and trade-domain notes §2.2.
//
// Units are named as model/unit_names.h says.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/unit_names.h"

namespace tradeflow::transform {

struct BuiltinConversion {
  const char* from_unit;
  const char* to_unit;
  const char* factor;  // to = from × factor
  // True for a market convention rather than a definition (MMBtu → MWh 0.293071): conversions
  // through it are noted.
  bool approximate;
  const char* source;  // where the value comes from, for the docs and notes
};

const std::vector<BuiltinConversion>& BuiltinUnitConversions();

using model::CanonicalUnitName;
using model::SameUnit;

}  // namespace tradeflow::transform
