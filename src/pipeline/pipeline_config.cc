#include "pipeline/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pipeline/validation_config.h"
#include "pipeline/yaml_reader.h"
#include "sources/input_file.h"

namespace tradeflow::pipeline {
namespace {

// The node as JSON with keys sorted (nlohmann::json objects are std::maps) and every scalar as
// its text: `1` and `"1"` read the same, so they fingerprint the same.
nlohmann::json Canonical(const YAML::Node& node) {
  if (!node.IsDefined()) return nullptr;
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : node) out[kv.first.Scalar()] = Canonical(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(Canonical(item));
    return out;
  }
  if (node.IsScalar()) return node.Scalar();
  return nullptr;
}

// A field's rules in one form: `f: col` is `f: [{column: col}]`, and one rule a list of one.
nlohmann::json CanonicalRules(const YAML::Node& rules) {
  nlohmann::json out = nlohmann::json::array();
  auto add = [&](const YAML::Node& rule) {
    out.push_back(rule.IsScalar() ? nlohmann::json{{"column", rule.Scalar()}} : Canonical(rule));
  };
  if (rules.IsSequence()) {
    for (const auto& rule : rules) add(rule);
  } else {
    add(rules);
  }
  return out;
}

// Normalisation changes stored values as the mapping does, so it is part of what the version
// names: as the steps it runs, however the file spells them (`normalise: true`, left out).
nlohmann::json NormaliseSteps(bool enabled, const transform::NormaliseOptions& o) {
  if (!enabled) return false;
  return {{"contract_specs", o.apply_contract_specs},
          {"units", o.convert_quantities},
          {"totals", o.compute_totals},
          {"minor_currency", o.convert_minor_currency},
          {"fill_product", o.fill_product},
          {"note_approximate_factors", o.note_approximate_factors}};
}

std::string MappingFingerprint(const YAML::Node& mapping, bool normalise_enabled,
                               const transform::NormaliseOptions& normalise) {
  nlohmann::json canonical = {{"mapping", Canonical(mapping)},
                              {"normalise", NormaliseSteps(normalise_enabled, normalise)}};
  canonical["mapping"].erase("version");
  for (const auto& kv : mapping["fields"]) {
    canonical["mapping"]["fields"][kv.first.Scalar()] = CanonicalRules(kv.second);
  }
  return sources::Sha256Hex(
      canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A table or namespace name is a folder name in the warehouse and a part of "ns.name": letters,
// digits, '_' and '-' only, so that it can neither leave the warehouse ("../x") nor alias
// another table's folder, and "ns.name" reads back as it was written.
bool IsPlainName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// SQLAlchemy's URL parsing decodes %XX escapes in a database path (my%20cat.db is "my cat.db"),
// so the same catalog.uri names the same file for tradeflow and pyiceberg. A '%' not followed
// by two hex digits is kept, as SQLAlchemy's unquote does.
std::string PercentDecoded(const std::string& text) {
  auto hex = [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c))
               ? (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10)
               : -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// tradeflow writes local files only: a path given as a URI is either one (file:///abs, and with
// `sqlite` SQLAlchemy's sqlite:///relative or sqlite:////abs, the form pyiceberg's SqlCatalog
// takes) or a mistake to say so, not a folder named "s3:" in the working directory.
Result<std::string> LocalPath(const std::string& text, bool sqlite) {
  const size_t colon = text.find("://");
  std::string path = text;
  if (colon != std::string::npos) {
    const std::string scheme = text.substr(0, colon);
    if (scheme == "file") {
      // file:///abs: after "file://" comes a host, which a relative path would be read as.
      path = text.substr(colon + 3);
      if (!path.starts_with("/")) {
        return Status::Invalid("'" + text + "' names no absolute path (file:///abs/path; " +
                               "a relative path needs no scheme)");
      }
    } else if (sqlite && scheme == "sqlite" && text.compare(colon, 4, ":///") == 0) {
      path = PercentDecoded(text.substr(colon + 4));
    } else {
      return Status::Invalid("'" + text + "' is a " + scheme +
                             ":// location; tradeflow reads and writes local files only (a "
                             "path, or file:///...)");
    }
  }
  if (path.find_first_not_of(" \t") == std::string::npos) {
    return Status::Invalid("is empty: give a folder or file path");
  }
  // "file:lake", "s3:bucket": a scheme without "//" would be a folder named "file:" here. (A
  // folder whose name has a colon can be written ./name:x.)
  const size_t scheme_end = text.find(':');
  if (colon == std::string::npos && scheme_end != std::string::npos && scheme_end >= 2 &&
      std::isalpha(static_cast<unsigned char>(text[0])) &&
      std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(scheme_end), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      })) {
    return Status::Invalid("'" + text + "' reads as a URI without '//' (" +
                           text.substr(0, scheme_end) +
                           ":); write a path, or file:///abs/path (./" + text +
                           " for a folder whose name has a colon)");
  }
  return path;
}

// The keys that name a rule's value source; a rule has one.
constexpr const char* kValueSources[] = {"column", "constant", "lookup", "concat"};

class Parser : public YamlReader {
 public:
  explicit Parser(std::string file) : YamlReader(std::move(file)) {}

  Status CheckName(const YAML::Node& node, const std::string& name, const char* what) const {
    if (IsPlainName(name)) return Status::OK();
    return Error(node, std::string(what) + " '" + name +
                           "' may hold only letters, digits, '_' and '-' (it names a folder of the "
                           "warehouse)");
  }

  // Every key of `node` must be one of `allowed`.

  Status ParseCatalog(const YAML::Node& node, CatalogConfig* out) const {
    TF_RETURN_IF_ERROR(CheckKeys(node, "catalog", {"type", "uri", "name"}));
    if (node["type"]) {
      TF_ASSIGN_OR_RETURN(out->type, Scalar(node["type"], "catalog.type"));
      if (out->type != "sqlite") {
        return Error(node["type"], "catalog.type '" + out->type + "' is not supported (sqlite)");
      }
    }
    if (node["uri"]) {
      TF_ASSIGN_OR_RETURN(std::string uri, Scalar(node["uri"], "catalog.uri"));
      auto path = LocalPath(uri, /*sqlite=*/true);
      if (!path.ok()) return Error(node["uri"], "catalog.uri " + path.status().message());
      out->uri = *path;
    }
    if (node["name"]) {
      TF_ASSIGN_OR_RETURN(out->name, Scalar(node["name"], "catalog.name"));
    }
    return Status::OK();
  }

  Status ParsePartition(const YAML::Node& node, TableConfig* out) const {
    if (!node.IsSequence()) return Error(node, "partition_by must be a list");
    out->partition.clear();
    for (const auto& item : node) {
      lake::PartitionRequest r;
      r.transform = "identity";
      if (item.IsScalar()) {
        r.column = item.as<std::string>();
      } else {
        TF_RETURN_IF_ERROR(CheckKeys(item, "partition_by entry", {"column", "transform", "name"}));
        if (!item["column"]) return Error(item, "partition_by entry needs a column");
        TF_ASSIGN_OR_RETURN(r.column, Scalar(item["column"], "column"));
        if (item["transform"]) {
          TF_ASSIGN_OR_RETURN(r.transform, Scalar(item["transform"], "transform"));
        }
        if (item["name"]) {
          TF_ASSIGN_OR_RETURN(r.name, Scalar(item["name"], "name"));
        }
      }
      for (const auto& earlier : out->partition) {
        if (earlier.column == r.column && earlier.transform == r.transform) {
          return Error(item, "partition_by names " + r.column + " (" + r.transform + ") twice");
        }
      }
      out->partition.push_back(std::move(r));
    }
    return Status::OK();
  }

  Status ParseSort(const YAML::Node& node, TableConfig* out) const {
    if (!node.IsSequence()) return Error(node, "sort_by must be a list of columns");
    out->sort.clear();
    for (const auto& item : node) {
      TF_ASSIGN_OR_RETURN(std::string column, Scalar(item, "sort_by entry"));
      bool descending = false;
      if (column.size() > 5 && column.ends_with(" desc")) {
        column.resize(column.size() - 5);
        descending = true;
      } else if (column.size() > 4 && column.ends_with(" asc")) {
        column.resize(column.size() - 4);
      }
      if (column.find(' ') != std::string::npos) {
        return Error(item,
                     "sort_by entry '" + column +
                         "': a column, then optionally 'desc' (or 'asc'), as 'trade_date desc'");
      }
      out->sort.push_back({column, descending});
    }
    return Status::OK();
  }

  // `normalise: true|false`, or a mapping that switches single steps (transform/normalise.h).
  Status ParseNormalise(const YAML::Node& node, PipelineConfig* out) const {
    if (node.IsScalar()) {
      TF_ASSIGN_OR_RETURN(out->normalise_enabled, Bool(node, "normalise"));
      return Status::OK();
    }
    struct Step {
      const char* key;
      bool transform::NormaliseOptions::*flag;
    };
    static constexpr Step kSteps[] = {
        {"contract_specs", &transform::NormaliseOptions::apply_contract_specs},
        {"units", &transform::NormaliseOptions::convert_quantities},
        {"totals", &transform::NormaliseOptions::compute_totals},
        {"minor_currency", &transform::NormaliseOptions::convert_minor_currency},
        {"fill_product", &transform::NormaliseOptions::fill_product},
        {"note_approximate_factors", &transform::NormaliseOptions::note_approximate_factors}};
    TF_RETURN_IF_ERROR(CheckKeys(node, "normalise",
                                 {"enabled", "contract_specs", "units", "totals", "minor_currency",
                                  "fill_product", "note_approximate_factors"}));
    if (node["enabled"]) {
      TF_ASSIGN_OR_RETURN(out->normalise_enabled, Bool(node["enabled"], "normalise.enabled"));
    }
    for (const auto& step : kSteps) {
      if (!node[step.key]) continue;
      TF_ASSIGN_OR_RETURN(out->normalise.*step.flag,
                          Bool(node[step.key], std::string("normalise.") + step.key));
      if (!out->normalise_enabled && out->normalise.*step.flag) {
        return Error(node[step.key], std::string("normalise.") + step.key +
                                         " is true, but normalise.enabled is false: no step runs");
      }
    }
    return Status::OK();
  }

  // An optional whole number of MiB, from 1 to a million (a TiB: bytes fit an int64 easily).
  Status Megabytes(const YAML::Node& table, const char* key, int64_t* out) const {
    const YAML::Node node = table[key];
    if (!node) return Status::OK();
    try {
      *out = node.as<int64_t>();
    } catch (const YAML::Exception&) {
      return Error(node, std::string(key) + " must be a whole number");
    }
    if (*out < 1 || *out > (1 << 20)) {
      return Error(node, std::string(key) + " must be between 1 and 1048576 (MiB)");
    }
    return Status::OK();
  }

  Status ParseTable(const YAML::Node& node, TableConfig* out) const {
    TF_RETURN_IF_ERROR(
        CheckKeys(node, "table",
                  {"namespace", "name", "partition_by", "sort_by", "target_file_mb", "buffer_mb"}));
    if (node["partition_by"]) {
      TF_RETURN_IF_ERROR(ParsePartition(node["partition_by"], out));
      out->layout_where = Where(node["partition_by"]);
    }
    if (node["sort_by"]) {
      TF_RETURN_IF_ERROR(ParseSort(node["sort_by"], out));
      if (out->layout_where.empty()) out->layout_where = Where(node["sort_by"]);
    }
    TF_RETURN_IF_ERROR(Megabytes(node, "target_file_mb", &out->target_file_mb));
    TF_RETURN_IF_ERROR(Megabytes(node, "buffer_mb", &out->buffer_mb));
    if (node["namespace"]) {
      TF_ASSIGN_OR_RETURN(out->ns, Scalar(node["namespace"], "namespace"));
    }
    if (node["name"]) {
      TF_ASSIGN_OR_RETURN(out->name, Scalar(node["name"], "table.name"));
    }
    TF_RETURN_IF_ERROR(
        CheckName(node["namespace"] ? node["namespace"] : node, out->ns, "table.namespace"));
    TF_RETURN_IF_ERROR(CheckName(node["name"] ? node["name"] : node, out->name, "table.name"));
    return Status::OK();
  }

  Result<transform::ValueSource> ParseValueSource(const YAML::Node& node) const {
    transform::ValueSource src;
    if (node.IsScalar()) {
      src.column = node.as<std::string>();
      return src;
    }
    // One value source a rule: with two, one would be ignored.
    std::vector<std::string> given;
    for (const char* key : kValueSources) {
      if (node[key]) given.push_back(key);
    }
    if (node["separator"] && !node["concat"]) {
      return Error(node["separator"], "separator applies to concat only");
    }
    if (given.size() > 1) {
      return Error(node, "a rule takes one value source, but " + given[0] + " and " + given[1] +
                             " are both given");
    }
    if (node["column"]) {
      TF_ASSIGN_OR_RETURN(src.column, Scalar(node["column"], "column"));
    } else if (node["constant"]) {
      src.kind = transform::ValueSource::Kind::kConstant;
      TF_ASSIGN_OR_RETURN(src.constant, Scalar(node["constant"], "constant"));
    } else if (node["lookup"]) {
      const YAML::Node& l = node["lookup"];
      TF_RETURN_IF_ERROR(CheckKeys(l, "lookup", {"table", "key", "field"}));
      if (!l["table"] || !l["key"] || !l["field"]) {
        return Error(l, "lookup needs table, key and field");
      }
      src.kind = transform::ValueSource::Kind::kLookup;
      TF_ASSIGN_OR_RETURN(src.lookup_table, Scalar(l["table"], "lookup.table"));
      TF_ASSIGN_OR_RETURN(src.lookup_field, Scalar(l["field"], "lookup.field"));
      if (l["key"].IsSequence()) {
        for (const auto& k : l["key"]) {
          TF_ASSIGN_OR_RETURN(auto part, ParsePart(k, "lookup key"));
          src.parts.push_back(std::move(part));
        }
      } else {
        TF_ASSIGN_OR_RETURN(auto part, ParsePart(l["key"], "lookup key"));
        src.parts.push_back(std::move(part));
      }
    } else if (node["concat"]) {
      src.kind = transform::ValueSource::Kind::kConcat;
      if (!node["concat"].IsSequence() || node["concat"].size() == 0) {
        return Error(node["concat"], node["concat"].IsSequence()
                                         ? "concat is empty: list the values to join"
                                         : "concat must be a list of values to join");
      }
      for (const auto& part : node["concat"]) {
        TF_ASSIGN_OR_RETURN(auto p, ParsePart(part, "concat part"));
        src.parts.push_back(std::move(p));
      }
      if (node["separator"]) {
        TF_ASSIGN_OR_RETURN(src.separator, Scalar(node["separator"], "sep"));
      }
    } else {
      return Error(node, "a field needs one of column, constant, concat or lookup");
    }
    return src;
  }

  // A value inside another (a concat part, a lookup key): a value source only. `when`, `default`
  // and the rest belong to a whole rule; here they would be ignored without a word.
  Result<transform::ValueSource> ParsePart(const YAML::Node& node, const char* what) const {
    if (node.IsMap()) {
      for (const auto& kv : node) {
        const std::string key = kv.first.as<std::string>();
        if (key == "separator" || std::find(std::begin(kValueSources), std::end(kValueSources),
                                            key) != std::end(kValueSources)) {
          continue;
        }
        return Error(kv.first, std::string("'") + key + "' does not apply to a " + what +
                                   ", only to a whole rule: a " + what +
                                   " is a column, constant, concat or lookup");
      }
    }
    return ParseValueSource(node);
  }

  Result<transform::Condition> ParseCondition(const YAML::Node& node) const {
    TF_RETURN_IF_ERROR(CheckKeys(node, "when", {"column", "in", "equals"}));
    if (node["in"] && node["equals"]) {
      return Error(node, "when takes equals: x or in: [x, y], not both");
    }
    transform::Condition c;
    if (!node["column"]) return Error(node, "when needs a column");
    TF_ASSIGN_OR_RETURN(c.column, Scalar(node["column"], "when.column"));
    if (node["equals"]) {
      TF_ASSIGN_OR_RETURN(std::string v, Scalar(node["equals"], "when.equals"));
      c.in.push_back(v);
    }
    if (node["in"]) {
      if (!node["in"].IsSequence()) return Error(node["in"], "when.in must be a list");
      if (node["in"].size() == 0) {
        return Error(node["in"],
                     "when.in is empty; list the values, or leave `in` out to test that the "
                     "column is not empty");
      }
      for (const auto& v : node["in"]) {
        TF_ASSIGN_OR_RETURN(std::string s, Scalar(v, "when.in entry"));
        c.in.push_back(s);
      }
    }
    return c;
  }

  Result<transform::FieldMapping> ParseField(const YAML::Node& key, const YAML::Node& node) const {
    transform::FieldMapping m;
    m.target = key.as<std::string>();
    m.where = Where(key);
    if (node.IsMap()) {
      TF_RETURN_IF_ERROR(CheckKeys(node, "field '" + m.target + "'",
                                   {"column", "constant", "concat", "lookup", "separator", "format",
                                    "time_zone", "enum", "default", "when"}));
    }
    TF_ASSIGN_OR_RETURN(m.source, ParseValueSource(node));
    if (node.IsMap()) {
      if (node["format"]) {
        TF_ASSIGN_OR_RETURN(m.format, Scalar(node["format"], "format"));
      }
      if (node["time_zone"]) {
        TF_ASSIGN_OR_RETURN(m.time_zone, Scalar(node["time_zone"], "tz"));
      }
      if (node["default"]) {
        TF_ASSIGN_OR_RETURN(std::string d, Scalar(node["default"], "default"));
        m.default_value = d;
      }
      if (node["when"]) {
        TF_ASSIGN_OR_RETURN(m.when, ParseCondition(node["when"]));
      }
      if (node["enum"]) {
        if (!node["enum"].IsMap()) return Error(node["enum"], "enum must map source → label");
        for (const auto& kv : node["enum"]) {
          m.enum_values[kv.first.as<std::string>()] = kv.second.as<std::string>();
        }
      }
    }
    return m;
  }

  Status ParseMapping(const YAML::Node& node, transform::MappingSpec* out) const {
    TF_RETURN_IF_ERROR(
        CheckKeys(node, "mapping", {"version", "fields", "keep_unmapped_columns", "numbers"}));
    if (node["numbers"]) {
      TF_ASSIGN_OR_RETURN(out->numbers, Numbers(node["numbers"], "mapping.numbers"));
    }
    if (!node["version"]) return Error(node, "mapping needs a version (recorded in provenance)");
    TF_ASSIGN_OR_RETURN(out->version, Scalar(node["version"], "mapping.version"));
    if (out->version.find_first_not_of(" \t") == std::string::npos) {
      return Error(node["version"],
                   "mapping.version is empty; every record's provenance "
                   "records it, so name the mapping's version (etrm-v1)");
    }
    if (node["keep_unmapped_columns"]) {
      TF_ASSIGN_OR_RETURN(out->keep_unmapped_columns,
                          Bool(node["keep_unmapped_columns"], "keep_unmapped_columns"));
    }
    if (!node["fields"] || !node["fields"].IsMap()) {
      return Error(node, "mapping needs fields: a mapping of canonical field → source");
    }
    if (node["fields"].size() == 0) {
      return Error(node["fields"], "mapping.fields is empty: map at least the canonical fields");
    }
    for (const auto& kv : node["fields"]) {
      if (kv.second.IsSequence() && kv.second.size() == 0) {
        return Error(kv.second,
                     "the rules for " + kv.first.as<std::string>() +
                         " are an empty list: give at least one, or leave the field out");
      }
      if (kv.second.IsSequence()) {
        // Several rules for one target: the later ones need a `when` (see MappingSpec).
        for (const auto& rule : kv.second) {
          TF_ASSIGN_OR_RETURN(auto field, ParseField(kv.first, rule));
          field.where = Where(rule);
          out->fields.push_back(std::move(field));
        }
        continue;
      }
      TF_ASSIGN_OR_RETURN(auto field, ParseField(kv.first, kv.second));
      out->fields.push_back(std::move(field));
    }
    return Status::OK();
  }

  // "500" (records) or "2.5%" (of the records read from the file, at most 6 decimals): digits
  // and for a percentage one point, nothing else (no sign, exponent, nan or inf).
  Result<BadRecordLimit> ParseBadRecordLimit(const YAML::Node& node) const {
    TF_ASSIGN_OR_RETURN(std::string text, Scalar(node, "max_bad_records"));
    const bool percent = !text.empty() && text.back() == '%';
    std::string number = percent ? text.substr(0, text.size() - 1) : text;
    const size_t point = number.find('.');
    const bool plain = !number.empty() && number.front() != '.' && number.back() != '.' &&
                       number.find_first_not_of("0123456789.") == std::string::npos &&
                       std::count(number.begin(), number.end(), '.') <= (percent ? 1 : 0) &&
                       (point == std::string::npos || number.size() - point - 1 <= 6);
    BadRecordLimit limit;
    limit.text = text;
    bool ok = plain;
    if (ok && percent) {
      limit.percent_scale =
          point == std::string::npos ? 0 : static_cast<int>(number.size() - point - 1);
      if (point != std::string::npos) number.erase(point, 1);
      auto [ptr, ec] =
          std::from_chars(number.data(), number.data() + number.size(), limit.percent_units);
      int64_t hundred = 100;
      for (int i = 0; i < limit.percent_scale; ++i) hundred *= 10;
      ok = ec == std::errc() && ptr == number.data() + number.size() &&
           limit.percent_units <= hundred;
    } else if (ok) {
      int64_t count = 0;
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
      ok = ec == std::errc() && ptr == number.data() + number.size();
      limit.count = count;
    }
    if (!ok) {
      return Error(node,
                   "max_bad_records must be a whole number of records (500) or a percentage of "
                   "a file's records from 0% to 100% (2.5%), not '" +
                       text + "'");
    }
    return limit;
  }

  Result<PipelineConfig> Parse(const YAML::Node& root) const {
    PipelineConfig config;
    config.file = file();
    TF_RETURN_IF_ERROR(CheckKeys(root, "the pipeline file",
                                 {"pipeline", "warehouse", "catalog", "table", "quarantine",
                                  "on_bad_record", "max_bad_records", "on_bad_file", "cleanup",
                                  "source", "mapping", "reference", "normalise", "validation"}));
    if (root["quarantine"]) {
      const YAML::Node& q = root["quarantine"];
      TF_RETURN_IF_ERROR(CheckKeys(q, "quarantine", {"name"}));
      if (q["name"]) {
        TF_ASSIGN_OR_RETURN(config.quarantine_table, Scalar(q["name"], "quarantine.name"));
        TF_RETURN_IF_ERROR(CheckName(q["name"], config.quarantine_table, "quarantine.name"));
      }
    }
    if (root["on_bad_record"]) {
      TF_ASSIGN_OR_RETURN(std::string policy, Scalar(root["on_bad_record"], "on_bad_record"));
      if (policy == "quarantine") {
        config.on_bad_record = BadRecordPolicy::kQuarantine;
      } else if (policy == "fail") {
        config.on_bad_record = BadRecordPolicy::kFail;
      } else {
        return Error(root["on_bad_record"], "on_bad_record must be quarantine or fail");
      }
    }
    if (root["max_bad_records"]) {
      if (config.on_bad_record == BadRecordPolicy::kFail) {
        return Error(root["max_bad_records"],
                     "max_bad_records needs on_bad_record: quarantine (with fail, the first bad "
                     "record stops the run)");
      }
      TF_ASSIGN_OR_RETURN(config.max_bad_records, ParseBadRecordLimit(root["max_bad_records"]));
    }
    if (root["on_bad_file"]) {
      TF_ASSIGN_OR_RETURN(std::string policy, Scalar(root["on_bad_file"], "on_bad_file"));
      if (policy == "fail") {
        config.on_bad_file = BadFilePolicy::kFail;
      } else if (policy == "skip") {
        config.on_bad_file = BadFilePolicy::kSkip;
      } else {
        return Error(root["on_bad_file"], "on_bad_file must be fail or skip");
      }
      if (!config.max_bad_records && config.on_bad_file == BadFilePolicy::kSkip) {
        return Error(root["on_bad_file"],
                     "on_bad_file needs max_bad_records, which says when a file is bad");
      }
    }
    if (root["cleanup"]) {
      const YAML::Node& c = root["cleanup"];
      TF_RETURN_IF_ERROR(CheckKeys(c, "cleanup", {"orphan_min_age_seconds"}));
      if (c["orphan_min_age_seconds"]) {
        try {
          config.orphan_min_age_seconds = c["orphan_min_age_seconds"].as<int64_t>();
        } catch (const YAML::Exception&) {
          return Error(c["orphan_min_age_seconds"],
                       "orphan_min_age_seconds must be a whole number of seconds");
        }
        if (config.orphan_min_age_seconds < 0) {
          return Error(c["orphan_min_age_seconds"], "orphan_min_age_seconds must be 0 or more");
        }
      }
    }
    if (root["pipeline"]) {
      TF_ASSIGN_OR_RETURN(config.name, Scalar(root["pipeline"], "pipeline"));
    }
    if (root["warehouse"]) {
      TF_ASSIGN_OR_RETURN(std::string warehouse, Scalar(root["warehouse"], "warehouse"));
      auto path = LocalPath(warehouse, /*sqlite=*/false);
      if (!path.ok()) return Error(root["warehouse"], "warehouse " + path.status().message());
      config.warehouse = *path;
    }
    if (root["catalog"]) TF_RETURN_IF_ERROR(ParseCatalog(root["catalog"], &config.catalog));
    if (root["table"]) TF_RETURN_IF_ERROR(ParseTable(root["table"], &config.table));
    // The run's three kinds of table share the namespace: their names must differ.
    const YAML::Node& named = root["table"] && root["table"]["name"] ? root["table"]["name"] : root;
    if (config.table.name == config.quarantine_table) {
      return Error(named, "table.name and quarantine.name are both '" + config.table.name +
                              "': the quarantine needs a table of its own");
    }
    if (config.table.name.rfind("ref_", 0) == 0) {
      return Error(named, "table.name '" + config.table.name +
                              "' starts with 'ref_', which names the reference tables (ref_books, "
                              "...)");
    }
    if (config.quarantine_table.rfind("ref_", 0) == 0) {
      const YAML::Node& quarantine =
          root["quarantine"] && root["quarantine"]["name"] ? root["quarantine"]["name"] : root;
      return Error(quarantine, "quarantine.name '" + config.quarantine_table +
                                   "' starts with 'ref_', which names the reference tables "
                                   "(ref_books, ...)");
    }
    if (!root["source"]) return Error(root, "the pipeline needs a source");
    TF_ASSIGN_OR_RETURN(config.source, ParseSourceConfig(root["source"], file()));
    if (root["reference"]) {
      TF_ASSIGN_OR_RETURN(config.reference, ParseReferenceConfig(root["reference"], file()));
    }
    if (root["normalise"]) TF_RETURN_IF_ERROR(ParseNormalise(root["normalise"], &config));
    if (root["validation"]) {
      TF_ASSIGN_OR_RETURN(config.validation, ParseValidationConfig(root["validation"], file()));
    }
    if (!root["mapping"]) return Error(root, "the pipeline needs a mapping");
    TF_RETURN_IF_ERROR(ParseMapping(root["mapping"], &config.mapping));
    config.mapping.fingerprint =
        MappingFingerprint(root["mapping"], config.normalise_enabled, config.normalise);
    // FIX writes every number with a '.' point and no grouping: a format would misread them.
    if (config.source.type == "fixml" && !config.mapping.numbers.is_plain()) {
      return Error(root["mapping"]["numbers"],
                   "mapping.numbers does not apply to FIXML, whose numbers are always written "
                   "1234.5; leave it out");
    }
    return config;
  }

 private:
};

}  // namespace

Result<PipelineConfig> ParsePipelineConfig(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      return Status::Invalid(file + ":" + std::to_string(documents[1].Mark().line + 1) +
                             ": a second YAML document ('---'): a pipeline file holds one "
                             "pipeline");
    }
    if (!documents.empty()) root = documents.front();
  } catch (const YAML::ParserException& e) {
    return Status::Invalid(DescribeYamlError(e, file, text));
  }
  if (!root.IsDefined() || root.IsNull()) {
    return Status::Invalid(file + ": the pipeline file is empty (docs/pipeline-config.md)");
  }
  if (!root.IsMap()) return Status::Invalid(file + ": expected a YAML mapping at the top");
  try {
    TF_RETURN_IF_ERROR(Parser(file).CheckNoDuplicateKeys(root));
    // `validation:` alone: every built-in rule at its default (docs/validation.md).
    TF_RETURN_IF_ERROR(Parser(file).CheckNoMissingValues(root, {"validation"}));
    return Parser(file).Parse(root);
  } catch (const YAML::Exception& e) {
    return Status::Invalid(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<PipelineConfig> LoadPipelineConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::Invalid(path + ": is a directory, expected a pipeline YAML file");
  }
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": no such pipeline file");
  std::stringstream text;
  text << in.rdbuf();
  return ParsePipelineConfig(text.str(), path);
}

bool BadRecordLimit::Exceeded(int64_t bad, int64_t read) const {
  if (count) return bad > *count;
  __extension__ using Wide = __int128;  // bad * 10^8 and units * read overflow 64 bits
  Wide scaled = static_cast<Wide>(bad) * 100;
  for (int i = 0; i < percent_scale; ++i) scaled *= 10;
  return scaled > static_cast<Wide>(percent_units) * read;
}

Result<std::string> LocalPathOf(const std::string& location, bool sqlite) {
  return LocalPath(location, sqlite);
}

}  // namespace tradeflow::pipeline
