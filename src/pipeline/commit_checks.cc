#include "pipeline/commit_checks.h"

#include <algorithm>

namespace tradeflow::pipeline {

namespace {

constexpr char kWhatHappened[] =
    " while this run was reading it; this run committed nothing more and removed its uncommitted "
    "data files; run again";

}  // namespace

Status NoInputCommittedIn(const lake::TableIdentifier& table, const lake::TableMetadata& metadata,
                          const std::vector<PlannedInput>& inputs,
                          const std::map<std::string, IngestedInput>& already_there) {
  const auto ingested = IngestedInputs(metadata);
  for (const PlannedInput& input : inputs) {
    if (already_there.count(input.sha256)) continue;
    auto it = ingested.find(input.sha256);
    if (it == ingested.end()) continue;
    return Status::Conflict(input.path + " was committed to " + table.ToString() +
                            " by another run (snapshot " + std::to_string(it->second.snapshot_id) +
                            ")" + kWhatHappened + " to ingest whatever is still new");
  }
  return Status::OK();
}

Status NoRejectsCommittedSince(const lake::TableIdentifier& table,
                               const lake::TableMetadata& metadata, int64_t planned_sequence,
                               const std::vector<PlannedInput>& inputs,
                               std::optional<int64_t> own_snapshot) {
  for (const lake::Snapshot& snapshot : metadata.snapshots) {
    if (snapshot.sequence_number <= planned_sequence) continue;
    if (own_snapshot && snapshot.snapshot_id == *own_snapshot) continue;
    std::vector<std::string> hashes;
    for (const char* key : {kInputHashesKey, kLateInputHashesKey}) {
      auto listed = snapshot.summary.find(key);
      if (listed == snapshot.summary.end()) continue;
      for (auto& hash : CommaList(listed->second)) hashes.push_back(std::move(hash));
    }
    for (const PlannedInput& input : inputs) {
      if (std::find(hashes.begin(), hashes.end(), input.sha256) == hashes.end()) continue;
      return Status::Conflict("the rejects of " + input.path + " were stored in " +
                              table.ToString() + " by another run (snapshot " +
                              std::to_string(snapshot.snapshot_id) + ")" + kWhatHappened +
                              " to ingest whatever is still new");
    }
  }
  return Status::OK();
}

Status NoVersionCommittedMeanwhile(const lake::Table& table, const lake::TableMetadata& current,
                                   const VersionCheck& check) {
  if (current.current_snapshot_id == check.planned_snapshot) return Status::OK();
  TF_ASSIGN_OR_RETURN(auto added, FilesAddedSince(table, check.planned_snapshot));
  return ForEachTradeKey(added, [&](const validate::DuplicateKey& key, int64_t hash) -> Status {
    auto earlier = check.seen->Lookup(key, hash);
    if (!earlier || earlier->where == validate::DuplicateIndex::kInTable) return Status::OK();
    std::string where = earlier->where;
    if (check.single_input && where.starts_with("line ")) where = *check.single_input + " " + where;
    // Stored by both runs, even the same content would be there twice.
    const char* then = earlier->same_content   ? "is a replay (the same content), not stored again"
                       : check.rejects_repeats ? "goes to quarantine (unique_version)"
                                               : "is stored with a unique_version warning";
    return Status::Conflict("trade version " + key.ToString() + " of " + where +
                            " was committed to " + table.id().ToString() + " by another run" +
                            (earlier->same_content ? " with the same content" : "") +
                            kWhatHappened + ": the repeated version then " + then);
  });
}

}  // namespace tradeflow::pipeline
