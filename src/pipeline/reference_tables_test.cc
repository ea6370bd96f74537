#include "pipeline/reference_tables.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include "lake/catalog/sqlite_catalog.h"
#include "lake/table.h"
#include "lake/test_util.h"
#include "pipeline/test_util.h"

namespace tradeflow::pipeline {
namespace {

namespace fs = std::filesystem;

// A scratch folder holding a copy of examples/ref and a SQLite catalog.
class ReferenceTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tf_reference_tables_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "lake");
    fs::copy(fs::path(TF_SOURCE_DIR) / "examples" / "ref", dir_ / "ref");
    auto catalog = lake::OpenSqliteCatalog((dir_ / "catalog.db").string(), "test");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Status Commit(const std::string& yaml = testing::kExampleReference,
                lake::Catalog* catalog = nullptr) {
    auto config =
        ParseReferenceConfig(YAML::Load(yaml)["reference"], (dir_ / "pipeline.yaml").string());
    if (!config.ok()) return config.status();
    auto hashes = HashReferenceFiles(*config);
    if (!hashes.ok()) return hashes.status();
    auto reference = LoadReferenceData(*config);
    if (!reference.ok()) return reference.status();
    ReferenceTablesOptions options;
    options.ns = "trading";
    options.root = (dir_ / "lake").string() + "/trading/";
    options.target_file_bytes = 8 << 20;
    options.run_id = "run-" + std::to_string(++runs_);
    return CommitReferenceTables(catalog ? catalog : catalog_.get(), *hashes, *reference, options);
  }

  // Each ref_ table's current snapshot: its id and summary.
  std::map<std::string, lake::Snapshot> Current() {
    std::map<std::string, lake::Snapshot> out;
    for (const char* kind :
         {"counterparties", "books", "products", "contracts", "unit_conversions", "fx_rates"}) {
      auto table = lake::Table::Load(catalog_.get(), {"trading", std::string("ref_") + kind});
      EXPECT_TRUE(table.ok()) << kind;
      if (!table.ok()) continue;
      const lake::Snapshot* s = lake::CurrentSnapshot((*table)->metadata());
      EXPECT_NE(s, nullptr) << kind;
      if (s) out[kind] = *s;
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<lake::Catalog> catalog_;
  int runs_ = 0;
};

TEST_F(ReferenceTablesTest, WritesEveryKindAndLeavesUnchangedFilesAlone) {
  ASSERT_TRUE(Commit().ok());
  auto first = Current();
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(first["books"].summary["total-records"], "5");
  EXPECT_EQ(first["books"].summary["tradeflow.run-id"], "run-1");

  ASSERT_TRUE(Commit().ok());
  auto second = Current();
  for (const auto& [kind, snapshot] : first) {
    EXPECT_EQ(second[kind].snapshot_id, snapshot.snapshot_id) << kind << " was written again";
  }
}

// A catalog that runs `race` once, just before its first swap: another writer committing then.
class RacedOnce : public lake::testing::ForwardingCatalog {
 public:
  RacedOnce(lake::Catalog* real, std::function<void()> race)
      : ForwardingCatalog(real), race_(std::move(race)) {}
  Status SwapMetadataLocation(const lake::TableIdentifier& id, const std::string& expected,
                              const std::string& location,
                              const std::vector<lake::SwapGuard>& guards = {}) override {
    if (race_) std::exchange(race_, nullptr)();
    return real_->SwapMetadataLocation(id, expected, location, guards);
  }

 private:
  std::function<void()> race_;
};

// Two runs of a pipeline at once: the one that loses the race for a ref_ table finds the same
// rows stored and adds no snapshot of its own, and removes the files it wrote for them.
TEST_F(ReferenceTablesTest, RowsAnotherRunStoredMeanwhileAreNotStoredAgain) {
  ASSERT_TRUE(Commit().ok());  // creates the tables
  std::ofstream(dir_ / "ref" / "books.csv", std::ios::app)
      << "AGRI-LDN,AGRI,529900TFCOMMOD000132,Agri,true\n";
  const auto before = Current();
  RacedOnce racing(catalog_.get(), [this] { ASSERT_TRUE(Commit().ok()); });
  ASSERT_TRUE(Commit(testing::kExampleReference, &racing).ok());
  auto books = lake::Table::Load(catalog_.get(), {"trading", "ref_books"});
  ASSERT_TRUE(books.ok());
  EXPECT_EQ((*books)->metadata().snapshots.size(), 2u);  // the first run's and the winner's
  const auto after = Current();
  EXPECT_EQ(after.at("books").summary.at("tradeflow.run-id"), "run-3");  // the racer, not run-2
  EXPECT_EQ(after.at("counterparties").snapshot_id, before.at("counterparties").snapshot_id);
  auto live = (*books)->LiveDataFiles();
  ASSERT_TRUE(live.ok());
  size_t data_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "lake" / "trading" / "ref_books")) {
    data_files += e.path().extension() == ".parquet";
  }
  EXPECT_EQ(data_files, 2u);  // the first run's (kept for its snapshot) and the winner's
}

TEST_F(ReferenceTablesTest, AChangedFileReplacesThatKindOnly) {
  ASSERT_TRUE(Commit().ok());
  auto first = Current();
  EXPECT_EQ(first["books"].summary["operation"], "append");  // nothing replaced yet
  std::ofstream(dir_ / "ref" / "books.csv", std::ios::app)
      << "AGRI-LDN,AGRI,529900TFCOMMOD000132,Agri,true\n";
  ASSERT_TRUE(Commit().ok());
  auto second = Current();
  EXPECT_NE(second["books"].snapshot_id, first["books"].snapshot_id);
  EXPECT_EQ(second["books"].summary["operation"], "overwrite");
  EXPECT_EQ(second["books"].summary["total-records"], "6");
  EXPECT_EQ(second["counterparties"].snapshot_id, first["counterparties"].snapshot_id);
}

TEST_F(ReferenceTablesTest, AChangedReferenceConfigReplacesTheKindItChanges) {
  ASSERT_TRUE(Commit().ok());
  auto first = Current();
  // The same files; the products' quote scale now a constant: other rows, so a new snapshot.
  std::string yaml = testing::kExampleReference;
  const std::string products = "products: {path: ref/products.csv}";
  yaml.replace(yaml.find(products), products.size(),
               "products: {path: ref/products.csv, ignore_columns: [quote_minor_scale], "
               "fields: {quote_minor_scale: {constant: \"1\"}}}");
  ASSERT_TRUE(Commit(yaml).ok());
  auto second = Current();
  EXPECT_NE(second["products"].snapshot_id, first["products"].snapshot_id);
  EXPECT_EQ(second["products"].summary["tradeflow.input-sha256"],
            first["products"].summary["tradeflow.input-sha256"]);
  EXPECT_EQ(second["books"].snapshot_id, first["books"].snapshot_id);
}

}  // namespace
}  // namespace tradeflow::pipeline
