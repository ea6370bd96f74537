// What becomes of each record, in input order: BatchRun::Absorb and its helpers
// (batch_run_internal.h).
#include <algorithm>

#include "pipeline/batch_run_internal.h"

namespace tradeflow::pipeline::internal {

Status BatchRun::Absorb(RecordChunk& chunk, const sources::RecordSource& source) {
  FileSummary& file = summary_.files[chunk.file_index];
  // Partly quarantined by an interrupted run (QuarantinedEarlier); looked up once per chunk.
  const bool resumed = quarantine_has_.count(chunk.input->sha256) > 0;
  for (size_t i = 0; i < chunk.size; ++i) {
    ++file.records_read;
    if (options_.progress && (file.records_read & 4095) == 0) {
      options_.progress->Update(file.records_read, source.bytes_read());
    }
    sources::SourceRecord& record = chunk.records[i];
    if (record.group_size > 1) {
      const bool last = record.group_index + 1 == record.group_size;
      group_.push_back({std::move(record), std::move(chunk.outcomes[i])});
      if (last) TF_RETURN_IF_ERROR(AbsorbGroup(*chunk.input, resumed, &file));
      continue;
    }
    TF_RETURN_IF_ERROR(AbsorbOne(*chunk.input, record, chunk.outcomes[i], resumed, &file));
  }
  return Status::OK();
}

Status BatchRun::AbsorbOne(const sources::InputFile& input, const sources::SourceRecord& record,
                           RecordOutcome& out, bool resumed, FileSummary* file) {
  if (!out.accepted) {
    AddRejectedDuplicate(&out);
    return Reject(input, record, out, file);
  }
  if (resumed && QuarantinedEarlier(input, record)) {
    ++file->records_quarantined;
    // A changed repeat of a version is quarantined for that now as then: say so, rather than
    // that only the interrupted run rejected it.
    auto earlier = validator_->RejectsDuplicateVersions()
                       ? duplicates_.Lookup(out.key, out.content_hash)
                       : std::nullopt;
    const bool conflict = earlier && !earlier->same_content;
    ++file->quarantined_by_rule[conflict ? std::string(validate::Validator::kUniqueVersionRule)
                                         : std::string(kByAnInterruptedRun)];
    return Status::OK();
  }
  if (CheckDuplicate(input, record, &out) == VersionSeen::kReplay) {
    // Already stored with this content (rule 15: replays are ignored), so accepted.
    ++file->records_accepted;
    ++file->records_replayed;
    return Status::OK();
  }
  if (!out.accepted) return Reject(input, record, out, file);
  if (out.has_warnings()) ++file->records_with_warnings;
  for (const auto& rule : out.warned_by) ++file->warned_by_rule[rule];
  if (out.finer_than_micros) ++file->records_cut_to_micros;
  TF_RETURN_IF_ERROR(events_->writer().Add(out.partition, out.sort_key, out.row));
  ++file->records_accepted;
  return Status::OK();
}

Status BatchRun::AbsorbGroup(const sources::InputFile& input, bool resumed, FileSummary* file) {
  std::vector<GroupMember> group = std::move(group_);
  group_.clear();
  // A leg that is a changed repeat of a version seen before fails unique_version (when an
  // error) below, in AbsorbOne: it fails the package as well. Looked up without adding keys.
  auto conflicts = [this](const GroupMember& m) {
    if (!m.outcome.accepted || !validator_->RejectsDuplicateVersions()) return false;
    auto earlier = duplicates_.Lookup(m.outcome.key, m.outcome.content_hash);
    return earlier.has_value() && !earlier->same_content;
  };
  // A leg an interrupted run quarantined stays quarantined (AbsorbOne), so it fails the package
  // too: a leg that run stored with it as package_incomplete is not stored now on its own.
  auto earlier = [&](const GroupMember& m) {
    return m.outcome.accepted && resumed && QuarantinedEarlier(input, m.record);
  };
  // Two legs of one report with one key (a mapping that gives every leg the report's trade id):
  // the second would be a duplicate of the first, stored alone. The package fails instead.
  // (With unique_version off, every repeat is stored: so are these.)
  std::vector<const GroupMember*> same_key_as(group.size(), nullptr);
  for (size_t i = 0; i < group.size() && validator_->ChecksDuplicateVersions(); ++i) {
    for (size_t j = 0; j < i && group[i].outcome.accepted; ++j) {
      if (group[j].outcome.accepted && group[j].outcome.key == group[i].outcome.key) {
        same_key_as[i] = &group[j];
        break;
      }
    }
  }
  auto repeats_a_leg = [&](const GroupMember& m) { return same_key_as[&m - group.data()]; };
  auto failed = std::find_if(group.begin(), group.end(), [&](const GroupMember& m) {
    return !m.outcome.accepted || conflicts(m) || earlier(m) || repeats_a_leg(m) != nullptr;
  });
  if (failed != group.end() && config_.on_bad_record == BadRecordPolicy::kFail &&
      !failed->outcome.accepted) {
    return Reject(input, failed->record, failed->outcome, file);  // names the leg that failed
  }
  if (failed != group.end()) {
    std::string why = earlier(*failed)
                          ? std::string("by ") + kByAnInterruptedRun
                          : "unique_version: a changed repeat of a version seen before";
    // A leg with another leg's key fails for that itself; the others for its sake.
    auto same_key = [&](const GroupMember& m) {
      const GroupMember* first = repeats_a_leg(m);
      return "its " + m.outcome.key.ToString() + " is " + first->record.location +
             "'s too: a package's legs need trade ids of their own (does source_trade_id hold a "
             "leg number, and does each leg have its own?)";
    };
    if (!failed->outcome.accepted) {
      why = failed->outcome.failures.front().rule + ": " + failed->outcome.failures.front().message;
    } else if (repeats_a_leg(*failed)) {
      why = "unique_version: " + same_key(*failed);
    }
    const std::string message = failed->record.location + " of the same report is quarantined (" +
                                why + "); the legs of a package are stored together or not at all";
    for (GroupMember& m : group) {
      if (!m.outcome.accepted || conflicts(m) || earlier(m)) continue;
      TradeEvent event;  // the leg as it would have been stored
      if (!event.ParseFromString(m.outcome.row)) return Status::Internal("unreadable row");
      event.clear_content_hash();
      RecordProcessor::MarkRejected(
          tradeflow::quarantine::v1::STAGE_VALIDATE,
          {repeats_a_leg(m) ? RecordFailure{"unique_version", "source_trade_id", same_key(m)}
                            : RecordFailure{"package_incomplete", "package_id", message}},
          &event, &m.outcome);
    }
  }
  for (GroupMember& m : group) {
    TF_RETURN_IF_ERROR(AbsorbOne(input, m.record, m.outcome, resumed, file));
  }
  return Status::OK();
}

bool BatchRun::QuarantinedEarlier(const sources::InputFile& input,
                                  const sources::SourceRecord& record) const {
  return stored_rejects_.count({input.sha256, record.location}) > 0;
}

void BatchRun::AddRejectedDuplicate(RecordOutcome* out) const {
  // A record has its key when it was mapped, and a value that did not convert was none of the
  // key's (a price that is no number leaves the key right; a version that is none does not).
  // (A mapping that failed as a whole names no field: its key is not known either.)
  auto key_unknown = [](const RecordFailure& f) {
    return f.rule == "mapping_error" &&
           (f.field.empty() || f.field == "source_system" || f.field == "source_trade_id" ||
            f.field == "source_version");
  };
  const bool key_mapped = out->stage == tradeflow::quarantine::v1::STAGE_VALIDATE ||
                          (out->stage == tradeflow::quarantine::v1::STAGE_MAP &&
                           std::none_of(out->failures.begin(), out->failures.end(), key_unknown));
  if (!key_mapped || !out->mapped || out->key.source_trade_id.empty()) return;
  std::optional<validate::RuleFailure> duplicate =
      validator_->CheckRejectedDuplicate(out->key, out->content_hash, duplicates_);
  if (duplicate) {
    out->failures.push_back({duplicate->rule, duplicate->field, std::move(duplicate->message)});
  }
}

VersionSeen BatchRun::CheckDuplicate(const sources::InputFile& input,
                                     const sources::SourceRecord& record, RecordOutcome* out) {
  // A short `where` keeps the run's key index small (it holds one per record): "line 17", or
  // with several inputs "etrm.csv line 17" (or "in/day1/t.csv line 17" when two share a name).
  std::string_view where = record.location;
  std::string with_file;
  if (todo_.size() > 1) {
    const std::string& path = input.path;
    with_file =
        (file_names_unique_ ? path.substr(path.rfind('/') + 1) : path) + " " + record.location;
    where = with_file;
  }
  std::vector<validate::RuleFailure> results;
  const VersionSeen seen =
      validator_->CheckDuplicate(out->key, out->content_hash, where, &duplicates_, &results);
  if (seen != VersionSeen::kDuplicate) return seen;
  TradeEvent event;
  *out = processor_->Rebuild(input, record, &event);
  event.clear_content_hash();  // serialized again below, with the warning or as rejected
  const validate::RuleFailure& r = results.front();
  if (r.severity == validate::Severity::kError) {
    RecordProcessor::MarkRejected(tradeflow::quarantine::v1::STAGE_VALIDATE,
                                  {{r.rule, r.field, r.message}}, &event, out);
    return seen;
  }
  auto* w = event.add_quality_warnings();
  w->set_rule(r.rule);
  w->set_field(r.field);
  w->set_message(r.message);
  out->AddWarnedBy(r.rule);
  Status serialized = RecordProcessor::SerializeRow(event, &out->row, &out->content_hash);
  if (!serialized.ok()) {
    RecordProcessor::MarkRejected(tradeflow::quarantine::v1::STAGE_VALIDATE,
                                  {{"serialization", "", serialized.message()}}, &event, out);
    return seen;
  }
  // Stored too, so that a later copy of this content is a replay rather than stored again.
  if (out->accepted) duplicates_.AddContent(out->key, out->content_hash);
  return seen;
}

Status BatchRun::Reject(const sources::InputFile& input, const sources::SourceRecord& record,
                        const RecordOutcome& out, FileSummary* file) {
  if (config_.on_bad_record == BadRecordPolicy::kFail) {
    return Status::Invalid(DescribeFailure(input, record, out.failures.front(), out.stage) +
                           ". The run stopped and committed nothing (on_bad_record: fail); fix "
                           "the record, or set on_bad_record: quarantine to store the others");
  }
  // By record: a rule that failed on two legs quarantined one record.
  std::set<std::string_view> rules;
  for (const auto& f : out.failures) rules.insert(f.rule);
  for (std::string_view rule : rules) ++file->quarantined_by_rule[std::string(rule)];
  ++file->records_quarantined;
  file->lines_swallowed += record.swallowed_lines;
  if (quarantine_has_.count(input.sha256)) {
    // A run killed (or refused) between its two commits already stored this file's rejects as
    // they were then. Those are not stored again; a record rejected now that was not then (a
    // version another run committed since) is. No max_bad_records here: a limit now would
    // leave the input half stored for good.
    if (QuarantinedEarlier(input, record)) return Status::OK();
    ++late_rejects_;
    late_inputs_.insert(input.sha256);
  } else {
    TF_RETURN_IF_ERROR(
        IfBadFile(input, bad_records_.Count(input, record, out, rules, file->records_read)));
  }
  return quarantine_->Add(MakeQuarantineRecord(
      {summary_.run_id, config_.name, config_.mapping.version}, input, record, out, NowMicros()));
}

Status BatchRun::IfUnreadable(const sources::InputFile& input, Status status) {
  if (status.code() == StatusCode::kNotFound) {
    // Listed and hashed by this run, then gone (moved by an archiving job, say): as unreadable.
    status = Status::IOError(status.message() + " (it was removed after this run listed it)");
  }
  if (status.code() != StatusCode::kIOError || quarantine_has_.count(input.sha256)) return status;
  return IfBadFile(input, std::move(status));
}

Status BatchRun::IfBadFile(const sources::InputFile& input, Status status) {
  if (!status.ok()) bad_file_ = BadFile{input.sha256, input.path, status.message()};
  return status;
}

}  // namespace tradeflow::pipeline::internal
