// Loading reference data files (counterparties, books, products, listed contracts, unit
// conversions, FX rates) into tradeflow.reference.v1 rows and a transform::ReferenceData index.
// docs/reference-data.md documents the files and the `reference:` section of the pipeline file.
//
// Contract:
// - Each table is a CSV file with a header row. By default every column must be named like a
//   field of the table's row message (Counterparty.id, ContractSpec.contract_size, ...) and is
//   mapped to it; `fields` maps others with the rules of the trade mapping (column, constant,
//   default, format, enum); `ignore_columns` lists columns that are deliberately not loaded. Any
//   other column is an error, so a misspelt header never silently loads as nothing.
// - `active` (counterparties, books) is true when its column is absent or empty.
// - Reference data must be clean: it is not quarantined. The first bad row stops the load with
//   "<file>:<line>: <field> (column <c>): <what is wrong>"; a duplicate key names the key; an
//   unknown column names the file, line 1 and the fields there are.
// - Loading is all-or-nothing and reads only the files; it writes nothing.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "sources/open_input.h"
#include "transform/mapping_spec.h"
#include "transform/reference_data.h"

namespace YAML {
class Node;
}

namespace tradeflow::pipeline {

struct ReferenceConfig {
  struct Table {
    std::string
        kind;  // counterparties | books | products | contracts | unit_conversions | fx_rates
    std::string path;  // resolved against the pipeline file's folder
    // Rules for fields whose column is not named like the field; the other columns map by name.
    transform::MappingSpec mapping;
    std::vector<std::string> ignore_columns;
    char delimiter = ',';
    char quote = '"';
    sources::InputOptions input;  // encoding (compression as the file's name says)
    std::string where;            // "<pipeline file>:<line>" of the table's entry, for errors
    bool allow_empty = false;     // a kind with no rows in any of its files loads, else fails
  };
  std::vector<Table> tables;  // in the order written; a kind may have several files
};

// Parses the value of the pipeline file's `reference:` key. Unknown keys and unknown kinds are
// errors naming "<pipeline_file>:<line>".
Result<ReferenceConfig> ParseReferenceConfig(const YAML::Node& node,
                                             const std::string& pipeline_file);

struct LoadedReference {
  transform::ReferenceTables tables;  // every row, per kind, in file order: for the lake
  transform::ReferenceData data;      // the same rows indexed: for normalisation and validation
};

Result<LoadedReference> LoadReferenceData(const ReferenceConfig& config);

}  // namespace tradeflow::pipeline
