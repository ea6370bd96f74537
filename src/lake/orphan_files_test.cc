#include "lake/orphan_files.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lake/catalog/sqlite_catalog.h"
#include "lake/file_io.h"
#include "lake/test_util.h"

namespace tradeflow::lake {
namespace {

namespace fs = std::filesystem;

// A writer killed before a table's first commit leaves files under a location that no catalog
// entry names yet: the next writer, which stages the table again, removes them.
TEST(OrphanFilesTest, EverythingUnderAStagedTablesLocationIsLeftOver) {
  fs::path root = fs::temp_directory_path() / "tf_orphan_files_test";
  fs::remove_all(root);
  fs::create_directories(root / "t" / "data" / "part=1");
  fs::create_directories(root / "t" / "metadata");
  std::ofstream(root / "t" / "data" / "part=1" / "00000-0-x-00001.parquet") << "rows";
  std::ofstream(root / "t" / "metadata" / "snap-1-x.avro") << "manifest list";
  auto catalog = OpenSqliteCatalog((root / "catalog.db").string(), "tradeflow");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto schema = arrow::schema({testing::F("id", arrow::int64(), 1)});
  auto table =
      Table::Stage(catalog->get(), {"trading", "t"}, ToFileUri((root / "t").string()), *schema);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_TRUE((*table)->staged());

  auto young = RemoveOrphanFiles(**table, std::chrono::hours(1));  // may be a live writer's
  ASSERT_TRUE(young.ok()) << young.status().ToString();
  EXPECT_TRUE(young->empty());
  auto removed = RemoveOrphanFiles(**table, std::chrono::seconds(0));
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->size(), 2u);
  EXPECT_FALSE(fs::exists(root / "t" / "data" / "part=1" / "00000-0-x-00001.parquet"));
  EXPECT_FALSE(fs::exists(root / "t" / "metadata" / "snap-1-x.avro"));
  fs::remove_all(root);
}

// Two runs stage a new table at once and one commits first: for the other, whose staged table
// referenced nothing when it was opened, the table's files are now the committed run's, and
// only what no snapshot reaches is left over.
TEST(OrphanFilesTest, ATableAnotherWriterCreatedSinceKeepsItsFiles) {
  fs::path root = fs::temp_directory_path() / "tf_orphan_files_created_since";
  fs::remove_all(root);
  const std::string location = ToFileUri((root / "t").string());
  auto catalog = OpenSqliteCatalog((root / "catalog.db").string(), "tradeflow");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto schema = arrow::schema({testing::F("id", arrow::int64(), 1)});
  auto late = Table::Stage(catalog->get(), {"trading", "t"}, location, *schema);
  auto first = Table::Stage(catalog->get(), {"trading", "t"}, location, *schema);
  ASSERT_TRUE(late.ok() && first.ok());
  auto ids = arrow::Int64Builder();
  ASSERT_TRUE(ids.AppendValues({1, 2, 3}).ok());
  auto batch = arrow::RecordBatch::Make(schema, 3, {ids.Finish().ValueOrDie()});
  auto files = (*first)->WriteDataFiles(schema, {batch});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_TRUE((*first)->Append(*files, *schema, {}).ok());
  ASSERT_TRUE((*late)->staged());
  std::ofstream(root / "t" / "data" / "leftover.parquet") << "rows";

  auto removed = RemoveOrphanFiles(**late, std::chrono::seconds(0));
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_EQ(fs::path((*removed)[0]).filename(), "leftover.parquet");
  auto reloaded = Table::Load(catalog->get(), {"trading", "t"});
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  ASSERT_TRUE(fs::exists(*LocalPathFromUri((*files)[0].file_path)));
  fs::remove_all(root);
}

// Two catalogs given one warehouse would put their tables of one name in one folder, where each
// took the other's files for leftovers. A table records the catalog that created it: another
// catalog cannot create a table in that folder, and a folder that holds another table's
// metadata anyway (from before, or another writer's) is not cleaned.
TEST(OrphanFilesTest, AFolderOfAnotherCatalogsTableIsNeitherSharedNorCleaned) {
  fs::path root = fs::temp_directory_path() / "tf_orphan_files_foreign";
  fs::remove_all(root);
  const std::string location = ToFileUri((root / "t").string());
  auto schema = arrow::schema({testing::F("id", arrow::int64(), 1)});
  auto production = OpenSqliteCatalog((root / "catalog.db").string(), "tradeflow");
  ASSERT_TRUE(production.ok());
  auto table = Table::Create(production->get(), {"trading", "t"}, location, *schema);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->metadata().properties.at(kCreatedByCatalogProperty),
            (*production)->identity());

  auto staging = OpenSqliteCatalog((root / "staging.db").string(), "staging");
  ASSERT_TRUE(staging.ok());
  auto other = Table::Stage(staging->get(), {"trading", "t"}, location, *schema);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(other.status().message().find("the folder holds the table of catalog sqlite:"),
            std::string::npos)
      << other.status().message();

  // A leftover data file, and the metadata of a table another writer put in the same folder.
  fs::create_directories(root / "t" / "data");
  std::ofstream(root / "t" / "data" / "00000-0-x-00001.parquet") << "rows";
  TableMetadata foreign = (*table)->metadata();
  foreign.table_uuid = NewUuid();
  foreign.properties.erase(kCreatedByCatalogProperty);
  std::ofstream(root / "t" / "metadata" / ("00001-" + NewUuid() + ".metadata.json"))
      << SerializeTableMetadata(foreign);
  std::string not_cleaned;
  auto removed = RemoveOrphanFiles(**table, std::chrono::seconds(0), false, &not_cleaned);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(removed->empty());
  EXPECT_NE(not_cleaned.find("its folder also holds another table's metadata"), std::string::npos);
  EXPECT_TRUE(fs::exists(root / "t" / "data" / "00000-0-x-00001.parquet"));
  fs::remove_all(root);
}

// A table renamed (pyiceberg's rename_table, or a drop and a register) keeps its folder, where a
// new table of the old name is then made: the renamed table's files are not the new one's
// leftovers.
TEST(OrphanFilesTest, ARenamedTablesFilesAreNotTheNewTablesLeftovers) {
  fs::path root = fs::temp_directory_path() / "tf_orphan_files_renamed";
  fs::remove_all(root);
  const std::string location = ToFileUri((root / "t").string());
  auto catalog = OpenSqliteCatalog((root / "catalog.db").string(), "tradeflow");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto schema = arrow::schema({testing::F("id", arrow::int64(), 1)});
  auto table = Table::Create(catalog->get(), {"trading", "t"}, location, *schema);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto ids = arrow::Int64Builder();
  ASSERT_TRUE(ids.AppendValues({1, 2, 3}).ok());
  auto batch = arrow::RecordBatch::Make(schema, 3, {ids.Finish().ValueOrDie()});
  auto files = (*table)->WriteDataFiles(schema, {batch});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_TRUE((*table)->Append(*files, *schema, {}).ok());
  const std::string metadata = (*table)->metadata_location();
  ASSERT_TRUE((*catalog)->DropTable({"trading", "t"}).ok());
  ASSERT_TRUE((*catalog)->CreateTable({"trading", "t_archive"}, metadata).ok());

  auto again = Table::Stage(catalog->get(), {"trading", "t"}, location, *schema);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  std::string not_cleaned;
  auto removed = RemoveOrphanFiles(**again, std::chrono::seconds(0), false, &not_cleaned);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(removed->empty());
  EXPECT_NE(not_cleaned.find("the metadata of table trading.t_archive"), std::string::npos)
      << not_cleaned;
  EXPECT_TRUE(fs::exists(*LocalPathFromUri((*files)[0].file_path)));
  EXPECT_TRUE(Table::Load(catalog->get(), {"trading", "t_archive"}).ok());
  fs::remove_all(root);
}

}  // namespace
}  // namespace tradeflow::lake
