// A streaming reader of delimited text (RFC 4180 CSV and its common variants).
//
// Why not Arrow's CSV reader: it is columnar and reports errors per block, while tradeflow needs
// every record with its own line number and byte offset (for error messages, provenance and the
// quarantine), and must carry on past one malformed record to the next.
//
// Contract:
// - Reads the file in chunks; memory is bounded by the chunk size and the longest record.
// - A quoted field may span lines; "" inside quotes is one quote. CRLF and LF both end records.
//   Blank lines are skipped.
// - With an `escape` character (e.g. '\\'), escape + any character is that character taken
//   literally, inside quotes or not: \" is a quote, \, a comma in an unquoted field, \\ a
//   backslash, and an escaped line break stays in the field. An escape as the last byte of the
//   file is a malformed record.
// - Bytes come through an InputStream; Open(path, ...) uses OpenInput, so .gz/.zst files and
//   Latin-1 text are read alike (see open_input.h).
// - A malformed record (a quote inside an unquoted field, text after a closing quote, a wrong
//   number of fields, a quote never closed) makes Next() return an Invalid status naming
//   "<file>:<line>" and what is wrong; the reader is then positioned after that record, so a
//   caller may log or quarantine it and keep reading. An unterminated quote consumes the rest of
//   the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sources/input_stream.h"
#include "sources/open_input.h"
#include "sources/source_offsets.h"

namespace tradeflow::sources {

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  char escape = '\0';  // none; an escape equal to `quote` is the same as none ("" doubling)
  // With a header row the column names come from the file, unless `column_names` are given:
  // the header row is then skipped. Without one they come from `column_names`. Names must be
  // unique.
  bool header = true;
  std::vector<std::string> column_names;
  std::string column_names_where;  // "<pipeline file>:<line>" of the names, for errors
  size_t chunk_size = 1 << 20;
};

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;         // 1-based line where the record starts
  int64_t last_line = 0;    // where it ends (line breaks in quoted fields included)
  int64_t byte_offset = 0;  // offset of its first byte in the file
  std::string raw;          // the record's bytes as read, for quarantine
  // A malformed record whose quoting is broken (a quote never closed, text after a closing
  // quote): the lines past its first were most likely records of their own, taken in by a
  // stray quote. 0 otherwise.
  int64_t swallowed_lines = 0;
};

class CsvReader {
 public:
  // Opens `path` through OpenInput with default InputOptions (compression by extension, UTF-8).
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, CsvOptions options);
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, CsvOptions options,
                                                 const InputOptions& input);
  // Reads from `stream`; `name` is used in messages.
  static Result<std::unique_ptr<CsvReader>> Open(std::unique_ptr<InputStream> stream,
                                                 const std::string& name, CsvOptions options);
  ~CsvReader();
  int64_t file_bytes_read() const { return stream_->file_bytes_read(); }

  const std::vector<std::string>& column_names() const { return column_names_; }
  const std::string& path() const { return path_; }

  // Reads the next record into *out. Returns false at end of file.
  Result<bool> Next(CsvRecord* out);

 private:
  CsvReader(std::string path, CsvOptions options, std::unique_ptr<InputStream> stream);

  enum class Parse { kRecord, kNeedMore, kMalformed };
  Parse ParseRecord(bool at_eof, CsvRecord* out, std::string* error);
  bool CountLineBreak(size_t at, bool at_eof, int64_t* line) const;
  Status Refill();
  Status ReadHeader();
  Status CheckNoColumnMoved(const std::vector<std::string>& header) const;
  Status CheckUniqueNames() const;

  std::string path_;
  CsvOptions options_;
  std::unique_ptr<InputStream> stream_;
  SourceOffsets offsets_;  // byte_offset in the file, not in the transcoded text
  bool eof_ = false;
  std::string buffer_;
  size_t pos_ = 0;             // next unread byte in buffer_
  int64_t buffer_offset_ = 0;  // text offset of buffer_[0]
  int64_t line_ = 1;           // line number at pos_
  std::vector<std::string> column_names_;
};

// For an error about a header's columns: when the header was read as one column holding another
// delimiter, "; the header row was read as one column, and it holds ';': is the delimiter
// right?"; otherwise empty.
std::string OneColumnHeaderHint(const std::vector<std::string>& columns);

}  // namespace tradeflow::sources
