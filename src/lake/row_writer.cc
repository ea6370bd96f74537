#include "lake/row_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/crash_points.h"
#include "lake/file_io.h"

namespace tradeflow::lake {

// One partition's rows: keys and rows back to back in 1 MiB blocks, so a million rows are a few
// hundred allocations rather than two million, and growing never copies what is there (one
// contiguous buffer doubling its capacity briefly held three times its rows).
struct RowWriter::Buffer {
  static constexpr size_t kBlockBytes = 1 << 20;
  struct Entry {
    const char* key;  // the row follows it
    uint32_t key_size;
    uint32_t row_size;
  };
  std::vector<PartitionValue> values;
  std::vector<std::unique_ptr<char[]>> blocks;
  size_t block_used = kBlockBytes;  // of the last block
  size_t bytes = 0;                 // keys and rows
  std::vector<Entry> entries;

  void Add(std::string_view key, std::string_view row) {
    const size_t size = key.size() + row.size();
    if (block_used + size > kBlockBytes) {
      blocks.emplace_back(new char[std::max(size, kBlockBytes)]);
      block_used = 0;
    }
    char* at = blocks.back().get() + block_used;
    std::memcpy(at, key.data(), key.size());
    std::memcpy(at + key.size(), row.data(), row.size());
    // An oversized row has its block to itself.
    block_used = size > kBlockBytes ? kBlockBytes : block_used + size;
    entries.push_back({at, static_cast<uint32_t>(key.size()), static_cast<uint32_t>(row.size())});
    bytes += size;
  }
  std::string_view Key(const Entry& e) const { return {e.key, e.key_size}; }
  std::string_view Row(const Entry& e) const { return {e.key + e.key_size, e.row_size}; }
};

RowWriter::RowWriter(std::string data_dir, std::string prefix,
                     std::shared_ptr<arrow::Schema> schema, PartitionSpec spec,
                     RowEncoderFactory encoder, RowWriterOptions options, ThreadPool* pool)
    : data_dir_(std::move(data_dir)),
      prefix_(std::move(prefix)),
      schema_(std::move(schema)),
      spec_(std::move(spec)),
      encoder_(std::move(encoder)),
      options_(std::move(options)),
      pool_(pool) {}

RowWriter::~RowWriter() {
  for (auto& f : in_flight_) f.wait();
}

Status RowWriter::Add(const std::vector<PartitionValue>& partition, std::string_view sort_key,
                      std::string_view row) {
  auto& slot = buffers_[partition];
  if (!slot) {
    slot = std::make_unique<Buffer>();
    slot->values = partition;
  }
  Buffer& buffer = *slot;
  // Written before it would pass the target, so a file stays at or under it.
  const int64_t size = static_cast<int64_t>(sort_key.size() + row.size());
  if (!buffer.entries.empty() &&
      static_cast<int64_t>(buffer.bytes) + size > options_.target_file_bytes) {
    TF_RETURN_IF_ERROR(Flush(&buffer));
  }
  buffer.Add(sort_key, row);
  buffered_bytes_ += size;
  while (buffered_bytes_ > options_.max_buffered_bytes) {
    Buffer* largest = nullptr;
    for (auto& [values, b] : buffers_) {
      if (largest == nullptr || b->bytes > largest->bytes) largest = b.get();
    }
    if (largest == nullptr || largest->entries.empty()) break;
    TF_RETURN_IF_ERROR(Flush(largest));
  }
  return Status::OK();
}

// Shreds a buffer's rows in key order (stable: equal keys keep their arrival order) into Parquet
// columns and writes them as one file. Runs on the pool: touches only `rows` and members that do
// not change after construction.
Result<DataFile> RowWriter::WriteFile(const std::string& path, const Buffer& rows) const {
  std::vector<uint32_t> order(rows.entries.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&rows](uint32_t a, uint32_t b) {
    return rows.Key(rows.entries[a]) < rows.Key(rows.entries[b]);
  });
  TF_ASSIGN_OR_RETURN(
      auto writer, ParquetColumnFileWriter::Open(path, ToFileUri(path), schema_, options_.parquet));
  TF_ASSIGN_OR_RETURN(auto encoder, encoder_(writer->schema()));
  auto write_column = [&encoder](int column, parquet::ColumnWriter* w) {
    return encoder->WriteColumn(column, w);
  };
  // Batch by batch: a file's rows are never all in memory as columns at once. A batch stays
  // within a row group (the writer does not split one).
  const int64_t batch_rows =
      std::max<int64_t>(1, std::min(options_.rows_per_batch, options_.parquet.row_group_rows));
  int64_t in_batch = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    TF_RETURN_IF_ERROR(encoder->Append(rows.Row(rows.entries[order[k]])));
    if (++in_batch == batch_rows || k + 1 == order.size()) {
      TF_RETURN_IF_ERROR(writer->Write(in_batch, write_column));
      encoder->Clear();
      in_batch = 0;
    }
  }
  TF_ASSIGN_OR_RETURN(DataFile file, writer->Close());
  file.partition = rows.values;
  file.sort_order_id = options_.sort_order_id;
  CrashPoint("data-file-written");
  return file;
}

Status RowWriter::Flush(Buffer* buffer) {
  if (buffer->entries.empty()) return Status::OK();
  TF_RETURN_IF_ERROR(WaitForRoom());
  char name[32];
  std::snprintf(name, sizeof name, "-%05d.parquet", ++file_count_);
  std::string folder = data_dir_;
  if (!spec_.fields.empty()) folder += "/" + PartitionPath(spec_, buffer->values);
  std::string path = folder + "/" + prefix_ + name;

  // The task owns the rows; the buffer starts over empty.
  auto rows = std::make_shared<Buffer>();
  rows->values = buffer->values;
  rows->blocks.swap(buffer->blocks);
  rows->entries.swap(buffer->entries);
  rows->bytes = buffer->bytes;
  buffer->bytes = 0;
  buffer->block_used = Buffer::kBlockBytes;
  buffered_bytes_ -= static_cast<int64_t>(rows->bytes);
  // A file that failed is removed at once (Parquet's writer still closes it with a footer), so
  // that it does not wait in the data folder for the next run's orphan cleanup.
  auto task = [this, path, rows]() {
    Result<DataFile> file = WriteFile(path, *rows);
    if (!file.ok()) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
    return file;
  };
  if (pool_ == nullptr) {
    TF_ASSIGN_OR_RETURN(DataFile file, task());
    files_.push_back(std::move(file));
    return Status::OK();
  }
  in_flight_.push_back(pool_->Submit(std::move(task)));
  return Status::OK();
}

// Waits until fewer than max_files_in_flight files are being written: for whichever finishes
// first, not the oldest, so that no core idles behind a longer file. Finished files are taken
// in the order they were started.
Status RowWriter::WaitForRoom() {
  using namespace std::chrono_literals;
  auto done = [](std::future<Result<DataFile>>& f) {
    return f.wait_for(0s) == std::future_status::ready;
  };
  for (;;) {
    while (!in_flight_.empty() && done(in_flight_.front())) TF_RETURN_IF_ERROR(TakeOldest());
    int writing = 0;
    std::future<Result<DataFile>>* some = nullptr;
    for (auto& f : in_flight_) {
      if (!done(f)) {
        ++writing;
        if (some == nullptr) some = &f;
      }
    }
    if (writing < std::max(1, options_.max_files_in_flight)) return Status::OK();
    some->wait_for(1ms);  // a file task takes tens of milliseconds at least
  }
}

Status RowWriter::TakeOldest() {
  Result<DataFile> file = in_flight_.front().get();
  in_flight_.pop_front();
  if (!file.ok()) return file.status();
  files_.push_back(std::move(*file));
  return Status::OK();
}

void RowWriter::Abandon() {
  buffers_.clear();
  buffered_bytes_ = 0;
  while (!in_flight_.empty()) (void)TakeOldest();  // a failed file left nothing to list
  RemoveDataFiles(files_);
  files_.clear();
}

Result<std::vector<DataFile>> RowWriter::Finish() {
  // Largest first, so that the cores finish together: the last files to start are the shortest.
  std::vector<Buffer*> rest;
  for (auto& [values, buffer] : buffers_) rest.push_back(buffer.get());
  std::stable_sort(rest.begin(), rest.end(),
                   [](const Buffer* a, const Buffer* b) { return a->bytes > b->bytes; });
  for (Buffer* buffer : rest) TF_RETURN_IF_ERROR(Flush(buffer));
  buffers_.clear();
  Status first_error;
  while (!in_flight_.empty()) {
    Status st = TakeOldest();
    if (first_error.ok() && !st.ok()) first_error = st;
  }
  if (!first_error.ok()) return first_error;
  return files_;
}

}  // namespace tradeflow::lake
