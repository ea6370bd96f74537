// Unit names. Quantities name their unit in many spellings ("BBL", "bbls", "t", "THM"); they are
// compared through CanonicalUnitName, which maps known spellings case-insensitively to one
// canonical name (bbl, gal, L, m3, kbbl, MT, kt, kg, g, lb, ozt, MWh, kWh, GWh, GJ, MJ, MMBtu,
// Dth, therm). An unknown name is kept as written and only matches itself. In model, since
// normalisation stores these names and validation compares them.
#pragma once

#include <string>
#include <string_view>

namespace tradeflow::model {

std::string CanonicalUnitName(std::string_view unit);

// Whether two names are the same unit ("lbs" and "LB").
inline bool SameUnit(std::string_view a, std::string_view b) {
  return a == b || CanonicalUnitName(a) == CanonicalUnitName(b);
}

}  // namespace tradeflow::model
