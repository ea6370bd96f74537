// The declarative mapping from one source's records to the canonical TradeEvent, as plain data.
//
// The pipeline module builds it from the YAML pipeline file (docs/pipeline-config.md); this module
// never reads YAML. Every rule carries `where` ("etrm.yaml:31") so that errors about the rule
// point back at the line that wrote it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tradeflow::transform {

// Where a value comes from.
struct ValueSource {
  enum class Kind { kColumn, kConstant, kConcat, kLookup };
  Kind kind = Kind::kColumn;
  std::string column;              // kColumn: source column name
  std::string constant;            // kConstant: the value itself
  std::vector<ValueSource> parts;  // kConcat: parts joined by separator; kLookup: the key(s)
  std::string separator;
  // kLookup: a field of a reference-data row, found by key: counterparties, books and products
  // by one key, contracts by two (exchange, product code). No such row: an empty value.
  std::string lookup_table;
  std::string lookup_field;
};

// A condition on a source column: the rule applies only to records that satisfy it.
struct Condition {
  std::string column;
  // The trimmed value must be one of `in` (ignoring ASCII case, as enum values); with `in`
  // empty, it must be non-empty.
  std::vector<std::string> in;
};

// One target field of the canonical model and how to fill it.
struct FieldMapping {
  // Canonical field path: "source_trade_id", "parties.book", "legs[0].fixed.price.value".
  std::string target;
  ValueSource source;
  // Dates: a strptime format (default "%Y-%m-%d"). Timestamps: "iso8601" (default) or a strptime
  // format, which may end in %z.
  std::string format;
  // Timestamps written without an offset are in this zone: "UTC" (default) or "+HH:MM".
  std::string time_zone;
  // Enums: source value → canonical label ("AMENDED" → "CORRECT"). Unlisted values are matched
  // to labels case-insensitively; a value matching nothing stays UNSPECIFIED and is reported.
  std::map<std::string, std::string> enum_values;
  // Used when the source value is empty.
  std::optional<std::string> default_value;
  // Apply the rule only when this holds.
  std::optional<Condition> when;
  std::string where;
};

// How numbers are written in a source, e.g. "1.234,5" in a German export. Applies to decimal and
// integer targets; see PlainNumber() in value_parsers.h for what is accepted.
struct NumberFormat {
  char decimal_separator = '.';
  // None when empty; else one character, in UTF-8: a no-break space (French exports) is two
  // bytes, a narrow one three.
  std::string thousands_separator;
  // Where a pipeline file sets this format, for the hint on a number written with a comma.
  std::string setting = "mapping.numbers";

  bool is_plain() const { return decimal_separator == '.' && thousands_separator.empty(); }
};

// Rules apply in order. A target may appear again in a later rule with a `when` condition; that
// rule overrides the earlier ones for the records where its condition holds.
struct MappingSpec {
  std::string version;  // recorded in every record's provenance.mapping_version
  // What the version names: lowercase hex SHA-256 of the pipeline file's `mapping` (its
  // version aside, keys sorted, comments and layout gone) and the normalisation steps it runs. Tells a changed
  // mapping that kept its version from the same mapping written differently
  // (pipeline/batch_run.cc).
  std::string fingerprint;
  std::vector<FieldMapping> fields;
  NumberFormat numbers;
  // Source columns no rule reads go to TradeEvent.source_attributes (nothing is dropped; they
  // are not part of the content that tells a replay from a changed version, though).
  bool keep_unmapped_columns = true;
};

}  // namespace tradeflow::transform
