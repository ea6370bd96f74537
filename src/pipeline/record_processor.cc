#include "pipeline/record_processor.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <string_view>

#include "model/content_hash.h"
#include "model/proto_json.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::quarantine::v1::STAGE_MAP;
using tradeflow::quarantine::v1::STAGE_PARSE;
using tradeflow::quarantine::v1::STAGE_VALIDATE;
using tradeflow::trade::v1::TradeEvent;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ResetOutcome(RecordOutcome* out) {
  out->accepted = false;
  out->stage = tradeflow::quarantine::v1::STAGE_UNSPECIFIED;
  out->failures.clear();
  out->mapped = false;
  out->mapped_json.clear();
  out->warned_by.clear();
  out->finer_than_micros = false;
  out->content_hash = 0;
  out->sort_key.clear();
  out->row.clear();
}

// Iceberg v2 timestamps hold microseconds, so the writer cuts what is finer. The event keeps
// its nanoseconds (and its content hash with them, as before): the run notes the cut instead.
bool FinerThanMicros(const TradeEvent& event) {
  return event.execution_time().nanos() % 1000 != 0 ||
         event.provenance().source_created_time().nanos() % 1000 != 0;
}

}  // namespace

void RecordProcessor::MarkRejected(tradeflow::quarantine::v1::Stage stage,
                                   std::vector<RecordFailure> failures, const TradeEvent* mapped,
                                   RecordOutcome* out) {
  out->accepted = false;
  out->stage = stage;
  out->failures = std::move(failures);
  if (mapped == nullptr) return;
  out->mapped = true;
  out->key = validate::DuplicateKey::Of(*mapped);
  out->mapped_json.clear();
  Status st = model::AppendProtoJson(*mapped, &out->mapped_json);
  if (!st.ok()) out->mapped_json = "{\"error\":\"" + st.message() + "\"}";
}

Status RecordProcessor::SerializeRow(const TradeEvent& event, std::string* row,
                                     int64_t* content_hash) {
  if (event.content_hash() != 0) return Status::Internal("the event has a content_hash already");
  row->clear();
  (void)event.ByteSizeLong();  // caches the sizes SerializeWithCachedSizes relies on
  {
    google::protobuf::io::StringOutputStream stream(row);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // map entries by key: files are reproducible
    event.SerializeWithCachedSizes(&coded);
  }
  // content_hash is the last field, so appending it gives what serializing it in would.
  static_assert(TradeEvent::kContentHashFieldNumber > TradeEvent::kQualityWarningsFieldNumber);
  // Content is what the mapping placed: not where and when the record was read (provenance),
  // nor the id of the message that carried it (source_record_id: FIX's RptID is new with every
  // message, so a re-sent report would be a conflict), nor the source's unmapped columns
  // (source_attributes: a FIXML header's send time, an export's timestamp, which change with
  // every re-send), nor what the checks said of it.
  TF_ASSIGN_OR_RETURN(*content_hash,
                      model::ContentHash(*row, {TradeEvent::kSourceRecordIdFieldNumber,
                                                TradeEvent::kProvenanceFieldNumber,
                                                TradeEvent::kSourceAttributesFieldNumber,
                                                TradeEvent::kQualityWarningsFieldNumber}));
  model::AppendSfixed64Field(TradeEvent::kContentHashFieldNumber, *content_hash, row);
  return Status::OK();
}

// Events live on an arena, made again every kEventsPerArena records. Clear() on a heap-allocated
// proto3 message deletes every sub-message (parties, product, each leg's quantity and price...),
// which mapping the next record then allocates again; on an arena, clearing only drops the
// pointers and the sub-messages come from a bump allocator, freed all at once by Reset().
// Measured: 4% less CPU for a 200k-row run, 1.5% at 2M rows.
void RecordProcessor::Process(RecordChunk* chunk) const {
  constexpr size_t kEventsPerArena = 64;
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 64 << 10;
  arena_options.max_block_size = 64 << 10;
  google::protobuf::Arena arena(arena_options);
  TradeEvent* event = nullptr;
  size_t mapped = 0;
  transform::RecordContext context = InputContext(*chunk->input);
  for (size_t i = 0; i < chunk->size; ++i) {
    RecordOutcome& out = chunk->outcomes[i];
    if (out.stage == STAGE_PARSE) continue;
    if (mapped++ % kEventsPerArena == 0) {
      arena.Reset();
      event = google::protobuf::Arena::CreateMessage<TradeEvent>(&arena);
    }
    ProcessOne(chunk->records[i], &context, event, &out);
  }
}

// The run's context with the input file; ProcessOne sets each record's location.
transform::RecordContext RecordProcessor::InputContext(const sources::InputFile& input) const {
  transform::RecordContext context = options_.context;
  context.input_uri = input.uri;
  context.input_sha256 = input.sha256;
  return context;
}

void RecordProcessor::ProcessOne(const sources::SourceRecord& record,
                                 transform::RecordContext* context, TradeEvent* event,
                                 RecordOutcome* out) const {
  ResetOutcome(out);
  context->location = record.location;
  std::vector<transform::MappingIssue> issues;
  std::vector<transform::MappingIssue> unreadable;
  event->Clear();
  Status mapped = options_.mapper->Map(record.values, record.extras, *context, event, &issues,
                                       &unreadable, &record.plain_numbers);
  if (!mapped.ok()) {
    MarkRejected(STAGE_MAP, {{"mapping_error", "", mapped.message()}}, event, out);
    return;
  }
  if (!unreadable.empty()) {
    MarkRejected(STAGE_MAP, MappingFailures(event, issues, std::move(unreadable)), event, out);
    return;
  }
  std::vector<RecordFailure> errors = Validate(event, issues);
  if (!errors.empty()) {
    MarkRejected(STAGE_VALIDATE, std::move(errors), event, out);
    // Its fingerprint too, for unique_version as an error: the version may be stored already
    // with this very content (when a rule that fails now was a warning, or off), which is no
    // conflicting duplicate.
    if (options_.validator->RejectsDuplicateVersions()) {
      std::string scratch;
      if (!SerializeRow(*event, &scratch, &out->content_hash).ok()) out->content_hash = 0;
    }
    return;
  }
  out->accepted = true;
  out->mapped = true;
  out->key = validate::DuplicateKey::Of(*event);
  for (const auto& w : event->quality_warnings()) out->AddWarnedBy(w.rule());
  out->finer_than_micros = FinerThanMicros(*event);
  Status serialized = SerializeRow(*event, &out->row, &out->content_hash);
  if (!serialized.ok()) {
    MarkRejected(STAGE_VALIDATE, {{"serialization", "", serialized.message()}}, event, out);
    return;
  }
  // The row's keys after its hash: a table may be partitioned or sorted by content_hash too.
  event->set_content_hash(out->content_hash);
  Status keyed = options_.row_keys->Compute(*event, &out->partition, &out->sort_key);
  if (!keyed.ok()) {
    event->clear_content_hash();
    MarkRejected(STAGE_VALIDATE, {{"table_layout", "", keyed.message()}}, event, out);
  }
}

RecordOutcome RecordProcessor::Rebuild(const sources::InputFile& input,
                                       const sources::SourceRecord& record,
                                       TradeEvent* event) const {
  RecordOutcome out;
  transform::RecordContext context = InputContext(input);
  ProcessOne(record, &context, event, &out);
  return out;
}

namespace {

// Whether two canonical field paths name the same field or one holds the other ("legs" holds
// "legs[0].quantity", which holds "legs[0].quantity.value").
bool PathsOverlap(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (a.empty() || b.substr(0, a.size()) != a) return false;
  return b.size() == a.size() || b[a.size()] == '.' || b[a.size()] == '[';
}

}  // namespace

// The rules run on what could be mapped, so that the quarantine row lists every failure at once:
// fixing the values that could not be read is then enough. A failure about a field whose value
// could not be read (or one that holds it) is left out, as it only repeats the mapping error
// ("trade_date is missing"); so is a normalisation failure, which stops the rules on a record
// whose values are incomplete.
std::vector<RecordFailure> RecordProcessor::MappingFailures(
    TradeEvent* event, const std::vector<transform::MappingIssue>& issues,
    std::vector<transform::MappingIssue> unreadable) const {
  std::vector<RecordFailure> failures;
  for (auto& e : unreadable) failures.push_back({"mapping_error", e.target, std::move(e.message)});
  for (auto& f : Validate(event, issues)) {
    bool repeats = f.rule == "normalisation" ||
                   std::any_of(unreadable.begin(), unreadable.end(),
                               [&](const auto& e) { return PathsOverlap(e.target, f.field); });
    if (!repeats) failures.push_back(std::move(f));
  }
  return failures;
}

// Normalisation, then every validation rule except the duplicate check. Returns the errors (the
// record goes to quarantine); warnings and normalisation notes are attached to the event.
std::vector<RecordFailure> RecordProcessor::Validate(
    TradeEvent* event, const std::vector<transform::MappingIssue>& issues) const {
  std::vector<std::string> notes;
  if (options_.reference != nullptr) {
    Status st = transform::Normalise(*options_.reference, options_.normalise, event, &notes);
    if (!st.ok()) return {{"normalisation", "", st.message()}};
  }
  std::vector<std::string> mapping_issues;
  for (const auto& issue : issues) mapping_issues.push_back(issue.target + ": " + issue.message);
  std::vector<validate::RuleFailure> results =
      options_.validator->Check(*event, mapping_issues, NowSeconds());
  std::vector<RecordFailure> errors;
  for (const auto& r : results) {
    if (r.severity == validate::Severity::kError) {
      errors.push_back({r.rule, r.field, r.message});
    } else {
      auto* w = event->add_quality_warnings();
      w->set_rule(r.rule);
      w->set_field(r.field);
      w->set_message(r.message);
    }
  }
  for (const auto& n : notes) {
    auto* w = event->add_quality_warnings();
    w->set_rule("normalisation");
    size_t colon = n.find(": ");
    w->set_field(colon == std::string::npos ? "" : n.substr(0, colon));
    w->set_message(colon == std::string::npos ? n : n.substr(colon + 2));
  }
  return errors;
}

}  // namespace tradeflow::pipeline
