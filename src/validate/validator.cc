#include "validate/validator.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <string_view>

namespace tradeflow::validate {

namespace pb = tradeflow::trade::v1;

Result<std::unique_ptr<Validator>> Validator::Make(const ValidationSpec& spec,
                                                   const model::ReferenceLookup* lookup) {
  std::unique_ptr<Validator> v(new Validator());
  for (const BuiltinSetting& setting : spec.builtin) {
    const BuiltinRule* rule = FindBuiltinRule(setting.id);
    if (rule == nullptr) {
      std::string known;
      for (const BuiltinRule& r : BuiltinRules()) {
        known += (known.empty() ? "" : ", ") + std::string(r.name);
      }
      return Status::Invalid((setting.where.empty() ? "" : setting.where + ": ") +
                             "unknown built-in rule '" + setting.id + "' (known: " + known + ")");
    }
    v->builtin_.enabled[static_cast<int>(rule->id)] = setting.enabled;
    v->builtin_.severity[static_cast<int>(rule->id)] = setting.severity;
  }
  for (const std::string& name : spec.negative_price_allowed_for) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    v->builtin_.negative_price_allowed_for.push_back(std::move(lower));
  }

  // A reference rule without its table is skipped rather than failing every record: reference
  // data is optional, and the note tells the user what is not being checked.
  v->builtin_.lookup = lookup;
  // One note per table: "validation rules known_counterparty, active_counterparty are skipped".
  std::vector<std::pair<std::string_view, std::string>> skipped;  // table, rules
  for (const BuiltinRule& rule : BuiltinRules()) {
    if (rule.reference_table.empty() || !v->builtin_.on(rule.id)) continue;
    if (lookup == nullptr || !lookup->HasTable(rule.reference_table)) {
      v->builtin_.enabled[static_cast<int>(rule.id)] = false;
      auto it = std::find_if(skipped.begin(), skipped.end(),
                             [&](const auto& s) { return s.first == rule.reference_table; });
      if (it == skipped.end()) {
        skipped.emplace_back(rule.reference_table, rule.name);
      } else {
        it->second += ", " + std::string(rule.name);
      }
    }
  }
  for (const auto& [table, rules] : skipped) {
    const bool several = rules.find(',') != std::string::npos;
    v->notes_.push_back(std::string("validation rule") + (several ? "s " : " ") + rules +
                        (several ? " are" : " is") + " skipped: reference table '" +
                        std::string(table) + "' is not loaded");
  }

  std::set<std::string> ids;
  for (const UserRule& rule : spec.rules) {
    std::string where = rule.where.empty() ? "" : rule.where + ": ";
    if (FindBuiltinRule(rule.id) != nullptr) {
      return Status::Invalid(where + "rule id '" + rule.id +
                             "' is a built-in rule; configure it under builtin or pick another id");
    }
    // The names the pipeline gives failures of its own stages: a rule so named would have its
    // failures counted with theirs, or left out where theirs are.
    static constexpr std::string_view kStageFailures[] = {"parse_error",   "mapping_error",
                                                          "normalisation", "serialization",
                                                          "table_layout",  "package_incomplete"};
    if (std::find(std::begin(kStageFailures), std::end(kStageFailures), rule.id) !=
        std::end(kStageFailures)) {
      return Status::Invalid(where + "rule id '" + rule.id +
                             "' names failures of the pipeline's own stages; pick another id");
    }
    if (!ids.insert(rule.id).second) {
      return Status::Invalid(where + "rule id '" + rule.id + "' is used twice");
    }
    TF_ASSIGN_OR_RETURN(CompiledUserRule compiled,
                        CompiledUserRule::Compile(rule, pb::TradeEvent::descriptor(), lookup));
    v->user_rules_.push_back(std::move(compiled));
  }
  return v;
}

std::vector<RuleFailure> Validator::Check(const pb::TradeEvent& event,
                                          const std::vector<std::string>& mapping_issues,
                                          int64_t now_unix_seconds) const {
  std::vector<RuleFailure> failures;
  CheckBuiltins(builtin_, event, mapping_issues, now_unix_seconds, &failures);
  for (const CompiledUserRule& rule : user_rules_) rule.Check(event, &failures);
  return failures;
}

bool Validator::ChecksDuplicateVersions() const { return builtin_.on(BuiltinId::kUniqueVersion); }

bool Validator::RejectsDuplicateVersions() const {
  return builtin_.on(BuiltinId::kUniqueVersion) &&
         builtin_.severity[static_cast<int>(BuiltinId::kUniqueVersion)] == Severity::kError;
}

Validator::VersionSeen Validator::CheckDuplicate(const DuplicateKey& key, int64_t content_hash,
                                                 std::string_view where, DuplicateIndex* index,
                                                 std::vector<RuleFailure>* failures) const {
  if (!builtin_.on(BuiltinId::kUniqueVersion)) return VersionSeen::kNew;
  DuplicateIndex::Earlier first;
  if (!index->Seen(key, content_hash, where, &first)) return VersionSeen::kNew;
  if (first.same_content) return VersionSeen::kReplay;
  // Stored by a tradeflow that kept no content hash: a replay cannot be told from a change.
  const bool comparable = first.content_known && content_hash != 0;
  failures->push_back(DuplicateFailure(
      key, first, comparable ? " is a duplicate with different content: " : " is a duplicate: ",
      comparable ? ""
                 : " (stored without a content hash, so a replay cannot be told from a change)"));
  return VersionSeen::kDuplicate;
}

std::optional<RuleFailure> Validator::CheckRejectedDuplicate(const DuplicateKey& key,
                                                             int64_t content_hash,
                                                             const DuplicateIndex& index) const {
  if (!RejectsDuplicateVersions()) return std::nullopt;
  std::optional<DuplicateIndex::Earlier> first = index.Lookup(key, content_hash);
  if (!first || first->same_content) return std::nullopt;
  return DuplicateFailure(key, *first, " is a duplicate: ", "");
}

RuleFailure Validator::DuplicateFailure(const DuplicateKey& key,
                                        const DuplicateIndex::Earlier& first, std::string_view what,
                                        std::string_view why) const {
  const std::string at =
      first.where == DuplicateIndex::kInTable ? "already in the table" : "also at " + first.where;
  return {std::string(GetBuiltinRule(BuiltinId::kUniqueVersion).name),
          builtin_.severity[static_cast<int>(BuiltinId::kUniqueVersion)], "source_version",
          key.ToString() + std::string(what) + at + std::string(why)};
}

}  // namespace tradeflow::validate
