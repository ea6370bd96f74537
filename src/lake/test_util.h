// Shared by the lake tests: Arrow fields that carry the Iceberg field id the writers require.
#pragma once

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>

#include <memory>
#include <string>

namespace tradeflow::lake::testing {

// A nullable field with PARQUET:field_id = `id`.
inline std::shared_ptr<arrow::Field> F(const std::string& name,
                                       std::shared_ptr<arrow::DataType> type, int id) {
  return arrow::field(name, std::move(type), true,
                      arrow::key_value_metadata({"PARQUET:field_id"}, {std::to_string(id)}));
}

}  // namespace tradeflow::lake::testing
