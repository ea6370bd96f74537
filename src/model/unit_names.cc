#include "model/unit_names.h"

#include <algorithm>
#include <array>
#include <string>

namespace tradeflow::model {
namespace {

struct Alias {
  std::string_view spelling;  // lower case
  std::string_view canonical;
};

// Sorted by spelling, for a binary search: every record's units go through here.
constexpr std::array<Alias, 42> kAliases = {{
    {"barrel", "bbl"}, {"barrels", "bbl"}, {"bbl", "bbl"},     {"bbls", "bbl"},
    {"cbm", "m3"},     {"dth", "Dth"},     {"g", "g"},         {"gal", "gal"},
    {"gallon", "gal"}, {"gallons", "gal"}, {"gj", "GJ"},       {"gwh", "GWh"},
    {"kbbl", "kbbl"},  {"kg", "kg"},       {"kilogram", "kg"}, {"kilograms", "kg"},
    {"kt", "kt"},      {"kwh", "kWh"},     {"l", "L"},         {"lb", "lb"},
    {"lbs", "lb"},     {"liter", "L"},     {"liters", "L"},    {"litre", "L"},
    {"litres", "L"},   {"m3", "m3"},       {"mj", "MJ"},       {"mmbtu", "MMBtu"},
    {"mt", "MT"},      {"mwh", "MWh"},     {"ozt", "ozt"},     {"pound", "lb"},
    {"pounds", "lb"},  {"t", "MT"},        {"therm", "therm"}, {"therms", "therm"},
    {"thm", "therm"},  {"tne", "MT"},      {"tonne", "MT"},    {"tonnes", "MT"},
    {"toz", "ozt"},    {"usgal", "gal"},
}};
static_assert(std::is_sorted(kAliases.begin(), kAliases.end(), [](const Alias& a, const Alias& b) {
  return a.spelling < b.spelling;
}));

}  // namespace

std::string CanonicalUnitName(std::string_view unit) {
  char lower[16];
  if (unit.empty() || unit.size() > sizeof lower) return std::string(unit);
  for (size_t i = 0; i < unit.size(); ++i) {  // ASCII: locale-free and cheap
    const char c = unit[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view key(lower, unit.size());
  const auto* it =
      std::lower_bound(kAliases.begin(), kAliases.end(), key,
                       [](const Alias& a, std::string_view k) { return a.spelling < k; });
  return it != kAliases.end() && it->spelling == key ? std::string(it->canonical)
                                                     : std::string(unit);
}

}  // namespace tradeflow::model
