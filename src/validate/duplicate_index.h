// Remembers which (source_system, source_trade_id, source_version) keys exist, so that a trade
// version arriving twice (twice in one run, or again after it was stored) is caught by the
// unique_version rule (trade-domain.md §3 rule 15). With each key it keeps the version's content
// hash (model/content_hash.h), which tells a replay (the same content again: ignored) from a
// conflict (other content under the same version: an error).
//
// The pipeline fills it with the keys already in the table before the run, then asks Seen() for
// every record in input order; Validator::CheckDuplicate() turns a repeat into a RuleFailure.
// Not thread-safe: one index per run, used from the thread that orders the records.
//
// Memory: a run may see millions of keys and the index is what grows with the input, so a key is
// kept as a 96-bit hash of (system, trade id, version) in a flat open-addressing table (24 bytes a
// slot: the hash, the content hash and the line number, or where its `where` text starts in one
// shared buffer; 3/8 to 3/4 full): 32 to 64 bytes a key, where a node-based std::unordered_map
// took 90. A version stored with more than one content (unique_version as a warning stores the
// changed repeats, flagged) keeps the others in a side table, which is rarely used. Two
// different keys sharing a hash would make the second look like a duplicate; at 96 bits that is
// about 1 in 10^14 for ten million keys, and it would show in quarantine, not vanish.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
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

  // A key already stored in the table, with its content hash (0: not known, for rows stored
  // before tradeflow kept one). A key stored with several contents keeps them all.
  void AddExisting(DuplicateKey key, int64_t content_hash);

  // Another content stored under a key Seen() already holds (unique_version as a warning stores
  // a changed repeat), so that a later copy of it is a replay too.
  void AddContent(const DuplicateKey& key, int64_t content_hash);

  // The first occurrence of a key, as Seen() reports it.
  struct Earlier {
    std::string where;           // e.g. "etrm.csv line 17", or kInTable
    bool content_known = false;  // the first copy came with a content hash
    // The content hash is known and equals that of a copy stored before (the first, or one
    // stored with a unique_version warning): a replay.
    bool same_content = false;
  };

  // True when `key` was seen before: *earlier (may be null) then describes its first occurrence.
  // Otherwise remembers it, with `content_hash`, as seen at `where` and returns false. The first
  // occurrence is kept: a third copy is also compared with the first (and with any content added
  // by AddContent).
  bool Seen(const DuplicateKey& key, int64_t content_hash, std::string_view where,
            Earlier* earlier);

  // The first occurrence of `key`, compared with `content_hash`, as Seen() reports it, but
  // without adding the key; nullopt if the index does not hold it.
  std::optional<Earlier> Lookup(const DuplicateKey& key, int64_t content_hash) const;

  size_t size() const { return size_; }

 private:
  // `where` is a line number with kLineBit set, or the offset of a NUL-terminated text in
  // wheres_, or one of the markers below (which have kLineBit set but no line that high).
  struct Slot {
    uint64_t high = 0;
    uint32_t low = 0;
    uint32_t where = 0;
    int64_t content = 0;
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
  Earlier EarlierOf(const Slot& slot, int64_t content_hash) const;
  // Keeps `content_hash` as another content of the key in `slot`, unless it is its own (or 0).
  void AddContent(const Slot& slot, int64_t content_hash);
  void Grow();
  // Returns the slot holding the key if it was there; otherwise stores `fp` (with its where and
  // content) and returns null.
  const Slot* Insert(const Slot& fp);

  std::vector<Slot> slots_;  // power-of-two size
  // (key hash, content hash) of the contents of keys stored with more than one, beyond the one
  // in their slot.
  std::set<std::tuple<uint64_t, uint32_t, int64_t>> more_contents_;
  size_t size_ = 0;
  std::string wheres_;
};

}  // namespace tradeflow::validate
