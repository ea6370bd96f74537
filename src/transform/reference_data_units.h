// The unit conversions that are definitions, not data: built into every ReferenceData so that a
// reference file only needs the commodity-specific factors (density, calorific value, contract
// terms). Values and sources are those of docs/reference-data.md and trade-domain notes §2.2.
//
// Unit names. Quantities name their unit in many spellings ("BBL", "bbls", "t", "THM"); they are
// compared through CanonicalUnitName, which maps known spellings case-insensitively to one
// canonical name (bbl, gal, L, m3, kbbl, MT, kt, kg, g, lb, ozt, MWh, kWh, GWh, GJ, MJ, MMBtu,
// Dth, therm). An unknown name is kept as written and only matches itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

std::string CanonicalUnitName(std::string_view unit);

}  // namespace tradeflow::transform
