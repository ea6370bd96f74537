// Hidden partitioning (spec "Partition Transforms"): which partition each row belongs to.
//
// A table's layout is requested by column path and transform ("trade_date" by month,
// "product.asset_class" by identity) and resolved once against the table schema into an Iceberg
// partition spec with field ids from 1000. The Partitioner then splits Arrow batches into one
// batch per partition tuple, computing the transformed values from the source column found by
// field id, so it works on any schema. Supported transforms: identity (string, int, long, date,
// boolean), year, month, day (date, timestamp) and hour (timestamp). bucket[N] and truncate[W]
// are refused with a clear error: nothing writes them yet.
#pragma once

#include <arrow/record_batch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "lake/manifest_partition.h"

namespace tradeflow::lake {

struct PartitionRequest {
  std::string column;     // path: "trade_date", "product.asset_class"
  std::string transform;  // identity | year | month | day | hour
  std::string name;       // partition field name; default "<last path part>_<transform>"
};

// Builds the spec for `requests` over an Iceberg schema JSON; spec id 0, field ids 1000, 1001...
// With `check_names`, the partition field names follow the rules Iceberg's readers check (each
// used once; none the name of a column other than its own source; no '/', '#' or '?', which
// would break the data folders' paths); without, for comparing with an existing table's spec.
Result<PartitionSpec> ResolvePartitionSpec(const nlohmann::json& schema,
                                           const std::vector<PartitionRequest>& requests,
                                           bool check_names = true);

// The spec as table metadata stores it: {"spec-id":N,"fields":[...]}.
nlohmann::json PartitionSpecJson(const PartitionSpec& spec);

// Reads a table's partition spec JSON back, with value types derived from the schema.
Result<PartitionSpec> ParsePartitionSpec(const nlohmann::json& spec_json,
                                         const nlohmann::json& schema);

// The folder of a partition under data/, Java style: "trade_date_month=2026-04/asset_class=ENERGY".
std::string PartitionPath(const PartitionSpec& spec, const std::vector<PartitionValue>& values);

// The value a transform reads, as the source column holds it: a string, an int or a date (days
// since 1970-01-01) as int32_t, a long or a timestamp (microseconds since the epoch, UTC) as
// int64_t, a boolean; monostate for null.
using PartitionSource = std::variant<std::monostate, std::string_view, int32_t, int64_t, bool>;

// Applies `field`'s transform to one value; a null source gives a null partition value. Lets a
// writer that holds rows in another form than Arrow partition them exactly like Partitioner.
PartitionValue TransformValue(const PartitionField& field, const PartitionSource& source);

// Registers Arrow's compute kernels (sort, take) once per process; safe to call often.
Status EnsureArrowCompute();

class Partitioner {
 public:
  static Result<Partitioner> Make(const PartitionSpec& spec, const arrow::Schema& schema);

  struct Part {
    std::vector<PartitionValue> values;
    std::shared_ptr<arrow::RecordBatch> rows;
  };
  // Splits `batch` by partition tuple; an unpartitioned spec gives the batch back whole.
  Result<std::vector<Part>> Split(const std::shared_ptr<arrow::RecordBatch>& batch) const;

  const PartitionSpec& spec() const { return spec_; }

 private:
  struct Source {
    std::vector<int> path;  // child index at each level, from the top-level column
  };
  PartitionSpec spec_;
  std::vector<Source> sources_;
};

}  // namespace tradeflow::lake
