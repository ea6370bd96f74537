// Iceberg column metrics (value counts, null counts, lower and upper bounds) of a data file, for
// primitive columns that are not inside a list or map: computed from its Arrow data, or read
// from its Parquet footer (MetricsFromFooter).
//
// Bounds use Iceberg's single-value binary serialization (spec Appendix D): int and date 4 bytes
// little-endian, long and timestamp 8 bytes little-endian, boolean 1 byte, string its UTF-8
// bytes, decimal the minimal big-endian two's complement of the unscaled value.
#pragma once

#include <arrow/record_batch.h>
#include <parquet/metadata.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tradeflow::lake {

struct ColumnMetrics {
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, std::string> lower_bounds;
  std::map<int32_t, std::string> upper_bounds;
};

// Folds the batches of one file as they are written, so they need not all be kept in memory.
class ColumnMetricsBuilder {
 public:
  explicit ColumnMetricsBuilder(size_t max_string_bound_chars = 16);
  ~ColumnMetricsBuilder();
  void Add(const arrow::RecordBatch& batch);
  ColumnMetrics Finish();

 private:
  struct Walker;
  std::unique_ptr<Walker> walker_;
};

ColumnMetrics ComputeColumnMetrics(const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
                                   size_t max_string_bound_chars = 16);

// The same metrics read from a written Parquet file's footer: value counts from the column
// chunks, null counts and bounds from their statistics (merged over row groups), for the leaf
// columns with a field id that are not inside a list or map. What Java Iceberg and pyiceberg do;
// for files whose rows never exist as Arrow arrays (lake/row_writer.h). The values equal the
// Arrow ones, with one exception: a column whose statistics lack min/max in some row group
// (Parquet drops them for a value over 4 KiB) gets no bounds, where the Arrow metrics keep a
// truncated lower bound. Bounds are never wrong, only missing.
ColumnMetrics MetricsFromFooter(const parquet::FileMetaData& footer,
                                size_t max_string_bound_chars = 16);

}  // namespace tradeflow::lake
