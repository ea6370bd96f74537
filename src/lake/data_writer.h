// Writes a stream of Arrow batches as Iceberg data files: split by partition, buffered per
// partition, sorted, and rolled into a new Parquet file when a partition's buffer reaches the
// target size.
//
// Memory is bounded: when all buffers together exceed `max_buffered_bytes`, the largest
// partition is flushed early. Sizes are Arrow in-memory bytes; a Parquet file is typically several
// times smaller than its target because of encoding and zstd.
//
// Files are named <data>/<partition path>/<prefix>-<n>.parquet and are durable (fsynced) when
// Finish() returns, but invisible to readers until a commit lists them.
#pragma once

#include <arrow/record_batch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lake/manifest.h"
#include "lake/parquet_writer.h"
#include "lake/partitioning.h"

namespace tradeflow::lake {

struct SortKey {
  SortKey(std::string column_path, bool descending_order = false,
          std::optional<bool> nulls_first_order = std::nullopt)
      : column(std::move(column_path)),
        descending(descending_order),
        nulls_first(nulls_first_order) {}

  std::string column;  // dotted path: "trade_date", "parties.book" (not inside a list)
  bool descending = false;
  // Iceberg's default null order: first ascending, last descending. A sort order another tool
  // wrote may say otherwise (Table::DefaultSortKeys reads it).
  std::optional<bool> nulls_first;
  bool NullsFirst() const { return nulls_first.value_or(!descending); }
};

struct DataWriterOptions {
  int64_t target_file_bytes = 256LL << 20;
  int64_t max_buffered_bytes = 1LL << 30;
  std::vector<SortKey> sort;             // order of rows inside each file
  std::optional<int32_t> sort_order_id;  // the table's sort order that `sort` implements
  ParquetWriteOptions parquet;
};

class DataWriter {
 public:
  // `data_dir`: local folder of the table's data; `prefix`: unique per writer (a UUID).
  DataWriter(std::string data_dir, std::string prefix, std::shared_ptr<arrow::Schema> schema,
             Partitioner partitioner, DataWriterOptions options);

  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch);

  // Flushes everything and returns the files written, in the order written.
  Result<std::vector<DataFile>> Finish();

  // Files written so far.
  const std::vector<DataFile>& files() const { return files_; }

  // For a write that will not be committed (so nothing references its files): drops the rows
  // buffered and removes every file written.
  void Abandon();

 private:
  struct Buffer {
    std::vector<PartitionValue> values;
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    int64_t bytes = 0;
  };
  Status Flush(Buffer* buffer);

  std::string data_dir_;
  std::string prefix_;
  std::shared_ptr<arrow::Schema> schema_;
  Partitioner partitioner_;
  DataWriterOptions options_;
  std::map<std::vector<PartitionValue>, Buffer> buffers_;
  int64_t buffered_bytes_ = 0;
  int file_count_ = 0;
  std::vector<DataFile> files_;
};

}  // namespace tradeflow::lake
