#include "pipeline/ingest_state.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <filesystem>

namespace tradeflow::pipeline {
namespace {

struct Key {
  validate::DuplicateKey key;
  int64_t content_hash;
};

// A trade data file with the three key columns, then (with `hashes`) a nested column and
// content_hash after it, as in trade_events, where the hash's leaf index is not its field index.
lake::DataFile WriteTradeFile(const std::string& name, std::optional<std::vector<int64_t>> hashes) {
  arrow::StringBuilder sys, id;
  arrow::Int64Builder version, hash;
  arrow::FieldVector fields = {arrow::field("source_system", arrow::utf8()),
                               arrow::field("source_trade_id", arrow::utf8()),
                               arrow::field("source_version", arrow::int64())};
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(sys.Append("ENDUR").ok());
    EXPECT_TRUE(id.Append("10000" + std::to_string(i)).ok());
    EXPECT_TRUE(version.Append(i + 1).ok());
  }
  arrow::ArrayVector columns = {sys.Finish().ValueOrDie(), id.Finish().ValueOrDie(),
                                version.Finish().ValueOrDie()};
  if (hashes) {
    auto leg = arrow::struct_({arrow::field("a", arrow::utf8()), arrow::field("b", arrow::utf8())});
    fields.push_back(arrow::field("party", leg));
    columns.push_back(arrow::MakeArrayOfNull(leg, 2).ValueOrDie());
    fields.push_back(arrow::field("content_hash", arrow::int64()));
    EXPECT_TRUE(hash.Append((*hashes)[0]).ok());
    EXPECT_TRUE(hash.AppendNull().ok());  // a row of an older writer in the same column
    columns.push_back(hash.Finish().ValueOrDie());
  }
  auto table = arrow::Table::Make(arrow::schema(fields), columns);
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  EXPECT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1024).ok());
  EXPECT_TRUE(out->Close().ok());
  lake::DataFile file;
  file.file_path = "file://" + path;
  return file;
}

std::vector<Key> KeysOf(const std::vector<lake::DataFile>& files) {
  std::vector<Key> keys;
  Status st = ForEachTradeKey(files, [&](const validate::DuplicateKey& key, int64_t hash) {
    keys.push_back({key, hash});
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return keys;
}

lake::Snapshot SnapshotOf(const std::string& run, int64_t ms, const std::string& hashes,
                          const char* key = kInputHashesKey) {
  lake::Snapshot s;
  s.timestamp_ms = ms;
  s.summary["tradeflow.run-id"] = run;
  if (!hashes.empty()) s.summary[key] = hashes;
  return s;
}

// A reading is unfinished when its rejects were committed after the input's last trade snapshot
// by a run that committed no trades: an interrupted --reread.
TEST(IngestStateTest, UnfinishedReadingsAreRejectsOfARunWithoutTrades) {
  lake::TableMetadata trades, quarantine;
  trades.snapshots = {SnapshotOf("r1", 100, "aa,bb")};
  quarantine.snapshots = {
      SnapshotOf("r0", 50, "aa"),   // a first run interrupted before r1 finished it
      SnapshotOf("r1", 90, "bb"),   // r1's own, with its trades
      SnapshotOf("r2", 200, "aa"),  // a reread of aa, killed before its trades
      SnapshotOf("r3", 300, "bb", kLateInputHashesKey),  // one finishing an earlier reading
      SnapshotOf("r4", 400, "cc"),  // cc was never ingested: a first run's resume
  };
  auto unfinished = UnfinishedReadings(trades, quarantine);
  EXPECT_EQ(unfinished,
            (std::map<std::string, std::set<std::string>>{{"aa", {"r2"}}, {"bb", {"r3"}}}));
  trades.snapshots.push_back(SnapshotOf("r2", 250, "aa"));  // r2's trades after all
  trades.snapshots.push_back(SnapshotOf("r5", 350, "bb"));  // bb read again since
  EXPECT_TRUE(UnfinishedReadings(trades, quarantine).empty());
}

TEST(IngestStateTest, TheLastRecordedMappingOfAVersionIsFoundBySequence) {
  lake::TableMetadata trades;
  auto add = [&](const std::string& run, int64_t sequence, const std::string& version,
                 const std::string& fingerprint) {
    lake::Snapshot s = SnapshotOf(run, 100 * sequence, "");
    s.snapshot_id = sequence;
    s.sequence_number = sequence;
    s.summary["tradeflow.pipeline"] = "p";
    s.summary[kMappingVersionKey] = version;
    if (!fingerprint.empty()) s.summary[kMappingFingerprintKey] = fingerprint;
    trades.snapshots.push_back(s);
  };
  EXPECT_FALSE(LastRecordedMapping(trades, "v1", "p"));
  add("r1", 1, "v1", "");  // before tradeflow recorded fingerprints
  EXPECT_FALSE(LastRecordedMapping(trades, "v1", "p"));
  add("r3", 3, "v1", "bbb");
  add("r2", 2, "v1", "aaa");  // listed later, committed earlier
  add("r4", 4, "v2", "ccc");
  auto v1 = LastRecordedMapping(trades, "v1", "p");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->fingerprint, "bbb");
  EXPECT_EQ(v1->run_id, "r3");
  EXPECT_EQ(v1->pipeline, "p");
  EXPECT_EQ(v1->snapshot_id, 3);
  EXPECT_EQ(LastRecordedMapping(trades, "v2", "p")->fingerprint, "ccc");
  EXPECT_FALSE(LastRecordedMapping(trades, "v3", "p"));
  EXPECT_FALSE(LastRecordedMapping(trades, "v1", "other"));  // another pipeline's versions
}

TEST(IngestStateTest, InputsWithRejectsOnlyAreThoseTheTradeTableNeverRecorded) {
  lake::TableMetadata trades, quarantine;
  trades.snapshots.push_back(SnapshotOf("r1", 100, "aa"));
  auto rejects = [&](const std::string& run, const std::string& pipeline, const std::string& inputs,
                     int64_t ms = 110) {
    lake::Snapshot s = SnapshotOf(run, ms, "");
    s.summary["tradeflow.pipeline"] = pipeline;
    s.summary["tradeflow.inputs"] = inputs;
    quarantine.snapshots.push_back(s);
  };
  rejects("r1", "p", R"([{"path": "a.csv", "sha256": "aa", "quarantined": 2}])");  // finished
  rejects("r2", "p", R"([{"path": "b.csv", "sha256": "bb", "quarantined": 3}])");  // stopped
  rejects("r3", "other", R"([{"path": "c.csv", "sha256": "cc", "quarantined": 1}])");
  rejects("r4", "p", "not json");
  rejects("r5", "p", R"([{"path": 7, "sha256": "ee", "quarantined": "many"}])");
  // Older than every trade snapshot kept: expired ones may have recorded it.
  rejects("r0", "p", R"([{"path": "old.csv", "sha256": "00", "quarantined": 1}])", 50);
  // A run whose trade snapshot was rolled back past committed all the same.
  trades.snapshots.push_back(SnapshotOf("r6", 120, "ff"));
  rejects("r6", "p", R"([{"path": "f.csv", "sha256": "gg", "quarantined": 1}])");
  auto only = InputsWithRejectsOnly(trades, quarantine, "p");
  ASSERT_EQ(only.size(), 2u);
  EXPECT_EQ(only.at("ee").path, "");  // mistyped fields are passed over
  EXPECT_EQ(only.at("ee").quarantined, 0);
  EXPECT_EQ(only.at("bb").path, "b.csv");
  EXPECT_EQ(only.at("bb").run_id, "r2");
  EXPECT_EQ(only.at("bb").quarantined, 3);
}

// A trade snapshot that records the quarantine table's sequence number orders the two tables
// without clocks: a reread on a host whose clock is behind is still found.
TEST(IngestStateTest, UnfinishedReadingsOrderedBySequenceNotClocks) {
  lake::TableMetadata trades, quarantine;
  trades.snapshots = {SnapshotOf("r1", 1000, "aa")};
  trades.snapshots[0].summary[kQuarantineSequenceKey] = "1";
  quarantine.snapshots = {SnapshotOf("r1", 990, "aa"), SnapshotOf("r2", 900, "aa")};
  quarantine.snapshots[0].sequence_number = 1;
  quarantine.snapshots[1].sequence_number = 2;  // committed later, by a clock 100 ms behind
  EXPECT_EQ(UnfinishedReadings(trades, quarantine),
            (std::map<std::string, std::set<std::string>>{{"aa", {"r2"}}}));
}

// A quarantine table shared by runs into two trade tables: each sees its own snapshots, and
// those written before the trade table was recorded.
TEST(IngestStateTest, AQuarantineTableSharedByTwoTradeTablesIsSeenPerTable) {
  lake::TableMetadata quarantine;
  quarantine.snapshots = {SnapshotOf("old", 10, "aa"), SnapshotOf("prod", 20, "bb"),
                          SnapshotOf("stage", 30, "bb")};
  quarantine.snapshots[1].summary[kTradeTableKey] = "trading.trade_events";
  quarantine.snapshots[2].summary[kTradeTableKey] = "trading.trade_events_staging";
  auto prod = IngestedInputs(QuarantineOf(quarantine, "trading.trade_events"));
  EXPECT_EQ(prod.size(), 2u);
  EXPECT_EQ(prod.at("bb").timestamp_ms, 20);
  EXPECT_EQ(IngestedInputs(QuarantineOf(quarantine, "trading.trade_events_staging"))
                .at("bb")
                .timestamp_ms,
            30);
  EXPECT_EQ(OtherTablesRuns(quarantine, "trading.trade_events"), std::set<std::string>{"stage"});
}

TEST(IngestStateTest, ReadsTheContentHashWhereAFileHasIt) {
  auto keys = KeysOf({WriteTradeFile("ingest_state_with.parquet", std::vector<int64_t>{-42, 0})});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].key, (validate::DuplicateKey{"ENDUR", "100000", 1}));
  EXPECT_EQ(keys[0].content_hash, -42);
  EXPECT_EQ(keys[1].key, (validate::DuplicateKey{"ENDUR", "100001", 2}));
  EXPECT_EQ(keys[1].content_hash, 0);  // null: not known
}

TEST(IngestStateTest, AFileWrittenBeforeContentHashesHasNone) {
  auto keys = KeysOf({WriteTradeFile("ingest_state_without.parquet", std::nullopt)});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].content_hash, 0);
  EXPECT_EQ(keys[1].content_hash, 0);
}

// Another writer's types for the same Iceberg columns: pyiceberg writes strings as
// large_string (and stores that in the file's Arrow schema), and an int column may come as int32.
TEST(IngestStateTest, ReadsKeysOfAnotherWritersTypes) {
  arrow::LargeStringBuilder sys, id;
  arrow::Int32Builder version;
  ASSERT_TRUE(sys.Append("ICE").ok());
  ASSERT_TRUE(id.Append("T-9").ok());
  ASSERT_TRUE(version.Append(3).ok());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("source_system", arrow::large_utf8()),
                     arrow::field("source_trade_id", arrow::large_utf8()),
                     arrow::field("source_version", arrow::int32())}),
      {sys.Finish().ValueOrDie(), id.Finish().ValueOrDie(), version.Finish().ValueOrDie()});
  const std::string path =
      (std::filesystem::temp_directory_path() / "ingest_state_large.parquet").string();
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  auto props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1024,
                                         parquet::default_writer_properties(), props)
                  .ok());
  ASSERT_TRUE(out->Close().ok());
  lake::DataFile file;
  file.file_path = "file://" + path;
  auto keys = KeysOf({file});
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key, (validate::DuplicateKey{"ICE", "T-9", 3}));
  EXPECT_EQ(keys[0].content_hash, 0);
}

TEST(IngestStateTest, LoadedHashesTellReplaysFromConflicts) {
  validate::DuplicateIndex index;
  Status st =
      ForEachTradeKey({WriteTradeFile("ingest_state_index.parquet", std::vector<int64_t>{7, 0})},
                      [&](const validate::DuplicateKey& key, int64_t hash) {
                        index.AddExisting(key, hash);
                        return Status::OK();
                      });
  ASSERT_TRUE(st.ok()) << st.message();
  validate::DuplicateIndex::Earlier earlier;
  ASSERT_TRUE(index.Seen({"ENDUR", "100000", 1}, 7, "line 2", &earlier));
  EXPECT_TRUE(earlier.same_content);
  ASSERT_TRUE(index.Seen({"ENDUR", "100001", 2}, 7, "line 3", &earlier));
  EXPECT_FALSE(earlier.content_known);
}

}  // namespace
}  // namespace tradeflow::pipeline
