// The `source:` block of a pipeline file, and opening the source it describes.
//
//   source:
//     type: csv                  # csv | jsonl | fixml
//     path: trades/*.csv.gz      # or paths: [a.csv, "b/*.csv"]; glob patterns, relative to the
//                                # pipeline file's folder
//     encoding: utf-8            # utf-8 (default) | latin-1 | windows-1252
//     compression: auto          # auto (by extension: .gz, .zst) | none | gzip | zstd
//     delimiter: ","             # csv only: one character, or "tab"
//     quote: '"'                 # csv only
//     escape: "\\"               # csv only: none by default
//     header: true               # csv only; false needs columns
//     columns: [a, b]            # csv only
//
// Unknown keys, and csv keys on another type, are errors naming "<file>:<line>".
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "sources/csv_reader.h"
#include "sources/open_input.h"
#include "sources/record_source.h"

namespace YAML {
class Node;
}

namespace tradeflow::pipeline {

struct SourceConfig {
  std::string type;                // csv | jsonl | fixml
  std::vector<std::string> paths;  // glob patterns, resolved against the pipeline file's folder
  sources::InputOptions input;     // encoding and compression
  sources::CsvOptions csv;         // delimiter, quote, escape, header, column_names
  std::string where;               // "<file>:<line>" of the source block, for messages
};

// Parses the `source:` mapping of `pipeline_file`.
Result<SourceConfig> ParseSourceConfig(const YAML::Node& node, const std::string& pipeline_file);

// The files the source reads now: its patterns expanded (sources::ExpandInputs), sorted. A pattern
// that matches nothing is an error, unless it names one of `gone_ok` (files an earlier attempt
// of the run left out, which may have been moved away since).
Result<std::vector<std::string>> ResolveSourceFiles(const SourceConfig& config,
                                                    const std::set<std::string>& gone_ok = {});

// Opens one input file as the configured kind of source (not yet bound).
Result<std::unique_ptr<sources::RecordSource>> OpenSource(const SourceConfig& config,
                                                          const std::string& path);

}  // namespace tradeflow::pipeline
