#include "pipeline/reference_loader.h"

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "pipeline/yaml_reader.h"
#include "sources/csv_reader.h"
#include "sources/csv_source.h"
#include "transform/mapper.h"

namespace tradeflow::pipeline {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// ---- The `reference:` section ---------------------------------------------------------------

class ConfigParser : public YamlReader {
 public:
  explicit ConfigParser(std::string file) : YamlReader(std::move(file)) {}

  Result<std::vector<std::string>> List(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence()) return Error(node, what + " must be a list");
    std::vector<std::string> out;
    for (const auto& item : node) {
      TF_ASSIGN_OR_RETURN(std::string s, Scalar(item, what + " entry"));
      out.push_back(std::move(s));
    }
    return out;
  }

  std::string Resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_absolute()) return p;
    return (std::filesystem::path(file()).parent_path() / path).lexically_normal().string();
  }

  // One rule of `fields`: a column name, or {column | constant, default, format, enum}.
  Result<transform::FieldMapping> ParseField(const std::string& kind, const YAML::Node& key,
                                             const YAML::Node& node) const {
    transform::FieldMapping m;
    m.target = key.as<std::string>();
    m.where = Where(key);
    if (node.IsScalar()) {
      m.source.column = node.as<std::string>();
      return m;
    }
    const std::string what = kind + " field '" + m.target + "'";
    TF_RETURN_IF_ERROR(CheckKeys(node, what, {"column", "constant", "default", "format", "enum"}));
    if (node["column"] && node["constant"]) return Error(node, what + ": column or constant");
    if (node["column"]) {
      TF_ASSIGN_OR_RETURN(m.source.column, Scalar(node["column"], "column"));
    } else if (node["constant"]) {
      m.source.kind = transform::ValueSource::Kind::kConstant;
      TF_ASSIGN_OR_RETURN(m.source.constant, Scalar(node["constant"], "constant"));
    } else {
      return Error(node, what + " needs a column or a constant");
    }
    if (node["default"]) {
      TF_ASSIGN_OR_RETURN(std::string d, Scalar(node["default"], "default"));
      m.default_value = d;
    }
    if (node["format"]) {
      TF_ASSIGN_OR_RETURN(m.format, Scalar(node["format"], "format"));
    }
    if (node["enum"]) {
      if (!node["enum"].IsMap()) return Error(node["enum"], "enum must map source → label");
      for (const auto& kv : node["enum"]) {
        TF_ASSIGN_OR_RETURN(std::string label, Scalar(kv.second, "enum label"));
        m.enum_values[kv.first.as<std::string>()] = label;
      }
    }
    return m;
  }

  Status ParseTable(const std::string& kind, const YAML::Node& node, ReferenceConfig* out) const {
    ReferenceConfig::Table table;
    table.kind = kind;
    table.where = Where(node);
    table.mapping.version = "reference-" + kind;
    table.mapping.keep_unmapped_columns = false;
    table.mapping.numbers.setting = "reference." + kind + ".numbers";  // also when not given
    std::vector<std::string> paths;
    if (node.IsScalar()) {  // `books: ref/books.csv`
      paths.push_back(node.as<std::string>());
    } else if (!node.IsMap()) {
      return Error(node, "reference." + kind +
                             " must be a file path or a mapping ({path: ..., delimiter: ...}); "
                             "several files go under paths:");
    } else {
      TF_RETURN_IF_ERROR(CheckKeys(node, "reference." + kind,
                                   {"path", "paths", "delimiter", "quote", "encoding", "numbers",
                                    "fields", "ignore_columns", "allow_empty"}));
      if (node["path"] && node["paths"]) {
        return Error(node["paths"], "give path or paths, not both");
      }
      if (node["path"]) {
        TF_ASSIGN_OR_RETURN(std::string p, Scalar(node["path"], "path"));
        paths.push_back(p);
      }
      if (node["paths"]) {
        TF_ASSIGN_OR_RETURN(auto ps, List(node["paths"], "paths"));
        paths.insert(paths.end(), ps.begin(), ps.end());
      }
      if (node["delimiter"]) {
        TF_ASSIGN_OR_RETURN(table.delimiter, Char(node["delimiter"], "delimiter"));
      }
      if (node["quote"]) {
        TF_ASSIGN_OR_RETURN(table.quote, Char(node["quote"], "quote"));
      }
      if (node["encoding"]) {
        TF_ASSIGN_OR_RETURN(table.input.encoding, Encoding(node["encoding"]));
      }
      if (node["numbers"]) {
        TF_ASSIGN_OR_RETURN(table.mapping.numbers,
                            Numbers(node["numbers"], "reference." + kind + ".numbers"));
      }
      if (node["ignore_columns"]) {
        TF_ASSIGN_OR_RETURN(table.ignore_columns, List(node["ignore_columns"], "ignore_columns"));
      }
      if (node["allow_empty"]) {
        TF_ASSIGN_OR_RETURN(table.allow_empty, Bool(node["allow_empty"], "allow_empty"));
      }
      if (node["fields"]) {
        if (!node["fields"].IsMap()) {
          return Error(node["fields"], "fields must map a " + kind + " field to a column or rule");
        }
        for (const auto& kv : node["fields"]) {
          TF_ASSIGN_OR_RETURN(auto field, ParseField(kind, kv.first, kv.second));
          table.mapping.fields.push_back(std::move(field));
        }
      }
    }
    if (paths.empty()) return Error(node, "reference." + kind + " needs a path or paths");
    for (const auto& p : paths) {
      table.path = Resolve(p);
      out->tables.push_back(table);
    }
    return Status::OK();
  }

  Result<ReferenceConfig> Parse(const YAML::Node& node) const {
    ReferenceConfig config;
    if (!node.IsMap()) return Error(node, "reference must map a table kind to its file");
    for (const auto& kv : node) {
      std::string kind = kv.first.as<std::string>();
      if (transform::ReferenceDescriptor(kind) == nullptr) {
        std::string list;
        for (auto k : transform::ReferenceKinds()) {
          list += (list.empty() ? "" : ", ") + std::string(k);
        }
        return Error(kv.first, "unknown key '" + kind + "' in reference (allowed: " + list + ")");
      }
      TF_RETURN_IF_ERROR(ParseTable(kind, kv.second, &config));
    }
    return config;
  }

 private:
};

// ---- Loading --------------------------------------------------------------------------------

// The fields a row cannot do without, per kind: a file with no column for one fails at its header
// rather than at every row.
const std::map<std::string, std::vector<std::string>, std::less<>>& RequiredFields() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kRequired = {
      {"counterparties", {"id"}},
      {"books", {"book"}},
      {"products", {"commodity", "canonical_unit"}},
      {"contracts", {"exchange", "product_code"}},
      {"unit_conversions", {"from_unit", "to_unit", "factor"}},
      {"fx_rates", {"date", "base_currency", "quote_currency", "rate"}},
  };
  return kRequired;
}

void CollectColumns(const transform::ValueSource& src, std::set<std::string>* out) {
  if (src.kind == transform::ValueSource::Kind::kColumn) out->insert(src.column);
  for (const auto& part : src.parts) CollectColumns(part, out);
}

std::string FieldList(const Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) out += (i ? ", " : "") + d->field(i)->name();
  return out;
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// The table's explicit rules plus one rule per column named like a field.
Result<transform::MappingSpec> BuildSpec(const ReferenceConfig::Table& table,
                                         const std::vector<std::string>& columns,
                                         const Descriptor* descriptor) {
  transform::MappingSpec spec = table.mapping;
  spec.keep_unmapped_columns = false;
  std::set<std::string> targets, read;
  for (const auto& f : spec.fields) {
    targets.insert(f.target);
    CollectColumns(f.source, &read);
  }
  const std::string header = table.path + ":1";
  for (const auto& ignored : table.ignore_columns) {
    if (std::find(columns.begin(), columns.end(), ignored) == columns.end()) {
      return Status::Invalid(header + ": ignore_columns names '" + ignored +
                             "', which is not a column of the file (columns: " +
                             ColumnList(columns) + ") (" + table.where + ")");
    }
  }
  for (const auto& column : columns) {
    if (read.count(column) || std::find(table.ignore_columns.begin(), table.ignore_columns.end(),
                                        column) != table.ignore_columns.end()) {
      continue;
    }
    const FieldDescriptor* field = descriptor->FindFieldByName(column);
    if (field == nullptr || targets.count(column)) {
      return Status::Invalid(header + ": unknown column '" + column + "' for " + table.kind + " (" +
                             (field == nullptr
                                  ? "fields: " + FieldList(descriptor)
                                  : "field " + column + " is mapped from another column") +
                             "); map it under fields or list it under ignore_columns" +
                             sources::OneColumnHeaderHint(columns) + " (" + table.where + ")");
    }
    transform::FieldMapping m;
    m.target = column;
    m.source.column = column;
    m.where = header;
    spec.fields.push_back(std::move(m));
    targets.insert(column);
  }
  // `active` is the normal case: absent or empty means true.
  if (const FieldDescriptor* active = descriptor->FindFieldByName("active")) {
    for (auto& f : spec.fields) {
      if (f.target == active->name() && !f.default_value) f.default_value = "true";
    }
    if (!targets.count(active->name())) {
      transform::FieldMapping m;
      m.target = active->name();
      m.source.kind = transform::ValueSource::Kind::kConstant;
      m.source.constant = "true";
      m.where = header;
      spec.fields.push_back(std::move(m));
    }
  }
  auto required = RequiredFields().find(table.kind);
  if (required != RequiredFields().end()) {
    for (const auto& name : required->second) {
      if (!targets.count(name)) {
        return Status::Invalid(header + ": " + table.kind + " needs a column for '" + name +
                               "' (it has: " +
                               [&] {
                                 std::string s;
                                 for (const auto& c : columns) s += (s.empty() ? "" : ", ") + c;
                                 return s;
                               }() +
                               "); map it under fields (" + table.where + ")");
      }
    }
  }
  return spec;
}

void AppendRow(const Message& row, transform::ReferenceTables* tables) {
  const Descriptor* d = row.GetDescriptor();
  namespace ref = tradeflow::reference::v1;
  if (d == ref::Counterparty::descriptor()) {
    tables->counterparties.push_back(static_cast<const ref::Counterparty&>(row));
  } else if (d == ref::Book::descriptor()) {
    tables->books.push_back(static_cast<const ref::Book&>(row));
  } else if (d == ref::Product::descriptor()) {
    tables->products.push_back(static_cast<const ref::Product&>(row));
  } else if (d == ref::ContractSpec::descriptor()) {
    tables->contracts.push_back(static_cast<const ref::ContractSpec&>(row));
  } else if (d == ref::UnitConversion::descriptor()) {
    tables->unit_conversions.push_back(static_cast<const ref::UnitConversion&>(row));
  } else if (d == ref::FxRate::descriptor()) {
    tables->fx_rates.push_back(static_cast<const ref::FxRate&>(row));
  }
}

// Rows are counted per kind (`rows`), over all its files.
Status LoadTable(const ReferenceConfig::Table& table, LoadedReference* out, int64_t* rows) {
  const Descriptor* descriptor = transform::ReferenceDescriptor(table.kind);
  if (descriptor == nullptr) {
    return Status::Invalid(table.where + ": unknown reference table kind '" + table.kind + "'");
  }
  sources::CsvOptions options;
  options.delimiter = table.delimiter;
  options.quote = table.quote;
  auto reader = sources::CsvReader::Open(table.path, options, table.input);
  if (!reader.ok()) {
    return reader.status().WithContext("reference table " + table.kind + " (" + table.where + ")");
  }
  TF_ASSIGN_OR_RETURN(transform::MappingSpec spec,
                      BuildSpec(table, (*reader)->column_names(), descriptor));
  TF_ASSIGN_OR_RETURN(auto mapper, transform::Mapper::Compile(spec, descriptor));
  sources::CsvSource source(std::move(*reader));
  std::vector<sources::FieldRef> fields;
  for (const auto& f : mapper->source_fields()) fields.push_back({f.name, f.where});
  TF_RETURN_IF_ERROR(source.Bind(fields));

  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  std::unique_ptr<Message> row(prototype->New());
  transform::RecordContext context;
  sources::SourceRecord record;
  std::vector<transform::MappingIssue> issues;
  for (;;) {
    TF_ASSIGN_OR_RETURN(bool more, source.Next(&record));
    if (!more) break;
    const std::string at = table.path + ":" + std::to_string(record.line);
    row->Clear();
    issues.clear();
    Status st = mapper->Map(record.values, record.extras, context, row.get(), &issues);
    if (!st.ok()) return st.WithContext(at);
    // Lenient for trades (an unknown enum value is kept raw), strict for reference data.
    if (!issues.empty()) {
      std::string message = issues[0].message;
      if (auto kept = message.find(" (kept as raw)"); kept != std::string::npos) {
        message.erase(kept);
      }
      return Status::Invalid(at + ": " + issues[0].target + ": " + message);
    }
    st = out->data.AddRow(*row);
    if (!st.ok()) return st.WithContext(at);
    AppendRow(*row, &out->tables);
    ++*rows;
  }
  out->data.MarkLoaded(table.kind);
  return Status::OK();
}

}  // namespace

Result<ReferenceConfig> ParseReferenceConfig(const YAML::Node& node,
                                             const std::string& pipeline_file) {
  try {
    return ConfigParser(pipeline_file).Parse(node);
  } catch (const YAML::Exception& e) {
    return Status::Invalid(pipeline_file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<LoadedReference> LoadReferenceData(const ReferenceConfig& config) {
  LoadedReference out;
  std::map<std::string, int64_t> rows;  // by kind
  for (const auto& table : config.tables) {
    TF_RETURN_IF_ERROR(LoadTable(table, &out, &rows[table.kind]));
  }
  // An export that came out empty would otherwise pass for master data with nothing in it: every
  // trade would then fail its lookups (or skip a conversion) for a reason far from the cause.
  for (const auto& table : config.tables) {
    if (rows[table.kind] > 0 || table.allow_empty) continue;
    return Status::Invalid(table.path + ": reference table " + table.kind +
                           " has no rows (a header only); if that is meant, set allow_empty: true "
                           "on it (" +
                           table.where + ")");
  }
  TF_RETURN_IF_ERROR(out.data.CheckUnitConversions().WithContext("reference data"));
  return out;
}

}  // namespace tradeflow::pipeline
