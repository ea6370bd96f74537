#include "sources/csv_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sources/utf8.h"

namespace tradeflow::sources {

CsvReader::CsvReader(std::string path, CsvOptions options, std::unique_ptr<InputStream> stream)
    : path_(std::move(path)),
      options_(std::move(options)),
      stream_(std::move(stream)),
      offsets_(stream_.get()) {}

CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, CsvOptions options) {
  return Open(path, std::move(options), InputOptions{});
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, CsvOptions options,
                                                   const InputOptions& input) {
  TF_ASSIGN_OR_RETURN(auto stream, OpenInput(path, input));
  return Open(std::move(stream), path, std::move(options));
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(std::unique_ptr<InputStream> stream,
                                                   const std::string& name, CsvOptions options) {
  auto reader =
      std::unique_ptr<CsvReader>(new CsvReader(name, std::move(options), std::move(stream)));
  TF_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Status CsvReader::ReadHeader() {
  if (!options_.header) {
    if (options_.column_names.empty()) {
      return Status::Invalid(path_ + ": no header row and no column names configured");
    }
    column_names_ = options_.column_names;
    return CheckUniqueNames();
  }
  CsvRecord header;
  auto found = Next(&header);
  TF_RETURN_IF_ERROR(CheckTextStart(header.raw, path_, "CSV"));
  if (!found.ok()) return found.status();
  // An IOError, as a file that cannot be read is: an export that wrote nothing, not even its
  // header, has failed (and on_bad_file: skip leaves it out).
  if (!*found) {
    return Status::IOError(path_ + ": empty file, expected a header row: is the export complete?");
  }
  if (!options_.column_names.empty()) {
    // Names of one's own for a file with a header row (one whose names are unusable, say):
    // the row is skipped, and must have as many columns as names are given.
    if (header.fields.size() != options_.column_names.size()) {
      return Status::Invalid(
          path_ + ": the header row has " + std::to_string(header.fields.size()) +
          " columns, 'columns' names " + std::to_string(options_.column_names.size()) +
          (options_.column_names_where.empty() ? std::string()
                                               : " (" + options_.column_names_where + ")"));
    }
    TF_RETURN_IF_ERROR(CheckNoColumnMoved(header.fields));
    column_names_ = options_.column_names;
  } else {
    // The names become keys of source_attributes, stored as Parquet strings: a name that is not
    // UTF-8 text would make the table unreadable to every reader. (Records are checked one by
    // one and quarantined; the header is the file's.)
    Status text =
        CheckRecordUtf8(header.raw, path_ + ":" + std::to_string(header.line), "header row");
    if (!text.ok()) return Status::IOError(text.message());
    column_names_ = std::move(header.fields);
    // A UTF-8 byte order mark is not part of the first column's name.
    if (!column_names_.empty() && column_names_[0].rfind("\xEF\xBB\xBF", 0) == 0) {
      column_names_[0].erase(0, 3);
    }
    // A column without a name (spreadsheets export trailing commas; some exports leave a
    // header cell blank) is named by its position, so that its values, if any, reach
    // source_attributes under a name of their own rather than being lost under "".
    for (size_t i = 0; i < column_names_.size(); ++i) {
      if (column_names_[i].find_first_not_of(" \t") == std::string::npos) {
        column_names_[i] = "column_" + std::to_string(i + 1);
      }
    }
  }
  return CheckUniqueNames();
}

// Two columns of one name would make a mapping read one of them and lose the other (or keep
// only one of them in source_attributes).
// Configured names replace the header's by position. A header name that `columns:` gives to
// another position is almost surely a list in another order, which would read one column's
// values as another's.
Status CsvReader::CheckNoColumnMoved(const std::vector<std::string>& header) const {
  const auto& names = options_.column_names;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i].empty() || header[i] == names[i]) continue;
    // A name the header repeats is what `columns:` is there to tell apart.
    if (std::count(header.begin(), header.end(), header[i]) > 1) continue;
    auto it = std::find(names.begin(), names.end(), header[i]);
    if (it == names.end()) continue;
    return Status::Invalid(path_ + ": column '" + header[i] + "' is column " +
                           std::to_string(i + 1) + " in the header row but " +
                           std::to_string(it - names.begin() + 1) +
                           " in columns:, which names the columns by position; list them in the "
                           "file's order");
  }
  return Status::OK();
}

// Empty names come only from `columns:` (a header's are named by position), where they are
// columns to leave out.
Status CsvReader::CheckUniqueNames() const {
  const bool from_header = options_.header && options_.column_names.empty();
  for (size_t i = 0; i < column_names_.size(); ++i) {
    if (column_names_[i].empty()) continue;
    for (size_t j = 0; j < i; ++j) {
      if (column_names_[i] != column_names_[j]) continue;
      return Status::Invalid(
          path_ + ": column '" + column_names_[i] + "' appears twice " +
          (from_header ? "in the header" : "in columns:") + " (columns " + std::to_string(j + 1) +
          " and " + std::to_string(i + 1) + ")" +
          (from_header ? "; rename one, or name every column yourself with columns: [...] (the "
                         "header row is then skipped)"
                       : ""));
    }
  }
  return Status::OK();
}

Status CsvReader::Refill() {
  // Drop what has been consumed, then append the next chunk.
  offsets_.Consume(buffer_, buffer_offset_, pos_);
  buffer_.erase(0, pos_);
  buffer_offset_ += static_cast<int64_t>(pos_);
  pos_ = 0;
  size_t old = buffer_.size();
  buffer_.resize(old + options_.chunk_size);
  // Fill the chunk completely unless the stream ends: decompressing streams return short reads.
  size_t filled = 0;
  while (filled < options_.chunk_size) {
    auto n = stream_->Read(buffer_.data() + old + filled, options_.chunk_size - filled);
    if (!n.ok()) {
      buffer_.resize(old + filled);
      return n.status();
    }
    if (*n == 0) {
      eof_ = true;
      break;
    }
    filled += *n;
  }
  buffer_.resize(old + filled);
  return Status::OK();
}

namespace {

// For an error in a record that spans several lines: a quoted field that runs on is legal, but
// a stray quote makes one record of many lines, and without this the lines seem just lost.
std::string SpanNote(const CsvRecord& record) {
  if (record.last_line <= record.line) return "";
  return " (this record runs from line " + std::to_string(record.line) + " to line " +
         std::to_string(record.last_line) + " inside a quoted field: a stray quote?)";
}

}  // namespace

Result<bool> CsvReader::Next(CsvRecord* out) {
  for (;;) {
    std::string error;
    switch (ParseRecord(eof_, out, &error)) {
      case Parse::kRecord:
        if (!column_names_.empty() && out->fields.size() != column_names_.size()) {
          return Status::Invalid(path_ + ":" + std::to_string(out->line) + ": expected " +
                                 std::to_string(column_names_.size()) + " fields, found " +
                                 std::to_string(out->fields.size()) + SpanNote(*out));
        }
        return true;
      case Parse::kMalformed:
        return Status::Invalid(path_ + ":" + std::to_string(out->line) + ": " + error +
                               SpanNote(*out));
      case Parse::kNeedMore:
        if (eof_) return false;
        TF_RETURN_IF_ERROR(Refill());
        break;
    }
  }
}

// The character at `at` adds to `*line` when it breaks a line: LF, or a CR with no LF after it
// (a CRLF counts once, at its LF). True when that cannot be told yet (a CR at the end of the
// buffer): the record is parsed again once more bytes are in.
bool CsvReader::CountLineBreak(size_t at, bool at_eof, int64_t* line) const {
  const char c = buffer_[at];
  if (c == '\r' && at + 1 >= buffer_.size() && !at_eof) return true;
  if (c == '\n' || (c == '\r' && (at + 1 >= buffer_.size() || buffer_[at + 1] != '\n'))) ++*line;
  return false;
}

// Parses one record starting at pos_. On kRecord and kMalformed, pos_ and line_ move past it; on
// kNeedMore nothing moves (the record is parsed again once more bytes are in).
CsvReader::Parse CsvReader::ParseRecord(bool at_eof, CsvRecord* out, std::string* error) {
  const char delim = options_.delimiter, quote = options_.quote, escape = options_.escape;
  const bool has_escape = escape != '\0' && escape != quote;
  const size_t n = buffer_.size();
  size_t i = pos_;
  int64_t line = line_;
  // Skip blank lines: empty, or only spaces and tabs before the header or in a file of several
  // columns (where such a line cannot be a record; JSON Lines skips them too). A one-column
  // file's line of spaces is a record with an empty value.
  const bool skip_spaces =
      column_names_.size() != 1 && delim != ' ' && delim != '\t';  // none yet: the header
  for (;;) {
    while (i < n && (buffer_[i] == '\n' || buffer_[i] == '\r')) {
      if (CountLineBreak(i, at_eof, &line)) return Parse::kNeedMore;
      ++i;
    }
    size_t end = i;
    while (skip_spaces && end < n && (buffer_[end] == ' ' || buffer_[end] == '\t')) ++end;
    if (end == i) break;                               // a record starts here
    if (end >= n && !at_eof) return Parse::kNeedMore;  // a line of spaces, or a record's start
    if (end < n && buffer_[end] != '\n' && buffer_[end] != '\r') break;  // spaces, then data
    i = end;  // a line of spaces only: blank
  }
  if (i >= n) {
    if (at_eof) {  // only blank lines were left
      pos_ = i;
      line_ = line;
    }
    return Parse::kNeedMore;
  }
  const size_t start = i;
  out->line = line;
  out->byte_offset = offsets_.FileOffset(buffer_, buffer_offset_, start);
  // Fields are assigned into the strings the record already holds, so their buffers are reused
  // from one record to the next; text is copied a run at a time, not a character at a time.
  size_t count = 0;
  std::string problem;
  bool quoting_broken = false;  // a quote never closed, or text after a closing one
  // The file's own byte order mark is gone before this reader (SkipUtf8Bom); one here starts
  // a file that was appended to this one. Kept, it would be invisible in field 1 (a trade id
  // that matches nothing); a record split at a chunk's end is parsed again whole (kNeedMore).
  if (std::string_view(buffer_).substr(start).starts_with("\xEF\xBB\xBF")) {
    problem =
        "the record starts with a UTF-8 byte order mark, as where a file was appended to "
        "another; remove it (it would be part of field 1)";
  }
  for (;;) {
    if (count == out->fields.size()) out->fields.emplace_back();
    std::string& field = out->fields[count];
    field.clear();
    if (i < n && buffer_[i] == quote) {
      // Quoted field.
      const int64_t quote_line = line;
      ++i;
      size_t run = i;  // start of the text not yet copied
      for (;;) {
        if (i >= n) {
          if (!at_eof) return Parse::kNeedMore;
          problem = "quoted field is never closed (opening quote on line " +
                    std::to_string(quote_line) + ")";
          quoting_broken = true;
          break;
        }
        char c = buffer_[i];
        if (has_escape && c == escape) {
          if (i + 1 >= n) {
            if (!at_eof) return Parse::kNeedMore;
            problem = "escape character at the end of the file";
            quoting_broken = true;  // inside a quoted field: its quote never closed
            ++i;
            break;
          }
          if (CountLineBreak(i + 1, at_eof, &line)) return Parse::kNeedMore;
          field.append(buffer_, run, i - run).push_back(buffer_[i + 1]);
          i += 2;
          run = i;
          continue;
        }
        if (c == quote) {
          if (i + 1 >= n && !at_eof) return Parse::kNeedMore;
          if (i + 1 < n && buffer_[i + 1] == quote) {
            field.append(buffer_, run, i + 1 - run);  // up to and with one quote
            i += 2;
            run = i;
            continue;
          }
          field.append(buffer_, run, i - run);
          ++i;
          break;
        }
        if (CountLineBreak(i, at_eof, &line)) return Parse::kNeedMore;
        ++i;
      }
      if (i < n && buffer_[i] != delim && buffer_[i] != '\n' && buffer_[i] != '\r') {
        quoting_broken = true;
        if (problem.empty()) {
          problem = "unexpected text after the closing quote of field " + std::to_string(count + 1);
        }
        // The record is malformed, but where it ends is still where a reader that honours the
        // quoting would end it: the field runs on to the next delimiter or line end. (Also after
        // an earlier problem: else the rest of the line would read as a record of its own.)
        while (i < n && buffer_[i] != delim && buffer_[i] != '\n' && buffer_[i] != '\r') ++i;
        if (i >= n && !at_eof) return Parse::kNeedMore;
      }
    } else {
      // Unquoted field: up to the delimiter or end of line.
      size_t end = i;
      size_t run = i;
      while (end < n && buffer_[end] != delim && buffer_[end] != '\n' && buffer_[end] != '\r') {
        char c = buffer_[end];
        if (has_escape && c == escape) {
          if (end + 1 >= n) {
            if (!at_eof) return Parse::kNeedMore;
            if (problem.empty()) problem = "escape character at the end of the file";
            ++end;
            break;
          }
          if (CountLineBreak(end + 1, at_eof, &line)) return Parse::kNeedMore;
          field.append(buffer_, run, end - run).push_back(buffer_[end + 1]);
          end += 2;
          run = end;
          continue;
        }
        if (c == quote && problem.empty()) {
          problem = "quote character inside unquoted field " + std::to_string(count + 1);
        }
        ++end;
      }
      if (end >= n && !at_eof) return Parse::kNeedMore;
      if (run < end) field.append(buffer_, run, end - run);  // end <= n
      i = end;
    }
    ++count;
    if (i < n && buffer_[i] == delim) {
      ++i;
      if (i >= n && !at_eof) return Parse::kNeedMore;
      continue;
    }
    // End of record: CR, LF, CRLF or end of file. A quoted field that ran to the end of the
    // file took its last line break in: that line has no text of the record.
    out->last_line = line;
    if (i >= n && i > start && (buffer_[i - 1] == '\n' || buffer_[i - 1] == '\r')) {
      out->last_line = std::max(out->line, line - 1);
    }
    size_t end = i;
    if (i < n && buffer_[i] == '\r') {
      if (i + 1 >= n && !at_eof) return Parse::kNeedMore;
      ++i;
    }
    if (i < n && buffer_[i] == '\n') {
      ++i;
      ++line;
    } else if (end < n) {
      ++line;  // a bare CR ends the line too
    }
    out->fields.resize(count);
    out->raw.assign(buffer_, start, end - start);
    pos_ = i;
    line_ = line;
    out->swallowed_lines = 0;
    if (!problem.empty()) {
      // A malformed record ends where a well-formed one would (quoted line breaks included), so
      // that a stray quote or stray text costs this record only, not the lines after it.
      if (quoting_broken) out->swallowed_lines = out->last_line - out->line;
      *error = problem;
      return Parse::kMalformed;
    }
    return Parse::kRecord;
  }
}

std::string OneColumnHeaderHint(const std::vector<std::string>& columns) {
  if (columns.size() != 1) return "";
  for (char d : {',', ';', '\t', '|'}) {
    if (columns[0].find(d) == std::string::npos) continue;
    return "; the header row was read as one column, and it holds '" +
           std::string(d == '\t' ? "\\t" : std::string(1, d)) + "': is the delimiter right?";
  }
  return "";
}

}  // namespace tradeflow::sources
