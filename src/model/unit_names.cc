#include "model/unit_names.h"

#include <cctype>
#include <string>
#include <unordered_map>

namespace tradeflow::model {

std::string CanonicalUnitName(std::string_view unit) {
  static const std::unordered_map<std::string, std::string> kAliases = {
      {"bbl", "bbl"}, {"bbls", "bbl"},    {"barrel", "bbl"},   {"barrels", "bbl"},
      {"gal", "gal"}, {"usgal", "gal"},   {"gallon", "gal"},   {"gallons", "gal"},
      {"l", "L"},     {"litre", "L"},     {"liter", "L"},      {"m3", "m3"},
      {"cbm", "m3"},  {"kbbl", "kbbl"},   {"mt", "MT"},        {"t", "MT"},
      {"tne", "MT"},  {"tonne", "MT"},    {"tonnes", "MT"},    {"kt", "kt"},
      {"kg", "kg"},   {"g", "g"},         {"lb", "lb"},        {"lbs", "lb"},
      {"ozt", "ozt"}, {"toz", "ozt"},     {"mwh", "MWh"},      {"kwh", "kWh"},
      {"gwh", "GWh"}, {"gj", "GJ"},       {"mj", "MJ"},        {"mmbtu", "MMBtu"},
      {"dth", "Dth"}, {"therm", "therm"}, {"therms", "therm"}, {"thm", "therm"},
  };
  std::string key(unit);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = kAliases.find(key);
  return it == kAliases.end() ? std::string(unit) : it->second;
}

}  // namespace tradeflow::model
