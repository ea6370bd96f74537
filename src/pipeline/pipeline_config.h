// The pipeline file: one YAML document that says where records come from, how they map to the
// canonical model and where they are stored. docs/pipeline-config.md documents every key.
//
// This is the only module that reads YAML. Unknown keys are errors (a typo must not silently
// fall back to a default), and every error names "<file>:<line>".
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "transform/mapping_spec.h"

namespace tradeflow::pipeline {

struct CatalogConfig {
  std::string type = "sqlite";
  std::string uri = "lake/catalog.db";  // relative to the working directory
  std::string name = "tradeflow";
};

struct TableConfig {
  std::string ns = "trading";
  std::string name = "trade_events";
};

struct CsvSourceConfig {
  std::vector<std::string> paths;  // resolved against the pipeline file's folder
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  std::vector<std::string> column_names;
};

struct PipelineConfig {
  std::string file;  // the pipeline file itself
  std::string name;
  std::string warehouse = "lake";  // relative to the working directory
  CatalogConfig catalog;
  TableConfig table;
  CsvSourceConfig source;
  transform::MappingSpec mapping;
};

Result<PipelineConfig> LoadPipelineConfig(const std::string& path);

// Same, from text; `file` names it in errors and anchors relative source paths.
Result<PipelineConfig> ParsePipelineConfig(const std::string& text, const std::string& file);

}  // namespace tradeflow::pipeline
