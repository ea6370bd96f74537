#include "lake/data_file_reader.h"

#include <arrow/io/file.h>

#include "common/arrow_status.h"
#include "lake/file_io.h"

namespace tradeflow::lake {

Result<std::unique_ptr<parquet::arrow::FileReader>> OpenDataFileReader(const DataFile& file) {
  TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(file.file_path));
  auto fail = [&](const arrow::Status& st) {
    return Status::IOError(path + ": a data file the table references cannot be read (" +
                           st.message() +
                           "); restore it, from a backup: until then the table's rows are "
                           "incomplete");
  };
  auto input = arrow::io::ReadableFile::Open(path);
  if (!input.ok()) return fail(input.status());
  auto reader = parquet::arrow::OpenFile(*input, arrow::default_memory_pool());
  if (!reader.ok()) return fail(reader.status());
  return std::move(*reader);
}

}  // namespace tradeflow::lake
