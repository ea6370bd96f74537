#include "validate/duplicate_index.h"

#include <functional>
#include <utility>

namespace tradeflow::validate {

DuplicateKey DuplicateKey::Of(const tradeflow::trade::v1::TradeEvent& event) {
  return {event.source_system(), event.source_trade_id(), event.source_version()};
}

std::string DuplicateKey::ToString() const {
  return "(" + source_system + ", " + source_trade_id + ", version " +
         std::to_string(source_version) + ")";
}

DuplicateIndex::Slot DuplicateIndex::FingerprintOf(const DuplicateKey& k) {
  // The key as one unambiguous string (the separator cannot occur in ids), hashed twice with
  // different salts for 96 independent-enough bits.
  std::string text;
  text.reserve(k.source_system.size() + k.source_trade_id.size() + 34);
  text.append(k.source_system).push_back('\x1f');
  text.append(k.source_trade_id).push_back('\x1f');
  text.append(std::to_string(k.source_version));
  std::hash<std::string_view> hash;
  Slot slot;
  slot.high = hash(text);
  text.insert(0, "tradeflow#");
  slot.low = static_cast<uint32_t>(hash(text));
  return slot;
}

const DuplicateIndex::Slot* DuplicateIndex::Find(const Slot& fp) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = fp.high & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.where == kEmpty || (s.high == fp.high && s.low == fp.low)) return &s;
  }
}

DuplicateIndex::Slot* DuplicateIndex::Find(const Slot& fp) {
  return const_cast<Slot*>(std::as_const(*this).Find(fp));
}

void DuplicateIndex::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, 0, kEmpty, 0});
  for (const Slot& s : old) {
    if (s.where != kEmpty) *Find(s) = s;
  }
}

const DuplicateIndex::Slot* DuplicateIndex::Insert(const Slot& fp) {
  // Linear probing stays short below 3/4 full.
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  Slot* slot = Find(fp);
  if (slot->where != kEmpty) return slot;
  *slot = fp;
  ++size_;
  return nullptr;
}

void DuplicateIndex::AddExisting(DuplicateKey key, int64_t content_hash) {
  Slot fp = FingerprintOf(key);
  fp.where = kInTableWhere;
  fp.content = content_hash;
  // The table may hold the version twice (the rule as a warning, or off): both are stored.
  if (const Slot* found = Insert(fp)) AddContent(*found, content_hash);
}

void DuplicateIndex::AddContent(const DuplicateKey& key, int64_t content_hash) {
  if (slots_.empty()) return;
  const Slot* slot = Find(FingerprintOf(key));
  if (slot->where != kEmpty) AddContent(*slot, content_hash);
}

void DuplicateIndex::AddContent(const Slot& slot, int64_t content_hash) {
  if (content_hash != 0 && slot.content != content_hash) {
    more_contents_.emplace(slot.high, slot.low, content_hash);
  }
}

namespace {

// "line 1234" (how most sources name a record) as its number, so it needs no text at all.
bool LineNumberOf(std::string_view where, uint32_t* line) {
  constexpr std::string_view kPrefix = "line ";
  if (!where.starts_with(kPrefix) || where.size() == kPrefix.size() || where.size() > 14) {
    return false;
  }
  uint64_t n = 0;
  for (char c : where.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n >= 0x7FFFFFF0 || (n == 0 && where.size() > kPrefix.size() + 1)) return false;
  *line = static_cast<uint32_t>(n);
  return true;
}

}  // namespace

bool DuplicateIndex::Seen(const DuplicateKey& key, int64_t content_hash, std::string_view where,
                          Earlier* earlier) {
  uint32_t at = kNoWhere;
  uint32_t line = 0;
  bool as_text = false;
  if (LineNumberOf(where, &line)) {
    at = kLineBit | line;
  } else if (!where.empty() && wheres_.size() < kLineBit) {
    // Up to two gigabytes of other `where` texts; past that, keys are kept without a place.
    at = static_cast<uint32_t>(wheres_.size());
    as_text = true;
  }
  Slot fp = FingerprintOf(key);
  fp.where = at;
  fp.content = content_hash;
  const Slot* found = Insert(fp);
  if (found == nullptr) {
    if (as_text) wheres_.append(where).push_back('\0');
    return false;
  }
  if (earlier != nullptr) *earlier = EarlierOf(*found, content_hash);
  return true;
}

std::optional<DuplicateIndex::Earlier> DuplicateIndex::Lookup(const DuplicateKey& key,
                                                              int64_t content_hash) const {
  if (slots_.empty()) return std::nullopt;
  const Slot* slot = Find(FingerprintOf(key));
  if (slot->where == kEmpty) return std::nullopt;
  return EarlierOf(*slot, content_hash);
}

DuplicateIndex::Earlier DuplicateIndex::EarlierOf(const Slot& slot, int64_t content_hash) const {
  Earlier earlier;
  earlier.where = WhereText(slot.where);
  earlier.content_known = slot.content != 0;
  earlier.same_content =
      content_hash != 0 && (slot.content == content_hash ||
                            more_contents_.count({slot.high, slot.low, content_hash}) > 0);
  return earlier;
}

std::string DuplicateIndex::WhereText(uint32_t where) const {
  if (where == kInTableWhere) return std::string(kInTable);
  if (where == kNoWhere) return "an earlier record";
  if (where & kLineBit) return "line " + std::to_string(where & ~kLineBit);
  return wheres_.data() + where;
}

}  // namespace tradeflow::validate
