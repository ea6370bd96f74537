#include "lake/row_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

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

// A partition's data file, open for its next rows. Owned by the writer while idle and by the one
// task writing it while busy.
struct RowWriter::OpenFile {
  std::vector<PartitionValue> values;
  int number = 0;
  std::string path;
  std::unique_ptr<ParquetColumnFileWriter> writer;  // null until its first rows
  int64_t encoded_bytes = 0;                        // the rows written, as they were buffered
  int writes = 0;
  uint64_t last_flush = 0;  // when the writer last gave it rows: the idle longest closes first

  // Drops the file (Parquet's writer still finishes it on destruction) and removes it.
  void Remove() {
    writer.reset();
    if (!path.empty()) (void)RemoveFileIfExists(path);
  }
};

namespace {

// What Parquet keeps in memory per column chunk until its file is closed (the chunk's metadata,
// statistics and page index): measured at 1.6 to 2.8 KB for trade_events' columns.
constexpr int64_t kFooterMemoryPerColumnChunk = 3 << 10;

// Runs `fn` on `pool`, or at once without one: either way its result comes as a future. An
// exception (bad_alloc, say) becomes an error rather than escaping a worker.
template <typename Fn>
auto RunTask(ThreadPool* pool, Fn fn) -> std::future<std::invoke_result_t<Fn&>> {
  auto guarded = [fn = std::move(fn)]() mutable -> std::invoke_result_t<Fn&> {
    try {
      return fn();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("writing a data file: ") + e.what());
    }
  };
  if (pool != nullptr) return pool->Submit(std::move(guarded));
  std::promise<std::invoke_result_t<Fn&>> done;
  done.set_value(guarded());
  return done.get_future();
}

}  // namespace

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

// Finish and Abandon both leave no task in flight.
RowWriter::~RowWriter() {
  if (!finished_) Abandon();
}

Status RowWriter::Add(const std::vector<PartitionValue>& partition, std::string_view sort_key,
                      std::string_view row) {
  auto& slot = buffers_[partition];
  if (!slot) {
    slot = std::make_unique<Buffer>();
    slot->values = partition;
  }
  slot->Add(sort_key, row);
  buffered_bytes_ += static_cast<int64_t>(sort_key.size() + row.size());
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

Status RowWriter::Open(OpenFile* file) const {
  file->number = ++file_count_;
  char name[32];
  std::snprintf(name, sizeof name, "-%05d.parquet", file->number);
  std::string folder = data_dir_;
  if (!spec_.fields.empty()) folder += "/" + PartitionPath(spec_, file->values);
  file->path = folder + "/" + prefix_ + name;
  TF_ASSIGN_OR_RETURN(file->writer, ParquetColumnFileWriter::Open(file->path, ToFileUri(file->path),
                                                                  schema_, options_.parquet));
  // A guess until a file is closed: a column chunk's metadata with its statistics.
  int64_t unknown = -1;
  footer_bytes_per_row_group_.compare_exchange_strong(unknown,
                                                      150LL * file->writer->schema().num_columns());
  return Status::OK();
}

// The footer grows by a row group's column chunk metadata (statistics, offsets) with each row
// group: with small row groups of a wide schema it is a good part of the file.
int64_t RowWriter::SizeWithFooter(const OpenFile& file, int row_groups) const {
  return file.writer->bytes_written() + row_groups * footer_bytes_per_row_group_.load();
}

int64_t RowWriter::FooterMemory(const OpenFile& file) const {
  if (file.writer == nullptr) return 0;
  return int64_t{file.writer->row_groups()} * file.writer->schema().num_columns() *
         kFooterMemoryPerColumnChunk;
}

Result<RowWriter::ClosedFile> RowWriter::CloseFile(OpenFile* file) const {
  const int64_t data_bytes = file->writer->bytes_written();
  const int row_groups = file->writer->row_groups();
  if (file->encoded_bytes > 0) {
    disk_ppm_per_encoded_byte_ = static_cast<int64_t>(1e6 * static_cast<double>(data_bytes) /
                                                      static_cast<double>(file->encoded_bytes));
  }
  TF_ASSIGN_OR_RETURN(DataFile closed, file->writer->Close());
  // A file of one row group has the schema's part of the footer to itself: not a measure.
  if (row_groups > 1) {
    footer_bytes_per_row_group_ =
        (closed.file_size_in_bytes - data_bytes + row_groups - 1) / row_groups;
  }
  closed.partition = file->values;
  // Rows are sorted write by write: only a file written in one go is sorted as a whole.
  if (file->writes == 1) closed.sort_order_id = options_.sort_order_id;
  CrashPoint("data-file-written");
  PausePoint("data-file-written");
  return ClosedFile{file->number, std::move(closed)};
}

// The bytes on disk an encoded byte takes: the file's own rows' so far, or else the last closed
// file's, or else a guess on the large side (Parquet with zstd takes a twelfth of trade_events'
// serialized rows): a first write then fills a file only partly, and the next fill it up.
double RowWriter::DiskBytesPerEncodedByte(const OpenFile& file) const {
  if (file.writer != nullptr && file.encoded_bytes > 0) {
    return static_cast<double>(file.writer->bytes_written()) /
           static_cast<double>(file.encoded_bytes);
  }
  const int64_t learnt = disk_ppm_per_encoded_byte_.load();
  return learnt > 0 ? static_cast<double>(learnt) / 1e6 : 0.25;
}

// Sorts a buffer's rows by key (stable: equal keys keep their arrival order) and writes them to
// `file`, closing it when it reaches the target size and going on in a new one: the rows that
// fit, by the estimate above, go to the file as a row group, and then as many more as still fit
// by what its rows take on disk, until it is full; the rest go to the next. So each file holds a
// sorted run of the rows (all of them when written from one buffer) and stays within the target
// even when a buffer's rows take more than that on disk.
Result<RowWriter::TaskResult> RowWriter::WriteRows(std::unique_ptr<OpenFile> file,
                                                   const Buffer& rows) const {
  TaskResult out;
  auto fail = [&out, &file](const Status& st) {
    if (file) file->Remove();
    for (const ClosedFile& closed : out.closed) RemoveDataFiles({closed.file});
    return st;
  };
  auto roll = [this, &out, &file]() -> Status {
    TF_ASSIGN_OR_RETURN(ClosedFile closed, CloseFile(file.get()));
    out.closed.push_back(std::move(closed));
    auto next = std::make_unique<OpenFile>();
    next->values = std::move(file->values);
    next->last_flush = file->last_flush;
    file = std::move(next);
    return Status::OK();
  };
  const std::vector<uint32_t> order = SortedOrder(rows);
  const OpenFile* continued = nullptr;  // written already in this call: its run goes on
  size_t next = 0;
  while (next < order.size()) {
    const size_t end = RowsThatFit(*file, rows, order, next);
    if (end == next) {  // not even one row: the file is full
      Status rolled = roll();
      if (!rolled.ok()) return fail(rolled);
      continue;
    }
    if (file->writer == nullptr) {
      Status opened = Open(file.get());
      if (!opened.ok()) return fail(opened);
    }
    int64_t bytes = 0;
    Status written = WriteSorted(rows, order, next, end, file->writer.get(), &bytes);
    if (!written.ok()) return fail(written);
    file->encoded_bytes += bytes;
    if (continued != file.get()) ++file->writes;  // a new sorted run in the file
    continued = file.get();
    next = end;
    // The rest go on in this file while it has room by what its rows now take (the first
    // write's estimate may be far off), else in a new one (the next turn of the loop).
    if (next == order.size() &&
        SizeWithFooter(*file, file->writer->row_groups()) >= options_.target_file_bytes) {
      auto closed = CloseFile(file.get());
      if (!closed.ok()) return fail(closed.status());
      out.closed.push_back(std::move(*closed));
      file.reset();
    }
  }
  out.open = std::move(file);
  return out;
}

std::vector<uint32_t> RowWriter::SortedOrder(const Buffer& rows) {
  std::vector<uint32_t> order(rows.entries.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&rows](uint32_t a, uint32_t b) {
    return rows.Key(rows.entries[a]) < rows.Key(rows.entries[b]);
  });
  return order;
}

// How far from `next` the rows in `order` fit in `file`'s room up to the target: at least one
// in an empty file, none when a file that has rows is full. A file with rows counts as full
// when the room left would hold a sliver of the rows at hand (under an eighth of what the file
// holds), which would only make a row group of a few rows: they start the next file instead.
size_t RowWriter::RowsThatFit(const OpenFile& file, const Buffer& rows,
                              const std::vector<uint32_t>& order, size_t next) const {
  const double per_byte = DiskBytesPerEncodedByte(file);
  const bool empty = file.writer == nullptr || file.encoded_bytes == 0;
  const int64_t used = empty ? std::max<int64_t>(0, footer_bytes_per_row_group_.load())
                             : SizeWithFooter(file, file.writer->row_groups() + 1);
  const double room = static_cast<double>(options_.target_file_bytes - used) / per_byte;
  double taken = 0;
  size_t end = next;
  while (end < order.size()) {
    const auto& entry = rows.entries[order[end]];
    taken += static_cast<double>(entry.key_size + entry.row_size);
    if (taken > room && !(empty && end == next)) break;
    ++end;
  }
  const bool sliver =
      !empty && end < order.size() && taken * 8 < static_cast<double>(file.encoded_bytes);
  return sliver ? next : end;
}

// Shreds rows order[from, to) into Parquet columns as one row group (or more, past the Parquet
// options' row_group_rows) of `writer`; `bytes` is set to their encoded size.
Status RowWriter::WriteSorted(const Buffer& rows, const std::vector<uint32_t>& order, size_t from,
                              size_t to, ParquetColumnFileWriter* writer, int64_t* bytes) const {
  TF_ASSIGN_OR_RETURN(auto encoder, encoder_(writer->schema()));
  auto write_column = [&encoder](int column, parquet::ColumnWriter* w) {
    return encoder->WriteColumn(column, w);
  };
  // Batch by batch: the rows are never all in memory as columns at once. A batch stays within a
  // row group (the writer does not split one).
  const int64_t batch_rows =
      std::max<int64_t>(1, std::min(options_.rows_per_batch, options_.parquet.row_group_rows));
  int64_t in_batch = 0;
  *bytes = 0;
  for (size_t k = from; k < to; ++k) {
    const auto& entry = rows.entries[order[k]];
    *bytes += entry.key_size + entry.row_size;
    TF_RETURN_IF_ERROR(encoder->Append(rows.Row(entry)));
    if (++in_batch == batch_rows || k + 1 == to) {
      TF_RETURN_IF_ERROR(writer->Write(in_batch, write_column));
      encoder->Clear();
      in_batch = 0;
    }
  }
  return writer->FinishRowGroup();
}

Status RowWriter::Flush(Buffer* buffer) {
  if (buffer->entries.empty()) return Status::OK();
  TF_RETURN_IF_ERROR(WaitForRoom());

  // The task owns the rows; the buffer starts over empty.
  auto rows = std::make_shared<Buffer>();
  rows->values = buffer->values;
  rows->blocks.swap(buffer->blocks);
  rows->entries.swap(buffer->entries);
  rows->bytes = buffer->bytes;
  buffer->bytes = 0;
  buffer->block_used = Buffer::kBlockBytes;
  buffered_bytes_ -= static_cast<int64_t>(rows->bytes);

  // The partition's fullest idle file, so that its files fill one by one rather than in turn;
  // or a new one (its files are busy, or there is none).
  auto fullest = idle_.end();
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    if ((*it)->values == rows->values &&
        (fullest == idle_.end() || (*it)->encoded_bytes > (*fullest)->encoded_bytes)) {
      fullest = it;
    }
  }
  std::unique_ptr<OpenFile> file;
  if (fullest != idle_.end()) {
    file = std::move(*fullest);
    idle_.erase(fullest);
  } else {
    MakeRoomForAFile();
    file = std::make_unique<OpenFile>();
    file->values = rows->values;
    ++open_files_;
  }
  file->last_flush = ++flushes_;
  Submit(std::move(file),
         [this, rows](std::unique_ptr<OpenFile> f) { return WriteRows(std::move(f), *rows); });
  return Status::OK();
}

// `task` is given the file on the pool. The file's footer memory counts until the task is
// collected, or from now on not at all if the task closes the file.
template <typename Fn>
void RowWriter::Submit(std::unique_ptr<OpenFile> file, Fn task, bool closes) {
  int64_t footer_memory = FooterMemory(*file);
  if (closes) {
    footer_memory_ -= footer_memory;
    footer_memory = 0;
  }
  auto run = [task = std::move(task), file = std::move(file)]() mutable {
    return task(std::move(file));
  };
  in_flight_.push_back(Task{RunTask(pool_, std::move(run)), footer_memory});
}

void RowWriter::SubmitClose(std::unique_ptr<OpenFile> file) {
  Submit(
      std::move(file),
      [this](std::unique_ptr<OpenFile> f) -> Result<TaskResult> {
        auto closed = CloseFile(f.get());
        if (!closed.ok()) {
          f->Remove();
          return closed.status();
        }
        TaskResult out;
        out.closed.push_back(std::move(*closed));
        return out;
      },
      /*closes=*/true);
}

void RowWriter::MakeRoomForAFile() {
  if (open_files_ < options_.max_open_files || idle_.empty()) return;
  auto oldest = std::min_element(idle_.begin(), idle_.end(), [](const auto& a, const auto& b) {
    return a->last_flush < b->last_flush;
  });
  std::unique_ptr<OpenFile> file = std::move(*oldest);
  idle_.erase(oldest);
  SubmitClose(std::move(file));
}

void RowWriter::BoundFooterMemory() {
  while (footer_memory_ > options_.max_footer_memory && !idle_.empty()) {
    auto most = std::max_element(idle_.begin(), idle_.end(), [this](const auto& a, const auto& b) {
      return FooterMemory(*a) < FooterMemory(*b);
    });
    std::unique_ptr<OpenFile> file = std::move(*most);
    idle_.erase(most);
    SubmitClose(std::move(file));
  }
}

// Waits until fewer than max_tasks_in_flight tasks are running or queued: for whichever finishes
// first, not the oldest, so that no core idles behind a longer write.
Status RowWriter::WaitForRoom() {
  using namespace std::chrono_literals;
  for (;;) {
    TF_RETURN_IF_ERROR(CollectFinished());
    if (in_flight_.size() < static_cast<size_t>(std::max(1, options_.max_tasks_in_flight))) {
      return Status::OK();
    }
    in_flight_.front().result.wait_for(1ms);  // a write takes tens of milliseconds at least
  }
}

Status RowWriter::CollectFinished() {
  using namespace std::chrono_literals;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->result.wait_for(0s) != std::future_status::ready) {
      ++it;
      continue;
    }
    Status st = Collect(&*it);
    it = in_flight_.erase(it);
    TF_RETURN_IF_ERROR(st);
  }
  BoundFooterMemory();
  return Status::OK();
}

Status RowWriter::Collect(Task* task) {
  Result<TaskResult> result = task->result.get();
  // The task's file: closed, removed, or back to idle below.
  --open_files_;
  footer_memory_ -= task->footer_memory;
  if (!result.ok()) return result.status();
  for (ClosedFile& closed : result->closed) files_.push_back(std::move(closed));
  if (result->open != nullptr) {
    ++open_files_;
    footer_memory_ += FooterMemory(*result->open);
    idle_.push_back(std::move(result->open));
  }
  return Status::OK();
}

Status RowWriter::WaitForAll() {
  Status first_error;
  while (!in_flight_.empty()) {
    Status st = Collect(&in_flight_.front());
    in_flight_.pop_front();
    if (first_error.ok() && !st.ok()) first_error = st;
  }
  return first_error;
}

void RowWriter::Abandon() {
  buffers_.clear();
  buffered_bytes_ = 0;
  (void)WaitForAll();  // a failed task left no file
  for (auto& file : idle_) file->Remove();
  idle_.clear();
  open_files_ = 0;
  footer_memory_ = 0;
  std::vector<DataFile> written;
  for (ClosedFile& closed : files_) written.push_back(std::move(closed.file));
  RemoveDataFiles(written);
  files_.clear();
}

Result<std::vector<DataFile>> RowWriter::Finish() {
  // Largest first, so that the cores finish together: the last writes to start are the
  // shortest.
  std::vector<Buffer*> rest;
  for (auto& [values, buffer] : buffers_) rest.push_back(buffer.get());
  std::stable_sort(rest.begin(), rest.end(),
                   [](const Buffer* a, const Buffer* b) { return a->bytes > b->bytes; });
  for (Buffer* buffer : rest) TF_RETURN_IF_ERROR(Flush(buffer));
  buffers_.clear();
  TF_RETURN_IF_ERROR(WaitForAll());
  // Every file still open is closed, on the pool: a footer and an fsync each.
  for (auto& file : idle_) SubmitClose(std::move(file));
  idle_.clear();
  TF_RETURN_IF_ERROR(WaitForAll());
  // Kept: Abandon removes them if the commit fails.
  std::sort(files_.begin(), files_.end(),
            [](const ClosedFile& a, const ClosedFile& b) { return a.number < b.number; });
  std::vector<DataFile> files;
  for (const ClosedFile& closed : files_) files.push_back(closed.file);
  finished_ = true;
  return files;
}

}  // namespace tradeflow::lake
