#include "lake/parquet_writer.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/column_page.h>
#include <parquet/column_reader.h>
#include <parquet/column_writer.h>
#include <parquet/file_reader.h>

#include <filesystem>
#include <map>

#include "lake/column_metrics.h"
#include "lake/iceberg_schema.h"
#include "lake/test_util.h"

namespace tradeflow::lake {
namespace {

using testing::F;

std::shared_ptr<arrow::Schema> TestSchema() {
  return arrow::schema({F("id", arrow::int64(), 1), F("name", arrow::utf8(), 2),
                        F("price", arrow::decimal128(10, 2), 3), F("day", arrow::date32(), 4),
                        F("at", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), 5),
                        F("party", arrow::struct_({F("lei", arrow::utf8(), 7)}), 6),
                        F("tags", arrow::list(F("element", arrow::int32(), 9)), 8)});
}

std::shared_ptr<arrow::RecordBatch> TestBatch() {
  auto schema = TestSchema();
  auto batch = arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool()).ValueOrDie();
  auto* id = batch->GetFieldAs<arrow::Int64Builder>(0);
  auto* name = batch->GetFieldAs<arrow::StringBuilder>(1);
  auto* price = batch->GetFieldAs<arrow::Decimal128Builder>(2);
  auto* day = batch->GetFieldAs<arrow::Date32Builder>(3);
  auto* at = batch->GetFieldAs<arrow::TimestampBuilder>(4);
  auto* party = batch->GetFieldAs<arrow::StructBuilder>(5);
  auto* lei = static_cast<arrow::StringBuilder*>(party->field_builder(0));
  auto* tags = batch->GetFieldAs<arrow::ListBuilder>(6);
  auto* tag = static_cast<arrow::Int32Builder*>(tags->value_builder());
  EXPECT_TRUE(id->AppendValues({7, -3, 12}).ok());
  EXPECT_TRUE(name->Append("beta").ok());
  EXPECT_TRUE(name->AppendNull().ok());
  EXPECT_TRUE(name->Append("a-very-long-name-beyond-16").ok());
  EXPECT_TRUE(price->Append(arrow::Decimal128(-150)).ok());  // -1.50
  EXPECT_TRUE(price->Append(arrow::Decimal128(1)).ok());     // 0.01
  EXPECT_TRUE(price->AppendNull().ok());
  EXPECT_TRUE(day->AppendValues({20000, 19000, 21000}).ok());
  EXPECT_TRUE(at->AppendValues({5, 6, 7}).ok());
  EXPECT_TRUE(party->Append().ok());
  EXPECT_TRUE(lei->Append("LEI1").ok());
  EXPECT_TRUE(party->AppendNull().ok());
  EXPECT_TRUE(party->Append().ok());
  EXPECT_TRUE(lei->AppendNull().ok());
  for (int r = 0; r < 3; ++r) {
    EXPECT_TRUE(tags->Append().ok());
    EXPECT_TRUE(tag->Append(r).ok());
  }
  return batch->Flush().ValueOrDie();
}

std::string LE32(int32_t v) { return std::string(reinterpret_cast<char*>(&v), 4); }
std::string LE64(int64_t v) { return std::string(reinterpret_cast<char*>(&v), 8); }

TEST(ColumnMetricsTest, BoundsAndCountsFollowTheIcebergEncoding) {
  ColumnMetrics m = ComputeColumnMetrics({TestBatch()});
  EXPECT_EQ(m.value_counts.at(1), 3);
  EXPECT_EQ(m.lower_bounds.at(1), LE64(-3));
  EXPECT_EQ(m.upper_bounds.at(1), LE64(12));
  EXPECT_EQ(m.null_value_counts.at(2), 1);
  EXPECT_EQ(m.lower_bounds.at(2), "a-very-long-name");  // truncated to 16 characters
  EXPECT_EQ(m.upper_bounds.at(2), "beta");
  EXPECT_EQ(m.lower_bounds.at(3), std::string("\xFF\x6A", 2));  // -150, minimal two's complement
  EXPECT_EQ(m.upper_bounds.at(3), std::string("\x01", 1));
  EXPECT_EQ(m.lower_bounds.at(4), LE32(19000));
  EXPECT_EQ(m.upper_bounds.at(5), LE64(7));
  EXPECT_EQ(m.null_value_counts.at(7), 2);  // null itself once, and once under a null struct
  EXPECT_EQ(m.lower_bounds.at(7), "LEI1");
  EXPECT_EQ(m.value_counts.count(9), 0u) << "no metrics inside lists";
}

// As Java Iceberg's truncateStringMax: 16 code points, the last one that can be incremented
// incremented; no bound when none can.
TEST(ColumnMetricsTest, ALongLargestStringIsTruncatedAndIncremented) {
  auto upper = [](const std::string& largest) -> std::optional<std::string> {
    auto schema = arrow::schema({F("s", arrow::utf8(), 1)});
    arrow::StringBuilder b;
    EXPECT_TRUE(b.AppendValues({"abc", largest}).ok());
    auto batch = arrow::RecordBatch::Make(schema, 2, {b.Finish().ValueOrDie()});
    ColumnMetrics m = ComputeColumnMetrics({batch});
    EXPECT_EQ(m.lower_bounds.at(1), "abc");
    if (!m.upper_bounds.count(1)) return std::nullopt;
    return m.upper_bounds.at(1);
  };
  EXPECT_EQ(upper("deal_tracking_num"), "deal_tracking_nv");
  EXPECT_EQ(upper("zzzzzzzzzzzzzzzzzzzz"), "zzzzzzzzzzzzzzz{");
  EXPECT_EQ(upper("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
                  "\u00e9\u00e9\u00e9\u00e9\u00e9"),
            "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
            "\u00e9\u00e9\u00e9\u00ea");
  const std::string max = "\xF4\x8F\xBF\xBF";  // U+10FFFF: cannot be incremented
  std::string tail_max = "abcdefghijklmno" + max + "x";
  EXPECT_EQ(upper(tail_max), "abcdefghijklmnp");
  std::string before_surrogates = "abcdefghijklmno\xED\x9F\xBFx";  // U+D7FF, then U+E000
  EXPECT_EQ(upper(before_surrogates), "abcdefghijklmno\xEE\x80\x80");
  std::string all_max;
  for (int i = 0; i < 17; ++i) all_max += max;
  EXPECT_EQ(upper(all_max), std::nullopt);
  EXPECT_EQ(upper("sixteen-chars-ok"), "sixteen-chars-ok");  // short enough: as it is
}

TEST(ColumnMetricsTest, ALongStringBelowTheMaximumDoesNotDropTheUpperBound) {
  auto schema = arrow::schema({F("s", arrow::utf8(), 1)});
  arrow::StringBuilder b;
  ASSERT_TRUE(b.AppendValues({"abc", "mmmmmmmmmmmmmmmmmmmm", "z"}).ok());
  auto batch = arrow::RecordBatch::Make(schema, 3, {b.Finish().ValueOrDie()});
  ColumnMetrics m = ComputeColumnMetrics({batch, batch});
  EXPECT_EQ(m.value_counts.at(1), 6);
  EXPECT_EQ(m.lower_bounds.at(1), "abc");
  EXPECT_EQ(m.upper_bounds.at(1), "z");
}

TEST(ColumnMetricsTest, BoundsAreFoldedAcrossBatches) {
  auto schema = arrow::schema(
      {F("s", arrow::utf8(), 1), F("b", arrow::boolean(), 2), F("n", arrow::int32(), 3)});
  auto make = [&](std::vector<std::string> s, std::vector<bool> b, std::vector<int32_t> n) {
    arrow::StringBuilder sb;
    arrow::BooleanBuilder bb;
    arrow::Int32Builder nb;
    EXPECT_TRUE(sb.AppendValues(s).ok());
    EXPECT_TRUE(bb.AppendValues(b).ok());
    EXPECT_TRUE(nb.AppendValues(n).ok());
    return arrow::RecordBatch::Make(
        schema, static_cast<int64_t>(s.size()),
        {sb.Finish().ValueOrDie(), bb.Finish().ValueOrDie(), nb.Finish().ValueOrDie()});
  };
  ColumnMetrics m = ComputeColumnMetrics(
      {make({"m", "x"}, {true, true}, {5, 9}), make({"b", "n"}, {true, true}, {-2, 7})});
  EXPECT_EQ(m.lower_bounds.at(1), "b");  // from the second batch
  EXPECT_EQ(m.upper_bounds.at(1), "x");  // from the first
  EXPECT_EQ(m.lower_bounds.at(2), std::string(1, '\x01'));
  EXPECT_EQ(m.upper_bounds.at(2), std::string(1, '\x01'));
  EXPECT_EQ(m.lower_bounds.at(3), LE32(-2));
  EXPECT_EQ(m.upper_bounds.at(3), LE32(9));
  EXPECT_EQ(m.value_counts.at(2), 4);
}

// The footer gives the same metrics as the Arrow data, over several row groups.
TEST(ColumnMetricsTest, MetricsFromTheFooterEqualTheArrowOnes) {
  auto dir = std::filesystem::temp_directory_path() / "tf_footer_metrics_test";
  std::filesystem::remove_all(dir);
  auto check = [&](std::shared_ptr<arrow::Schema> schema,
                   std::vector<std::shared_ptr<arrow::RecordBatch>> batches) {
    std::string path = (dir / "f.parquet").string();
    ParquetWriteOptions options;
    options.row_group_rows = 2;
    auto file = WriteParquetDataFile(path, "file://" + path, schema, batches, options);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto reader = parquet::ParquetFileReader::OpenFile(path);
    ASSERT_GT(reader->metadata()->num_row_groups(), 1);
    ColumnMetrics want = ComputeColumnMetrics(batches);
    ColumnMetrics got = MetricsFromFooter(*reader->metadata());
    EXPECT_EQ(got.value_counts, want.value_counts);
    EXPECT_EQ(got.null_value_counts, want.null_value_counts);
    EXPECT_EQ(got.lower_bounds, want.lower_bounds);
    EXPECT_EQ(got.upper_bounds, want.upper_bounds);
  };
  check(TestSchema(), {TestBatch(), TestBatch()});
  auto schema = arrow::schema({F("s", arrow::utf8(), 1), F("b", arrow::boolean(), 2),
                               F("x", arrow::float64(), 3), F("raw", arrow::binary(), 4)});
  arrow::StringBuilder sb;
  arrow::BooleanBuilder bb;
  arrow::DoubleBuilder xb;
  arrow::BinaryBuilder rb;
  ASSERT_TRUE(sb.AppendValues({"zzzzzzzzzzzzzzzzzzzzz", "abc", "é-ü-ö-ß-é-ü-ö-ß-é-ü"}).ok());
  ASSERT_TRUE(sb.AppendNull().ok());
  ASSERT_TRUE(bb.AppendValues(std::vector<bool>{false, true, false, true}).ok());
  ASSERT_TRUE(xb.AppendValues(std::vector<double>{1.5, -2.0, 3.0, 0.0}).ok());
  ASSERT_TRUE(rb.AppendValues(std::vector<std::string>{"a", "b", "c", "d"}).ok());
  check(schema, {arrow::RecordBatch::Make(schema, 4,
                                          {sb.Finish().ValueOrDie(), bb.Finish().ValueOrDie(),
                                           xb.Finish().ValueOrDie(), rb.Finish().ValueOrDie()})});
}

// Rows given column by column, in several calls and row groups: the footer describes them as
// the Arrow data would be described, except that a string over 4 KiB (whose row group has no
// min/max in Parquet's statistics) leaves its column without bounds rather than with wrong ones.
TEST(ParquetColumnFileWriterTest, DescribesRowsGivenColumnByColumn) {
  auto dir = std::filesystem::temp_directory_path() / "tf_parquet_column_writer_test";
  std::filesystem::remove_all(dir);
  std::string path = (dir / "f.parquet").string();
  auto schema = arrow::schema(
      {F("id", arrow::int64(), 1), F("name", arrow::utf8(), 2), F("note", arrow::utf8(), 3)});
  ParquetWriteOptions options;
  options.row_group_rows = 4;
  auto writer = ParquetColumnFileWriter::Open(path, "file://" + path, schema, options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_EQ((*writer)->schema().num_columns(), 3);
  const std::string long_note(5000, 'n');
  std::vector<std::string> texts;  // the bytes the ByteArrays point to
  for (int r = 0; r < 9; ++r) texts.push_back("name-" + std::to_string(r));
  for (int call = 0; call < 3; ++call) {  // 3 rows a call: each call starts a new row group
    std::vector<int64_t> ids;
    std::vector<parquet::ByteArray> names, notes;
    std::vector<int16_t> id_def, name_def, note_def;
    for (int r = 3 * call; r < 3 * call + 3; ++r) {
      id_def.push_back(r == 4 ? 0 : 1);
      if (r != 4) ids.push_back(r * 7 - 10);
      name_def.push_back(r % 3 == 0 ? 0 : 1);
      if (r % 3 != 0) names.emplace_back(texts[r]);
      const std::string& note = r == 5 ? long_note : texts[0];
      note_def.push_back(1);
      notes.emplace_back(static_cast<uint32_t>(note.size()),
                         reinterpret_cast<const uint8_t*>(note.data()));
    }
    Status st = (*writer)->Write(3, [&](int column, parquet::ColumnWriter* w) {
      if (column == 0) {
        static_cast<parquet::Int64Writer*>(w)->WriteBatch(3, id_def.data(), nullptr, ids.data());
      } else {
        auto* bytes = static_cast<parquet::ByteArrayWriter*>(w);
        bytes->WriteBatch(3, column == 1 ? name_def.data() : note_def.data(), nullptr,
                          column == 1 ? names.data() : notes.data());
      }
      return Status::OK();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  auto file = (*writer)->Close();
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->record_count, 9);
  EXPECT_EQ(file->split_offsets.size(), 3u);
  EXPECT_EQ(file->file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(path)));

  std::unique_ptr<parquet::arrow::FileReader> reader;
  auto opened = parquet::arrow::OpenFile(arrow::io::ReadableFile::Open(path).ValueOrDie(),
                                         arrow::default_memory_pool());
  ASSERT_TRUE(opened.ok());
  auto table = (*opened)->ReadTable().ValueOrDie()->CombineChunksToBatch().ValueOrDie();
  ASSERT_EQ(table->num_rows(), 9);
  ColumnMetrics want =
      ComputeColumnMetrics({arrow::RecordBatch::Make(schema, table->num_rows(), table->columns())});
  EXPECT_EQ(file->value_counts, want.value_counts);
  EXPECT_EQ(file->null_value_counts, want.null_value_counts);
  EXPECT_EQ(file->lower_bounds.at(1), want.lower_bounds.at(1));
  EXPECT_EQ(file->upper_bounds.at(1), want.upper_bounds.at(1));
  EXPECT_EQ(file->lower_bounds.at(2), want.lower_bounds.at(2));
  EXPECT_EQ(file->upper_bounds.at(2), want.upper_bounds.at(2));
  EXPECT_EQ(file->lower_bounds.count(3), 0u);
  EXPECT_EQ(file->upper_bounds.count(3), 0u);
}

TEST(ParquetWriterTest, WritesFieldIdsAndDescribesTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "tf_parquet_writer_test";
  std::filesystem::remove_all(dir);
  std::string path = (dir / "data" / "f.parquet").string();
  auto file =
      WriteParquetDataFile(path, "file://" + path, TestSchema(), {TestBatch(), TestBatch()});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->record_count, 6);
  EXPECT_EQ(file->file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(path)));
  ASSERT_EQ(file->split_offsets.size(), 1u);
  EXPECT_EQ(file->split_offsets[0], 4);  // right after the "PAR1" magic
  EXPECT_GT(file->column_sizes.at(9), 0);
  EXPECT_EQ(file->value_counts.at(1), 6);

  auto reader = parquet::ParquetFileReader::OpenFile(path);
  const auto* schema = reader->metadata()->schema();
  std::vector<int> ids;
  for (int c = 0; c < schema->num_columns(); ++c) {
    ids.push_back(schema->Column(c)->schema_node()->field_id());
  }
  EXPECT_EQ(ids, (std::vector<int>{1, 2, 3, 4, 5, 7, 9}));

  // Row-group statistics for columns outside lists (readers prune on them), none inside lists.
  auto group = reader->metadata()->RowGroup(0);
  EXPECT_TRUE(group->ColumnChunk(0)->is_stats_set());   // id
  EXPECT_TRUE(group->ColumnChunk(5)->is_stats_set());   // party.lei
  EXPECT_FALSE(group->ColumnChunk(6)->is_stats_set());  // tags.list.element
}

// Data pages of column `c` in row group 0, counted by encoding.
std::map<parquet::Encoding::type, int> DataPageEncodings(parquet::ParquetFileReader& reader,
                                                         int c) {
  std::map<parquet::Encoding::type, int> out;
  auto pages = reader.RowGroup(0)->GetColumnPageReader(c);
  while (auto page = pages->NextPage()) {
    if (page->type() == parquet::PageType::DATA_PAGE) {
      ++out[static_cast<const parquet::DataPageV1&>(*page).encoding()];
    }
  }
  return out;
}

TEST(ParquetWriterTest, NearUniqueColumnsFallBackToPlainEncoding) {
  auto schema = arrow::schema({F("id", arrow::utf8(), 1), F("book", arrow::utf8(), 2)});
  arrow::StringBuilder ids, books;
  for (int r = 0; r < 20000; ++r) {
    ASSERT_TRUE(ids.Append("TRADE-" + std::to_string(1000000 + r)).ok());
    ASSERT_TRUE(books.Append("BOOK-" + std::to_string(r % 7)).ok());
  }
  auto batch = arrow::RecordBatch::Make(schema, 20000,
                                        {ids.Finish().ValueOrDie(), books.Finish().ValueOrDie()});
  auto dir = std::filesystem::temp_directory_path() / "tf_parquet_dictionary_test";
  std::filesystem::remove_all(dir);
  std::string path = (dir / "f.parquet").string();
  ASSERT_TRUE(WriteParquetDataFile(path, "file://" + path, schema, {batch}).ok());

  // 20,000 ids of 13 bytes pass the 64 KiB dictionary limit: the rest of the chunk is plain.
  auto reader = parquet::ParquetFileReader::OpenFile(path);
  auto id_pages = DataPageEncodings(*reader, 0);
  EXPECT_GT(id_pages[parquet::Encoding::PLAIN], 0);
  auto book_pages = DataPageEncodings(*reader, 1);
  EXPECT_EQ(book_pages[parquet::Encoding::PLAIN], 0);
  EXPECT_GT(book_pages[parquet::Encoding::RLE_DICTIONARY], 0);
}

TEST(IcebergSchemaTest, ConvertsArrowSchemaAndBack) {
  auto json = IcebergSchemaFromArrow(*TestSchema(), 0);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ((*json)["fields"][2]["type"], "decimal(10, 2)");
  EXPECT_EQ((*json)["fields"][4]["type"], "timestamptz");
  EXPECT_EQ((*json)["fields"][6]["type"]["element-id"], 9);
  auto ids = FieldIdsOfIcebergSchema(*json);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->by_path.at("party.lei"), 7);
  EXPECT_EQ(ids->by_path.at("tags.element"), 9);
  EXPECT_EQ(ids->max_id, 9);

  auto no_id = arrow::schema({arrow::field("x", arrow::int64())});
  EXPECT_FALSE(IcebergSchemaFromArrow(*no_id, 0).ok());
  auto nanos = arrow::schema({F("t", arrow::timestamp(arrow::TimeUnit::NANO), 1)});
  EXPECT_FALSE(IcebergSchemaFromArrow(*nanos, 0).ok());
}

}  // namespace
}  // namespace tradeflow::lake
