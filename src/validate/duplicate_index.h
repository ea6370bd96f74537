// Remembers which (source_system, source_trade_id, source_version) keys exist, so that a trade
// version arriving twice (twice in one run, or again after it was stored) is caught by the
// unique_version rule (trade-domain.md §3 rule 15).
//
// The pipeline fills it with the keys already in the table before the run, then asks Seen() for
// every record in input order; Validator::CheckDuplicate() turns a repeat into a RuleFailure.
// Not thread-safe: one index per run, used from the thread that orders the records.
//
// Memory: a run may see millions of keys and the index is what grows with the input, so a key is
// kept as a 96-bit hash of (system, trade id, version) in a flat open-addressing table (16 bytes a
// slot: the hash and the line number, or where its `where` text starts in one shared buffer):
// 20 to 40 bytes a key, where a node-based std::unordered_map took 90. Two different
// keys sharing a hash would make the second look like a duplicate; at 96 bits that is about 1 in
// 10^14 for ten million keys, and it would show in quarantine, not vanish.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::validate {

struct DuplicateKey {
  std::string source_system;
  std::string source_trade_id;
  int64_t source_version = 0;

  static DuplicateKey Of(const tradeflow::trade::v1::TradeEvent& event);
  bool operator==(const DuplicateKey&) const = default;
  // "(ENDUR, 100001, version 2)"
  std::string ToString() const;
};

class DuplicateIndex {
 public:
  // What Seen() reports as the first place of a key that came from the table.
  static constexpr std::string_view kInTable = "the table";

  // A key already stored in the table.
  void AddExisting(DuplicateKey key);

  // True when `key` was seen before: *first_where (may be null) is then where it was first seen,
  // e.g. "etrm.csv line 17", or kInTable. Otherwise remembers it as seen at `where` and returns
  // false. The first occurrence is kept: a third copy also names the first.
  bool Seen(const DuplicateKey& key, std::string_view where, std::string* first_where);

  // Where `key` was first seen, as Seen() reports it; nullopt if the index does not hold it.
  std::optional<std::string> Where(const DuplicateKey& key) const;

  size_t size() const { return size_; }

 private:
  // `where` is a line number with kLineBit set, or the offset of a NUL-terminated text in
  // wheres_, or one of the markers below (which have kLineBit set but no line that high).
  struct Slot {
    uint64_t high = 0;
    uint32_t low = 0;
    uint32_t where = 0;
  };
  static constexpr uint32_t kLineBit = 0x80000000;
  static constexpr uint32_t kEmpty = 0xFFFFFFFF;
  static constexpr uint32_t kInTableWhere = 0xFFFFFFFE;
  static constexpr uint32_t kNoWhere = 0xFFFFFFFD;

  static Slot FingerprintOf(const DuplicateKey& key);
  // The slot holding `fp`'s hash, or the empty slot where it would go.
  Slot* Find(const Slot& fp);
  const Slot* Find(const Slot& fp) const;
  std::string WhereText(uint32_t where) const;
  void Grow();
  // Returns true if the key was there; otherwise stores it with `where`.
  bool Insert(const Slot& fp, uint32_t where, uint32_t* found_where);

  std::vector<Slot> slots_;  // power-of-two size
  size_t size_ = 0;
  std::string wheres_;
};

}  // namespace tradeflow::validate
