// Turns proto messages into Arrow record batches with the schema DeriveArrowSchema gives.
//
// Works for any message type by reflection, so the canonical model, the quarantine record and
// reference data all share one converter. The per-field plan (which builder, which conversion) is
// resolved once in Make(); Append() only walks it.
//
// Presence: a message field that is not set, an enum at 0 (UNSPECIFIED) and an empty string are
// stored as null; numbers and bools are stored as they are.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/table_builder.h>
#include <google/protobuf/message.h>

#include <memory>

#include "common/status.h"

namespace tradeflow::model {

class ProtoBatchBuilder {
 public:
  // `schema` must come from DeriveArrowSchema(descriptor) (field order and types are relied on).
  static Result<std::unique_ptr<ProtoBatchBuilder>> Make(
      const google::protobuf::Descriptor* descriptor, std::shared_ptr<arrow::Schema> schema);
  ~ProtoBatchBuilder();

  // Appends one row. After an error the builder holds a partial row and must be discarded:
  // values are validated by the mapping before they get here, so an error here is a bug.
  Status Append(const google::protobuf::Message& message);
  int64_t num_rows() const { return num_rows_; }

  // Returns the rows appended since the last Finish() and starts a new batch.
  Result<std::shared_ptr<arrow::RecordBatch>> Finish();

  class Node;

 private:
  ProtoBatchBuilder() = default;

  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<arrow::RecordBatchBuilder> batch_builder_;
  std::vector<std::unique_ptr<Node>> columns_;
  int64_t num_rows_ = 0;
};

}  // namespace tradeflow::model
