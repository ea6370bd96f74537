// The commits of a batch run, and what is undone when it fails: BatchRun::Commit and its
// helpers (batch_run_internal.h).
#include "pipeline/batch_run_internal.h"

namespace tradeflow::pipeline::internal {

std::map<std::string, std::string> BatchRun::Summary(bool for_quarantine) const {
  std::map<std::string, std::string> s;
  s["tradeflow.run-id"] = summary_.run_id;
  s["tradeflow.pipeline"] = config_.name;
  s[kTradeTableKey] = summary_.table;
  s[kMappingVersionKey] = config_.mapping.version;
  s[kMappingFingerprintKey] = config_.mapping.fingerprint;
  std::string hashes;
  int64_t read = 0, accepted = 0, replayed = 0, quarantined = 0, warned = 0;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [input, index] : todo_) {
    const FileSummary& f = summary_.files[index];
    if (for_quarantine && quarantine_has_.count(f.sha256)) continue;
    hashes += (hashes.empty() ? "" : ",") + f.sha256;
    read += f.records_read;
    accepted += f.records_accepted;
    replayed += f.records_replayed;
    quarantined += f.records_quarantined;
    warned += f.records_with_warnings;
    files.push_back({{"path", input->absolute_path},
                     {"sha256", f.sha256},
                     {"read", f.records_read},
                     {"accepted", f.records_accepted},
                     {"replayed", f.records_replayed},
                     {"quarantined", f.records_quarantined},
                     {"with_warnings", f.records_with_warnings}});
  }
  s[kInputHashesKey] = hashes;
  s["tradeflow.records-read"] = std::to_string(read);
  s["tradeflow.records-accepted"] = std::to_string(accepted);
  s["tradeflow.records-replayed"] = std::to_string(replayed);
  s["tradeflow.records-quarantined"] = std::to_string(quarantined);
  s["tradeflow.records-with-warnings"] = std::to_string(warned);
  // A path is bytes, not always UTF-8 (a Latin-1 file name): JSON cannot hold those, so they
  // become U+FFFD here; the records' input_uri keeps them, percent-encoded.
  s["tradeflow.inputs"] = files.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Rows for inputs an earlier, interrupted run recorded in quarantine (listed there).
  if (for_quarantine && late_rejects_ > 0) {
    s["tradeflow.records-quarantined-late"] = std::to_string(late_rejects_);
    std::string late;
    for (const auto& sha256 : late_inputs_) late += (late.empty() ? "" : ",") + sha256;
    s[kLateInputHashesKey] = late;
  }
  return s;
}

Status BatchRun::CommitReferenceTables() {
  if (!reference_) return Status::OK();
  ReferenceTablesOptions options;
  options.ns = config_.table.ns;
  options.root = Absolute(config_.warehouse) + "/" + options.ns + "/";
  options.target_file_bytes = config_.table.buffer_mb << 20;
  options.run_id = summary_.run_id;
  options.pipeline = config_.name;
  options.progress = options_.progress;
  options.orphan_min_age = std::chrono::seconds(config_.orphan_min_age_seconds);
  options.orphans_removed = &summary_.orphan_files_removed;
  options.replaced = &summary_.reference_tables_replaced;
  return pipeline::CommitReferenceTables(catalog_.get(), reference_hashes_, *reference_, options);
}

Status BatchRun::Commit() {
  std::vector<lake::DataFile> quarantined, files;
  if (!todo_.empty()) {
    auto finished = quarantine_->Finish();
    if (!finished.ok()) return AbandonWrites(finished.status());
    quarantined = std::move(*finished);
    finished = events_->writer().Finish();
    if (!finished.ok()) return AbandonWrites(finished.status());
    files = std::move(*finished);
  }
  PausePoint("before-commit");
  Status references = CommitReferenceTables();  // their own files are theirs to clean up
  if (!references.ok()) return AbandonWrites(references);
  if (todo_.empty()) return Status::OK();
  if (!quarantined.empty()) {
    lake::AppendOptions options;
    options.summary = Summary(true);
    options.check = NotIngestedMeanwhile(quarantine_->table(), true);
    options.guards = &guards_;
    bool maybe_committed = false;
    options.maybe_committed = &maybe_committed;
    auto snapshot = quarantine_->table().Append(quarantined, quarantine_->schema(), options);
    if (!snapshot.ok()) {
      return Abandon(snapshot.status(), /*quarantine_failed=*/true, maybe_committed);
    }
    summary_.quarantine_snapshot_id = *snapshot;
    if (options_.progress) {
      options_.progress->Line("committed quarantine snapshot " + std::to_string(*snapshot) +
                              " to " + summary_.quarantine_table);
    }
  }
  PausePoint("before-trade-commit");
  lake::AppendOptions options;
  options.summary = Summary(false);
  options.summary[kQuarantineSequenceKey] =
      std::to_string(quarantine_->table().metadata().last_sequence_number);
  options.check = NotIngestedMeanwhile(events_->table(), false);
  options.guards = &guards_;
  bool maybe_committed = false;
  options.maybe_committed = &maybe_committed;
  auto snapshot = events_->table().Append(files, events_->schema(), options);
  if (!snapshot.ok()) {
    return Abandon(snapshot.status(), /*quarantine_failed=*/false, maybe_committed);
  }
  summary_.snapshot_id = *snapshot;
  // The log says it too, for a scheduler that keeps stderr only.
  if (options_.progress) {
    options_.progress->Line("committed snapshot " + std::to_string(*snapshot) + " to " +
                            summary_.table);
  }
  return Status::OK();
}

std::function<Status(const lake::TableMetadata&)> BatchRun::NotIngestedMeanwhile(
    const lake::Table& table, bool quarantine) {
  return [this, &table, quarantine](const lake::TableMetadata& current) -> Status {
    Status status = CheckNotIngestedMeanwhile(table, current, quarantine);
    if (status.code() == StatusCode::kConflict) lost_to_another_run_ = true;
    return status;
  };
}

// Each check also reads the other table (trades for the quarantine's commit, rejects for the
// trades'), and records how it found it in guards_: the commit's swap happens only if that table
// is still so. Without that, another run could commit to it between this check and this swap,
// and one reading of a file would be stored as trades by one run and as rejects by the other.
Status BatchRun::CheckNotIngestedMeanwhile(const lake::Table& table,
                                           const lake::TableMetadata& current, bool quarantine) {
  guards_.clear();
  std::vector<PlannedInput> inputs;
  for (const auto& [input, index] : todo_) inputs.push_back({input->path, input->sha256});
  // Inputs read again (--reread) are in both tables already, from before this run planned.
  if (quarantine) {
    std::map<std::string, IngestedInput> there = quarantine_has_;
    there.insert(reread_.begin(), reread_.end());
    const lake::TableMetadata ours = QuarantineOf(lake::CurrentLineage(current), summary_.table);
    TF_RETURN_IF_ERROR(NoInputCommittedIn(table.id(), ours, inputs, there));
    TF_RETURN_IF_ERROR(
        NoRejectsCommittedSince(table.id(), ours, planned_quarantine_sequence_, inputs));
    auto trades = lake::Table::Load(catalog_.get(), events_->table().id());
    if (trades.ok()) {
      guards_.push_back({(*trades)->id(), (*trades)->metadata_location()});
      TF_RETURN_IF_ERROR(CheckMappingVersion((*trades)->metadata()));  // a run since the plan
      return NoInputCommittedIn((*trades)->id(), lake::CurrentLineage((*trades)->metadata()),
                                inputs, reread_);
    }
    if (trades.status().code() != StatusCode::kNotFound) return trades.status();
    guards_.push_back({events_->table().id(), std::nullopt});
    return Status::OK();
  }
  TF_RETURN_IF_ERROR(CheckMappingVersion(current));  // a run since the plan
  TF_RETURN_IF_ERROR(
      NoInputCommittedIn(table.id(), lake::CurrentLineage(current), inputs, reread_));
  // Another run reading an input of this run's may have quarantined records this run
  // accepted (with other reference data, say), and be about to commit the rest as trades.
  auto rejects = lake::Table::Load(catalog_.get(), quarantine_->table().id());
  if (!rejects.ok() && rejects.status().code() != StatusCode::kNotFound) return rejects.status();
  guards_.push_back({quarantine_->table().id(),
                     rejects.ok() ? std::optional((*rejects)->metadata_location()) : std::nullopt});
  if (rejects.ok()) {
    TF_RETURN_IF_ERROR(NoRejectsCommittedSince(
        (*rejects)->id(),
        QuarantineOf(lake::CurrentLineage((*rejects)->metadata()), summary_.table),
        planned_quarantine_sequence_, inputs, summary_.quarantine_snapshot_id));
  }
  // Also when a repeat is only a warning: stored now, it would miss its flag.
  if (!validator_->ChecksDuplicateVersions()) return Status::OK();
  VersionCheck check;
  check.planned_snapshot = planned_snapshot_;
  check.seen = &duplicates_;
  if (todo_.size() == 1) check.single_input = todo_.front().first->path;
  check.rejects_repeats = validator_->RejectsDuplicateVersions();
  return NoVersionCommittedMeanwhile(table, current, check);
}

Status BatchRun::AbandonWrites(const Status& failure) {
  events_->writer().Abandon();
  quarantine_->Abandon();
  return failure;
}

Status BatchRun::Abandon(const Status& failure, bool quarantine_failed, bool maybe_committed) {
  // The failed commit's files stay when the catalog cannot say whether it happened: they may be
  // the table's now, and orphan cleanup removes them later if they are not. The trade files are
  // certainly not committed when the quarantine's commit failed (it comes first).
  const bool keep_failed = maybe_committed && !lost_to_another_run_;
  if (!keep_failed || quarantine_failed) events_->writer().Abandon();
  if (quarantine_failed && !keep_failed) quarantine_->Abandon();
  if (keep_failed || lost_to_another_run_) return failure;  // its message says what happened
  return failure.WithContext(
      "nothing was committed to " + summary_.table +
      (quarantine_failed ? " or " + quarantine_->table().id().ToString() : "") +
      ", and this run's uncommitted data files were removed");
}

}  // namespace tradeflow::pipeline::internal
