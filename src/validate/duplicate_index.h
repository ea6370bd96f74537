// Remembers which (source_system, source_trade_id, source_version) keys exist, so that a trade
// version arriving twice (twice in one run, or again after it was stored) is caught by the
// unique_version rule (trade-domain.md §3 rule 15).
//
// The pipeline fills it with the keys already in the table before the run, then asks Seen() for
// every record in input order; Validator::CheckDuplicate() turns a repeat into a RuleFailure.
// Not thread-safe: one index per run, used from the thread that orders the records.
//
// Memory: a run may see millions of keys, so keys are kept as a 128-bit hash of
// (system, trade id, version) rather than as strings: about 60 bytes a key with a short `where`.
// Two different keys sharing a hash would make the second look like a duplicate; at 128 bits
// that is about 1 in 10^20 for ten million keys, and it would show in quarantine, not vanish.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

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

  size_t size() const { return keys_.size(); }

 private:
  struct Fingerprint {
    uint64_t high = 0, low = 0;
    bool operator==(const Fingerprint&) const = default;
  };
  struct FingerprintHash {
    size_t operator()(const Fingerprint& f) const { return static_cast<size_t>(f.low); }
  };
  static Fingerprint FingerprintOf(const DuplicateKey& key);
  struct Entry {
    bool in_table = false;
    std::string where;
  };
  std::unordered_map<Fingerprint, Entry, FingerprintHash> keys_;
};

}  // namespace tradeflow::validate
