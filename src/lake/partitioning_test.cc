#include "lake/partitioning.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <filesystem>

#include "lake/data_writer.h"
#include "lake/iceberg_schema.h"
#include "lake/test_util.h"

namespace tradeflow::lake {
namespace {

using testing::F;

std::shared_ptr<arrow::Schema> Schema() {
  return arrow::schema({F("id", arrow::int64(), 1), F("day", arrow::date32(), 2),
                        F("product", arrow::struct_({F("asset_class", arrow::utf8(), 4)}), 3)});
}

// Rows: (id, days since epoch, asset class or null struct).
std::shared_ptr<arrow::RecordBatch> Rows(
    const std::vector<std::tuple<int64_t, int32_t, std::optional<std::string>>>& rows) {
  auto b = arrow::RecordBatchBuilder::Make(Schema(), arrow::default_memory_pool()).ValueOrDie();
  auto* product = b->GetFieldAs<arrow::StructBuilder>(2);
  auto* ac = static_cast<arrow::StringBuilder*>(product->field_builder(0));
  for (const auto& [id, day, asset] : rows) {
    EXPECT_TRUE(b->GetFieldAs<arrow::Int64Builder>(0)->Append(id).ok());
    EXPECT_TRUE(b->GetFieldAs<arrow::Date32Builder>(1)->Append(day).ok());
    if (asset) {
      EXPECT_TRUE(product->Append().ok());
      EXPECT_TRUE(ac->Append(*asset).ok());
    } else {
      EXPECT_TRUE(product->AppendNull().ok());
    }
  }
  return b->Flush().ValueOrDie();
}

constexpr int32_t kApr14 = 20557;  // 2026-04-14
constexpr int32_t kMay02 = 20575;  // 2026-05-02

PartitionSpec Spec() {
  auto schema = IcebergSchemaFromArrow(*Schema(), 0);
  auto spec = ResolvePartitionSpec(*schema,
                                   {{"day", "month", ""}, {"product.asset_class", "identity", ""}});
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

TEST(PartitioningTest, ResolvesTheSpecWithIdsFrom1000) {
  PartitionSpec spec = Spec();
  ASSERT_EQ(spec.fields.size(), 2u);
  EXPECT_EQ(spec.fields[0].name, "day_month");
  EXPECT_EQ(spec.fields[0].field_id, 1000);
  EXPECT_EQ(spec.fields[0].source_id, 2);
  EXPECT_EQ(spec.fields[0].type, PartitionValueType::kInt);
  EXPECT_EQ(spec.fields[1].name, "asset_class");
  EXPECT_EQ(spec.fields[1].source_id, 4);
  EXPECT_EQ(spec.fields[1].type, PartitionValueType::kString);
  auto schema = IcebergSchemaFromArrow(*Schema(), 0);
  auto back = ParsePartitionSpec(PartitionSpecJson(spec), *schema);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->fields[1].type, PartitionValueType::kString);

  EXPECT_FALSE(ResolvePartitionSpec(*schema, {{"nope", "identity", ""}}).ok());
  EXPECT_FALSE(ResolvePartitionSpec(*schema, {{"id", "month", ""}}).ok());
  EXPECT_FALSE(ResolvePartitionSpec(*schema, {{"id", "bucket[16]", ""}}).ok());
}

// Iceberg's Java PartitionSpec.Builder rejects these names on every spec it reads: a table with
// one would load in no Spark, Trino or Flink.
TEST(PartitioningTest, PartitionNamesAreUniqueAndNameNoOtherColumn) {
  auto schema = IcebergSchemaFromArrow(*Schema(), 0);
  auto twice = ResolvePartitionSpec(*schema, {{"day", "month", "p"}, {"id", "identity", "p"}});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(),
            "partition field name 'p' (of id) is used twice: give the partitions different names "
            "(partition_by: {column: ..., name: ...})");
  auto column = ResolvePartitionSpec(*schema, {{"product.asset_class", "identity", "id"}});
  ASSERT_FALSE(column.ok());
  EXPECT_EQ(column.status().message(),
            "partition field name 'id' (of product.asset_class) is the name of a column of the "
            "table, which Iceberg readers reject for another column's partition: pick another "
            "name");
  // A partition may carry its own source column's name (Java's reader allows it).
  EXPECT_TRUE(ResolvePartitionSpec(*schema, {{"day", "identity", "day"}}).ok());
  EXPECT_TRUE(ResolvePartitionSpec(*schema, {{"day", "month", "day"}}).ok());
  auto slash = ResolvePartitionSpec(*schema, {{"day", "month", "a/b"}});
  ASSERT_FALSE(slash.ok());
  EXPECT_THAT(slash.status().message(), ::testing::HasSubstr("holds '/', '#' or '?'"));
  // Compared with an existing table's spec, names are not checked.
  EXPECT_TRUE(ResolvePartitionSpec(*schema, {{"day", "month", "p"}, {"id", "identity", "p"}},
                                   /*check_names=*/false)
                  .ok());
}

TEST(PartitioningTest, SplitsRowsByTransformedValues) {
  auto partitioner = Partitioner::Make(Spec(), *Schema());
  ASSERT_TRUE(partitioner.ok());
  auto parts = partitioner->Split(Rows({{1, kApr14, "ENERGY"},
                                        {2, kMay02, "ENERGY"},
                                        {3, kApr14 + 3, "ENERGY"},
                                        {4, kApr14, std::nullopt}}));
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 3u);
  std::map<std::string, int64_t> rows;
  for (const auto& p : *parts) rows[PartitionPath(Spec(), p.values)] = p.rows->num_rows();
  EXPECT_EQ(rows.at("day_month=2026-04/asset_class=ENERGY"), 2);
  EXPECT_EQ(rows.at("day_month=2026-05/asset_class=ENERGY"), 1);
  EXPECT_EQ(rows.at("day_month=2026-04/asset_class=null"), 1);
  // month value: months since 1970-01.
  EXPECT_EQ(std::get<int32_t>(*(*parts)[0].values[0]), (2026 - 1970) * 12 + 3);
}

TEST(PartitioningTest, PathsNameTimeValuesAsIcebergDoes) {
  PartitionSpec spec;
  spec.fields = {{1000, 2, "d_year", "year", PartitionValueType::kInt},
                 {1001, 2, "d_month", "month", PartitionValueType::kInt},
                 {1002, 2, "d_day", "day", PartitionValueType::kDate},
                 {1003, 5, "t_hour", "hour", PartitionValueType::kInt}};
  // 2026-04-14 07:00 UTC is hour 493,423 since the epoch; hour -1 is 1969-12-31 23:00.
  const int32_t hour = kApr14 * 24 + 7;
  EXPECT_EQ(
      PartitionPath(spec, {int32_t{56}, int32_t{(2026 - 1970) * 12 + 3}, int32_t{kApr14}, hour}),
      "d_year=2026/d_month=2026-04/d_day=2026-04-14/t_hour=2026-04-14-07");
  EXPECT_EQ(PartitionPath(spec, {int32_t{-1}, int32_t{-1}, int32_t{-1}, int32_t{-1}}),
            "d_year=1969/d_month=1969-12/d_day=1969-12-31/t_hour=1969-12-31-23");
  EXPECT_EQ(PartitionPath(spec, {std::nullopt, std::nullopt, std::nullopt, std::nullopt}),
            "d_year=null/d_month=null/d_day=null/t_hour=null");
}

TEST(DataWriterTest, RollsFilesAtTheTargetSizeAndSortsRows) {
  auto dir = std::filesystem::temp_directory_path() / "tf_data_writer_test";
  std::filesystem::remove_all(dir);
  auto partitioner = Partitioner::Make(Spec(), *Schema());
  DataWriterOptions options;
  options.target_file_bytes = 1;  // every write flushes
  options.sort = {{"id", true}};
  DataWriter writer(dir.string(), "w", Schema(), *partitioner, options);
  ASSERT_TRUE(writer.Write(Rows({{1, kApr14, "METALS"}, {5, kApr14, "METALS"}})).ok());
  ASSERT_TRUE(writer.Write(Rows({{3, kApr14, "METALS"}})).ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_NE((*files)[0].file_path.find("/day_month=2026-04/asset_class=METALS/w-00001.parquet"),
            std::string::npos);
  EXPECT_EQ((*files)[0].partition.size(), 2u);

  // Unbounded target: one file, rows sorted by id descending.
  options.target_file_bytes = 1 << 30;
  DataWriter one(dir.string(), "x", Schema(), *partitioner, options);
  ASSERT_TRUE(one.Write(Rows({{1, kApr14, "METALS"}, {5, kApr14, "METALS"}})).ok());
  ASSERT_TRUE(one.Write(Rows({{3, kApr14, "METALS"}})).ok());
  auto single = one.Finish();
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ((*single)[0].record_count, 3);
  std::string path = (*single)[0].file_path.substr(std::string("file://").size());
  auto reader =
      parquet::arrow::OpenFile(*arrow::io::ReadableFile::Open(path), arrow::default_memory_pool());
  auto table = (*reader)->ReadTable();
  ASSERT_TRUE(table.ok());
  auto ids = std::static_pointer_cast<arrow::Int64Array>((*table)->column(0)->chunk(0));
  EXPECT_EQ(ids->Value(0), 5);
  EXPECT_EQ(ids->Value(1), 3);
  EXPECT_EQ(ids->Value(2), 1);
}

TEST(DataWriterTest, AbandonRemovesEveryFileWritten) {
  auto dir = std::filesystem::temp_directory_path() / "tf_data_writer_abandon_test";
  std::filesystem::remove_all(dir);
  auto partitioner = Partitioner::Make(Spec(), *Schema());
  DataWriterOptions options;
  options.target_file_bytes = 1;  // every write flushes
  DataWriter writer(dir.string(), "w", Schema(), *partitioner, options);
  ASSERT_TRUE(writer.Write(Rows({{1, kApr14, "METALS"}})).ok());
  ASSERT_TRUE(writer.Write(Rows({{2, kApr14, "ENERGY"}})).ok());
  ASSERT_EQ(writer.files().size(), 2u);
  writer.Abandon();
  EXPECT_TRUE(writer.files().empty());
  int64_t left = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    left += entry.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(left, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tradeflow::lake
