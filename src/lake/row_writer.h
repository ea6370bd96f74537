// Writes rows that the caller holds in an encoded form (serialized protos, say) as Iceberg data
// files: buffered per partition, sorted by a byte-comparable key (lake/sort_key.h), shredded into
// Parquet leaf columns by a RowEncoder only when their file is written, and rolled at a target
// size.
//
// Why not DataWriter (which takes Arrow batches)? Sorting a partition's Arrow rows means an
// Arrow Take over every column of a wide nested schema, and splitting batches by partition means
// another; together they cost more than building the rows. Here a row is encoded once when it
// arrives and decoded once, already in file order, straight into Parquet's columns (no Arrow
// arrays, and no second pass to derive Parquet's levels from them); the sort compares one string
// per row. Encoded rows are also several times smaller than Arrow builders, so more rows fit in
// the same memory.
//
// Files are converted and written on `pool` (when given), up to `max_files_in_flight` at a time,
// while the caller goes on adding rows. Memory is bounded: rows waiting in buffers never exceed
// `max_buffered_bytes` (the largest partition is written early), plus the files in flight.
//
// Files are named <data>/<partition path>/<prefix>-<n>.parquet, durable (fsynced) once written,
// and invisible to readers until a commit lists them. Not thread-safe: one caller adds rows.
#pragma once

#include <arrow/record_batch.h>

#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/thread_pool.h"
#include "lake/manifest.h"
#include "lake/parquet_writer.h"
#include "lake/partitioning.h"

namespace tradeflow::lake {

// Turns encoded rows into the Parquet leaf columns of the writer's schema (Dremel levels and
// values, as model/wire_shredder.h makes them). One per file being written, so an implementation
// need not be thread-safe.
class RowEncoder {
 public:
  virtual ~RowEncoder() = default;
  // `row` stays valid until the rows appended with it are written.
  virtual Status Append(std::string_view row) = 0;
  // Writes leaf column `column` (in the Parquet schema's order) of the rows appended since the
  // last Clear(), with the writer of that column.
  virtual Status WriteColumn(int column, parquet::ColumnWriter* writer) = 0;
  virtual void Clear() = 0;
};
// Called with the Parquet schema of the writer's Arrow schema, once per file.
using RowEncoderFactory =
    std::function<Result<std::unique_ptr<RowEncoder>>(const parquet::SchemaDescriptor& schema)>;

struct RowWriterOptions {
  int64_t target_file_bytes = 64LL << 20;  // encoded bytes (rows + keys) per file
  int64_t max_buffered_bytes = 128LL << 20;
  int64_t rows_per_batch = 16 * 1024;  // rows shredded at a time while writing a file
  int max_files_in_flight = 2;
  std::optional<int32_t> sort_order_id;  // the table's sort order that the keys implement
  ParquetWriteOptions parquet;
};

class RowWriter {
 public:
  // `data_dir`: local folder of the table's data; `prefix`: unique per writer (a UUID).
  RowWriter(std::string data_dir, std::string prefix, std::shared_ptr<arrow::Schema> schema,
            PartitionSpec spec, RowEncoderFactory encoder, RowWriterOptions options,
            ThreadPool* pool = nullptr);
  ~RowWriter();  // waits for files in flight

  // `partition`: one value per spec field; `sort_key`: from lake/sort_key.h.
  Status Add(const std::vector<PartitionValue>& partition, std::string_view sort_key,
             std::string_view row);

  // Writes what is buffered (the largest partitions first), waits for every file, and returns
  // them in the order started.
  Result<std::vector<DataFile>> Finish();

  // For a write that will not be committed (so nothing references its files): drops the rows
  // buffered, waits for the files in flight and removes every file written.
  void Abandon();

 private:
  struct Buffer;
  // Hands the buffer's rows to a file task, once fewer than max_files_in_flight are in flight.
  Status Flush(Buffer* buffer);
  Result<DataFile> WriteFile(const std::string& path, const Buffer& rows) const;
  Status WaitForRoom();
  Status TakeOldest();

  std::string data_dir_;
  std::string prefix_;
  std::shared_ptr<arrow::Schema> schema_;
  PartitionSpec spec_;
  RowEncoderFactory encoder_;
  RowWriterOptions options_;
  ThreadPool* pool_;
  std::map<std::vector<PartitionValue>, std::unique_ptr<Buffer>> buffers_;
  int64_t buffered_bytes_ = 0;
  int file_count_ = 0;
  std::deque<std::future<Result<DataFile>>> in_flight_;
  std::vector<DataFile> files_;
};

}  // namespace tradeflow::lake
