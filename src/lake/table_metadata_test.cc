#include "lake/table_metadata.h"

#include <gtest/gtest.h>

#include <set>

namespace tradeflow::lake {
namespace {

using nlohmann::json;

json TradeSchema() {
  return json::parse(R"json({"type": "struct", "identifier-field-ids": [1], "fields": [
      {"id": 1, "name": "trade_id", "required": true, "type": "long"},
      {"id": 2, "name": "price", "required": false, "type": "decimal(18,6)"}]})json");
}

TableMetadata NewTradeTable() {
  return NewTableMetadata(
      "s3://bucket/wh/trading/trades/", TradeSchema(), 2,
      json::parse(R"({"fields": [{"name": "trade_id_bucket", "transform": "bucket[16]",
                                  "source-id": 1, "field-id": 1000}]})"),
      1000, {{"write.format.default", "parquet"}});
}

Snapshot MakeSnapshot(const TableMetadata& md, int64_t timestamp_ms) {
  Snapshot s;
  s.snapshot_id = NewSnapshotId();
  s.parent_snapshot_id = md.current_snapshot_id;
  s.sequence_number = md.last_sequence_number + 1;
  s.timestamp_ms = timestamp_ms;
  s.manifest_list = md.location + "/metadata/snap-" + std::to_string(s.snapshot_id) + "-1-x.avro";
  s.summary = {{"operation", "append"}, {"added-records", "10"}};
  return s;
}

// The example of the reference notes (shape of Java's TableMetadataV2Valid.json), plus keys this
// model does not know, which must survive a round trip.
constexpr const char* kReferenceExample = R"json({
  "format-version": 2,
  "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location": "s3://bucket/wh/trading/trades",
  "last-sequence-number": 1,
  "last-updated-ms": 1767225600000,
  "last-column-id": 4,
  "current-schema-id": 0,
  "schemas": [{
    "type": "struct", "schema-id": 0, "identifier-field-ids": [1],
    "fields": [
      {"id": 1, "name": "trade_id", "required": true,  "type": "long"},
      {"id": 2, "name": "version",  "required": true,  "type": "long"},
      {"id": 3, "name": "ts",       "required": true,  "type": "timestamptz"},
      {"id": 4, "name": "price",    "required": false, "type": "decimal(18,6)"}
    ]}],
  "default-spec-id": 0,
  "partition-specs": [{"spec-id": 0, "fields": [
      {"name": "ts_day", "transform": "day", "source-id": 3, "field-id": 1000},
      {"name": "trade_id_bucket", "transform": "bucket[16]", "source-id": 1, "field-id": 1001}]}],
  "last-partition-id": 1001,
  "default-sort-order-id": 0,
  "sort-orders": [{"order-id": 0, "fields": []}],
  "properties": {"write.format.default": "parquet", "write.parquet.compression-codec": "zstd"},
  "current-snapshot-id": 3055729675574597004,
  "refs": {"main": {"snapshot-id": 3055729675574597004, "type": "branch"},
           "audit": {"snapshot-id": 3055729675574597004, "type": "tag", "max-ref-age-ms": 1000}},
  "snapshots": [{
    "snapshot-id": 3055729675574597004, "sequence-number": 1, "timestamp-ms": 1767225600000,
    "manifest-list": "s3://bucket/wh/trading/trades/metadata/snap-3055729675574597004-1-a.avro",
    "summary": {"operation": "append", "added-data-files": "1", "added-records": "100",
                "total-data-files": "1", "total-records": "100", "total-delete-files": "0"},
    "schema-id": 0}],
  "snapshot-log": [{"snapshot-id": 3055729675574597004, "timestamp-ms": 1767225600000}],
  "metadata-log": [{"metadata-file": "s3://bucket/wh/trading/trades/metadata/00000-a.metadata.json",
                    "timestamp-ms": 1767225500000}],
  "statistics": [{"snapshot-id": 3055729675574597004, "statistics-path": "s3://x/stats.puffin",
                  "file-size-in-bytes": 413, "file-footer-size-in-bytes": 42,
                  "blob-metadata": []}],
  "partition-statistics": [],
  "x-vendor-note": {"nested": [1, 2, 3]}
})json";

TEST(TableMetadataTest, NewSerializeParseRoundTrip) {
  TableMetadata md = NewTradeTable();
  EXPECT_EQ(md.location, "s3://bucket/wh/trading/trades");  // trailing '/' stripped
  EXPECT_EQ(md.table_uuid.size(), 36u);
  EXPECT_EQ(md.last_sequence_number, 0);
  EXPECT_FALSE(md.current_snapshot_id.has_value());
  ASSERT_NE(CurrentSchema(md), nullptr);
  EXPECT_EQ((*CurrentSchema(md))["schema-id"], 0);
  ASSERT_NE(DefaultPartitionSpec(md), nullptr);
  EXPECT_EQ((*DefaultPartitionSpec(md))["spec-id"], 0);

  std::string text = SerializeTableMetadata(md);
  json doc = json::parse(text);
  EXPECT_EQ(doc["format-version"], 2);
  EXPECT_EQ(doc["current-snapshot-id"], -1);
  EXPECT_EQ(doc["refs"], json::object());  // no main branch without a snapshot
  EXPECT_EQ(doc["sort-orders"], json::parse(R"([{"order-id": 0, "fields": []}])"));
  EXPECT_EQ(doc["default-sort-order-id"], 0);
  EXPECT_FALSE(doc.contains("schema"));
  EXPECT_FALSE(doc.contains("partition-spec"));
  EXPECT_NE(text.find('\n'), std::string::npos);  // pretty-printed

  Result<TableMetadata> parsed = ParseTableMetadata(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->current_snapshot_id.has_value());  // -1 reads back as none
  EXPECT_EQ(parsed->table_uuid, md.table_uuid);
  EXPECT_EQ(parsed->schemas, md.schemas);
  EXPECT_EQ(parsed->partition_specs, md.partition_specs);
  EXPECT_EQ(parsed->properties, md.properties);
  EXPECT_EQ(parsed->last_partition_id, 1000);
  EXPECT_EQ(SerializeTableMetadata(*parsed), text);
}

TEST(TableMetadataTest, AddSnapshotMakesItCurrent) {
  TableMetadata md = NewTradeTable();
  Snapshot first = MakeSnapshot(md, 1000);
  AddSnapshot(md, first, 1001);
  Snapshot second = MakeSnapshot(md, 2000);
  AddSnapshot(md, second, 2001);

  EXPECT_EQ(md.last_sequence_number, 2);
  EXPECT_EQ(md.last_updated_ms, 2001);
  ASSERT_EQ(md.snapshots.size(), 2u);
  ASSERT_NE(CurrentSnapshot(md), nullptr);
  EXPECT_EQ(CurrentSnapshot(md)->snapshot_id, second.snapshot_id);
  EXPECT_EQ(CurrentSnapshot(md)->parent_snapshot_id, first.snapshot_id);
  EXPECT_EQ(CurrentSnapshot(md)->schema_id, 0);  // filled from the current schema
  EXPECT_EQ(FindSnapshot(md, first.snapshot_id)->sequence_number, 1);
  EXPECT_EQ(FindSnapshot(md, 42), nullptr);
  ASSERT_EQ(md.snapshot_log.size(), 2u);
  EXPECT_EQ(md.snapshot_log[1].snapshot_id, second.snapshot_id);
  EXPECT_EQ(md.snapshot_log[1].timestamp_ms, 2000);

  json doc = json::parse(SerializeTableMetadata(md));
  EXPECT_EQ(doc["current-snapshot-id"], second.snapshot_id);
  EXPECT_EQ(doc["refs"]["main"]["snapshot-id"], second.snapshot_id);
  EXPECT_EQ(doc["refs"]["main"]["type"], "branch");
  EXPECT_FALSE(doc["snapshots"][0].contains("parent-snapshot-id"));
  EXPECT_EQ(doc["snapshots"][1]["parent-snapshot-id"], first.snapshot_id);

  Result<TableMetadata> parsed = ParseTableMetadata(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->current_snapshot_id, second.snapshot_id);
  EXPECT_EQ(parsed->snapshots[1].summary, second.summary);
  EXPECT_EQ(parsed->snapshots[1].manifest_list, second.manifest_list);
}

TEST(TableMetadataTest, MainRefFollowsCurrentSnapshotEvenIfRefsWereEdited) {
  TableMetadata md = NewTradeTable();
  AddSnapshot(md, MakeSnapshot(md, 1000), 1000);
  md.refs["main"]["snapshot-id"] = 7;  // stale; serialization must not trust it
  json doc = json::parse(SerializeTableMetadata(md));
  EXPECT_EQ(doc["refs"]["main"]["snapshot-id"], *md.current_snapshot_id);
}

TEST(TableMetadataTest, RecordPreviousMetadataFileAppendsAndTrims) {
  TableMetadata md = NewTradeTable();
  RecordPreviousMetadataFile(md, "s3://b/t/metadata/00000-a.metadata.json", 10);
  RecordPreviousMetadataFile(md, "s3://b/t/metadata/00001-b.metadata.json", 20);
  ASSERT_EQ(md.metadata_log.size(), 2u);
  EXPECT_EQ(md.metadata_log[1].metadata_file, "s3://b/t/metadata/00001-b.metadata.json");
  EXPECT_EQ(md.metadata_log[1].timestamp_ms, 20);

  md.properties["write.metadata.previous-versions-max"] = "3";
  for (int i = 2; i < 6; ++i) {
    RecordPreviousMetadataFile(md, "f" + std::to_string(i), i);
  }
  ASSERT_EQ(md.metadata_log.size(), 3u);  // the newest three survive
  EXPECT_EQ(md.metadata_log.front().metadata_file, "f3");
  EXPECT_EQ(md.metadata_log.back().metadata_file, "f5");

  json doc = json::parse(SerializeTableMetadata(md));
  EXPECT_EQ(doc["metadata-log"][2]["metadata-file"], "f5");
}

// A commit makes current the table's schema with the fields its rows add, nested ones included:
// what other writers changed (a column, a doc) stays, and rows that add nothing change nothing.
TEST(TableMetadataTest, MergeSchemasKeepsTheTablesAndAddsTheRowsNewFields) {
  const json table = json::parse(R"({"type": "struct", "schema-id": 1, "fields": [
      {"id": 1, "name": "id", "required": false, "type": "string", "doc": "the deal"},
      {"id": 2, "name": "legs", "required": false, "type": {"type": "list", "element-id": 3,
        "element-required": false, "element": {"type": "struct", "fields": [
          {"id": 4, "name": "qty", "required": false, "type": "long"}]}}},
      {"id": 9, "name": "desk_note", "required": false, "type": "string"}]})");
  json written = json::parse(R"({"type": "struct", "schema-id": 0, "fields": [
      {"id": 1, "name": "id", "required": false, "type": "string"},
      {"id": 2, "name": "legs", "required": false, "type": {"type": "list", "element-id": 3,
        "element-required": false, "element": {"type": "struct", "fields": [
          {"id": 4, "name": "qty", "required": false, "type": "int"}]}}}]})");
  auto same = MergeSchemas(table, written);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  json expected = table;
  expected.erase("schema-id");
  EXPECT_EQ(*same, expected);  // the promoted qty (int → long) and the doc stay the table's

  written["fields"][1]["type"]["element"]["fields"].push_back(
      {{"id", 10}, {"name", "unit"}, {"required", false}, {"type", "string"}});
  written["fields"].push_back(
      {{"id", 11}, {"name", "uti"}, {"required", false}, {"type", "string"}});
  auto merged = MergeSchemas(table, written);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ASSERT_EQ((*merged)["fields"].size(), 4u);
  EXPECT_EQ((*merged)["fields"][2]["name"], "desk_note");
  EXPECT_EQ((*merged)["fields"][3]["name"], "uti");
  EXPECT_EQ((*merged)["fields"][0]["doc"], "the deal");
  const json& leg = (*merged)["fields"][1]["type"]["element"]["fields"];
  ASSERT_EQ(leg.size(), 2u);
  EXPECT_EQ(leg[1]["name"], "unit");

  // A type the rows' values cannot be read as (another writer dropped the column and added one
  // of the same name as a long): a commit would leave every scan failing.
  json retyped = table;
  retyped["fields"][0]["type"] = "long";
  auto unreadable = MergeSchemas(retyped, written);
  ASSERT_FALSE(unreadable.ok());
  EXPECT_NE(
      unreadable.status().message().find(
          "column 'id' is \"long\" in the table's schema but the rows written hold \"string\""),
      std::string::npos)
      << unreadable.status().message();

  written["fields"][3]["id"] = 9;  // another writer gave id 9 to a column of its own meanwhile
  auto clash = MergeSchemas(table, written);
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("field id 9 is 'desk_note'"), std::string::npos);
}

TEST(TableMetadataTest, SetCurrentSchemaAddsOrReuses) {
  TableMetadata md = NewTradeTable();
  json evolved = TradeSchema();
  evolved["fields"].push_back(
      {{"id", 3}, {"name", "venue"}, {"required", false}, {"type", "string"}});
  SetCurrentSchema(md, evolved, 3);
  EXPECT_EQ(md.current_schema_id, 1);
  EXPECT_EQ(md.last_column_id, 3);
  ASSERT_EQ(md.schemas.size(), 2u);
  EXPECT_EQ(md.schemas[1]["schema-id"], 1);
  EXPECT_EQ((*CurrentSchema(md))["fields"].size(), 3u);

  // Going back to the original field list reuses schema 0, and never lowers last-column-id.
  SetCurrentSchema(md, TradeSchema(), 2);
  EXPECT_EQ(md.current_schema_id, 0);
  EXPECT_EQ(md.last_column_id, 3);
  EXPECT_EQ(md.schemas.size(), 2u);

  // Same fields, different identifier fields: a different schema.
  json no_key = TradeSchema();
  no_key.erase("identifier-field-ids");
  SetCurrentSchema(md, no_key, 2);
  EXPECT_EQ(md.current_schema_id, 2);
  EXPECT_EQ(md.schemas.size(), 3u);

  // Snapshots record the schema current when they were added.
  AddSnapshot(md, MakeSnapshot(md, 1), 1);
  EXPECT_EQ(CurrentSnapshot(md)->schema_id, 2);
}

TEST(TableMetadataTest, ParsesReferenceExampleAndKeepsUnknownKeys) {
  Result<TableMetadata> parsed = ParseTableMetadata(kReferenceExample);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const TableMetadata& md = *parsed;
  EXPECT_EQ(md.table_uuid, "9c12d441-03fe-4693-9a96-a0705ddf69c1");
  EXPECT_EQ(md.last_sequence_number, 1);
  EXPECT_EQ(md.last_updated_ms, 1767225600000);
  EXPECT_EQ(md.last_column_id, 4);
  EXPECT_EQ(md.last_partition_id, 1001);
  EXPECT_EQ(md.partition_specs[0]["fields"].size(), 2u);
  EXPECT_EQ(md.properties.at("write.parquet.compression-codec"), "zstd");
  EXPECT_EQ(md.current_snapshot_id, 3055729675574597004);
  ASSERT_NE(CurrentSnapshot(md), nullptr);
  EXPECT_EQ(CurrentSnapshot(md)->summary.at("total-records"), "100");
  EXPECT_FALSE(CurrentSnapshot(md)->parent_snapshot_id.has_value());
  EXPECT_EQ(CurrentSnapshot(md)->schema_id, 0);
  ASSERT_EQ(md.metadata_log.size(), 1u);
  EXPECT_EQ(md.metadata_log[0].timestamp_ms, 1767225500000);
  EXPECT_TRUE(md.extra.contains("statistics"));
  EXPECT_TRUE(md.extra.contains("x-vendor-note"));

  // Everything, unknown keys and the extra tag included, comes back out.
  json original = json::parse(kReferenceExample);
  json written = json::parse(SerializeTableMetadata(md));
  EXPECT_EQ(written, original);

  // And survives a commit on top of it.
  TableMetadata next = md;
  AddSnapshot(next, MakeSnapshot(next, 1767225700000), 1767225700000);
  json after = json::parse(SerializeTableMetadata(next));
  EXPECT_EQ(after["statistics"], original["statistics"]);
  EXPECT_EQ(after["x-vendor-note"], original["x-vendor-note"]);
  EXPECT_EQ(after["refs"]["audit"], original["refs"]["audit"]);
  EXPECT_EQ(after["last-sequence-number"], 2);
  EXPECT_EQ(after["snapshots"][1]["parent-snapshot-id"], 3055729675574597004);
}

TEST(TableMetadataTest, DropsV1KeysAndTakesMainWhenCurrentIdIsAbsent) {
  json doc = json::parse(kReferenceExample);
  doc.erase("current-snapshot-id");
  doc["schema"] = doc["schemas"][0];
  doc["partition-spec"] = json::array();
  Result<TableMetadata> parsed = ParseTableMetadata(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->current_snapshot_id, 3055729675574597004);
  json written = json::parse(SerializeTableMetadata(*parsed));
  EXPECT_FALSE(written.contains("schema"));
  EXPECT_FALSE(written.contains("partition-spec"));
  EXPECT_EQ(written["current-snapshot-id"], 3055729675574597004);
}

TEST(TableMetadataTest, MissingRequiredFieldIsInvalid) {
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "sort-orders", "default-sort-order-id"}) {
    json doc = json::parse(kReferenceExample);
    doc.erase(key);
    Result<TableMetadata> parsed = ParseTableMetadata(doc.dump());
    ASSERT_FALSE(parsed.ok()) << key;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(parsed.status().message().find(key), std::string::npos)
        << key << ": " << parsed.status().message();
  }
  json doc = json::parse(kReferenceExample);
  doc["snapshots"][0].erase("manifest-list");
  Result<TableMetadata> parsed = ParseTableMetadata(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("snapshots[0].manifest-list"), std::string::npos)
      << parsed.status().message();
}

TEST(TableMetadataTest, RejectsMalformedMetadata) {
  auto error_of = [](const json& doc) {
    Result<TableMetadata> parsed = ParseTableMetadata(doc.dump());
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.status().message();
  };
  const json base = json::parse(kReferenceExample);

  EXPECT_FALSE(ParseTableMetadata("{not json").ok());
  EXPECT_FALSE(ParseTableMetadata("[]").ok());

  json v1 = base;
  v1["format-version"] = 1;
  EXPECT_NE(error_of(v1).find("format-version 1"), std::string::npos);

  json wrong_type = base;
  wrong_type["last-sequence-number"] = "1";
  EXPECT_NE(error_of(wrong_type).find("must be an integer"), std::string::npos);

  json dangling_schema = base;
  dangling_schema["current-schema-id"] = 5;
  EXPECT_NE(error_of(dangling_schema).find("current-schema-id"), std::string::npos);

  json dangling_snapshot = base;
  dangling_snapshot["current-snapshot-id"] = 12;
  dangling_snapshot.erase("refs");
  EXPECT_NE(error_of(dangling_snapshot).find("not among"), std::string::npos);

  json main_mismatch = base;
  main_mismatch["refs"]["main"]["snapshot-id"] = 12;
  EXPECT_NE(error_of(main_mismatch).find("refs.main"), std::string::npos);

  json bad_summary = base;
  bad_summary["snapshots"][0]["summary"]["added-records"] = 100;
  EXPECT_NE(error_of(bad_summary).find("summary.added-records"), std::string::npos);

  json no_operation = base;
  no_operation["snapshots"][0]["summary"].erase("operation");
  EXPECT_NE(error_of(no_operation).find("operation"), std::string::npos);

  json too_big = base;
  too_big["last-sequence-number"] = 18446744073709551615ull;
  EXPECT_NE(error_of(too_big).find("range"), std::string::npos);
}

TEST(TableMetadataTest, NewSnapshotIdIsPositiveAndUnique) {
  std::set<int64_t> seen;
  for (int i = 0; i < 20000; ++i) {
    int64_t id = NewSnapshotId();
    ASSERT_GT(id, 0);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(TableMetadataTest, NewUuidIsVersion4) {
  std::string a = NewUuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[13], '-');
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
  EXPECT_NE(a, NewUuid());
}

TEST(TableMetadataTest, MetadataFileNames) {
  std::string name = MetadataFileName(7);
  EXPECT_EQ(name.substr(0, 6), "00007-");
  EXPECT_EQ(name.size(), 6u + 36u + std::string(".metadata.json").size());
  EXPECT_EQ(name.substr(name.size() - 14), ".metadata.json");
  EXPECT_NE(MetadataFileName(7), name);  // a fresh uuid each time

  EXPECT_EQ(MetadataVersionFromLocation(name), 7);
  EXPECT_EQ(MetadataVersionFromLocation("s3://b/t/metadata/" + MetadataFileName(0)), 0);
  EXPECT_EQ(MetadataVersionFromLocation("file:///w/t/metadata/" + MetadataFileName(123456)),
            123456);
  EXPECT_EQ(MetadataVersionFromLocation("s3://b/t/metadata/v3.metadata.json"), -1);
  EXPECT_EQ(MetadataVersionFromLocation("s3://b/t/metadata/-x.metadata.json"), -1);
  EXPECT_EQ(MetadataVersionFromLocation("s3://b/00001-dir/x.metadata.json"), -1);
  EXPECT_EQ(MetadataVersionFromLocation(""), -1);
}

// A rollback leaves the snapshots after its target in the metadata, out of the history; an
// expired ancestor ends the history where it was.
TEST(TableMetadataTest, CurrentLineageIsTheCurrentSnapshotAndItsAncestors) {
  TableMetadata md;
  auto add = [&](int64_t id, std::optional<int64_t> parent) {
    Snapshot s;
    s.snapshot_id = id;
    s.parent_snapshot_id = parent;
    md.snapshots.push_back(s);
  };
  add(1, std::nullopt);
  add(2, 1);
  add(3, 2);  // rolled back past
  add(4, 2);  // committed after the rollback
  add(6, 5);  // 5 expired
  md.current_snapshot_id = 4;
  auto ids = [](const TableMetadata& m) {
    std::vector<int64_t> out;
    for (const auto& s : m.snapshots) out.push_back(s.snapshot_id);
    return out;
  };
  EXPECT_EQ(ids(CurrentLineage(md)), (std::vector<int64_t>{1, 2, 4}));
  md.current_snapshot_id = 6;
  EXPECT_EQ(ids(CurrentLineage(md)), (std::vector<int64_t>{6}));
  md.current_snapshot_id.reset();  // every snapshot rolled back past: an empty history
  EXPECT_TRUE(CurrentLineage(md).snapshots.empty());
}

}  // namespace
}  // namespace tradeflow::lake
