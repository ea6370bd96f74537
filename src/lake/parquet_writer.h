// Writes one Iceberg data file in Parquet: from Arrow record batches (ParquetFileWriter) or from
// rows given column by column (ParquetColumnFileWriter).
//
// The file carries the Arrow schema's PARQUET:field_id on every column (Iceberg reads columns by
// id), is compressed with zstd, and is described by the returned DataFile: exact size, record
// count, row-group split offsets, per-column sizes, and for every primitive column outside lists
// and maps its value count, null count and lower/upper bounds. Bounds are exact or absent: a
// string bound is kept only if it is at most 16 characters (a longer lower bound is truncated,
// which stays a valid lower bound; a longer upper bound is dropped).
#pragma once

#include <arrow/io/file.h>
#include <arrow/record_batch.h>
#include <parquet/arrow/writer.h>
#include <parquet/column_writer.h>
#include <parquet/file_writer.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/column_metrics.h"
#include "lake/manifest.h"

namespace tradeflow::lake {

struct ParquetWriteOptions {
  int64_t row_group_rows = 128 * 1024;
  int compression_level = 3;  // zstd
  // A column chunk's dictionary may grow to this size before the column falls back to plain
  // encoding. Arrow's default (1 MiB) keeps near-unique columns (ids, timestamps) dictionary
  // encoded for a whole row group: hashing every value for nothing, and larger files than plain
  // encoding with zstd. Low-cardinality columns (enums, books, units) stay far below 64 KiB.
  int64_t dictionary_page_bytes = 64 * 1024;
};

// Writes one data file batch by batch, so that a file's rows never need to be in memory as Arrow
// all at once: each batch is encoded into the row group being built and its metrics folded in.
class ParquetFileWriter {
 public:
  static Result<std::unique_ptr<ParquetFileWriter>> Open(
      const std::string& local_path, const std::string& uri,
      const std::shared_ptr<arrow::Schema>& schema, const ParquetWriteOptions& options = {});
  ~ParquetFileWriter();

  Status Write(const arrow::RecordBatch& batch);
  // Finishes the file, fsyncs it and describes it. Call once.
  Result<DataFile> Close();

 private:
  ParquetFileWriter();
  Status Context(const Status& st) const;

  std::string local_path_;
  std::shared_ptr<arrow::io::FileOutputStream> out_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  ColumnMetricsBuilder metrics_;
  DataFile file_;
};

// Writes one data file from rows given column by column: for writers whose rows never exist as
// Arrow arrays (lake/row_writer.h shreds them into Parquet leaf columns). The file has the
// Parquet schema (from the Arrow schema, with field ids) and properties ParquetFileWriter uses
// for the same rows. Its metrics come from the Parquet footer (MetricsFromFooter: the same
// values, but no bounds for a column with a string over 4 KiB).
class ParquetColumnFileWriter {
 public:
  static Result<std::unique_ptr<ParquetColumnFileWriter>> Open(
      const std::string& local_path, const std::string& uri,
      const std::shared_ptr<arrow::Schema>& schema, const ParquetWriteOptions& options = {});
  ~ParquetColumnFileWriter();

  // The leaf columns, in the order Write asks for them.
  const parquet::SchemaDescriptor& schema() const { return *schema_; }

  // Adds `rows` rows: `write_column(i, writer)` must write those rows' levels and values of leaf
  // column i with `writer`; it is called for every column, in order. A new row group starts
  // first when these rows would take the current one past `row_group_rows`; the rows of one call
  // are never split, so calls of at most `row_group_rows` rows keep groups within it.
  using ColumnWriteFn = std::function<Status(int column, parquet::ColumnWriter* writer)>;
  Status Write(int64_t rows, const ColumnWriteFn& write_column);
  // Ends the row group being built (if any): the next Write starts a new one. Its pages go to
  // the file now, so that bytes_written() counts them.
  Status FinishRowGroup();
  // The file's size so far: every finished row group, not the one being built.
  int64_t bytes_written() const;
  // Row groups started so far.
  int row_groups() const { return writer_->num_row_groups(); }
  // Finishes the file, fsyncs it and describes it. Call once.
  Result<DataFile> Close();

 private:
  ParquetColumnFileWriter() = default;
  Status Context(const Status& st) const;

  std::string local_path_;
  ParquetWriteOptions options_;
  std::shared_ptr<parquet::SchemaDescriptor> schema_;
  std::shared_ptr<arrow::io::FileOutputStream> out_;
  std::unique_ptr<parquet::ParquetFileWriter> writer_;
  parquet::RowGroupWriter* group_ = nullptr;
  int64_t rows_in_group_ = 0;
  DataFile file_;
};

// Open + Write each batch + Close.
Result<DataFile> WriteParquetDataFile(
    const std::string& local_path, const std::string& uri,
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
    const ParquetWriteOptions& options = {});

}  // namespace tradeflow::lake
