// The validator: every data-quality rule a record must pass before it is stored.
//
//   auto v = Validator::Make(spec, &reference_data);      // once per run
//   auto failures = (*v)->Check(event, issues, now);      // per record, thread-safe
//   (*v)->CheckDuplicate(key, hash, "etrm.csv line 17", &index, &failures);  // in order
//   if (HasErrors(failures)) → quarantine; else store, with any warnings as flags.
//
// Make() does all the work that does not depend on a record: it applies the spec's overrides to
// the built-in rules (validate/builtin_rules.h), resolves the user rules' field paths against the
// TradeEvent descriptor, parses their bounds and compiles their patterns. Configuration mistakes
// fail there, naming the rule. Check() then only reads and compares; on a clean record it
// allocates nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/reference_lookup.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "validate/builtin_rules.h"
#include "validate/duplicate_index.h"
#include "validate/rule.h"
#include "validate/user_rules.h"
#include "validate/validation_spec.h"

namespace tradeflow::validate {

class Validator {
 public:
  // `lookup` may be null: the built-in known_* rules are then skipped (see notes()), and a user
  // `reference` rule is a configuration error. The lookup must outlive the validator.
  static Result<std::unique_ptr<Validator>> Make(const ValidationSpec& spec,
                                                 const model::ReferenceLookup* lookup);

  // Every failure of every enabled rule, built-in rules first, then user rules in spec order.
  // `mapping_issues` are the mapping's issues for this record as "<field>: <message>" (e.g.
  // "direction: value 'B' is not a known Side (kept as raw)"); each fails known_enum_values.
  // `now_unix_seconds` is the clock execution_time_not_future compares against.
  std::vector<RuleFailure> Check(const tradeflow::trade::v1::TradeEvent& event,
                                 const std::vector<std::string>& mapping_issues,
                                 int64_t now_unix_seconds) const;

  // What the unique_version rule made of a record's trade version.
  enum class VersionSeen {
    kNew,        // not seen before (or the rule is off): store it
    kReplay,     // seen before with the same content: already stored, ignore it
    kDuplicate,  // seen before with other content, or content not known: a failure was added
  };

  // The unique_version rule (trade-domain.md §3 rule 15): records the version's key
  // (DuplicateKey::Of) and content hash (model/content_hash.h) in `index` as seen at `where`
  // (e.g. "etrm.csv line 17"). When the key was there already, with the same content the record
  // is a replay; otherwise appends a failure naming where it was first seen. Always kNew when
  // unique_version is off.
  VersionSeen CheckDuplicate(const DuplicateKey& key, int64_t content_hash, std::string_view where,
                             DuplicateIndex* index, std::vector<RuleFailure>* failures) const;

  // For a record that another rule rejects, so that its quarantine row lists every rule it
  // fails: the unique_version failure it also has when its key was stored before or accepted
  // earlier in the run. Looks the key up without adding it, since nothing of the record is
  // stored. Nothing when the rule is not an error, or when `content_hash` (0: not known) is that
  // of the copy stored (a replay, which is no failure).
  std::optional<RuleFailure> CheckRejectedDuplicate(const DuplicateKey& key, int64_t content_hash,
                                                    const DuplicateIndex& index) const;

  // The rule id of the failures CheckDuplicate appends.
  static constexpr std::string_view kUniqueVersionRule = "unique_version";

  // True when unique_version is on (as an error or a warning), and when it is an error.
  bool ChecksDuplicateVersions() const;
  bool RejectsDuplicateVersions() const;

  // What the run should tell the user once, e.g. that a reference rule is skipped because its
  // table is not loaded.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  Validator() = default;

  // "(ENDUR, 100001, version 2)" + what + where the first copy is + why.
  RuleFailure DuplicateFailure(const DuplicateKey& key, const DuplicateIndex::Earlier& first,
                               std::string_view what, std::string_view why) const;

  BuiltinConfig builtin_;
  std::vector<CompiledUserRule> user_rules_;
  std::vector<std::string> notes_;
};

}  // namespace tradeflow::validate
