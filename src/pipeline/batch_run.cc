#include "pipeline/batch_run.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/crash_points.h"
#include "common/thread_pool.h"
#include "lake/catalog/sqlite_catalog.h"
#include "lake/file_io.h"
#include "lake/orphan_files.h"
#include "lake/table.h"
#include "pipeline/bad_records.h"
#include "pipeline/commit_checks.h"
#include "pipeline/ingest_state.h"
#include "pipeline/quarantine_record.h"
#include "pipeline/record_processor.h"
#include "pipeline/reference_loader.h"
#include "pipeline/reference_tables.h"
#include "pipeline/source_config.h"
#include "pipeline/table_sinks.h"
#include "sources/input_file.h"
#include "tradeflow/quarantine/v1/quarantine.pb.h"
#include "transform/mapper.h"
#include "transform/normalise.h"
#include "transform/reference_data.h"
#include "validate/validator.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::quarantine::v1::QuarantineRecord;
using tradeflow::trade::v1::TradeEvent;
using VersionSeen = validate::Validator::VersionSeen;

// What the summary's "quarantined by" lists for records an interrupted run quarantined already.
constexpr char kByAnInterruptedRun[] = "an interrupted run";

// Records per chunk handed to a worker: large enough that handing over costs nothing, small
// enough that a chunk's records stay in cache.
constexpr size_t kChunkRecords = 1024;
// Rejects are few, but each carries its raw text and mapped JSON: smaller batches and files
// keep them from holding much memory, whatever the reject rate.
constexpr int64_t kQuarantineFileBytes = 16LL << 20;
constexpr int64_t kQuarantineBatchRows = 1024;

std::string Absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

// The canonical form --reread paths are given in (symbolic links resolved).
std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  return ec ? Absolute(path) : canonical.string();
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class BatchRun {
 public:
  // A bad file (past max_bad_records, or not readable to its end): which, and the error.
  struct BadFile {
    std::string sha256;
    std::string path;
    std::string error;
  };

  // Inputs an earlier attempt left out (on_bad_file: skip), with why: by content, so that a copy
  // is left out too, and by path, so that a file that has changed since (one still being
  // written) is, rather than being read again under its new hash in every attempt.
  struct LeftOut {
    std::map<std::string, std::string> by_sha256;
    std::map<std::string, std::string> by_path;

    const std::string* Find(const sources::InputFile& input) const {
      auto it = by_sha256.find(input.sha256);
      if (it != by_sha256.end()) return &it->second;
      it = by_path.find(input.path);
      return it != by_path.end() ? &it->second : nullptr;
    }
  };

  BatchRun(const PipelineConfig& config, const RunOptions& options, const LeftOut& left_out)
      : config_(config), options_(options), left_out_(left_out) {}

  // Set when the run failed because of a bad file.
  const std::optional<BadFile>& bad_file() const { return bad_file_; }
  // Orphaned files removed at the start, also when the run then failed.
  int64_t orphan_files_removed() const { return summary_.orphan_files_removed; }

  Result<RunSummary> Run() {
    const auto started = std::chrono::steady_clock::now();
    TF_RETURN_IF_ERROR(Prepare());
    TF_RETURN_IF_ERROR(Plan());
    int index = 0;
    for (auto& [input, file] : todo_) {
      ++index;
      Status processed = ProcessFile(input, index, static_cast<int>(todo_.size()), file);
      if (!processed.ok()) return AbandonWrites(processed);
    }
    TF_RETURN_IF_ERROR(Commit());
    for (auto& f : summary_.files) {
      summary_.records_read += f.records_read;
      summary_.records_accepted += f.records_accepted;
      summary_.records_replayed += f.records_replayed;
      summary_.records_quarantined += f.records_quarantined;
    }
    summary_.metadata_location = events_->table().metadata_location();
    summary_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(summary_);
  }

 private:
  Status Prepare() {
    summary_.run_id = lake::NewUuid();
    const std::string& ns = config_.table.ns;
    summary_.table = ns + "." + config_.table.name;
    summary_.quarantine_table = ns + "." + config_.quarantine_table;
    summary_.catalog_path = Absolute(config_.catalog.uri);
    summary_.catalog_name = config_.catalog.name;
    summary_.warehouse = lake::ToFileUri(Absolute(config_.warehouse));

    // Every input must exist before anything else happens.
    std::map<std::string, std::string> first_path;  // by sha256
    TF_ASSIGN_OR_RETURN(auto paths, ResolveSourceFiles(config_.source));
    for (const auto& path : paths) {
      auto input = sources::DescribeInputFile(path);
      if (!input.ok()) return input.status().WithContext("source file");
      auto [first, inserted] = first_path.emplace(input->sha256, input->path);
      if (!inserted) {  // the same bytes twice: read once, and say so
        FileSummary file;
        file.path = input->path;
        file.sha256 = input->sha256;
        file.skipped = "same content as " + first->second;
        same_content_.push_back(std::move(file));
        continue;
      }
      inputs_.push_back(std::move(*input));
    }
    PausePoint("inputs-hashed");
    if (!config_.reference.tables.empty()) {
      TF_ASSIGN_OR_RETURN(reference_hashes_, HashReferenceFiles(config_.reference));
      TF_ASSIGN_OR_RETURN(reference_, LoadReferenceData(config_.reference));
    }
    TF_ASSIGN_OR_RETURN(mapper_,
                        transform::Mapper::Compile(config_.mapping, TradeEvent::descriptor(),
                                                   reference_ ? &reference_->data : nullptr));
    TF_ASSIGN_OR_RETURN(
        validator_,
        validate::Validator::Make(config_.validation, reference_ ? &reference_->data : nullptr));
    for (const auto& note : validator_->notes()) Note(note);

    TF_ASSIGN_OR_RETURN(catalog_,
                        lake::OpenSqliteCatalog(summary_.catalog_path, config_.catalog.name));
    const std::string root = Absolute(config_.warehouse) + "/" + ns + "/";
    const int64_t target = config_.table.target_file_mb << 20;
    TF_ASSIGN_OR_RETURN(
        events_, EventSink::Open(catalog_.get(), {ns, config_.table.name},
                                 lake::ToFileUri(root + config_.table.name),
                                 {config_.table.partition, config_.table.sort}, target, &pool_));
    lake::TableLayout quarantine_layout;
    quarantine_layout.sort = {{"input_sha256", false}, {"line", false}};
    TF_ASSIGN_OR_RETURN(
        quarantine_,
        TableSink::Open(catalog_.get(), {ns, config_.quarantine_table},
                        lake::ToFileUri(root + config_.quarantine_table),
                        QuarantineRecord::descriptor(), quarantine_layout,
                        std::min<int64_t>(target, kQuarantineFileBytes), kQuarantineBatchRows));
    RecordProcessorOptions processing;
    processing.mapper = mapper_.get();
    processing.validator = validator_.get();
    if (config_.normalise_enabled) {
      // Without reference data, the steps that need none still run (totals, minor units).
      processing.reference = reference_ ? &reference_->data : &no_reference_;
      processing.normalise =
          reference_ ? config_.normalise : transform::WithoutReferenceData(config_.normalise);
    }
    processing.row_keys = &events_->keys();
    processing.context.run_id = summary_.run_id;
    processing.context.ingested_unix_micros = NowMicros();
    processor_.emplace(std::move(processing));
    for (lake::Table* table : {&events_->table(), &quarantine_->table()}) {
      std::string not_cleaned;
      auto removed = lake::RemoveOrphanFiles(
          *table, std::chrono::seconds(config_.orphan_min_age_seconds), false, &not_cleaned);
      if (!not_cleaned.empty()) Note(table->id().ToString() + " is not cleaned: " + not_cleaned);
      if (!removed.ok()) return removed.status().WithContext("cleaning " + table->id().ToString());
      summary_.orphan_files_removed += static_cast<int64_t>(removed->size());
    }
    return Status::OK();
  }

  // --reread names an input, or a copy of one (the same bytes under another name).
  bool Reread(const sources::InputFile& input) const {
    if (options_.reread_all) return true;
    auto named = [&](const std::string& path) {
      return std::count(options_.reread.begin(), options_.reread.end(), Canonical(path)) > 0;
    };
    return named(input.absolute_path) ||
           std::any_of(same_content_.begin(), same_content_.end(), [&](const FileSummary& copy) {
             return copy.sha256 == input.sha256 && named(copy.path);
           });
  }

  // Every --reread file must be an input of the run: a typo must not pass as "nothing to do".
  // Reading a file again relies on unique_version to store each version once.
  Status CheckRereadFiles() const {
    if ((options_.reread_all || !options_.reread.empty()) &&
        !validator_->ChecksDuplicateVersions()) {
      return Status::Invalid(
          "--reread needs the unique_version rule (error or warning): with it off, every "
          "version read again would be stored a second time");
    }
    for (const auto& path : options_.reread) {
      auto is_input = [&](const sources::InputFile& i) { return i.absolute_path == path; };
      auto is_copy = [&](const FileSummary& f) { return Canonical(f.path) == path; };
      if (std::none_of(inputs_.begin(), inputs_.end(), is_input) &&
          std::none_of(same_content_.begin(), same_content_.end(), is_copy)) {
        return Status::Invalid("--reread " + path + ": not one of the pipeline's input files");
      }
    }
    return Status::OK();
  }

  // Decides which inputs to read; loads the keys needed to reject duplicate versions.
  Status Plan() {
    TF_RETURN_IF_ERROR(CheckRereadFiles());
    auto in_events = IngestedInputs(events_->table().metadata());
    quarantine_has_ = IngestedInputs(quarantine_->table().metadata());
    const auto unfinished =
        UnfinishedReadings(events_->table().metadata(), quarantine_->table().metadata());
    planned_quarantine_sequence_ = quarantine_->table().metadata().last_sequence_number;
    for (const auto& input : inputs_) {
      FileSummary file;
      file.path = input.path;
      file.sha256 = input.sha256;
      if (auto it = in_events.find(input.sha256); it != in_events.end()) {
        const std::string when = "in snapshot " + std::to_string(it->second.snapshot_id);
        auto interrupted = unfinished.find(input.sha256);
        if (interrupted != unfinished.end()) {
          // Finished as an interrupted first run is: read again, skipping the rejects that
          // reading stored (and only those: not the ones of the reading before it).
          Note(input.path +
               ": finishing a reading of it (--reread) that stored its rejects but "
               "not its trades");
          only_runs_.insert(*interrupted);
        } else if (Reread(input)) {
          Note(input.path + ": read again (--reread); it was ingested " + when);
          // A new reading: the rejects stored for it are the earlier reading's, not its own.
          quarantine_has_.erase(input.sha256);
        } else {
          file.skipped = "already ingested " + when;
          summary_.files.push_back(std::move(file));
          continue;
        }
        reread_.emplace(input.sha256, it->second);
      }
      if (const std::string* why = left_out_.Find(input)) {
        file.skipped = "left out, not ingested: " + *why;
        summary_.left_out.push_back(*why);
        summary_.files.push_back(std::move(file));
        continue;
      }
      summary_.files.push_back(std::move(file));
      todo_.emplace_back(&input, summary_.files.size() - 1);
    }
    for (auto& file : same_content_) {
      if (left_out_.by_sha256.count(file.sha256)) {  // the copy of a file left out: so is it
        *file.skipped += ", which is left out";
        summary_.left_out.push_back(file.path + ": " + *file.skipped);
      }
      summary_.files.push_back(std::move(file));
    }
    planned_snapshot_ = events_->table().metadata().current_snapshot_id;
    if (!todo_.empty()) {
      TF_RETURN_IF_ERROR(LoadExistingTradeKeys(events_->table(), &duplicates_));
    }
    std::set<std::string> quarantined_before;
    for (const auto& [input, index] : todo_) {
      if (quarantine_has_.count(input->sha256)) quarantined_before.insert(input->sha256);
    }
    if (!quarantined_before.empty()) {
      TF_ASSIGN_OR_RETURN(stored_rejects_,
                          StoredRejects(quarantine_->table(), quarantined_before, only_runs_));
    }
    return Status::OK();
  }

  Result<std::unique_ptr<sources::RecordSource>> OpenInputSource(const sources::InputFile& input) {
    TF_ASSIGN_OR_RETURN(auto source, OpenSource(config_.source, input.path));
    std::vector<sources::FieldRef> fields;
    for (const auto& f : mapper_->source_fields()) fields.push_back({f.name, f.where});
    TF_RETURN_IF_ERROR(source->Bind(fields));
    return source;
  }

  void Note(const std::string& text) {
    if (options_.progress) options_.progress->Line("note: " + text);
  }

  // Reads the file in chunks that the pool maps and validates while the next chunk is read;
  // finished chunks are taken back strictly in input order (Absorb), so counts, the duplicate
  // check, quarantine rows and the rows' order in the writer are those of a sequential run.
  Status ProcessFile(const sources::InputFile* input, int index, int total, size_t file_index) {
    const auto started = std::chrono::steady_clock::now();
    if (options_.progress) options_.progress->StartFile(input->path, index, total);
    auto opened = OpenInputSource(*input);  // reads the header, maybe the whole file
    if (!opened.ok()) return IfUnreadable(*input, opened.status());
    std::unique_ptr<sources::RecordSource> source = std::move(*opened);
    std::deque<std::future<std::unique_ptr<RecordChunk>>> in_flight;
    Status status = ReadChunks(*source, input, file_index, &in_flight);
    // Every chunk handed out is taken back, even after an error: the tasks use this run.
    while (!in_flight.empty()) {
      std::unique_ptr<RecordChunk> chunk = in_flight.front().get();
      in_flight.pop_front();
      if (status.ok()) status = Absorb(*chunk, *source);
      spare_chunks_.push_back(std::move(chunk));
    }
    TF_RETURN_IF_ERROR(status);
    // A group cut short (no source ends a file inside one; but no record may wait forever).
    if (!group_.empty()) TF_RETURN_IF_ERROR(AbsorbGroup(*input, &summary_.files[file_index]));
    TF_RETURN_IF_ERROR(IfUnreadable(*input, sources::CheckUnchanged(*input)));
    FileSummary& file = summary_.files[file_index];
    if (!quarantine_has_.count(input->sha256)) {
      TF_RETURN_IF_ERROR(IfBadFile(*input, bad_records_.CheckFile(*input, file.records_read)));
    }
    file.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options_.progress) {
      options_.progress->Update(file.records_read, source->bytes_read());
      std::ostringstream line;
      line << input->path << ": read " << file.records_read << " = accepted "
           << file.records_accepted << " + quarantined " << file.records_quarantined;
      options_.progress->Line(line.str());
    }
    return Status::OK();
  }

  Status ReadChunks(sources::RecordSource& source, const sources::InputFile* input,
                    size_t file_index,
                    std::deque<std::future<std::unique_ptr<RecordChunk>>>* in_flight) {
    const size_t max_in_flight = 2 * static_cast<size_t>(pool_.size()) + 1;
    for (bool more = true; more;) {
      std::unique_ptr<RecordChunk> chunk = SpareChunk();
      chunk->input = input;
      chunk->file_index = file_index;
      auto filled = FillChunk(source, chunk.get());
      if (!filled.ok()) return IfUnreadable(*input, filled.status());
      more = *filled;
      if (chunk->size > 0) {
        in_flight->push_back(pool_.Submit([this, c = std::move(chunk)]() mutable {
          processor_->Process(c.get());
          return std::move(c);
        }));
      }
      while (in_flight->size() >= max_in_flight) {
        std::unique_ptr<RecordChunk> done = in_flight->front().get();
        in_flight->pop_front();
        Status absorbed = Absorb(*done, source);
        spare_chunks_.push_back(std::move(done));
        TF_RETURN_IF_ERROR(absorbed);
      }
    }
    return Status::OK();
  }

  std::unique_ptr<RecordChunk> SpareChunk() {
    if (spare_chunks_.empty()) {
      auto chunk = std::make_unique<RecordChunk>();
      chunk->records.resize(kChunkRecords);
      chunk->outcomes.resize(kChunkRecords);
      return chunk;
    }
    std::unique_ptr<RecordChunk> chunk = std::move(spare_chunks_.back());
    spare_chunks_.pop_back();
    return chunk;
  }

  // Reads up to kChunkRecords records; false at the end of the file. A record the source cannot
  // parse is kept with its outcome (STAGE_PARSE) filled in. Any other read error (a truncated or
  // corrupt .gz, an I/O error) loses the rest of the file, so it stops the run.
  Result<bool> FillChunk(sources::RecordSource& source, RecordChunk* chunk) {
    chunk->size = 0;
    while (chunk->size < kChunkRecords) {
      RecordOutcome& outcome = chunk->outcomes[chunk->size];
      sources::SourceRecord& record = chunk->records[chunk->size];
      record.group_size = 1;  // sources that group records set these
      record.group_index = 0;
      auto more = source.Next(&record);
      if (more.ok() && !*more) return false;
      outcome.stage = tradeflow::quarantine::v1::STAGE_UNSPECIFIED;
      if (!more.ok()) {
        if (more.status().code() != StatusCode::kInvalidArgument) return more.status();
        RecordProcessor::MarkRejected(tradeflow::quarantine::v1::STAGE_PARSE,
                                      {{"parse_error", "", more.status().message()}}, nullptr,
                                      &outcome);
      }
      ++chunk->size;
    }
    return true;
  }

  // The in-order part of the work for one processed chunk.
  Status Absorb(RecordChunk& chunk, const sources::RecordSource& source) {
    FileSummary& file = summary_.files[chunk.file_index];
    // Partly quarantined by an interrupted run (QuarantinedEarlier); looked up once per chunk.
    const bool resumed = quarantine_has_.count(chunk.input->sha256) > 0;
    for (size_t i = 0; i < chunk.size; ++i) {
      ++file.records_read;
      if (options_.progress && (file.records_read & 4095) == 0) {
        options_.progress->Update(file.records_read, source.bytes_read());
      }
      sources::SourceRecord& record = chunk.records[i];
      // An input an interrupted run began is finished record by record, as it was begun.
      if (record.group_size > 1 && !resumed) {
        const bool last = record.group_index + 1 == record.group_size;
        group_.push_back({std::move(record), std::move(chunk.outcomes[i])});
        if (last) TF_RETURN_IF_ERROR(AbsorbGroup(*chunk.input, &file));
        continue;
      }
      TF_RETURN_IF_ERROR(AbsorbOne(*chunk.input, record, chunk.outcomes[i], resumed, &file));
    }
    return Status::OK();
  }

  Status AbsorbOne(const sources::InputFile& input, const sources::SourceRecord& record,
                   RecordOutcome& out, bool resumed, FileSummary* file) {
    if (out.accepted && resumed && QuarantinedEarlier(input, record)) {
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
    if (out.accepted && CheckDuplicate(input, record, &out) == VersionSeen::kReplay) {
      // Already stored with this content (rule 15: replays are ignored), so accepted.
      ++file->records_accepted;
      ++file->records_replayed;
      return Status::OK();
    }
    if (!out.accepted) return Reject(input, record, out, file);
    if (out.has_warnings) ++file->records_with_warnings;
    TF_RETURN_IF_ERROR(events_->writer().Add(out.partition, out.sort_key, out.row));
    ++file->records_accepted;
    return Status::OK();
  }

  // The legs of a multi-leg report (a package: a swap's fixed and floating legs, say) are one
  // economic trade: stored with one of them quarantined, the others would show a one-sided
  // position. So when one leg fails, the others go to quarantine with it, saying why.
  Status AbsorbGroup(const sources::InputFile& input, FileSummary* file) {
    std::vector<GroupMember> group = std::move(group_);
    group_.clear();
    // A leg that is a changed repeat of a version seen before fails unique_version (when an
    // error) below, in AbsorbOne: it fails the package as well. Looked up without adding keys.
    auto conflicts = [this](const GroupMember& m) {
      if (!m.outcome.accepted || !validator_->RejectsDuplicateVersions()) return false;
      auto earlier = duplicates_.Lookup(m.outcome.key, m.outcome.content_hash);
      return earlier.has_value() && !earlier->same_content;
    };
    auto failed = std::find_if(group.begin(), group.end(), [&](const GroupMember& m) {
      return !m.outcome.accepted || conflicts(m);
    });
    if (failed != group.end() && config_.on_bad_record == BadRecordPolicy::kFail &&
        !failed->outcome.accepted) {
      return Reject(input, failed->record, failed->outcome, file);  // names the leg that failed
    }
    if (failed != group.end()) {
      std::string why = "unique_version: a changed repeat of a version seen before";
      if (!failed->outcome.accepted) {
        why =
            failed->outcome.failures.front().rule + ": " + failed->outcome.failures.front().message;
      }
      const std::string message = failed->record.location + " of the same report is quarantined (" +
                                  why +
                                  "); the legs of a package are stored together or not at all";
      for (GroupMember& m : group) {
        if (!m.outcome.accepted || conflicts(m)) continue;
        TradeEvent event;  // the leg as it would have been stored
        if (!event.ParseFromString(m.outcome.row)) return Status::Internal("unreadable row");
        event.clear_content_hash();
        RecordProcessor::MarkRejected(tradeflow::quarantine::v1::STAGE_VALIDATE,
                                      {{"package_incomplete", "package_id", message}}, &event,
                                      &m.outcome);
      }
    }
    for (GroupMember& m : group) {
      TF_RETURN_IF_ERROR(AbsorbOne(input, m.record, m.outcome, false, file));
    }
    return Status::OK();
  }

  // For an input an interrupted run partly quarantined: whether it stored this record as a
  // reject. The input is finished as it was begun: such a record stays a reject even when this
  // run would accept it (with reference data fixed since, say), so that no record is both a
  // trade and a reject. It is counted as quarantined (it is in the quarantine table), under
  // kByAnInterruptedRun.
  bool QuarantinedEarlier(const sources::InputFile& input,
                          const sources::SourceRecord& record) const {
    return stored_rejects_.count({input.sha256, record.location}) > 0;
  }

  // The unique_version rule needs input order, so it runs here rather than on the workers. A
  // replay needs nothing more; a conflicting repeat is rare: the record is then mapped again on
  // this thread to reject it (or flag it).
  VersionSeen CheckDuplicate(const sources::InputFile& input, const sources::SourceRecord& record,
                             RecordOutcome* out) {
    // A short `where` keeps the run's key index small (it holds one per record): "line 17", or
    // with several inputs "etrm.csv line 17".
    std::string_view where = record.location;
    std::string with_file;
    if (todo_.size() > 1) {
      const std::string& path = input.path;
      with_file = path.substr(path.rfind('/') + 1) + " " + record.location;
      where = with_file;
    }
    std::vector<validate::RuleFailure> results;
    const VersionSeen seen =
        validator_->CheckDuplicate(out->key, out->content_hash, where, &duplicates_, &results);
    if (seen != VersionSeen::kDuplicate) return seen;
    TradeEvent event;
    *out = processor_->Rebuild(input, record, &event);
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
    out->has_warnings = true;
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

  Status Reject(const sources::InputFile& input, const sources::SourceRecord& record,
                const RecordOutcome& out, FileSummary* file) {
    if (config_.on_bad_record == BadRecordPolicy::kFail) {
      return Status::Invalid(DescribeFailure(input, record, out.failures.front(), out.stage));
    }
    // By record: a rule that failed on two legs quarantined one record.
    std::set<std::string_view> rules;
    for (const auto& f : out.failures) rules.insert(f.rule);
    for (std::string_view rule : rules) ++file->quarantined_by_rule[std::string(rule)];
    ++file->records_quarantined;
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
    return quarantine_->Add(
        MakeQuarantineRecord({summary_.run_id, config_.name}, input, record, out, NowMicros()));
  }

  // A read error that loses the rest of `input` (IOError: a truncated or corrupt .gz or .zst,
  // XML broken before its last report) makes it a bad file, as being past max_bad_records does;
  // not a mapping that does not fit it (a column it names is missing: InvalidArgument, likely for
  // every file alike), nor an input an interrupted run partly quarantined, which is finished as
  // it was begun.
  Status IfUnreadable(const sources::InputFile& input, Status status) {
    if (status.code() != StatusCode::kIOError || quarantine_has_.count(input.sha256)) return status;
    return IfBadFile(input, std::move(status));
  }

  // Passes `status` on, remembering a failure as `input` being a bad file.
  Status IfBadFile(const sources::InputFile& input, Status status) {
    if (!status.ok()) bad_file_ = BadFile{input.sha256, input.path, status.message()};
    return status;
  }

  std::map<std::string, std::string> Summary(bool for_quarantine) const {
    std::map<std::string, std::string> s;
    s["tradeflow.run-id"] = summary_.run_id;
    s["tradeflow.pipeline"] = config_.name;
    s["tradeflow.mapping-version"] = config_.mapping.version;
    std::string hashes;
    int64_t read = 0, accepted = 0, replayed = 0, quarantined = 0;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& [input, index] : todo_) {
      const FileSummary& f = summary_.files[index];
      if (for_quarantine && quarantine_has_.count(f.sha256)) continue;
      hashes += (hashes.empty() ? "" : ",") + f.sha256;
      read += f.records_read;
      accepted += f.records_accepted;
      replayed += f.records_replayed;
      quarantined += f.records_quarantined;
      files.push_back({{"path", input->absolute_path},
                       {"sha256", f.sha256},
                       {"read", f.records_read},
                       {"accepted", f.records_accepted},
                       {"replayed", f.records_replayed},
                       {"quarantined", f.records_quarantined}});
    }
    s[kInputHashesKey] = hashes;
    s["tradeflow.records-read"] = std::to_string(read);
    s["tradeflow.records-accepted"] = std::to_string(accepted);
    s["tradeflow.records-replayed"] = std::to_string(replayed);
    s["tradeflow.records-quarantined"] = std::to_string(quarantined);
    s["tradeflow.inputs"] = files.dump();
    // Rows for inputs an earlier, interrupted run recorded in quarantine (listed there).
    if (for_quarantine && late_rejects_ > 0) {
      s["tradeflow.records-quarantined-late"] = std::to_string(late_rejects_);
      std::string late;
      for (const auto& sha256 : late_inputs_) late += (late.empty() ? "" : ",") + sha256;
      s[kLateInputHashesKey] = late;
    }
    return s;
  }

  Status CommitReferenceTables() {
    if (!reference_) return Status::OK();
    ReferenceTablesOptions options;
    options.ns = config_.table.ns;
    options.root = Absolute(config_.warehouse) + "/" + options.ns + "/";
    options.target_file_bytes = config_.table.target_file_mb << 20;
    options.run_id = summary_.run_id;
    options.progress = options_.progress;
    options.orphan_min_age = std::chrono::seconds(config_.orphan_min_age_seconds);
    options.orphans_removed = &summary_.orphan_files_removed;
    options.replaced = &summary_.reference_tables_replaced;
    return pipeline::CommitReferenceTables(catalog_.get(), reference_hashes_, *reference_, options);
  }

  // The reference tables, the quarantine snapshot, then the trade snapshot, which marks the
  // inputs as done. The quarantine and trade commits first check what other runs committed
  // since this run's plan (NotIngestedMeanwhile); if one took an input or a trade version of
  // this run's, this run commits nothing more, removes the data files it has not committed and
  // fails.
  Status Commit() {
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
      auto snapshot = quarantine_->table().Append(quarantined, quarantine_->schema(), options);
      if (!snapshot.ok()) return Abandon(snapshot.status(), /*quarantine_committed=*/false);
      summary_.quarantine_snapshot_id = *snapshot;
      if (options_.progress) options_.progress->Line("committed quarantine snapshot");
    }
    PausePoint("before-trade-commit");
    lake::AppendOptions options;
    options.summary = Summary(false);
    options.summary[kQuarantineSequenceKey] =
        std::to_string(quarantine_->table().metadata().last_sequence_number);
    options.check = NotIngestedMeanwhile(events_->table(), false);
    auto snapshot = events_->table().Append(files, events_->schema(), options);
    if (!snapshot.ok()) return Abandon(snapshot.status(), /*quarantine_committed=*/true);
    summary_.snapshot_id = *snapshot;
    return Status::OK();
  }

  // A commit check (commit_checks.h): fails when, since this run's plan, another run committed
  // one of this run's inputs to `table` (the quarantine table's check leaves out the inputs a
  // killed run already quarantined, which this run does not quarantine again), rejects of one of
  // its inputs to the quarantine table, or, for the trade table, a trade version this run
  // accepted. The quarantine commit also looks at the trade table: a run that has committed
  // trades for an input has stored its rejects.
  std::function<Status(const lake::TableMetadata&)> NotIngestedMeanwhile(const lake::Table& table,
                                                                         bool quarantine) {
    return [this, &table, quarantine](const lake::TableMetadata& current) -> Status {
      Status status = CheckNotIngestedMeanwhile(table, current, quarantine);
      if (status.code() == StatusCode::kConflict) lost_to_another_run_ = true;
      return status;
    };
  }

  Status CheckNotIngestedMeanwhile(const lake::Table& table, const lake::TableMetadata& current,
                                   bool quarantine) {
    std::vector<PlannedInput> inputs;
    for (const auto& [input, index] : todo_) inputs.push_back({input->path, input->sha256});
    // Inputs read again (--reread) are in both tables already, from before this run planned.
    if (quarantine) {
      std::map<std::string, IngestedInput> there = quarantine_has_;
      there.insert(reread_.begin(), reread_.end());
      TF_RETURN_IF_ERROR(NoInputCommittedIn(table.id(), current, inputs, there));
      TF_RETURN_IF_ERROR(
          NoRejectsCommittedSince(table.id(), current, planned_quarantine_sequence_, inputs));
      auto trades = lake::Table::Load(catalog_.get(), events_->table().id());
      if (trades.ok()) {
        return NoInputCommittedIn((*trades)->id(), (*trades)->metadata(), inputs, reread_);
      }
      return trades.status().code() == StatusCode::kNotFound ? Status::OK() : trades.status();
    }
    TF_RETURN_IF_ERROR(NoInputCommittedIn(table.id(), current, inputs, reread_));
    // Another run reading an input of this run's may have quarantined records this run
    // accepted (with other reference data, say), and be about to commit the rest as trades.
    auto rejects = lake::Table::Load(catalog_.get(), quarantine_->table().id());
    if (!rejects.ok() && rejects.status().code() != StatusCode::kNotFound) return rejects.status();
    if (rejects.ok()) {
      TF_RETURN_IF_ERROR(NoRejectsCommittedSince((*rejects)->id(), (*rejects)->metadata(),
                                                 planned_quarantine_sequence_, inputs,
                                                 summary_.quarantine_snapshot_id));
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

  // After a failure before the quarantine and trade commits: nothing references the data files
  // written for them, so they are removed at once.
  Status AbandonWrites(const Status& failure) {
    events_->writer().Abandon();
    quarantine_->Abandon();
    return failure;
  }

  // After a commit that failed: when another run ingested the same input, the data files this
  // run did not commit are removed at once (no snapshot can reference them). After any other
  // failure they are left to the next run's orphan cleanup: a failed catalog update may still
  // have landed.
  Status Abandon(const Status& failure, bool quarantine_committed) {
    if (!lost_to_another_run_) return failure;
    events_->writer().Abandon();
    if (!quarantine_committed) quarantine_->Abandon();
    return failure;
  }

  const PipelineConfig& config_;
  RunOptions options_;
  RunSummary summary_;
  std::vector<sources::InputFile> inputs_;
  std::vector<FileSummary> same_content_;  // inputs whose bytes an earlier input has
  std::vector<std::pair<const sources::InputFile*, size_t>> todo_;  // input, index in files
  std::unique_ptr<transform::Mapper> mapper_;
  std::unique_ptr<lake::Catalog> catalog_;
  std::unique_ptr<EventSink> events_;
  std::unique_ptr<TableSink> quarantine_;
  std::map<std::string, IngestedInput> quarantine_has_;
  std::map<std::string, IngestedInput> reread_;  // inputs read again: sha256 → first snapshot
  // Inputs whose --reread was interrupted between its commits → the runs whose rejects count.
  std::map<std::string, std::set<std::string>> only_runs_;
  // The records of a group (the legs of a multi-leg report) read so far, until its last.
  struct GroupMember {
    sources::SourceRecord record;
    RecordOutcome outcome;
  };
  std::vector<GroupMember> group_;
  std::optional<int64_t> planned_snapshot_;  // the trade table's current snapshot at the plan
  std::set<std::pair<std::string, std::string>> stored_rejects_;  // (input sha256, location)
  int64_t planned_quarantine_sequence_ = 0;  // quarantine's last sequence number at the plan
  int64_t late_rejects_ = 0;                 // rejects added for inputs quarantine already recorded
  std::set<std::string> late_inputs_;        // the inputs (sha256) of those rejects
  const LeftOut& left_out_;
  std::optional<BadFile> bad_file_;
  BadRecordCounter bad_records_{config_.max_bad_records, config_.on_bad_file};
  bool lost_to_another_run_ = false;  // a commit check found another run's commit of our work
  ReferenceHashes reference_hashes_;  // taken before reference_ was loaded
  std::optional<LoadedReference> reference_;
  transform::ReferenceData no_reference_;  // normalises a run without reference data
  std::unique_ptr<validate::Validator> validator_;
  std::optional<RecordProcessor> processor_;
  std::vector<std::unique_ptr<RecordChunk>> spare_chunks_;
  validate::DuplicateIndex duplicates_;  // keys in the table and seen in this run
  // Last, so it is destroyed first: its threads finish before anything their tasks use goes.
  ThreadPool pool_;
};

}  // namespace

Result<RunSummary> RunPipeline(const PipelineConfig& config, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  BatchRun::LeftOut left_out;
  std::string left_out_paths;   // "a.csv, b.csv"
  int64_t orphans_removed = 0;  // by the attempts that failed
  for (;;) {
    BatchRun run(config, options, left_out);
    Result<RunSummary> summary = run.Run();
    if (summary.ok()) {
      summary->orphan_files_removed += orphans_removed;
      summary->seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return summary;
    }
    // Each attempt leaves out one more file, so this ends.
    if (config.on_bad_file != BadFilePolicy::kSkip || !run.bad_file()) {
      if (left_out.by_path.empty()) return summary.status();
      return summary.status().WithContext("after leaving out " + left_out_paths +
                                          " (on_bad_file: skip)");
    }
    orphans_removed += run.orphan_files_removed();
    left_out.by_sha256.emplace(run.bad_file()->sha256, run.bad_file()->error);
    left_out.by_path.emplace(run.bad_file()->path, run.bad_file()->error);
    left_out_paths += (left_out_paths.empty() ? "" : ", ") + run.bad_file()->path;
    if (options.progress) {
      options.progress->Line("note: " + run.bad_file()->path +
                             " is left out (on_bad_file: skip); reading the other files again");
    }
  }
}

}  // namespace tradeflow::pipeline
