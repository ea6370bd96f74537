// Writes rows that the caller holds in an encoded form (serialized protos, say) as Iceberg data
// files: buffered per partition, sorted by a byte-comparable key (lake/sort_key.h), shredded into
// Parquet leaf columns by a RowEncoder only when they are written, and rolled at a target size.
//
// Why not DataWriter (which takes Arrow batches)? Sorting a partition's Arrow rows means an
// Arrow Take over every column of a wide nested schema, and splitting batches by partition means
// another; together they cost more than building the rows. Here a row is encoded once when it
// arrives and decoded once, already in sorted order, straight into Parquet's columns (no Arrow
// arrays, and no second pass to derive Parquet's levels from them); the sort compares one string
// per row. Encoded rows are also several times smaller than Arrow builders, so more rows fit in
// the same memory.
//
// Memory and file size are separate: rows wait in buffers until all buffers together would pass
// `max_buffered_bytes`; then the largest partition's rows are sorted and written in one go (one
// row group, unless they pass the Parquet options' row_group_rows) to that partition's open
// data file. A file stays open for the partition's next rows until its size on disk reaches
// `target_file_bytes` (as Iceberg's write.target-file-size-bytes): the rows that would take it
// past the target (estimated from what its rows took so far) go on in a new file. Each write
// is sorted (tight statistics); a file written in one go is sorted as a whole and says so
// (sort_order_id), a file of several writes is not and does not.
//
// Files close short of the target in three cases: at the end, a partition's last files (one
// per task that was writing it at once); past `max_open_files` open files, the one idle longest;
// and past `max_footer_memory` for the open files' footers (Parquet keeps every row group's
// metadata until the file is closed, a few KB a column), the one with the most row groups. So
// with many partitions and a small buffer, row groups are small and files close early.
//
// Writes run on `pool` (when given), up to `max_tasks_in_flight` at a time, while the caller goes
// on adding rows; a file is only ever written by one task at a time (a partition whose open file
// is busy starts another). Memory is bounded: rows waiting in buffers up to
// `max_buffered_bytes`, the rows of the writes in flight, and `max_footer_memory`.
//
// Files are named <data>/<partition path>/<prefix>-<n>.parquet, durable (fsynced) once closed,
// and invisible to readers until a commit lists them. Not thread-safe: one caller adds rows.
#pragma once

#include <arrow/record_batch.h>

#include <atomic>
#include <functional>
#include <future>
#include <list>
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
// values, as model/wire_shredder.h makes them). One per row group being written, so an
// implementation need not be thread-safe.
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
// Called with the Parquet schema of the writer's Arrow schema, once per row group.
using RowEncoderFactory =
    std::function<Result<std::unique_ptr<RowEncoder>>(const parquet::SchemaDescriptor& schema)>;

struct RowWriterOptions {
  int64_t target_file_bytes = 128LL << 20;  // Parquet bytes on disk at which a file is rolled
  int64_t max_buffered_bytes = 64LL << 20;  // encoded bytes (rows + keys) waiting, all partitions
  int64_t rows_per_batch = 16 * 1024;       // rows shredded at a time while writing a row group
  int max_tasks_in_flight = 2;              // writes (and file closes) at once
  int max_open_files = 64;
  // Memory the open files' footers may take: Parquet keeps each row group's metadata (column
  // chunks, statistics, page index) until the file is closed. Past it, the idle file with the
  // most row groups is closed, short of the target.
  int64_t max_footer_memory = 64LL << 20;
  std::optional<int32_t> sort_order_id;  // the table's sort order that the keys implement
  ParquetWriteOptions parquet;
};

class RowWriter {
 public:
  // `data_dir`: local folder of the table's data; `prefix`: unique per writer (a UUID).
  RowWriter(std::string data_dir, std::string prefix, std::shared_ptr<arrow::Schema> schema,
            PartitionSpec spec, RowEncoderFactory encoder, RowWriterOptions options,
            ThreadPool* pool = nullptr);
  // Waits for the tasks in flight; without a successful Finish, removes every file (Abandon).
  ~RowWriter();

  // `partition`: one value per spec field; `sort_key`: from lake/sort_key.h.
  Status Add(const std::vector<PartitionValue>& partition, std::string_view sort_key,
             std::string_view row);

  // Writes what is buffered (the largest partitions first), closes every file, and returns them
  // in the order they were opened.
  Result<std::vector<DataFile>> Finish();

  // For a write that will not be committed (so nothing references its files): drops the rows
  // buffered, waits for the row groups in flight and removes every file written or open.
  void Abandon();

 private:
  struct Buffer;
  struct OpenFile;
  struct ClosedFile {
    int number;  // files are numbered in the order they are opened
    DataFile file;
  };
  // What a task hands back: the files it closed, and the file it left open (if any). A task is
  // given one file; a failed task has removed every file it had.
  struct TaskResult {
    std::vector<ClosedFile> closed;
    std::unique_ptr<OpenFile> open;
  };
  struct Task {
    std::future<Result<TaskResult>> result;
    int64_t footer_memory;  // of the file the task was given
  };

  // Hands the buffer's rows to a task writing them to the partition's fullest idle open file
  // (or a new file), once fewer than max_tasks_in_flight tasks are in flight.
  Status Flush(Buffer* buffer);
  // Runs on the pool: touches only its arguments and members that do not change after
  // construction (and the atomic file counter).
  Result<TaskResult> WriteRows(std::unique_ptr<OpenFile> file, const Buffer& rows) const;
  static std::vector<uint32_t> SortedOrder(const Buffer& rows);
  size_t RowsThatFit(const OpenFile& file, const Buffer& rows, const std::vector<uint32_t>& order,
                     size_t next) const;
  Status WriteSorted(const Buffer& rows, const std::vector<uint32_t>& order, size_t from, size_t to,
                     ParquetColumnFileWriter* writer, int64_t* bytes) const;
  double DiskBytesPerEncodedByte(const OpenFile& file) const;
  Result<ClosedFile> CloseFile(OpenFile* file) const;
  // The size `file` would have closed with `row_groups` row groups in its footer.
  int64_t SizeWithFooter(const OpenFile& file, int row_groups) const;
  // The memory its footer takes while `file` is open.
  int64_t FooterMemory(const OpenFile& file) const;
  Status Open(OpenFile* file) const;
  // Closes the file idle longest when max_open_files are open.
  void MakeRoomForAFile();
  // Closes the idle files with the most row groups while the footers pass max_footer_memory.
  void BoundFooterMemory();
  template <typename Fn>
  void Submit(std::unique_ptr<OpenFile> file, Fn task, bool closes = false);
  void SubmitClose(std::unique_ptr<OpenFile> file);
  Status WaitForRoom();
  // Takes the result of every finished task: closed files to the list, open ones back to idle.
  Status CollectFinished();
  Status Collect(Task* task);
  Status WaitForAll();

  std::string data_dir_;
  std::string prefix_;
  std::shared_ptr<arrow::Schema> schema_;
  PartitionSpec spec_;
  RowEncoderFactory encoder_;
  RowWriterOptions options_;
  ThreadPool* pool_;
  std::map<std::vector<PartitionValue>, std::unique_ptr<Buffer>> buffers_;
  int64_t buffered_bytes_ = 0;
  mutable std::atomic<int> file_count_ = 0;
  // On disk: a guess until files of several row groups are closed, then what they took.
  mutable std::atomic<int64_t> footer_bytes_per_row_group_ = -1;
  // Disk bytes per million encoded bytes of the last file closed; 0 until one is.
  mutable std::atomic<int64_t> disk_ppm_per_encoded_byte_ = 0;
  int open_files_ = 0;         // idle and busy
  int64_t footer_memory_ = 0;  // of the open files, idle and busy
  bool finished_ = false;      // Finish succeeded: the files are the caller's
  uint64_t flushes_ = 0;
  std::vector<std::unique_ptr<OpenFile>> idle_;
  std::list<Task> in_flight_;
  std::vector<ClosedFile> files_;
};

}  // namespace tradeflow::lake
