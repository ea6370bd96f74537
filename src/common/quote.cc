#include "common/quote.h"

namespace tradeflow {

std::string QuoteValue(std::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes) return "'" + std::string(value) + "'";
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(value.substr(0, cut)) + "...' (" + std::to_string(value.size()) +
         " bytes)";
}

}  // namespace tradeflow
