#include "lake/row_writer.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <future>
#include <map>

#include "lake/iceberg_schema.h"
#include "lake/sort_key.h"
#include "lake/test_util.h"

namespace tradeflow::lake {
namespace {

std::shared_ptr<arrow::Schema> Schema() {
  return arrow::schema({testing::F("id", arrow::int64(), 1), testing::F("desk", arrow::utf8(), 2)});
}

PartitionSpec Spec() {
  auto spec =
      ResolvePartitionSpec(*IcebergSchemaFromArrow(*Schema(), 0), {{"desk", "identity", ""}});
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

// Rows are "<id>,<desk>" text; the encoder parses them into the two columns (both optional and
// never null: definition level 1 for every row).
class TextEncoder : public RowEncoder {
 public:
  Status Append(std::string_view row) override {
    if (row == "poison") return Status::Internal("cannot encode row 'poison'");
    size_t comma = row.find(',');
    int64_t id = 0;
    std::from_chars(row.data(), row.data() + comma, id);
    ids_.push_back(id);
    desks_.emplace_back(static_cast<uint32_t>(row.size() - comma - 1),
                        reinterpret_cast<const uint8_t*>(row.data() + comma + 1));
    return Status::OK();
  }
  Status WriteColumn(int column, parquet::ColumnWriter* writer) override {
    std::vector<int16_t> defined(ids_.size(), 1);
    if (column == 0) {
      static_cast<parquet::Int64Writer*>(writer)->WriteBatch(static_cast<int64_t>(ids_.size()),
                                                             defined.data(), nullptr, ids_.data());
    } else {
      static_cast<parquet::ByteArrayWriter*>(writer)->WriteBatch(
          static_cast<int64_t>(desks_.size()), defined.data(), nullptr, desks_.data());
    }
    return Status::OK();
  }
  void Clear() override {
    ids_.clear();
    desks_.clear();
  }

 private:
  std::vector<int64_t> ids_;
  std::vector<parquet::ByteArray> desks_;
};

RowEncoderFactory Encoder() {
  return [](const parquet::SchemaDescriptor&) -> Result<std::unique_ptr<RowEncoder>> {
    return std::unique_ptr<RowEncoder>(std::make_unique<TextEncoder>());
  };
}

std::string Key(int64_t id) {
  std::string key;
  AppendIntSortKey(id, false, &key);
  return key;
}

Status Add(RowWriter* writer, int64_t id, const std::string& desk) {
  return writer->Add({desk}, Key(id), std::to_string(id) + "," + desk);
}

std::vector<int64_t> IdsIn(const DataFile& file) {
  std::string path = file.file_path.substr(std::string("file://").size());
  auto reader =
      parquet::arrow::OpenFile(*arrow::io::ReadableFile::Open(path), arrow::default_memory_pool());
  auto table = (*reader)->ReadTable();
  EXPECT_TRUE(table.ok());
  std::vector<int64_t> ids;
  for (const auto& chunk : (*table)->column(0)->chunks()) {
    auto a = std::static_pointer_cast<arrow::Int64Array>(chunk);
    for (int64_t i = 0; i < a->length(); ++i) ids.push_back(a->Value(i));
  }
  return ids;
}

// Finishes `writer`, checks that its files hold `rows` rows, and counts them.
size_t FilesHolding(RowWriter* writer, int64_t rows) {
  auto files = writer->Finish();
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return 0;
  int64_t total = 0;
  for (const auto& f : *files) total += f.record_count;
  EXPECT_EQ(total, rows);
  return files->size();
}

class RowWriterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tf_row_writer_test_" + std::to_string(::getpid()) + (GetParam() ? "_pool" : ""));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  ThreadPool* pool() { return GetParam() ? &pool_ : nullptr; }

  std::filesystem::path dir_;
  ThreadPool pool_{2};
};

TEST_P(RowWriterTest, OneSortedFilePerPartition) {
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), {}, pool());
  for (int64_t id : {5, 1, 4, 2, 3}) ASSERT_TRUE(Add(&writer, id, id % 2 ? "oil" : "gas").ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  for (const auto& f : *files) {
    ASSERT_EQ(f.partition.size(), 1u);
    std::string desk = std::get<std::string>(*f.partition[0]);
    EXPECT_NE(f.file_path.find("/desk=" + desk + "/w-"), std::string::npos) << f.file_path;
    std::vector<int64_t> expected =
        desk == "gas" ? std::vector<int64_t>{2, 4} : std::vector<int64_t>{1, 3, 5};
    EXPECT_EQ(IdsIn(f), expected);
    EXPECT_EQ(f.record_count, desk == "gas" ? 2 : 3);
  }
}

// At Finish the partitions left go to the pool largest first, so that the cores end together.
TEST_P(RowWriterTest, FinishStartsTheLargestPartitionsFirst) {
  RowWriterOptions options;
  options.max_tasks_in_flight = 1;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  const std::vector<std::pair<std::string, int>> desks = {{"gas", 2}, {"oil", 5}, {"power", 3}};
  int64_t id = 0;
  for (const auto& [desk, rows] : desks) {
    for (int i = 0; i < rows; ++i) ASSERT_TRUE(Add(&writer, ++id, desk).ok());
  }
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<int64_t> counts;
  for (const auto& f : *files) counts.push_back(f.record_count);
  EXPECT_EQ(counts, (std::vector<int64_t>{5, 3, 2}));
}

TEST_P(RowWriterTest, EqualKeysKeepTheirArrivalOrder) {
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), {}, pool());
  // Same key for all: the row text (id) tells them apart.
  for (int64_t id : {9, 7, 8}) {
    ASSERT_TRUE(writer.Add({std::string("oil")}, Key(0), std::to_string(id) + ",oil").ok());
  }
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(IdsIn((*files)[0]), (std::vector<int64_t>{9, 7, 8}));
}

TEST_P(RowWriterTest, RollsAFileAtTheTargetSizeAndSplitsItsBatches) {
  RowWriterOptions options;
  options.target_file_bytes = 100;  // a file reaches it with its first row group
  options.max_buffered_bytes = 40;  // a row group every few rows
  options.rows_per_batch = 2;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  int64_t rows = 0;
  for (int64_t id = 50; id > 0; --id, ++rows) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok());
  EXPECT_GT(files->size(), 5u);
  int64_t total = 0;
  for (size_t i = 0; i < files->size(); ++i) {
    const DataFile& f = (*files)[i];
    total += f.record_count;
    auto ids = IdsIn(f);
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    char name[32];
    std::snprintf(name, sizeof name, "w-%05zu.parquet", i + 1);  // in the order opened
    EXPECT_NE(f.file_path.find(name), std::string::npos) << f.file_path;
  }
  EXPECT_EQ(total, rows);
}

TEST_P(RowWriterTest, AbandonRemovesEveryFileWrittenOrOpenAndDropsTheRest) {
  RowWriterOptions options;
  options.target_file_bytes = 1500;  // some files are closed, one is still open
  options.max_buffered_bytes = 40;   // row groups are written while rows are added
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  for (int64_t id = 1; id <= 200; ++id) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  ASSERT_TRUE(std::filesystem::exists(dir_));
  writer.Abandon();
  int64_t left = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    left += entry.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(left, 0);
  auto files = writer.Finish();  // nothing left to write
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST_P(RowWriterTest, BoundsTheBufferedBytesByWritingTheLargestPartition) {
  RowWriterOptions options;
  options.target_file_bytes = 1 << 20;
  options.max_buffered_bytes = 200;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  for (int64_t id = 0; id < 40; ++id) ASSERT_TRUE(Add(&writer, id, id < 30 ? "oil" : "gas").ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok());
  int64_t total = 0;
  size_t row_groups = 0;
  for (const auto& f : *files) {
    total += f.record_count;
    row_groups += f.split_offsets.size();
  }
  EXPECT_GT(row_groups, 2u);  // oil was written early, more than once
  EXPECT_EQ(total, 40);
}

// The buffers' memory does not limit the files' size: a partition's row groups go to its open
// file until the file is at the target size on disk.
TEST_P(RowWriterTest, FilesReachTheTargetSizeRowGroupByRowGroup) {
  RowWriterOptions options;
  options.target_file_bytes = 3000;
  options.max_buffered_bytes = 100;  // a row group every six rows or so
  options.sort_order_id = 1;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  for (int64_t id = 400; id > 0; --id) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<DataFile> by_size = *files;
  std::sort(by_size.begin(), by_size.end(), [](const DataFile& a, const DataFile& b) {
    return a.file_size_in_bytes < b.file_size_in_bytes;
  });
  // On a pool, a write finding the file busy opens another: as many files as writes at once
  // may end short.
  const size_t short_files = GetParam() ? options.max_tasks_in_flight : 1;
  ASSERT_GT(by_size.size(), short_files + 1);
  int64_t total = 0;
  for (size_t i = 0; i < by_size.size(); ++i) {
    const DataFile& f = by_size[i];
    total += f.record_count;
    EXPECT_LE(f.file_size_in_bytes, options.target_file_bytes * 11 / 10) << i;
    if (i >= short_files) {
      EXPECT_GT(f.split_offsets.size(), 2u) << i;
      EXPECT_GE(f.file_size_in_bytes, options.target_file_bytes * 3 / 4) << i;
    }
    // Sorted row group by row group, so not as a whole: the file does not claim the order.
    EXPECT_EQ(f.sort_order_id.has_value(), f.split_offsets.size() == 1) << i;
  }
  EXPECT_EQ(total, 400);
}

// A buffer's rows that take more than the target on disk are split across files, in key order.
TEST_P(RowWriterTest, OneWriteLargerThanTheTargetIsSplitAcrossFiles) {
  RowWriterOptions options;
  options.target_file_bytes = 3000;
  options.sort_order_id = 1;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  for (int64_t id = 2000; id > 0; --id) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  auto files = writer.Finish();  // one write of all the rows
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_GT(files->size(), 2u);
  int64_t last = 0;
  for (const DataFile& f : *files) {
    EXPECT_LE(f.file_size_in_bytes, options.target_file_bytes * 11 / 10);
    // Filled up by what its rows take, not closed at the first write's estimate: only the
    // last file is short.
    if (&f != &files->back()) {
      EXPECT_GE(f.file_size_in_bytes, options.target_file_bytes * 3 / 4);
    }
    EXPECT_EQ(f.sort_order_id, std::optional<int32_t>(1));  // each a sorted run, in one go
    auto ids = IdsIn(f);
    ASSERT_FALSE(ids.empty());
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_EQ(ids.front(), last + 1);
    last = ids.back();
  }
  EXPECT_EQ(last, 2000);
}

TEST_P(RowWriterTest, AFileOfOneRowGroupClaimsTheSortOrder) {
  RowWriterOptions options;
  options.sort_order_id = 1;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  for (int64_t id : {3, 1, 2}) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].sort_order_id, std::optional<int32_t>(1));
}

// Past max_open_files, the file idle longest is closed to open another.
TEST_P(RowWriterTest, ClosesTheFileIdleLongestPastTheOpenFileLimit) {
  auto write = [this](int max_open_files) {
    RowWriterOptions options;
    options.max_buffered_bytes = 40;  // every few rows, the partition just added to is written
    options.max_open_files = max_open_files;
    options.max_tasks_in_flight = 1;
    std::filesystem::remove_all(dir_);
    RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
    for (int64_t id = 1; id <= 60; ++id) {
      EXPECT_TRUE(Add(&writer, id, (id / 10) % 2 ? "oil" : "gas").ok());
    }
    return FilesHolding(&writer, 60);
  };
  EXPECT_EQ(write(2), 2u);  // one file per partition
  EXPECT_GT(write(1), 4u);  // each switch of partition closes the other's file
}

TEST_P(RowWriterTest, RowsLargerThanABufferBlockSurvive) {
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), {}, pool());
  const std::string big(3 << 20, 'x');  // larger than the 1 MiB blocks rows are kept in
  ASSERT_TRUE(writer.Add({std::string("oil")}, Key(2), "2," + big).ok());
  ASSERT_TRUE(writer.Add({std::string("oil")}, Key(1), "1,small").ok());
  ASSERT_TRUE(writer.Add({std::string("oil")}, Key(3), "3," + big).ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(IdsIn((*files)[0]), (std::vector<int64_t>{1, 2, 3}));
}

TEST_P(RowWriterTest, AnEncoderErrorFailsFinish) {
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), {}, pool());
  ASSERT_TRUE(Add(&writer, 1, "oil").ok());
  ASSERT_TRUE(writer.Add({std::string("oil")}, Key(2), "poison").ok());
  auto files = writer.Finish();
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("poison"), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    EXPECT_NE(entry.path().extension(), ".parquet") << "left behind: " << entry.path();
  }
}

// Two idle files and no room for a third: the one given rows longest ago is closed.
TEST_P(RowWriterTest, ClosesTheFileGivenRowsLongestAgo) {
  RowWriterOptions options;
  options.max_buffered_bytes = 1;  // every row is written at once
  options.max_open_files = 2;
  options.max_tasks_in_flight = 1;
  RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
  int64_t id = 0;
  for (const char* desk : {"oil", "gas", "oil", "power"})
    ASSERT_TRUE(Add(&writer, ++id, desk).ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 3u);  // gas's file made room for power's
  std::map<std::string, int64_t> rows;
  for (const auto& f : *files) rows[std::get<std::string>(*f.partition[0])] += f.record_count;
  EXPECT_EQ(rows, (std::map<std::string, int64_t>{{"gas", 1}, {"oil", 2}, {"power", 1}}));
}

// Parquet keeps every row group's metadata until its file closes: past max_footer_memory the
// open file with the most row groups is closed, short of the target.
TEST_P(RowWriterTest, BoundsTheOpenFilesFooterMemory) {
  auto files_written = [this](int64_t max_footer_memory) {
    RowWriterOptions options;
    options.max_buffered_bytes = 40;  // a row group every few rows
    options.max_footer_memory = max_footer_memory;
    std::filesystem::remove_all(dir_);
    RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
    for (int64_t id = 1; id <= 60; ++id) EXPECT_TRUE(Add(&writer, id, "oil").ok());
    return FilesHolding(&writer, 60);
  };
  EXPECT_LE(files_written(64 << 20), 2u);  // one file (two if a write found it busy)
  EXPECT_GT(files_written(1), 10u);        // a file per write
}

TEST_P(RowWriterTest, WithoutFinishTheDestructorRemovesEveryFile) {
  {
    RowWriterOptions options;
    options.max_buffered_bytes = 40;
    options.target_file_bytes = 1500;  // some closed, one open
    RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), options, pool());
    for (int64_t id = 1; id <= 200; ++id) ASSERT_TRUE(Add(&writer, id, "oil").ok());
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    EXPECT_FALSE(entry.is_regular_file()) << "left behind: " << entry.path();
  }
}

TEST_P(RowWriterTest, AfterFinishTheFilesAreTheCallers) {
  std::vector<DataFile> files;
  {
    RowWriter writer(dir_.string(), "w", Schema(), Spec(), Encoder(), {}, pool());
    ASSERT_TRUE(Add(&writer, 1, "oil").ok());
    auto finished = writer.Finish();
    ASSERT_TRUE(finished.ok());
    files = *finished;
  }
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(files[0].file_path.substr(std::string("file://").size())));
}

INSTANTIATE_TEST_SUITE_P(InlineAndOnAPool, RowWriterTest, ::testing::Bool());

// With max_tasks_in_flight files being written, the writer waits for whichever finishes first:
// a slow first file must not hold up a third while the second is already done.
TEST(RowWriterOnAPoolTest, WaitsForTheFirstFileToFinishNotTheOldest) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tf_row_writer_wait_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto files_started = std::make_shared<std::atomic<int>>(0);
  // The first file's encoder blocks until released; the others encode at once.
  class SlowFirst : public TextEncoder {
   public:
    explicit SlowFirst(std::shared_future<void> wait) : wait_(std::move(wait)) {}
    Status Append(std::string_view row) override {
      if (wait_.valid()) wait_.wait();
      return TextEncoder::Append(row);
    }

   private:
    std::shared_future<void> wait_;
  };
  RowEncoderFactory encoder =
      [files_started,
       released](const parquet::SchemaDescriptor&) -> Result<std::unique_ptr<RowEncoder>> {
    const bool first = files_started->fetch_add(1) == 0;
    return std::unique_ptr<RowEncoder>(
        std::make_unique<SlowFirst>(first ? released : std::shared_future<void>()));
  };
  ThreadPool pool(3);
  RowWriterOptions options;
  options.target_file_bytes = 10;   // every file is closed after its first row group
  options.max_buffered_bytes = 10;  // and every row is written at once
  options.max_tasks_in_flight = 2;
  RowWriter writer(dir.string(), "w", Schema(), Spec(), encoder, options, &pool);
  // Each row goes to a file of its own; the third file needs room.
  auto adding = std::async(std::launch::async, [&writer] {
    for (int64_t id = 1; id <= 4; ++id) {
      Status st = Add(&writer, id, "oil");
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
  const bool finished_while_first_blocked =
      adding.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(finished_while_first_blocked);
  EXPECT_TRUE(adding.get().ok());
  auto files = writer.Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->size(), 4u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tradeflow::lake
