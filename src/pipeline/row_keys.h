// Where an accepted record goes in its table, computed from the proto message itself: its
// partition tuple and its sort key, exactly as lake's Partitioner and Arrow's sort would compute
// them from the record's Arrow row.
//
// The batch run needs them before a record is converted to Arrow: rows are buffered per
// partition in their serialized form and converted in sorted order when a file is written (see
// lake/row_writer.h). Source columns are found by field id in the table's Arrow schema and read
// from the message along the same path, with the same presence rules as model::ProtoBatchBuilder
// (unset message, empty string and enum 0 are null).
//
// Compute() is const and thread-safe: one RowKeys serves every worker.
#pragma once

#include <arrow/type.h>
#include <google/protobuf/message.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "lake/data_writer.h"
#include "lake/partitioning.h"
#include "model/decimal.h"
#include "model/field_path.h"

namespace tradeflow::pipeline {

class RowKeys {
 public:
  // Invalid when a partition source or sort column is not in `schema`, is inside a list or map,
  // or has a type it cannot order (float, double, binary).
  static Result<RowKeys> Make(const google::protobuf::Descriptor* descriptor,
                              const arrow::Schema& schema, const lake::PartitionSpec& spec,
                              const std::vector<lake::SortKey>& sort);

  // Fills `partition` (one value per spec field) and `sort_key` (replaced).
  Status Compute(const google::protobuf::Message& message,
                 std::vector<lake::PartitionValue>* partition, std::string* sort_key) const;

 private:
  struct Column {
    std::string path;
    std::vector<model::PathStep> steps;
    std::vector<std::string> enum_labels;  // by value number, for enum leaves
    model::DecimalType decimal;            // for Decimal leaves
    bool descending = false;
    bool nulls_first = true;
  };
  static Result<Column> ResolveColumn(const google::protobuf::Descriptor* descriptor,
                                      const std::string& path);
  Result<lake::PartitionSource> Read(const Column& column,
                                     const google::protobuf::Message& message) const;
  Status AppendSortValue(const Column& column, const google::protobuf::Message& message,
                         std::string* key) const;

  std::vector<lake::PartitionField> partition_fields_;
  std::vector<Column> partition_columns_;
  std::vector<Column> sort_columns_;
};

}  // namespace tradeflow::pipeline
