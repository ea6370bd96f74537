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

size_t DuplicateIndex::Hash::operator()(const DuplicateKey& k) const {
  size_t h = std::hash<std::string>()(k.source_system);
  h = h * 31 + std::hash<std::string>()(k.source_trade_id);
  return h * 31 + std::hash<int64_t>()(k.source_version);
}

void DuplicateIndex::AddExisting(DuplicateKey key) {
  keys_.insert_or_assign(std::move(key), Entry{true, {}});
}

bool DuplicateIndex::Seen(const DuplicateKey& key, std::string_view where,
                          std::string* first_where) {
  auto [it, inserted] = keys_.try_emplace(key, Entry{false, std::string(where)});
  if (inserted) return false;
  if (first_where != nullptr) {
    *first_where = it->second.in_table ? std::string(kInTable) : it->second.where;
  }
  return true;
}

}  // namespace tradeflow::validate
