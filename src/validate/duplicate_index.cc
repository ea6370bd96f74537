#include "validate/duplicate_index.h"

#include <functional>

namespace tradeflow::validate {

DuplicateKey DuplicateKey::Of(const tradeflow::trade::v1::TradeEvent& event) {
  return {event.source_system(), event.source_trade_id(), event.source_version()};
}

std::string DuplicateKey::ToString() const {
  return "(" + source_system + ", " + source_trade_id + ", version " +
         std::to_string(source_version) + ")";
}

DuplicateIndex::Fingerprint DuplicateIndex::FingerprintOf(const DuplicateKey& k) {
  // The key as one unambiguous string (the separator cannot occur in ids), hashed twice with
  // different salts for 128 independent-enough bits.
  std::string text;
  text.reserve(k.source_system.size() + k.source_trade_id.size() + 24);
  text.append(k.source_system).push_back('\x1f');
  text.append(k.source_trade_id).push_back('\x1f');
  text.append(std::to_string(k.source_version));
  std::hash<std::string_view> hash;
  uint64_t high = hash(text);
  text.insert(0, "tradeflow#");
  uint64_t low = hash(text);
  return {high, low};
}

void DuplicateIndex::AddExisting(DuplicateKey key) {
  keys_.insert_or_assign(FingerprintOf(key), Entry{true, {}});
}

bool DuplicateIndex::Seen(const DuplicateKey& key, std::string_view where,
                          std::string* first_where) {
  auto [it, inserted] = keys_.try_emplace(FingerprintOf(key), Entry{false, std::string(where)});
  if (inserted) return false;
  if (first_where != nullptr) {
    *first_where = it->second.in_table ? std::string(kInTable) : it->second.where;
  }
  return true;
}

}  // namespace tradeflow::validate
