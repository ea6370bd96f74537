// Opening a data file a table references, to read it with Parquet's Arrow reader.
#pragma once

#include <parquet/arrow/reader.h>

#include <memory>

#include "common/status.h"
#include "lake/manifest.h"

namespace tradeflow::lake {

// A file that cannot be opened (removed by hand, a failed disk, a wrong warehouse path) is an
// IOError that says so: the table references it, so its rows are missing from every read until
// it is restored, and a run cannot tell which trade versions it held.
Result<std::unique_ptr<parquet::arrow::FileReader>> OpenDataFileReader(const DataFile& file);

}  // namespace tradeflow::lake
