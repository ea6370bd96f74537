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

}  // namespace
}  // namespace tradeflow::lake
