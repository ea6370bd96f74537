#include "transform/reference_data_units.h"

#include <cctype>
#include <unordered_map>

namespace tradeflow::transform {

const std::vector<BuiltinConversion>& BuiltinUnitConversions() {
  // Each pair once, in one direction: the reverse is implied (÷ factor). Chains (bbl → m3,
  // therm → MWh, lb → MT) are found by composing these, exactly.
  static const std::vector<BuiltinConversion> kConversions = {
      // Volume.
      {"bbl", "gal", "42", false, "oil barrel = 42 US gal (pint oil_barrel)"},
      {"gal", "L", "3.785411784", false, "US gal = 231 in3 (pint gallon)"},
      {"m3", "L", "1000", false, "SI"},
      {"kbbl", "bbl", "1000", false, "thousand barrels"},
      // Mass.
      {"kt", "MT", "1000", false, "SI"},
      {"MT", "kg", "1000", false, "SI"},
      {"kg", "g", "1000", false, "SI"},
      {"lb", "kg", "0.45359237", false, "international avoirdupois pound (exact)"},
      {"ozt", "g", "31.1034768", false, "troy ounce = 480 grains (exact)"},
      // Energy.
      {"GWh", "MWh", "1000", false, "SI"},
      {"MWh", "kWh", "1000", false, "SI"},
      {"MWh", "GJ", "3.6", false, "1 Wh = 3600 J"},
      {"GJ", "MJ", "1000", false, "SI"},
      {"MMBtu", "therm", "10", false, "therm = 100000 Btu"},
      {"Dth", "MMBtu", "1", false, "dekatherm = 10 therms"},
      {"MMBtu", "GJ", "1.055056", false, "ISO Btu = 1055.056 J"},
      {"MMBtu", "MWh", "0.293071", true,
       "market convention (ICE: 1 therm = 29.3071 kWh); 1 MWh = 3.41214 MMBtu"},
  };
  return kConversions;
}

}  // namespace tradeflow::transform
