// JSON Lines as a RecordSource: one JSON object per line.
//
// Field names are paths into the object:
//   trade.price.value      nested objects, by key
//   legs[0].qty            arrays by 0-based index; [i][j] for arrays of arrays
// Keys containing '.', '[' or ']' cannot be addressed (they still reach extras, under that key).
//
// Values:
// - a string gives its text (unescaped); true/false give "true"/"false"; null gives "";
// - a number gives its text exactly as written in the file ("72.1234567891234567", "1e-3", "-0",
//   integers beyond 64 bits, exponents beyond a double's range), never rounded through a double.
// - a path that is missing, or names an object or array, gives "" (the leaves under an object
//   stay in extras, keyed by their own paths).
// - `extras` holds every other non-empty leaf, keyed by its path, in document order.
//
// Malformed records (Invalid "<file>:<line>: ...", with raw = the line, location "line N"): a
// line that is not valid JSON, that nests objects and arrays more than 1000 deep, that is not an
// object, or that is not valid UTF-8. Blank lines
// are skipped. Values of the "wrong" type (a quantity given as a string) are passed on as text;
// the mapping decides.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/line_reader.h"
#include "sources/open_input.h"
#include "sources/record_source.h"

namespace tradeflow::sources {

class JsonlSource : public RecordSource {
 public:
  // Opens `path` through OpenInput.
  static Result<std::unique_ptr<JsonlSource>> Open(const std::string& path,
                                                   const InputOptions& input);
  // Reads UTF-8 lines from `stream`; `name` is used in messages.
  JsonlSource(std::unique_ptr<InputStream> stream, std::string name);
  ~JsonlSource() override;

  Status Bind(const std::vector<FieldRef>& fields) override;
  Result<bool> Next(SourceRecord* out) override;
  int64_t bytes_read() const override { return lines_.file_bytes_read(); }
  std::vector<std::string> FieldsNeverPresent() const override;

 private:
  LineReader lines_;
  std::string name_;
  size_t bound_count_ = 0;
  std::unordered_map<std::string, std::vector<size_t>> bound_;  // path → bound field indexes
  struct Parser;  // simdjson's, kept out of this header
  std::unique_ptr<Parser> parser_;
  bool started_ = false;                  // the first line was checked (CheckTextStart)
  std::vector<std::string> bound_names_;  // by bound field index
  std::vector<char> present_;             // by bound field index: some record had the key
};

}  // namespace tradeflow::sources
