#include "pipeline/record_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/proto_schema.h"
#include "pipeline/pipeline_config.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::trade::v1::TradeEvent;

// A mapping whose records differ in shape: options fill legs[0].option, swaps add a second leg,
// brokered trades a fee; a bad date fails mapping, and a missing trade id, commodity or unit
// fails validation.
constexpr const char* kPipeline = R"(
pipeline: record-processor-test
source: {type: csv, path: trades.csv}
mapping:
  version: test-v1
  fields:
    source_system: {constant: ENDUR}
    source_trade_id: id
    source_version: version
    trade_date: {column: trade_date, format: "%Y-%m-%d"}
    action: {constant: NEW}
    direction: {column: side, enum: {B: BUY, S: SELL}}
    parties.book: {constant: BOOK-1}
    parties.internal_legal_entity.name: {constant: TRADEFLOW SA}
    parties.counterparty.id: {constant: CP-1}
    product.commodity: commodity
    product.exchange: {constant: ICE}
    product.instrument_type: {column: kind, enum: {Future: FUTURE, Option: FUTURE_OPTION, Swap: SWAP}}
    legs[0].fixed.price.value: {column: price, when: {column: kind, in: [Future, Swap]}}
    legs[0].fixed.price.currency: {constant: USD, when: {column: kind, in: [Future, Swap]}}
    legs[0].quantity.value: quantity
    legs[0].quantity.unit: unit
    legs[0].option.put_call: {column: put_call, when: {column: kind, equals: Option}}
    legs[0].option.strike.value: {column: strike, when: {column: kind, equals: Option}}
    legs[0].option.strike.currency: {constant: USD, when: {column: kind, equals: Option}}
    legs[0].option.expiry_date: {column: expiry, when: {column: kind, equals: Option}}
    legs[0].option.premium.value: {column: price, when: {column: kind, equals: Option}}
    legs[0].option.premium.currency: {constant: USD, when: {column: kind, equals: Option}}
    legs[1].leg_number: {constant: "2", when: {column: kind, equals: Swap}}
    legs[1].floating.index_id: {column: index, when: {column: kind, equals: Swap}}
    fees[0].amount: fee
    fees[0].currency: {constant: USD, when: {column: fee}}
)";

struct Harness {
  PipelineConfig config;
  std::unique_ptr<transform::Mapper> mapper;
  std::unique_ptr<validate::Validator> validator;
  transform::ReferenceData no_reference;
  std::optional<RowKeys> keys;
  std::optional<RecordProcessor> processor;
  sources::InputFile input;
};

std::unique_ptr<Harness> MakeHarness() {
  auto h = std::make_unique<Harness>();
  auto config = ParsePipelineConfig(kPipeline, "/p/test.yaml");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  h->config = std::move(*config);
  auto mapper = transform::Mapper::Compile(h->config.mapping);
  EXPECT_TRUE(mapper.ok()) << mapper.status().ToString();
  h->mapper = std::move(*mapper);
  auto validator = validate::Validator::Make(h->config.validation, nullptr);
  EXPECT_TRUE(validator.ok()) << validator.status().ToString();
  h->validator = std::move(*validator);
  auto schema = model::DeriveArrowSchema(TradeEvent::descriptor());
  EXPECT_TRUE(schema.ok());
  auto keys = RowKeys::Make(TradeEvent::descriptor(), *schema->schema, {},
                            {{"source_trade_id", false}, {"source_version", false}});
  EXPECT_TRUE(keys.ok()) << keys.status().ToString();
  h->keys.emplace(std::move(*keys));
  RecordProcessorOptions options;
  options.mapper = h->mapper.get();
  options.validator = h->validator.get();
  options.reference = &h->no_reference;
  options.normalise = transform::WithoutReferenceData(h->config.normalise);
  options.row_keys = &*h->keys;
  options.context.run_id = "run-1";
  h->processor.emplace(std::move(options));
  h->input.path = "trades.csv";
  h->input.uri = "file:///trades.csv";
  h->input.sha256 = std::string(64, 'a');
  return h;
}

// The values of record i, in the order the mapping reads its source fields.
sources::SourceRecord Record(const transform::Mapper& mapper, int i) {
  const char* kinds[] = {"Future", "Option", "Swap", "Future", "Option"};
  const std::string kind = kinds[i % 5];
  auto value = [&](const std::string& field) -> std::string {
    if (field == "id") return i % 17 == 5 ? "" : std::to_string(1000 + i);
    if (field == "version") return std::to_string(1 + i % 3);
    if (field == "trade_date")
      return i % 23 == 7 ? "2026-02-30" : "2026-03-" + std::to_string(10 + i % 9);
    if (field == "side") return i % 2 ? "B" : "S";
    if (field == "commodity") return i % 29 == 3 ? "" : "BRENT";
    if (field == "quantity") return std::to_string(100 + i) + ".5";
    if (field == "unit") return i % 31 == 4 ? "" : "bbl";
    if (field == "price") return "8" + std::to_string(i % 10) + ".25";
    if (field == "kind") return kind;
    if (field == "put_call") return i % 2 ? "CALL" : "PUT";
    if (field == "strike") return "85." + std::to_string(i % 10);
    if (field == "index") return "PLATTS-BRENT";
    if (field == "expiry") return "2026-12-15";
    if (field == "fee") return i % 3 == 1 ? "12.50" : "";
    ADD_FAILURE() << "unexpected source field " << field;
    return "";
  };
  sources::SourceRecord record;
  for (const auto& field : mapper.source_fields()) record.values.push_back(value(field.name));
  record.line = i + 2;
  record.location = "line " + std::to_string(i + 2);
  record.raw = "record " + std::to_string(i);
  return record;
}

// Records are mapped into one reused event (on an arena made again every few dozen records);
// nothing of one record may show in the next: each outcome equals that of mapping the record
// alone into a fresh message, which is what Rebuild does.
TEST(RecordProcessorTest, EveryRecordOfAChunkComesOutAsIfMappedAlone) {
  auto h = MakeHarness();
  RecordChunk chunk;
  chunk.input = &h->input;
  chunk.size = 300;
  for (int i = 0; i < static_cast<int>(chunk.size); ++i) {
    chunk.records.push_back(Record(*h->mapper, i));
  }
  chunk.outcomes.resize(chunk.size);
  h->processor->Process(&chunk);

  int accepted = 0, rejected = 0;
  for (size_t i = 0; i < chunk.size; ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const RecordOutcome& got = chunk.outcomes[i];
    TradeEvent alone;
    const RecordOutcome want = h->processor->Rebuild(*chunk.input, chunk.records[i], &alone);
    ASSERT_EQ(got.accepted, want.accepted);
    EXPECT_EQ(got.stage, want.stage);
    ASSERT_EQ(got.failures.size(), want.failures.size());
    for (size_t f = 0; f < got.failures.size(); ++f) {
      EXPECT_EQ(got.failures[f].rule, want.failures[f].rule);
      EXPECT_EQ(got.failures[f].message, want.failures[f].message);
    }
    EXPECT_EQ(got.mapped_json, want.mapped_json);
    EXPECT_EQ(got.row, want.row);
    EXPECT_EQ(got.sort_key, want.sort_key);
    EXPECT_EQ(got.has_warnings(), want.has_warnings());
    EXPECT_EQ(got.content_hash, want.content_hash);
    (got.accepted ? accepted : rejected)++;
  }
  // Both kinds, and the shapes above, occur often enough to cross several arena resets.
  EXPECT_GT(accepted, 200);
  EXPECT_GT(rejected, 20);
}

// A record whose value cannot be read still goes through the rules: its quarantine row lists
// every failure at once, but not a rule that only repeats the mapping error.
TEST(RecordProcessorTest, AMappingErrorListsTheOtherFailedRulesToo) {
  auto h = MakeHarness();
  sources::SourceRecord record = Record(*h->mapper, 0);
  const auto& fields = h->mapper->source_fields();
  auto set = [&](const std::string& name, const std::string& value) {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) record.values[i] = value;
  };
  set("trade_date", "2026-02-30");
  set("commodity", "");
  TradeEvent event;
  const RecordOutcome out = h->processor->Rebuild(h->input, record, &event);
  ASSERT_FALSE(out.accepted);
  EXPECT_EQ(out.stage, tradeflow::quarantine::v1::STAGE_MAP);
  std::vector<std::string> rules;
  for (const auto& f : out.failures) rules.push_back(f.rule + " " + f.field);
  EXPECT_EQ(rules, (std::vector<std::string>{"mapping_error trade_date",
                                             "required_commodity product.commodity"}));
  EXPECT_TRUE(out.mapped);
}

// The stored row carries the content hash, which ignores where the record was read, the id of the
// message that carried it and what the checks said of it, so that the same record read again
// elsewhere is recognised as a replay.
TEST(RecordProcessorTest, TheRowCarriesAContentHashThatIgnoresProvenanceAndWarnings) {
  auto h = MakeHarness();
  RecordChunk chunk;
  chunk.input = &h->input;
  chunk.size = 40;
  for (int i = 0; i < static_cast<int>(chunk.size); ++i) {
    chunk.records.push_back(Record(*h->mapper, i));
  }
  chunk.outcomes.resize(chunk.size);
  h->processor->Process(&chunk);
  const size_t a = std::find_if(chunk.outcomes.begin(), chunk.outcomes.end(),
                                [](const RecordOutcome& o) { return o.accepted; }) -
                   chunk.outcomes.begin();
  ASSERT_LT(a, chunk.size);
  const RecordOutcome& accepted = chunk.outcomes[a];
  ASSERT_NE(accepted.content_hash, 0);
  TradeEvent stored;
  ASSERT_TRUE(stored.ParseFromString(accepted.row));
  EXPECT_EQ(stored.content_hash(), accepted.content_hash);

  // The same event from another place, with a warning added: the same hash.
  TradeEvent again = stored;
  again.clear_content_hash();
  again.mutable_provenance()->set_source_location("line 999");
  again.mutable_provenance()->set_run_id("another run");
  again.add_quality_warnings()->set_rule("book_naming");
  (*again.mutable_source_attributes())["sent"] = "another time";
  // The id of the message that carried it (FIX RptID: new with every message).
  again.set_source_record_id(again.source_record_id() + "0");
  std::string row;
  int64_t hash = 0;
  ASSERT_TRUE(RecordProcessor::SerializeRow(again, &row, &hash).ok());
  EXPECT_EQ(hash, accepted.content_hash);
  // Other content: another hash.
  again.set_action_raw(again.action_raw() + "0");
  ASSERT_TRUE(RecordProcessor::SerializeRow(again, &row, &hash).ok());
  EXPECT_NE(hash, accepted.content_hash);
  // An event that has a hash already is refused rather than hashed with it.
  EXPECT_FALSE(RecordProcessor::SerializeRow(stored, &row, &hash).ok());
}

}  // namespace
}  // namespace tradeflow::pipeline
