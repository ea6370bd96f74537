// Where a batch run's rows go: one sink per table.
//
// EventSink takes accepted trade events as serialized rows with their partition and sort key
// (pipeline/row_keys.h) and writes them as sorted, rolled data files on the thread pool
// (lake/row_writer.h): the fast path, for nearly every row of a run. TableSink takes messages of
// any proto type through the plain Arrow path (model/proto_batch_builder.h → lake/data_writer.h):
// for quarantine rows and reference tables, which are few.
//
// Both open the table if it exists, or stage it for creation by the first commit (so a run that
// fails creates nothing), with a schema derived from the proto that keeps the ids the table
// already gave its columns. Neither commits: the run decides when and what.
#pragma once

#include <arrow/type.h>
#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_pool.h"
#include "lake/catalog/catalog.h"
#include "lake/data_writer.h"
#include "lake/row_writer.h"
#include "lake/table.h"
#include "model/proto_batch_builder.h"
#include "pipeline/row_keys.h"

namespace tradeflow::pipeline {

// Rows converted at a time: per Arrow batch for the quarantine and reference tables, per
// shredded batch of Parquet columns for the trade table.
inline constexpr int64_t kBatchRows = 16 * 1024;

class EventSink {
 public:
  static Result<std::unique_ptr<EventSink>> Open(lake::Catalog* catalog,
                                                 const lake::TableIdentifier& id,
                                                 const std::string& location,
                                                 const lake::TableLayout& layout,
                                                 int64_t target_file_bytes, int64_t buffer_bytes,
                                                 ThreadPool* pool);

  lake::Table& table() { return *table_; }
  const arrow::Schema& schema() const { return *schema_; }
  // Computes the partition and sort key of an event for this table.
  const RowKeys& keys() const { return *keys_; }
  lake::RowWriter& writer() { return *writer_; }
  // What the run should say about the table as it was opened (a column another writer deleted).
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  EventSink() = default;

  std::vector<std::string> notes_;
  std::unique_ptr<lake::Table> table_;
  std::shared_ptr<arrow::Schema> schema_;
  std::optional<RowKeys> keys_;
  std::unique_ptr<lake::RowWriter> writer_;
};

class TableSink {
 public:
  static Result<std::unique_ptr<TableSink>> Open(
      lake::Catalog* catalog, const lake::TableIdentifier& id, const std::string& location,
      const google::protobuf::Descriptor* descriptor, const lake::TableLayout& layout,
      int64_t target_file_bytes, int64_t batch_rows = kBatchRows);

  lake::Table& table() { return *table_; }
  const arrow::Schema& schema() const { return *schema_; }
  int64_t rows() const { return rows_; }
  const std::vector<std::string>& notes() const { return notes_; }  // as EventSink::notes()

  Status Add(const google::protobuf::Message& message);
  // Writes what is buffered and returns every data file written.
  Result<std::vector<lake::DataFile>> Finish();
  // For rows that will not be committed: drops the rows buffered and removes the data files
  // written so far.
  void Abandon();

 private:
  TableSink() = default;
  Status FlushBatch();

  std::vector<std::string> notes_;
  std::unique_ptr<lake::Table> table_;
  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<model::ProtoBatchBuilder> builder_;
  std::unique_ptr<lake::DataWriter> writer_;
  int64_t batch_rows_ = kBatchRows;
  int64_t rows_ = 0;
};

}  // namespace tradeflow::pipeline
