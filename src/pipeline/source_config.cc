#include "pipeline/source_config.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

#include "pipeline/yaml_reader.h"
#include "sources/csv_source.h"
#include "sources/fixml_source.h"
#include "sources/input_set.h"
#include "sources/jsonl_source.h"

namespace tradeflow::pipeline {
namespace {

constexpr const char* kKeys[] = {"type",      "path",  "paths",  "encoding", "compression",
                                 "delimiter", "quote", "escape", "header",   "columns"};
constexpr const char* kCsvOnly[] = {"delimiter", "quote", "escape", "header", "columns"};

class SourceParser : public YamlReader {
 public:
  explicit SourceParser(std::string file) : YamlReader(std::move(file)) {}

  std::string Resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_absolute()) return p;
    return (std::filesystem::path(file()).parent_path() / path).lexically_normal().string();
  }

  Result<SourceConfig> Parse(const YAML::Node& node) const {
    SourceConfig out;
    out.where = Where(node);
    if (!node.IsMap()) return Error(node, "source must be a mapping");
    std::string allowed;
    for (const char* k : kKeys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
        return Error(kv.first, "unknown key '" + key + "' in source (allowed: " + allowed + ")");
      }
    }
    if (!node["type"]) return Error(node, "source needs a type (csv, jsonl or fixml)");
    TF_ASSIGN_OR_RETURN(out.type, Scalar(node["type"], "source.type"));
    if (out.type != "csv" && out.type != "jsonl" && out.type != "fixml") {
      return Error(node["type"],
                   "source type '" + out.type + "' is not supported (csv, jsonl, fixml)");
    }
    if (out.type != "csv") {
      for (const char* k : kCsvOnly) {
        if (node[k]) return Error(node[k], std::string("'") + k + "' applies only to csv sources");
      }
    }
    if (node["path"] && node["paths"]) {
      return Error(node["paths"], "give source.path or source.paths, not both");
    }
    if (node["path"]) {
      TF_ASSIGN_OR_RETURN(std::string p, Scalar(node["path"], "source.path"));
      out.paths.push_back(Resolve(p));
    }
    if (node["paths"]) {
      if (!node["paths"].IsSequence()) return Error(node["paths"], "source.paths must be a list");
      for (const auto& p : node["paths"]) {
        TF_ASSIGN_OR_RETURN(std::string s, Scalar(p, "source.paths entry"));
        out.paths.push_back(Resolve(s));
      }
    }
    if (out.paths.empty()) return Error(node, "source needs a path or paths");
    if (node["encoding"]) {
      TF_ASSIGN_OR_RETURN(out.input.encoding, Encoding(node["encoding"]));
    }
    if (node["compression"]) {
      TF_ASSIGN_OR_RETURN(std::string c, Scalar(node["compression"], "compression"));
      auto compression = sources::ParseCompression(c);
      if (!compression.ok()) return Error(node["compression"], compression.status().message());
      out.input.compression = *compression;
    }
    if (node["delimiter"]) {
      TF_ASSIGN_OR_RETURN(out.csv.delimiter, Char(node["delimiter"], "delimiter"));
    }
    if (node["quote"]) {
      TF_ASSIGN_OR_RETURN(out.csv.quote, Char(node["quote"], "quote"));
    }
    if (node["escape"]) {
      TF_ASSIGN_OR_RETURN(out.csv.escape, Char(node["escape"], "escape"));
    }
    if (node["header"]) {
      TF_ASSIGN_OR_RETURN(out.csv.header, Bool(node["header"], "header"));
    }
    if (node["columns"]) {
      if (!node["columns"].IsSequence()) return Error(node["columns"], "columns must be a list");
      out.csv.column_names_where = Where(node["columns"]);
      for (const auto& c : node["columns"]) {
        TF_ASSIGN_OR_RETURN(std::string s, Scalar(c, "column name"));
        // Names key the mapping's columns and each row's source_attributes: "" or a repeat
        // would store values under a key nobody can tell apart.
        if (s.find_first_not_of(" \t") == std::string::npos) {
          return Error(c,
                       "a column name in columns is empty; name every column (one the "
                       "mapping does not read can be named anything, e.g. unused_7)");
        }
        if (std::find(out.csv.column_names.begin(), out.csv.column_names.end(), s) !=
            out.csv.column_names.end()) {
          return Error(c, "column name '" + s + "' is given twice in columns");
        }
        out.csv.column_names.push_back(s);
      }
    }
    if (out.type == "csv" && !out.csv.header && out.csv.column_names.empty()) {
      return Error(node, "a source without a header row needs 'columns'");
    }
    for (char c : {out.csv.delimiter, out.csv.quote, out.csv.escape}) {
      if (c == '\n' || c == '\r') {
        return Error(node,
                     "delimiter, quote and escape cannot be a line break: line breaks end "
                     "records");
      }
    }
    if (out.csv.delimiter == out.csv.quote ||
        (out.csv.escape != '\0' && out.csv.escape == out.csv.delimiter)) {
      return Error(node, "delimiter, quote and escape must be different characters");
    }
    return out;
  }

 private:
};

}  // namespace

Result<SourceConfig> ParseSourceConfig(const YAML::Node& node, const std::string& pipeline_file) {
  try {
    return SourceParser(pipeline_file).Parse(node);
  } catch (const YAML::Exception& e) {
    return Status::Invalid(pipeline_file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<std::vector<std::string>> ResolveSourceFiles(const SourceConfig& config,
                                                    const std::set<std::string>& gone_ok) {
  std::vector<std::string> files;
  for (const auto& pattern : config.paths) {
    auto matched = sources::ExpandInputs({pattern});
    if (!matched.ok()) {
      const bool only_gone =
          matched.status().code() == StatusCode::kNotFound &&
          std::any_of(gone_ok.begin(), gone_ok.end(), [&](const std::string& path) {
            // A literal path first: "trades[1].csv" names that file (sources::ExpandInputs).
            return path == pattern || ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
          });
      if (only_gone) continue;
      return matched.status().WithContext(config.where + ": source");
    }
    files.insert(files.end(), matched->begin(), matched->end());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<std::unique_ptr<sources::RecordSource>> OpenSource(const SourceConfig& config,
                                                          const std::string& path) {
  if (config.type == "csv") {
    TF_ASSIGN_OR_RETURN(auto reader, sources::CsvReader::Open(path, config.csv, config.input));
    return std::unique_ptr<sources::RecordSource>(
        std::make_unique<sources::CsvSource>(std::move(reader)));
  }
  if (config.type == "jsonl") {
    TF_ASSIGN_OR_RETURN(auto source, sources::JsonlSource::Open(path, config.input));
    return std::unique_ptr<sources::RecordSource>(std::move(source));
  }
  if (config.type == "fixml") {
    TF_ASSIGN_OR_RETURN(auto source, sources::FixmlSource::Open(path, config.input));
    return std::unique_ptr<sources::RecordSource>(std::move(source));
  }
  return Status::Invalid(config.where + ": source type '" + config.type +
                         "' is not supported (csv, jsonl, fixml)");
}

}  // namespace tradeflow::pipeline
