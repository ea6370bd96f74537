#include "lake/data_writer.h"

#include <arrow/compute/api.h>
#include <arrow/table.h>
#include <arrow/util/byte_size.h>

#include <cstdio>

#include "common/arrow_status.h"
#include "common/crash_points.h"
#include "lake/file_io.h"

namespace tradeflow::lake {
namespace {

// Concatenates and sorts a partition's rows.
Result<std::shared_ptr<arrow::RecordBatch>> SortedRows(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
    const std::vector<SortKey>& sort) {
  TF_ASSIGN_OR_RETURN_ARROW(auto table, arrow::Table::FromRecordBatches(schema, batches));
  TF_ASSIGN_OR_RETURN_ARROW(auto combined, table->CombineChunksToBatch());
  if (sort.empty() || combined->num_rows() < 2) return combined;
  TF_RETURN_IF_ERROR(EnsureArrowCompute());
  std::vector<arrow::compute::SortKey> keys;
  for (const auto& k : sort) {
    // As the sort order says (SortKey::NullsFirst).
    TF_ASSIGN_OR_RETURN_ARROW(arrow::FieldRef ref, arrow::FieldRef::FromDotPath("." + k.column));
    keys.emplace_back(
        std::move(ref),
        k.descending ? arrow::compute::SortOrder::Descending : arrow::compute::SortOrder::Ascending,
        k.NullsFirst() ? arrow::compute::NullPlacement::AtStart
                       : arrow::compute::NullPlacement::AtEnd);
  }
  arrow::compute::SortOptions options(keys);
  TF_ASSIGN_OR_RETURN_ARROW(auto indices, arrow::compute::SortIndices(combined, options));
  TF_ASSIGN_OR_RETURN_ARROW(auto taken, arrow::compute::Take(combined, indices));
  return taken.record_batch();
}

}  // namespace

DataWriter::DataWriter(std::string data_dir, std::string prefix,
                       std::shared_ptr<arrow::Schema> schema, Partitioner partitioner,
                       DataWriterOptions options)
    : data_dir_(std::move(data_dir)),
      prefix_(std::move(prefix)),
      schema_(std::move(schema)),
      partitioner_(std::move(partitioner)),
      options_(std::move(options)) {}

Status DataWriter::Write(const std::shared_ptr<arrow::RecordBatch>& batch) {
  if (batch->num_rows() == 0) return Status::OK();
  TF_ASSIGN_OR_RETURN(auto parts, partitioner_.Split(batch));
  for (auto& part : parts) {
    Buffer& buffer = buffers_[part.values];
    buffer.values = part.values;
    int64_t bytes = static_cast<int64_t>(arrow::util::TotalBufferSize(*part.rows));
    buffer.batches.push_back(std::move(part.rows));
    buffer.bytes += bytes;
    buffered_bytes_ += bytes;
    if (buffer.bytes >= options_.target_file_bytes) TF_RETURN_IF_ERROR(Flush(&buffer));
  }
  while (buffered_bytes_ > options_.max_buffered_bytes) {
    Buffer* largest = nullptr;
    for (auto& [key, b] : buffers_) {
      if (largest == nullptr || b.bytes > largest->bytes) largest = &b;
    }
    if (largest == nullptr || largest->bytes == 0) break;
    TF_RETURN_IF_ERROR(Flush(largest));
  }
  return Status::OK();
}

Status DataWriter::Flush(Buffer* buffer) {
  if (buffer->batches.empty()) return Status::OK();
  TF_ASSIGN_OR_RETURN(auto rows, SortedRows(schema_, buffer->batches, options_.sort));
  char name[32];
  std::snprintf(name, sizeof name, "-%05d.parquet", ++file_count_);
  std::string folder = data_dir_;
  if (!partitioner_.spec().fields.empty()) {
    folder += "/" + PartitionPath(partitioner_.spec(), buffer->values);
  }
  std::string path = folder + "/" + prefix_ + name;
  auto written = WriteParquetDataFile(path, ToFileUri(path), schema_, {rows}, options_.parquet);
  if (!written.ok()) {
    (void)RemoveFileIfExists(path);  // a partial file no list would name
    return written.status();
  }
  DataFile file = std::move(*written);
  file.partition = buffer->values;
  file.sort_order_id = options_.sort_order_id;
  files_.push_back(std::move(file));
  CrashPoint("data-file-written");
  buffered_bytes_ -= buffer->bytes;
  buffer->batches.clear();
  buffer->bytes = 0;
  return Status::OK();
}

void DataWriter::Abandon() {
  buffers_.clear();
  buffered_bytes_ = 0;
  RemoveDataFiles(files_);
  files_.clear();
}

Result<std::vector<DataFile>> DataWriter::Finish() {
  for (auto& [key, buffer] : buffers_) TF_RETURN_IF_ERROR(Flush(&buffer));
  buffers_.clear();
  return files_;
}

}  // namespace tradeflow::lake
