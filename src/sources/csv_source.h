// CSV files as a RecordSource: bound fields are column names.
//
// Every record is checked to be valid UTF-8 (a Latin-1 file read as UTF-8 is the usual cause);
// one that is not is a malformed record naming the byte, so it is quarantined rather than stored.
// Transcoded input (encoding: latin-1) is always valid, so the check costs nothing there.
#pragma once

#include <memory>
#include <string>

#include "sources/csv_reader.h"
#include "sources/record_source.h"

namespace tradeflow::sources {

class CsvSource : public RecordSource {
 public:
  explicit CsvSource(std::unique_ptr<CsvReader> reader) : reader_(std::move(reader)) {}

  Status Bind(const std::vector<FieldRef>& fields) override;
  Result<bool> Next(SourceRecord* out) override;
  int64_t bytes_read() const override { return reader_->file_bytes_read(); }

 private:
  std::unique_ptr<CsvReader> reader_;
  std::vector<int> bound_;          // column index of each bound field
  std::vector<bool> column_bound_;  // per column: read by some field
  CsvRecord record_;
};

}  // namespace tradeflow::sources
