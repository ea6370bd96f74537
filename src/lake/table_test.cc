#include "lake/table.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "lake/catalog/sqlite_catalog.h"
#include "lake/file_io.h"
#include "lake/manifest_list.h"
#include "lake/test_util.h"

namespace tradeflow::lake {
namespace {

using testing::F;

std::shared_ptr<arrow::Schema> SchemaV1() {
  return arrow::schema({F("id", arrow::int64(), 1), F("name", arrow::utf8(), 2)});
}

std::shared_ptr<arrow::RecordBatch> Batch(const std::shared_ptr<arrow::Schema>& schema,
                                          int64_t first, int64_t n) {
  auto b = arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool()).ValueOrDie();
  for (int64_t i = first; i < first + n; ++i) {
    EXPECT_TRUE(b->GetFieldAs<arrow::Int64Builder>(0)->Append(i).ok());
    EXPECT_TRUE(b->GetFieldAs<arrow::StringBuilder>(1)->Append("n" + std::to_string(i)).ok());
    for (int c = 2; c < schema->num_fields(); ++c) {
      EXPECT_TRUE(b->GetField(c)->AppendNull().ok());
    }
  }
  return b->Flush().ValueOrDie();
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("tf_table_test_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    db_ = (root_ / "catalog.db").string();
    location_ = ToFileUri((root_ / "trading" / "t").string());
  }

  std::unique_ptr<Catalog> Open() { return std::move(OpenSqliteCatalog(db_, "tradeflow")).value(); }

  std::filesystem::path root_;
  std::string db_, location_;
  TableIdentifier id_{"trading", "t"};
};

TEST_F(TableTest, CreateAppendAndReadBack) {
  auto catalog = Open();
  auto table = Table::Create(catalog.get(), id_, location_, *SchemaV1());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_FALSE((*table)->metadata().current_snapshot_id.has_value());
  EXPECT_EQ(Table::Create(catalog.get(), id_, location_, *SchemaV1()).status().code(),
            StatusCode::kAlreadyExists);

  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 10)});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  AppendOptions options;
  options.summary["tradeflow.run-id"] = "r1";
  auto snap = (*table)->Append(*files, *SchemaV1(), options);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();

  auto reloaded = Table::Load(catalog.get(), id_);
  ASSERT_TRUE(reloaded.ok());
  const Snapshot* current = CurrentSnapshot((*reloaded)->metadata());
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(current->snapshot_id, *snap);
  EXPECT_EQ(current->sequence_number, 1);
  EXPECT_EQ(current->summary.at("total-records"), "10");
  EXPECT_EQ(current->summary.at("tradeflow.run-id"), "r1");
  auto live = (*reloaded)->LiveDataFiles();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].record_count, 10);
}

// A commit that adds no file (a run of replays records its inputs) writes no empty manifest: the
// new snapshot lists the manifests its parent did, and nothing else.
TEST_F(TableTest, ACommitWithoutFilesAddsNoManifest) {
  auto catalog = Open();
  auto table = Table::Create(catalog.get(), id_, location_, *SchemaV1());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 10)});
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE((*table)->Append(*files, *SchemaV1(), {}).ok());
  auto manifests_now = [&] {
    const Snapshot* s = CurrentSnapshot((*table)->metadata());
    auto list = ReadManifestList(*LocalPathFromUri(s->manifest_list));
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : std::vector<ManifestFile>{};
  };
  const auto before = manifests_now();
  AppendOptions options;
  options.summary["tradeflow.input-sha256"] = "abc";
  ASSERT_TRUE((*table)->Append({}, *SchemaV1(), options).ok());
  const auto after = manifests_now();
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(after[0].manifest_path, before[0].manifest_path);
  EXPECT_EQ(CurrentSnapshot((*table)->metadata())->summary.at("total-records"), "10");
}

// A catalog whose swap fails without saying whether it landed (an I/O error on its COMMIT):
// it lands, then reports the error.
// A catalog whose swap fails with `failure`, after it happened (`lands`) or without it.
class FailingSwap : public testing::ForwardingCatalog {
 public:
  FailingSwap(Catalog* real, bool lands, Status failure)
      : ForwardingCatalog(real), lands_(lands), failure_(std::move(failure)) {}
  Status SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                              const std::string& location,
                              const std::vector<SwapGuard>& guards = {}) override {
    if (lands_) TF_RETURN_IF_ERROR(real_->SwapMetadataLocation(id, expected, location, guards));
    return failure_;
  }

 private:
  bool lands_;
  Status failure_;
};

// When the catalog cannot say whether a commit landed, the commit's files stay: it did land
// here, and the table must stay readable.
TEST_F(TableTest, AnAmbiguousCommitKeepsItsFilesAndSaysSo) {
  auto real = Open();
  ASSERT_TRUE(Table::Create(real.get(), id_, location_, *SchemaV1()).ok());
  FailingSwap catalog(real.get(), /*lands=*/true, Status::IOError("disk I/O error on COMMIT"));
  auto table = Table::Load(&catalog, id_);
  ASSERT_TRUE(table.ok());
  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(files.ok());
  bool maybe_committed = false;
  AppendOptions options;
  options.maybe_committed = &maybe_committed;
  auto snap = (*table)->Append(*files, *SchemaV1(), options);
  ASSERT_FALSE(snap.ok());
  EXPECT_TRUE(maybe_committed);
  EXPECT_NE(snap.status().message().find("it may or may not have landed"), std::string::npos)
      << snap.status().message();
  auto reloaded = Table::Load(real.get(), id_);  // it landed: readable, with its rows
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  auto live = (*reloaded)->LiveDataFiles();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].record_count, 5);
}

// A catalog on which another writer commits to `other` just before each of this writer's first
// `races` swaps.
class RacedOnAnotherTable : public testing::ForwardingCatalog {
 public:
  RacedOnAnotherTable(Catalog* real, TableIdentifier other, int races)
      : ForwardingCatalog(real), other_(std::move(other)), races_(races) {}
  Status SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                              const std::string& location,
                              const std::vector<SwapGuard>& guards = {}) override {
    if (races_-- > 0) {
      auto now = real_->LoadMetadataLocation(other_);
      TF_RETURN_IF_ERROR(now.status());
      TF_RETURN_IF_ERROR(real_->SwapMetadataLocation(other_, **now, **now + "x"));
    }
    return real_->SwapMetadataLocation(id, expected, location, guards);
  }

 private:
  TableIdentifier other_;
  int races_;
};

// A commit guarded by another table lands only while that table is as its check read it; races
// lost on the guard alone (this table unchanged) do not use up max_attempts, as every pipeline
// of a namespace commits to one quarantine table.
TEST_F(TableTest, RacesLostOnAGuardedTableAreRetriedApart) {
  auto real = Open();
  const TableIdentifier other{"trading", "other"};
  ASSERT_TRUE(Table::Create(real.get(), id_, location_, *SchemaV1()).ok());
  ASSERT_TRUE(real->CreateTable(other, "file:///o0").ok());
  RacedOnAnotherTable catalog(real.get(), other, /*races=*/7);
  auto table = Table::Load(&catalog, id_);
  ASSERT_TRUE(table.ok());
  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(files.ok());
  std::vector<SwapGuard> guards;
  int checks = 0;
  AppendOptions options;
  options.guards = &guards;
  options.check = [&](const TableMetadata&) -> Status {
    ++checks;
    guards = {{other, *real->LoadMetadataLocation(other)}};
    return Status::OK();
  };
  auto snap = (*table)->Append(*files, *SchemaV1(), options);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(checks, 8);  // seven races lost on the guard, more than max_attempts (5)
  EXPECT_EQ(*real->LoadMetadataLocation(other), "file:///o0xxxxxxx");
}

// A catalog that was busy (locked for longer than the wait) did not take the commit: the run
// says so, knows nothing landed, and the attempt's metadata files are gone.
TEST_F(TableTest, ACommitTheBusyCatalogRefusedDidNotHappen) {
  auto real = Open();
  ASSERT_TRUE(Table::Create(real.get(), id_, location_, *SchemaV1()).ok());
  FailingSwap catalog(real.get(), /*lands=*/false, Status::Unavailable("database is locked"));
  auto table = Table::Load(&catalog, id_);
  ASSERT_TRUE(table.ok());
  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(files.ok());
  auto metadata_files = [&] {
    size_t n = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(root_ / "trading" / "t" / "metadata")) {
      n += e.path().string().ends_with(".metadata.json") || e.path().string().ends_with(".avro");
    }
    return n;
  };
  const size_t before = metadata_files();
  bool maybe_committed = true;
  AppendOptions options;
  options.maybe_committed = &maybe_committed;
  auto snap = (*table)->Append(*files, *SchemaV1(), options);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(maybe_committed);
  EXPECT_EQ(snap.status().message(),
            "commit to " + id_.ToString() + " did not happen: database is locked");
  EXPECT_EQ(metadata_files(), before);
}

// Two writers race on the same table: one wins the compare-and-swap, the other reloads and
// retries, and both commits land with their data.
TEST_F(TableTest, ConcurrentAppendsBothLand) {
  {
    auto catalog = Open();
    ASSERT_TRUE(Table::Create(catalog.get(), id_, location_, *SchemaV1()).ok());
  }
  constexpr int kWriters = 2, kCommits = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto catalog = Open();
      for (int c = 0; c < kCommits; ++c) {
        auto table = Table::Load(catalog.get(), id_);
        if (!table.ok()) {
          ++failures;
          continue;
        }
        auto files =
            (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), (w * kCommits + c) * 5, 5)});
        AppendOptions options;
        options.max_attempts = 50;
        if (!files.ok() || !(*table)->Append(*files, *SchemaV1(), options).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  auto catalog = Open();
  auto table = Table::Load(catalog.get(), id_);
  ASSERT_TRUE(table.ok());
  const auto& md = (*table)->metadata();
  EXPECT_EQ(md.snapshots.size(), static_cast<size_t>(kWriters * kCommits));
  EXPECT_EQ(md.last_sequence_number, kWriters * kCommits);
  EXPECT_EQ(CurrentSnapshot(md)->summary.at("total-records"),
            std::to_string(kWriters * kCommits * 5));
  auto live = (*table)->LiveDataFiles();
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->size(), static_cast<size_t>(kWriters * kCommits));
  // Lost attempts leave no metadata files behind: one per version, 0..N.
  int metadata_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_ / "trading" / "t" / "metadata")) {
    if (e.path().string().ends_with(".metadata.json")) ++metadata_files;
  }
  EXPECT_EQ(metadata_files, kWriters * kCommits + 1);
}

// Two writers stage the same new table: the second to commit appends to the first's only if
// its files are laid out as that table says, sorted included.
TEST_F(TableTest, AWriterThatLostTheCreationAppendsOnlyInTheSameLayout) {
  auto stage_and_append = [&](const TableLayout& layout) -> Status {
    auto catalog = Open();
    auto table = Table::Stage(catalog.get(), id_, location_, *SchemaV1(), layout);
    if (!table.ok()) return table.status();
    auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 3)});
    if (!files.ok()) return files.status();
    return (*table)->Append(*files, *SchemaV1(), {}).status();
  };
  TableLayout by_id;
  by_id.sort = {SortKey("id")};
  // Staged before either commits, as two runs starting together would.
  auto catalog = Open();
  auto first = Table::Stage(catalog.get(), id_, location_, *SchemaV1(), by_id);
  TableLayout by_name;
  by_name.sort = {SortKey("name", /*descending_order=*/true)};
  auto second = Table::Stage(catalog.get(), id_, location_, *SchemaV1(), by_name);
  ASSERT_TRUE(first.ok() && second.ok());
  auto files = (*first)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 3)});
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE((*first)->Append(*files, *SchemaV1(), {}).ok());
  files = (*second)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 3, 3)});
  ASSERT_TRUE(files.ok());
  Status lost = (*second)->Append(*files, *SchemaV1(), {}).status();
  EXPECT_EQ(lost.code(), StatusCode::kConflict);
  EXPECT_EQ(lost.message(),
            "table trading.t was created by another writer with a different "
            "sort order; re-run to write in its layout");
  // In the same layout it simply appends.
  EXPECT_TRUE(stage_and_append(by_id).ok());
}

// A writer that planned its work on an older snapshot sees, through its check, what another
// writer committed meanwhile, and can refuse to commit: nothing of its commit is left behind.
TEST_F(TableTest, ACheckSeesWhatOthersCommittedMeanwhileAndCanRefuse) {
  auto catalog = Open();
  ASSERT_TRUE(Table::Create(catalog.get(), id_, location_, *SchemaV1()).ok());
  auto first = Table::Load(catalog.get(), id_);
  auto second = Table::Load(catalog.get(), id_);  // plans on the empty table
  ASSERT_TRUE(first.ok() && second.ok());

  auto files = (*first)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(files.ok());
  AppendOptions options;
  options.summary["input"] = "a.csv";
  ASSERT_TRUE((*first)->Append(*files, *SchemaV1(), options).ok());

  auto theirs = (*second)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(theirs.ok());
  std::vector<size_t> snapshots_seen;
  options.check = [&](const TableMetadata& current) {
    snapshots_seen.push_back(current.snapshots.size());
    for (const auto& s : current.snapshots) {
      if (s.summary.count("input") && s.summary.at("input") == "a.csv") {
        return Status::Conflict("a.csv was committed meanwhile");
      }
    }
    return Status::OK();
  };
  auto refused = (*second)->Append(*theirs, *SchemaV1(), options);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_EQ(refused.status().message(), "a.csv was committed meanwhile");
  // Checked on the plan (no snapshot), lost the race, checked again on the reloaded table.
  EXPECT_EQ(snapshots_seen, (std::vector<size_t>{0, 1}));

  auto reloaded = Table::Load(catalog.get(), id_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ((*reloaded)->metadata().snapshots.size(), 1u);
  // The refused commit's manifest is gone: the metadata folder holds only what the table uses.
  int manifests = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_ / "trading" / "t" / "metadata")) {
    if (e.path().string().ends_with("-m0.avro")) ++manifests;
  }
  EXPECT_EQ(manifests, 1);
}

// A data file removed before the commit (by a too-eager orphan cleanup elsewhere) fails the
// commit instead of making a snapshot that points at nothing.
TEST_F(TableTest, ADataFileGoneBeforeTheCommitFailsIt) {
  auto catalog = Open();
  auto table = Table::Create(catalog.get(), id_, location_, *SchemaV1());
  ASSERT_TRUE(table.ok());
  auto files = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 0, 5)});
  ASSERT_TRUE(files.ok());
  auto more = (*table)->WriteDataFiles(SchemaV1(), {Batch(SchemaV1(), 5, 5)});
  ASSERT_TRUE(more.ok());
  files->insert(files->end(), more->begin(), more->end());
  const std::string gone = *LocalPathFromUri((*files)[1].file_path);
  std::filesystem::remove(gone);

  auto snap = (*table)->Append(*files, *SchemaV1());
  EXPECT_EQ(snap.status().code(), StatusCode::kIOError);
  EXPECT_NE(snap.status().message().find("data file " + gone + " is gone before its commit"),
            std::string::npos)
      << snap.status().ToString();
  auto reloaded = Table::Load(catalog.get(), id_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_TRUE((*reloaded)->metadata().snapshots.empty());
}

TEST_F(TableTest, AddingAColumnMakesANewCurrentSchemaInTheSameCommit) {
  auto catalog = Open();
  auto table = Table::Create(catalog.get(), id_, location_, *SchemaV1());
  ASSERT_TRUE(table.ok());
  auto v2 = arrow::schema(
      {F("id", arrow::int64(), 1), F("name", arrow::utf8(), 2), F("desk", arrow::utf8(), 3)});
  auto files = (*table)->WriteDataFiles(v2, {Batch(v2, 0, 3)});
  ASSERT_TRUE(files.ok());
  ASSERT_TRUE((*table)->Append(*files, *v2).ok());
  const auto& md = (*table)->metadata();
  EXPECT_EQ(md.schemas.size(), 2u);
  EXPECT_EQ(md.current_schema_id, 1);
  EXPECT_EQ(md.last_column_id, 3);
  EXPECT_EQ(CurrentSnapshot(md)->schema_id, 1);
}

// An existing table keeps the layout it was created with; what a writer asks for otherwise is
// described, so that it can say so.
TEST_F(TableTest, LayoutDifferencesNameWhatTheTableKeeps) {
  auto catalog = Open();
  TableLayout layout;
  layout.partition = {{"id", "identity", ""}};
  layout.sort = {{"name", false}};
  auto table = Table::Create(catalog.get(), id_, location_, *SchemaV1(), layout);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto same = (*table)->LayoutDifferences(layout);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(same->empty());

  TableLayout other;
  other.sort = {{"id", true}, {"name", false, false}};
  auto differences = (*table)->LayoutDifferences(other);
  ASSERT_TRUE(differences.ok()) << differences.status().ToString();
  EXPECT_EQ(*differences,
            (std::vector<std::string>{
                "table trading.t keeps the partitioning it was created with, identity(id); the "
                "partitioning asked for (none) applies to a new table only",
                "table trading.t keeps the sort order it was created with, name; the sort order "
                "asked for (id desc, name nulls last) applies to a new table only"}));
}

TEST_F(TableTest, LoadingAMissingTableIsNotFound) {
  auto catalog = Open();
  auto table = Table::Load(catalog.get(), {"trading", "nope"});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tradeflow::lake
