#include "lake/parquet_writer.h"

#include <arrow/io/file.h>
#include <arrow/table.h>
#include <fcntl.h>
#include <parquet/arrow/schema.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <unistd.h>

#include <filesystem>

#include "common/arrow_status.h"
#include "lake/column_metrics.h"

namespace tradeflow::lake {

namespace {

// The Parquet schema of an Arrow schema, with its field ids, as Arrow's writer derives it.
Result<std::shared_ptr<parquet::SchemaDescriptor>> ParquetSchema(const arrow::Schema& schema) {
  std::shared_ptr<parquet::SchemaDescriptor> out;
  TF_RETURN_IF_ARROW_ERROR(
      parquet::arrow::ToParquetSchema(&schema, *parquet::WriterProperties::Builder().build(),
                                      *parquet::ArrowWriterProperties::Builder().build(), &out));
  return out;
}

// Column statistics are skipped for columns inside lists and maps: Iceberg keeps no metrics for
// them and no reader prunes on them, and computing them was a tenth of the Parquet encoding.
std::shared_ptr<parquet::WriterProperties> WriterProperties(const parquet::SchemaDescriptor& schema,
                                                            const ParquetWriteOptions& o) {
  parquet::WriterProperties::Builder builder;
  builder.compression(parquet::Compression::ZSTD)
      ->compression_level(o.compression_level)
      ->max_row_group_length(o.row_group_rows)
      ->dictionary_pagesize_limit(o.dictionary_page_bytes)
      // In the form the Parquet spec gives ("<app> version <version>"): parquet-mr ignores the
      // statistics of string columns written by an application whose name it cannot parse
      // (PARQUET-251), so Spark and Java Iceberg readers would not prune row groups on them.
      ->created_by("tradeflow version " TRADEFLOW_VERSION);
  for (int i = 0; i < schema.num_columns(); ++i) {
    const parquet::ColumnDescriptor* column = schema.Column(i);
    if (column->max_repetition_level() > 0) builder.disable_statistics(column->path());
  }
  return builder.build();
}

Result<std::shared_ptr<arrow::io::FileOutputStream>> CreateFile(const std::string& local_path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(local_path).parent_path(), ec);
  if (ec) return Status::IOError(local_path + ": cannot create folder: " + ec.message());
  return FromArrow(arrow::io::FileOutputStream::Open(local_path));
}

// FileOutputStream::Close does not fsync; the commit must only ever reference durable files.
Result<int64_t> SyncAndSize(const std::string& local_path) {
  int fd = ::open(local_path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return Status::IOError(local_path + ": fsync failed");
  }
  ::close(fd);
  std::error_code ec;
  auto size = static_cast<int64_t>(std::filesystem::file_size(local_path, ec));
  if (ec) return Status::IOError(local_path + ": " + ec.message());
  return size;
}

void SetMetrics(ColumnMetrics metrics, DataFile* out) {
  out->value_counts = std::move(metrics.value_counts);
  out->null_value_counts = std::move(metrics.null_value_counts);
  out->lower_bounds = std::move(metrics.lower_bounds);
  out->upper_bounds = std::move(metrics.upper_bounds);
}

// Iceberg wants the split offsets ascending: the start of each row group.
void FillFromFooter(const parquet::FileMetaData& meta, DataFile* out) {
  const auto* schema = meta.schema();
  for (int rg = 0; rg < meta.num_row_groups(); ++rg) {
    auto group = meta.RowGroup(rg);
    auto first = group->ColumnChunk(0);
    out->split_offsets.push_back(first->has_dictionary_page() ? first->dictionary_page_offset()
                                                              : first->data_page_offset());
    for (int c = 0; c < group->num_columns(); ++c) {
      int32_t id = schema->Column(c)->schema_node()->field_id();
      if (id >= 0) out->column_sizes[id] += group->ColumnChunk(c)->total_compressed_size();
    }
  }
}

}  // namespace

ParquetFileWriter::ParquetFileWriter() = default;
ParquetFileWriter::~ParquetFileWriter() = default;

Result<std::unique_ptr<ParquetFileWriter>> ParquetFileWriter::Open(
    const std::string& local_path, const std::string& uri,
    const std::shared_ptr<arrow::Schema>& schema, const ParquetWriteOptions& options) {
  auto w = std::unique_ptr<ParquetFileWriter>(new ParquetFileWriter());
  w->local_path_ = local_path;
  w->file_.file_path = uri;
  auto opened = CreateFile(local_path);
  if (!opened.ok()) return w->Context(opened.status());
  w->out_ = *opened;
  auto arrow_props = parquet::ArrowWriterProperties::Builder().build();
  auto parquet_schema = ParquetSchema(*schema);
  if (!parquet_schema.ok()) return w->Context(parquet_schema.status());
  auto writer = FromArrow(
      parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), w->out_,
                                       WriterProperties(**parquet_schema, options), arrow_props));
  if (!writer.ok()) return w->Context(writer.status());
  w->writer_ = std::move(*writer);
  return w;
}

Status ParquetFileWriter::Context(const Status& st) const {
  return st.WithContext("writing " + local_path_);
}

Status ParquetFileWriter::Write(const arrow::RecordBatch& batch) {
  Status st = FromArrow(writer_->WriteRecordBatch(batch));
  if (!st.ok()) return Context(st);
  metrics_.Add(batch);
  file_.record_count += batch.num_rows();
  return Status::OK();
}

Result<DataFile> ParquetFileWriter::Close() {
  Status st = FromArrow(writer_->Close());
  if (st.ok()) st = FromArrow(out_->Close());
  if (!st.ok()) return Context(st);
  TF_ASSIGN_OR_RETURN(file_.file_size_in_bytes, SyncAndSize(local_path_));
  FillFromFooter(*writer_->metadata(), &file_);
  SetMetrics(metrics_.Finish(), &file_);
  return std::move(file_);
}

ParquetColumnFileWriter::~ParquetColumnFileWriter() = default;

Result<std::unique_ptr<ParquetColumnFileWriter>> ParquetColumnFileWriter::Open(
    const std::string& local_path, const std::string& uri,
    const std::shared_ptr<arrow::Schema>& schema, const ParquetWriteOptions& options) {
  auto w = std::unique_ptr<ParquetColumnFileWriter>(new ParquetColumnFileWriter());
  w->local_path_ = local_path;
  w->options_ = options;
  w->file_.file_path = uri;
  auto parquet_schema = ParquetSchema(*schema);
  if (!parquet_schema.ok()) return w->Context(parquet_schema.status());
  w->schema_ = *parquet_schema;
  auto opened = CreateFile(local_path);
  if (!opened.ok()) return w->Context(opened.status());
  w->out_ = *opened;
  auto root = std::static_pointer_cast<parquet::schema::GroupNode>(w->schema_->schema_root());
  try {
    w->writer_ =
        parquet::ParquetFileWriter::Open(w->out_, root, WriterProperties(*w->schema_, options));
  } catch (const parquet::ParquetException& e) {
    return w->Context(Status::IOError(e.what()));
  }
  return w;
}

Status ParquetColumnFileWriter::Context(const Status& st) const {
  return st.WithContext("writing " + local_path_);
}

Status ParquetColumnFileWriter::Write(int64_t rows, const ColumnWriteFn& write_column) {
  if (rows == 0) return Status::OK();
  try {
    if (group_ == nullptr ||
        (rows_in_group_ > 0 && rows_in_group_ + rows > options_.row_group_rows)) {
      if (group_ != nullptr) group_->Close();
      group_ = writer_->AppendBufferedRowGroup();
      rows_in_group_ = 0;
    }
    for (int c = 0; c < schema_->num_columns(); ++c) {
      Status st = write_column(c, group_->column(c));
      if (!st.ok()) return Context(st);
    }
  } catch (const parquet::ParquetException& e) {
    return Context(Status::IOError(e.what()));
  }
  rows_in_group_ += rows;
  return Status::OK();
}

Status ParquetColumnFileWriter::FinishRowGroup() {
  if (group_ == nullptr) return Status::OK();
  try {
    group_->Close();
  } catch (const parquet::ParquetException& e) {
    return Context(Status::IOError(e.what()));
  }
  group_ = nullptr;
  rows_in_group_ = 0;
  return Status::OK();
}

int64_t ParquetColumnFileWriter::bytes_written() const {
  auto position = out_->Tell();
  return position.ok() ? *position : 0;
}

Result<DataFile> ParquetColumnFileWriter::Close() {
  try {
    if (group_ != nullptr) group_->Close();
    writer_->Close();
  } catch (const parquet::ParquetException& e) {
    return Context(Status::IOError(e.what()));
  }
  Status st = FromArrow(out_->Close());
  if (!st.ok()) return Context(st);
  TF_ASSIGN_OR_RETURN(file_.file_size_in_bytes, SyncAndSize(local_path_));
  const parquet::FileMetaData& footer = *writer_->metadata();
  file_.record_count = footer.num_rows();
  FillFromFooter(footer, &file_);
  SetMetrics(MetricsFromFooter(footer), &file_);
  return std::move(file_);
}

Result<DataFile> WriteParquetDataFile(
    const std::string& local_path, const std::string& uri,
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
    const ParquetWriteOptions& options) {
  TF_ASSIGN_OR_RETURN(auto writer, ParquetFileWriter::Open(local_path, uri, schema, options));
  for (const auto& batch : batches) TF_RETURN_IF_ERROR(writer->Write(*batch));
  return writer->Close();
}

}  // namespace tradeflow::lake
