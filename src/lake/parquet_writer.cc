#include "lake/parquet_writer.h"

#include <arrow/io/file.h>
#include <arrow/table.h>
#include <fcntl.h>
#include <parquet/arrow/schema.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <unistd.h>

#include <filesystem>

#include "common/arrow_status.h"
#include "lake/column_metrics.h"

namespace tradeflow::lake {

namespace {

// Column statistics are skipped for columns inside lists and maps: Iceberg keeps no metrics for
// them and no reader prunes on them, and computing them was a tenth of the Parquet encoding.
Result<std::shared_ptr<parquet::WriterProperties>> WriterProperties(const arrow::Schema& schema,
                                                                    const ParquetWriteOptions& o) {
  parquet::WriterProperties::Builder builder;
  builder.compression(parquet::Compression::ZSTD)
      ->compression_level(o.compression_level)
      ->max_row_group_length(o.row_group_rows)
      ->created_by("tradeflow");
  auto arrow_props = parquet::ArrowWriterProperties::Builder().build();
  std::shared_ptr<parquet::SchemaDescriptor> parquet_schema;
  TF_RETURN_IF_ARROW_ERROR(
      parquet::arrow::ToParquetSchema(&schema, *builder.build(), *arrow_props, &parquet_schema));
  for (int i = 0; i < parquet_schema->num_columns(); ++i) {
    const parquet::ColumnDescriptor* column = parquet_schema->Column(i);
    if (column->max_repetition_level() > 0) builder.disable_statistics(column->path());
  }
  return builder.build();
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
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(local_path).parent_path(), ec);
  if (ec) return Status::IOError(local_path + ": cannot create folder: " + ec.message());
  auto opened = FromArrow(arrow::io::FileOutputStream::Open(local_path));
  if (!opened.ok()) return w->Context(opened.status());
  w->out_ = *opened;
  auto arrow_props = parquet::ArrowWriterProperties::Builder().build();
  auto properties = WriterProperties(*schema, options);
  if (!properties.ok()) return w->Context(properties.status());
  auto writer = FromArrow(parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(),
                                                           w->out_, *properties, arrow_props));
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
  // FileOutputStream::Close does not fsync; the commit must only ever reference durable files.
  {
    int fd = ::open(local_path_.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) return Status::IOError(local_path_ + ": fsync failed");
    ::close(fd);
  }
  std::error_code ec;
  file_.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(local_path_, ec));
  if (ec) return Status::IOError(local_path_ + ": " + ec.message());
  FillFromFooter(*writer_->metadata(), &file_);
  ColumnMetrics metrics = metrics_.Finish();
  file_.value_counts = std::move(metrics.value_counts);
  file_.null_value_counts = std::move(metrics.null_value_counts);
  file_.lower_bounds = std::move(metrics.lower_bounds);
  file_.upper_bounds = std::move(metrics.upper_bounds);
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
