#include "pipeline/batch_run.h"

#include <unistd.h>

#include "pipeline/batch_run_internal.h"

namespace tradeflow::pipeline {
namespace internal {

std::string Absolute(const std::string& path) {
  std::error_code ec;  // an empty path, say: kept as given, for the error that follows to name
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  return ec ? Absolute(path) : canonical.string();
}

// Iceberg writes file locations as URIs, in which '#' starts a fragment and '?' a query: readers
// would look for other files (pyiceberg read "/tmp/a#b/..." as "/tmp/a"). Escaping them would
// not help: pyiceberg does not unescape a file URI's path, Java does. ('%' is read as it is by
// pyiceberg and tradeflow, so a warehouse that has one keeps working.)
Status CheckUriSafe(const std::string& folder, const std::string& what) {
  const size_t at = folder.find_first_of("#?");
  if (at == std::string::npos) return Status::OK();
  return Status::Invalid(what + " " + folder + " holds '" + folder[at] +
                         "', which a file URI cannot hold as it is (Iceberg stores table and file "
                         "locations as URIs, and readers would look elsewhere): use a folder "
                         "whose path has no '#' or '?'");
}

Status CheckWritable(const std::string& folder, const std::string& what) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return Status::IOError(what + " " + folder + ": cannot create it: " + ec.message());
  const std::string probe = folder + "/.tradeflow-write-check-" + lake::NewUuid();
  if (!std::ofstream(probe)) {
    return Status::IOError(what + " " + folder + ": cannot write there: " + std::strerror(errno));
  }
  std::filesystem::remove(probe, ec);
  return Status::OK();
}

// The catalog is written once, at the end: one that cannot be would be found out only after every
// input was read and every data file written, by a commit whose failure could not even say that
// nothing landed. SQLite writes its -wal and -shm files beside the database, so those and the
// folder must be writable too. (The folder's creation and the database's are OpenSqliteCatalog's.)
Status CheckCatalogWritable(const std::string& path) {
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::access(file.c_str(), F_OK) == 0 && ::access(file.c_str(), W_OK) != 0) {
      return Status::IOError("catalog " + file + " cannot be written (" + std::strerror(errno) +
                             "): a run commits to it at its end; make it writable");
    }
  }
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (!folder.empty() && ::access(folder.c_str(), F_OK) == 0 &&
      ::access(folder.c_str(), W_OK) != 0) {
    return Status::IOError("the folder of catalog " + path + " cannot be written (" +
                           std::strerror(errno) +
                           "): SQLite keeps the catalog's -wal and -shm files there");
  }
  return Status::OK();
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<RunSummary> BatchRun::Run() {
  const auto started = std::chrono::steady_clock::now();
  TF_RETURN_IF_ERROR(Prepare());
  TF_RETURN_IF_ERROR(Plan());
  TF_RETURN_IF_ERROR(StopIfRequested());
  int index = 0;
  for (auto& [input, file] : todo_) {
    ++index;
    Status processed = ProcessFile(input, index, static_cast<int>(todo_.size()), file);
    if (processed.ok()) processed = StopIfRequested();
    if (!processed.ok()) return AbandonWrites(processed);
  }
  // From here the run commits: a stop requested now waits for the commit to finish, as a
  // half-written table is worse than a run that ends a moment later.
  TF_RETURN_IF_ERROR(Commit());
  for (auto& f : summary_.files) {
    summary_.records_read += f.records_read;
    summary_.records_accepted += f.records_accepted;
    summary_.records_replayed += f.records_replayed;
    summary_.records_with_warnings += f.records_with_warnings;
    summary_.records_quarantined += f.records_quarantined;
  }
  summary_.metadata_location = events_->table().metadata_location();
  summary_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::move(summary_);
}

Status BatchRun::StopIfRequested() const {
  const int signal = StopRequested();
  if (signal == 0) return Status::OK();
  return Status::Cancelled("stopped by " + SignalName(signal) +
                           " before its commit: nothing was committed, and this run's "
                           "uncommitted data files were removed; run it again to ingest its "
                           "inputs" +
                           std::string(options_.reread_all || !options_.reread.empty()
                                           ? " (with the same --reread or --reread-all)"
                                           : ""));
}

Status BatchRun::Prepare() {
  summary_.run_id = lake::NewUuid();
  const std::string& ns = config_.table.ns;
  summary_.table = ns + "." + config_.table.name;
  summary_.quarantine_table = ns + "." + config_.quarantine_table;
  summary_.catalog_path = Absolute(config_.catalog.uri);
  summary_.catalog_name = config_.catalog.name;
  summary_.warehouse = lake::ToFileUri(Absolute(config_.warehouse));
  // Before any input is read: a run would otherwise find out at its first data file.
  TF_RETURN_IF_ERROR(CheckUriSafe(Absolute(config_.warehouse), "warehouse"));
  TF_RETURN_IF_ERROR(CheckWritable(Absolute(config_.warehouse), "warehouse"));
  TF_RETURN_IF_ERROR(CheckCatalogWritable(summary_.catalog_path));

  // Every input must exist before anything else happens.
  std::map<std::string, std::string> first_path;  // by sha256
  std::set<std::string> left_out_paths;
  for (const auto& [path, why] : left_out_.by_path) left_out_paths.insert(path);
  TF_ASSIGN_OR_RETURN(auto paths, ResolveSourceFiles(config_.source, left_out_paths));
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
    NoteEmptyReferenceTables();
  }
  TF_ASSIGN_OR_RETURN(mapper_,
                      transform::Mapper::Compile(config_.mapping, TradeEvent::descriptor(),
                                                 reference_ ? &reference_->data : nullptr));
  TF_ASSIGN_OR_RETURN(validator_,
                      validate::Validator::Make(ValidationWithNormalisation(),
                                                reference_ ? &reference_->data : nullptr));
  for (const auto& note : validator_->notes()) Note(note);

  // A first run makes its catalog; a catalog.uri with a typo would too, silently, with a history
  // of its own: said, so that one glance at the log tells the two apart.
  std::error_code exists_ec;
  const bool new_catalog = !std::filesystem::exists(summary_.catalog_path, exists_ec);
  TF_ASSIGN_OR_RETURN(catalog_,
                      lake::OpenSqliteCatalog(summary_.catalog_path, config_.catalog.name));
  if (new_catalog) {
    Note("no catalog was at " + summary_.catalog_path +
         ": a new, empty one is made there (catalog.uri in " + config_.file + ")");
  }
  const std::string root = Absolute(config_.warehouse) + "/" + ns + "/";
  const int64_t buffer = config_.table.buffer_mb << 20;
  auto events = EventSink::Open(catalog_.get(), {ns, config_.table.name},
                                lake::ToFileUri(root + config_.table.name),
                                {config_.table.partition, config_.table.sort},
                                config_.table.target_file_mb << 20, buffer, &pool_);
  // A layout the table's schema does not have (an unknown column) is the pipeline file's error.
  if (!events.ok() && events.status().code() == StatusCode::kInvalidArgument &&
      !config_.table.layout_where.empty() &&
      (events.status().message().find("partition") != std::string::npos ||
       events.status().message().find("sort") != std::string::npos)) {
    return events.status().WithContext(config_.table.layout_where);
  }
  TF_ASSIGN_OR_RETURN(events_, std::move(events));
  for (const auto& note : events_->notes()) Note(note);
  if (!events_->table().staged()) {
    TF_ASSIGN_OR_RETURN(auto differences, events_->table().LayoutDifferences(
                                              {config_.table.partition, config_.table.sort}));
    for (const auto& d : differences) Note(d);
    for (const auto& d :
         events_->table().WritePropertyDifferences(config_.table.target_file_mb << 20)) {
      Note(d);
    }
  }
  lake::TableLayout quarantine_layout;
  quarantine_layout.sort = {{"input_sha256", false}, {"line", false}};
  TF_ASSIGN_OR_RETURN(
      quarantine_,
      TableSink::Open(catalog_.get(), {ns, config_.quarantine_table},
                      lake::ToFileUri(root + config_.quarantine_table),
                      QuarantineRecord::descriptor(), quarantine_layout,
                      std::min<int64_t>(buffer, kQuarantineFileBytes), kQuarantineBatchRows));
  for (const auto& note : quarantine_->notes()) Note(note);
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

// quantity_in_canonical_unit holds what the unit step of normalisation promises: with that step
// off, nothing converts quantities, and the rule would fail every trade reported in another
// unit. It is skipped then (and said so), unless the pipeline configures it itself.
validate::ValidationSpec BatchRun::ValidationWithNormalisation() {
  validate::ValidationSpec spec = config_.validation;
  constexpr std::string_view kRule = "quantity_in_canonical_unit";
  const bool converts = config_.normalise_enabled && config_.normalise.convert_quantities;
  const bool configured = std::any_of(spec.builtin.begin(), spec.builtin.end(),
                                      [&](const auto& setting) { return setting.id == kRule; });
  if (!converts && !configured) {
    spec.builtin.push_back({std::string(kRule), false, validate::Severity::kError, ""});
    Note("validation rule " + std::string(kRule) +
         " is skipped: normalisation does not convert units");
  }
  return spec;
}

bool BatchRun::Reread(const sources::InputFile& input) const {
  if (options_.reread_all) return true;
  auto named = [&](const std::string& path) {
    return std::count(options_.reread.begin(), options_.reread.end(), Canonical(path)) > 0;
  };
  return named(input.absolute_path) ||
         std::any_of(same_content_.begin(), same_content_.end(), [&](const FileSummary& copy) {
           return copy.sha256 == input.sha256 && named(copy.path);
         });
}

Status BatchRun::CheckRereadFiles() const {
  if ((options_.reread_all || !options_.reread.empty()) && !validator_->ChecksDuplicateVersions()) {
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

// A record's provenance names its mapping by version (and its run, which names the pipeline),
// so one pipeline's version must always mean one mapping: records mapped before and after a
// change would otherwise claim the same origin.
Status BatchRun::CheckMappingVersion(const lake::TableMetadata& trades) const {
  const auto recorded =
      LastRecordedMapping(lake::CurrentLineage(trades), config_.mapping.version, config_.name);
  if (!recorded || recorded->fingerprint == config_.mapping.fingerprint) return Status::OK();
  return Status::Invalid(config_.file + ": mapping.version " + config_.mapping.version +
                         ": the mapping is not the one run " + recorded->run_id + " stored in " +
                         summary_.table + " under this version (snapshot " +
                         std::to_string(recorded->snapshot_id) +
                         "). Records name only the version in provenance.mapping_version, so "
                         "give the changed mapping a version of its own");
}

// A run stopped between its quarantine and trade commits is finished by the next run over the
// same content. Once the file has changed (an export rewritten in place, or grown), nothing will
// finish it: its rejects stay in quarantine while its other records are in neither table.
void BatchRun::NoteRejectsWithoutTrades(const lake::TableMetadata& all_trades,
                                        const lake::TableMetadata& quarantine) {
  for (const auto& [sha256, input] : InputsWithRejectsOnly(all_trades, quarantine, config_.name)) {
    auto same = [&](const sources::InputFile& i) { return i.sha256 == sha256; };
    if (input.quarantined == 0 || std::any_of(inputs_.begin(), inputs_.end(), same)) continue;
    std::string text =
        input.path + " (sha256 " + sha256.substr(0, 12) + "): run " + input.run_id + " stored " +
        std::to_string(input.quarantined) + " of its records in " + summary_.quarantine_table +
        " and stopped before committing its trades, and that content is no longer among the "
        "inputs (the file changed since?). Its other records are in neither table: put that "
        "content back among the inputs and run again to finish its reading";
    Note(text);
    summary_.unfinished.push_back(std::move(text));
  }
}

Status BatchRun::Plan() {
  TF_RETURN_IF_ERROR(CheckRereadFiles());
  TF_RETURN_IF_ERROR(CheckMappingVersion(events_->table().metadata()));
  // What the tables hold now: a snapshot rolled back past holds nothing, so its inputs are not
  // ingested (and its rejects not stored). Whether a run committed its trades, though, is in the
  // whole metadata: a rollback does not make a run that committed one that stopped.
  const lake::TableMetadata events = lake::CurrentLineage(events_->table().metadata());
  auto in_events = IngestedInputs(events);
  const lake::TableMetadata rejects =
      QuarantineOf(lake::CurrentLineage(quarantine_->table().metadata()), summary_.table);
  quarantine_has_ = IngestedInputs(rejects);
  const auto unfinished = UnfinishedReadings(events, rejects, RunsOf(events_->table().metadata()));
  NoteRejectsWithoutTrades(events_->table().metadata(), rejects);
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
        file.skipped = std::string(kAlreadyIngested) + " " + when;
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
  for (const auto& [path, why] : left_out_.by_path) {  // left out, then gone from its folder
    auto listed = [&](const sources::InputFile& i) { return i.path == path; };
    if (std::none_of(inputs_.begin(), inputs_.end(), listed)) {
      FileSummary file;
      file.path = path;
      file.skipped = "left out, not ingested: " + why;
      summary_.left_out.push_back(why);
      summary_.files.push_back(std::move(file));
    }
  }
  for (auto& file : same_content_) {
    if (left_out_.by_sha256.count(file.sha256)) {  // the copy of a file left out: so is it
      *file.skipped += ", which is left out";
      summary_.left_out.push_back(file.path + ": " + *file.skipped);
    }
    summary_.files.push_back(std::move(file));
  }
  std::set<std::string> names;
  for (const auto& [input, index] : todo_) {
    file_names_unique_ &= names.insert(std::filesystem::path(input->path).filename()).second;
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
    TF_ASSIGN_OR_RETURN(
        stored_rejects_,
        StoredRejects(quarantine_->table(), quarantined_before, only_runs_,
                      OtherTablesRuns(quarantine_->table().metadata(), summary_.table)));
  }
  return Status::OK();
}

Result<std::unique_ptr<sources::RecordSource>> BatchRun::OpenInputSource(
    const sources::InputFile& input) {
  TF_ASSIGN_OR_RETURN(auto source, OpenSource(config_.source, input.path));
  std::vector<sources::FieldRef> fields;
  for (const auto& f : mapper_->source_fields()) fields.push_back({f.name, f.where});
  TF_RETURN_IF_ERROR(source->Bind(fields));
  return source;
}

void BatchRun::Note(const std::string& text) {
  if (options_.progress) options_.progress->Line("note: " + text);
}

// A keyed reference table allowed to be empty (allow_empty) makes every trade fail its known_*
// rule: said at start, not found in the quarantine afterwards.
void BatchRun::NoteEmptyReferenceTables() {
  std::set<std::string> noted;
  for (const auto& table : config_.reference.tables) {
    if (!reference_->data.HasTable(table.kind) || noted.count(table.kind) > 0) continue;
    if (!transform::ReferenceRows(reference_->tables, table.kind).empty()) continue;
    noted.insert(table.kind);
    Note("reference table " + table.kind + " (" + table.where +
         ") has no rows: every trade that names one fails its known_ rule");
  }
}

// A JSON or FIXML path no record has is most likely misspelt: its rules would never apply,
// without a word (a CSV column that is missing stops the run at its header).
void BatchRun::NotePathsNeverSeen(const sources::InputFile& input,
                                  const sources::RecordSource& source, int64_t records) {
  if (records == 0) return;
  std::string unseen;
  for (const auto& name : source.FieldsNeverPresent()) {
    unseen += (unseen.empty() ? "" : ", ") + name;
  }
  if (unseen.empty()) return;
  const char* what = config_.source.type == "fixml" ? "field" : "key";
  Note(input.path + ": no record of its " + std::to_string(records) + " has the " + what + " " +
       unseen + " (an optional " + what + ", or a misspelt path in the mapping?)");
}

Status BatchRun::ProcessFile(const sources::InputFile* input, int index, int total,
                             size_t file_index) {
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
  if (!group_.empty()) {
    const bool resumed = quarantine_has_.count(input->sha256) > 0;
    TF_RETURN_IF_ERROR(AbsorbGroup(*input, resumed, &summary_.files[file_index]));
  }
  TF_RETURN_IF_ERROR(IfUnreadable(*input, sources::CheckUnchanged(*input)));
  FileSummary& file = summary_.files[file_index];
  if (!quarantine_has_.count(input->sha256)) {
    TF_RETURN_IF_ERROR(IfBadFile(*input, bad_records_.CheckFile(*input, file.records_read)));
  }
  file.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  NotePathsNeverSeen(*input, *source, file.records_read);
  if (file.records_read == 0) {  // recorded as ingested all the same: said, not silent
    Note(input->path + ": no records in it" +
         (config_.source.type == "fixml"
              ? std::string(" (no TrdCaptRpt element: is it a FIXML trade capture file?)")
              : std::string()) +
         "; it is recorded as ingested, and a later run skips it");
  }
  if (file.records_cut_to_micros > 0) {
    Note(input->path + ": " + std::to_string(file.records_cut_to_micros) +
         " stored records have a time with digits below a microsecond (execution_time or "
         "provenance.source_created_time); Iceberg v2 timestamps hold microseconds, so the "
         "table has them cut to the microsecond");
  }
  if (options_.progress) {
    options_.progress->Update(file.records_read, source->bytes_read());
    std::ostringstream line;
    line << input->path << ": read " << file.records_read << " = accepted " << file.records_accepted
         << " + quarantined " << file.records_quarantined;
    options_.progress->Line(line.str());
  }
  return Status::OK();
}

Status BatchRun::ReadChunks(sources::RecordSource& source, const sources::InputFile* input,
                            size_t file_index,
                            std::deque<std::future<std::unique_ptr<RecordChunk>>>* in_flight) {
  const size_t max_in_flight = 2 * static_cast<size_t>(pool_.size()) + 1;
  for (bool more = true; more;) {
    TF_RETURN_IF_ERROR(StopIfRequested());
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

std::unique_ptr<RecordChunk> BatchRun::SpareChunk() {
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

Result<bool> BatchRun::FillChunk(sources::RecordSource& source, RecordChunk* chunk) {
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

}  // namespace internal

Result<RunSummary> RunPipeline(const PipelineConfig& config, const RunOptions& options) {
  using internal::BatchRun;
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
