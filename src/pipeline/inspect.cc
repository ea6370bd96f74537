#include "pipeline/inspect.h"

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <fmt/format.h>
#include <parquet/arrow/reader.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/arrow_status.h"
#include "lake/catalog/sqlite_catalog.h"
#include "lake/data_file_reader.h"
#include "lake/file_io.h"
#include "model/decimal.h"
#include "pipeline/pipeline_config.h"

namespace tradeflow::pipeline {
namespace {

void FormatType(const nlohmann::json& type, int indent, std::ostringstream& out);

void FormatFields(const nlohmann::json& fields, int indent, std::ostringstream& out) {
  for (const auto& f : fields) {
    out << std::string(indent, ' ') << f.at("id").get<int>() << "  "
        << f.at("name").get<std::string>() << ": ";
    FormatType(f.at("type"), indent, out);
  }
}

void FormatType(const nlohmann::json& type, int indent, std::ostringstream& out) {
  if (type.is_string()) {
    out << type.get<std::string>() << "\n";
    return;
  }
  std::string kind = type.at("type").get<std::string>();
  if (kind == "struct") {
    out << "struct\n";
    FormatFields(type.at("fields"), indent + 4, out);
  } else if (kind == "list") {
    out << "list<" << type.at("element-id").get<int>() << " element> of ";
    FormatType(type.at("element"), indent, out);
  } else if (kind == "map") {
    out << "map<" << type.at("key-id").get<int>() << " key, " << type.at("value-id").get<int>()
        << " value> of ";
    FormatType(type.at("key"), indent, out);
  } else {
    out << kind << "\n";
  }
}

std::string IsoTime(int64_t ms) {
  std::time_t secs = ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A value as compact JSON-like text: nested nulls left out, decimals exact, dates and timestamps
// in ISO form, so a trade fits on a few lines.
std::string Render(const arrow::Scalar& scalar) {
  if (!scalar.is_valid) return "null";
  switch (scalar.type->id()) {
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructScalar&>(scalar);
      std::string out = "{";
      for (int i = 0; i < st.type->num_fields(); ++i) {
        if (!st.value[i]->is_valid) continue;
        if (out.size() > 1) out += ", ";
        out += st.type->field(i)->name() + ": " + Render(*st.value[i]);
      }
      return out + "}";
    }
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListScalar&>(scalar);
      std::string out = "[";
      for (int64_t i = 0; i < list.value->length(); ++i) {
        if (i > 0) out += ", ";
        out += Render(*list.value->GetScalar(i).ValueOrDie());
      }
      return out + "]";
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapScalar&>(scalar);
      const auto& entries = static_cast<const arrow::StructArray&>(*map.value);
      std::string out = "{";
      for (int64_t i = 0; i < entries.length(); ++i) {
        if (i > 0) out += ", ";
        out += Render(*entries.field(0)->GetScalar(i).ValueOrDie()) + ": " +
               Render(*entries.field(1)->GetScalar(i).ValueOrDie());
      }
      return out + "}";
    }
    case arrow::Type::STRING:  // quoted as JSON: a raw record's quotes and line breaks escaped
      return nlohmann::json(static_cast<const arrow::StringScalar&>(scalar).ToString())
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case arrow::Type::DECIMAL128: {  // plain digits: Decimal128::ToString writes 0 as 0E-10
      const auto& d = static_cast<const arrow::Decimal128Scalar&>(scalar);
      return model::PlainDecimalString(
          d.value, static_cast<const arrow::Decimal128Type&>(*scalar.type).scale());
    }
    case arrow::Type::BINARY: {  // bytes as they are would not be text (a quarantined record's)
      const auto& bytes = *static_cast<const arrow::BinaryScalar&>(scalar).value;
      std::string out = "b\"";
      for (int64_t i = 0; i < bytes.size(); ++i) {
        const unsigned char c = bytes.data()[i];
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
          out.push_back(static_cast<char>(c));
        } else {
          out += fmt::format("\\x{:02X}", c);
        }
      }
      return out + "\"";
    }
    case arrow::Type::TIMESTAMP: {
      int64_t micros = static_cast<const arrow::TimestampScalar&>(scalar).value;
      std::time_t secs = static_cast<std::time_t>(micros / 1000000);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[48];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
      char frac[16];
      std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(micros % 1000000));
      return std::string(buf) + frac;
    }
    default:
      return scalar.ToString();
  }
}

}  // namespace

Result<std::unique_ptr<lake::Catalog>> OpenExistingCatalog(const CatalogLocation& given) {
  // As catalog.uri in a pipeline file: sqlite:///lake/catalog.db is lake/catalog.db.
  auto path = LocalPathOf(given.path, /*sqlite=*/true);
  if (!path.ok())
    return Status::Invalid("--catalog " + given.path + ": " + path.status().message());
  const CatalogLocation where{*path, given.name};
  if (!std::filesystem::exists(where.path)) {
    return Status::NotFound("no catalog at " + where.path +
                            (given.given ? ": is the path right? (a pipeline's catalog.uri)"
                                         : ": run a pipeline first (tradeflow run "
                                           "<pipeline.yaml>) or pass --catalog"));
  }
  auto opened = lake::OpenSqliteCatalogToRead(where.path, where.name);
  if (!opened.ok() &&
      opened.status().message().find("file is not a database") != std::string::npos) {
    return Status::Invalid(where.path +
                           ": is not an SQLite database, so not a catalog (--catalog names the "
                           "file a pipeline's catalog.uri gives)");
  }
  TF_ASSIGN_OR_RETURN(auto catalog, std::move(opened));
  // A catalog name with no tables, in a database that has some under other names: say which.
  TF_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(""));
  if (tables.empty()) {
    TF_ASSIGN_OR_RETURN(auto names, catalog->CatalogNamesInStore());
    if (!names.empty()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      return Status::NotFound("catalog '" + where.name + "' in " + where.path +
                              " has no tables; the catalog names there: " + list +
                              " (--catalog-name " + names.front() + ")");
    }
  }
  return catalog;
}

Result<std::unique_ptr<lake::Table>> LoadExistingTable(lake::Catalog* catalog,
                                                       const lake::TableIdentifier& id) {
  auto table = lake::Table::Load(catalog, id);
  if (table.ok() || table.status().code() != StatusCode::kNotFound) return table;
  TF_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(""));
  std::string list;
  for (const auto& t : tables) list += (list.empty() ? "" : ", ") + t.ToString();
  return Status::NotFound(table.status().message() + "; " +
                          (list.empty() ? "the catalog has no tables" : "the tables: " + list) +
                          ". A run creates its tables as it commits to them: the quarantine "
                          "table with its first rejected record");
}

Result<lake::TableIdentifier> ParseTableName(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
    return Status::Invalid("table name '" + name + "' must be namespace.table");
  }
  return lake::TableIdentifier{name.substr(0, dot), name.substr(dot + 1)};
}

Result<std::shared_ptr<arrow::Table>> ReadRows(const lake::Table& table,
                                               std::optional<int64_t> snapshot_id, int64_t limit) {
  TF_ASSIGN_OR_RETURN(auto files, table.LiveDataFiles(snapshot_id));
  std::vector<std::shared_ptr<arrow::Table>> parts;
  int64_t rows = 0;
  for (const auto& f : files) {
    if (rows >= limit) break;
    TF_ASSIGN_OR_RETURN(auto reader, lake::OpenDataFileReader(f));
    TF_ASSIGN_OR_RETURN_ARROW(std::shared_ptr<arrow::Table> t, reader->ReadTable());
    rows += t->num_rows();
    parts.push_back(std::move(t));
  }
  if (parts.empty()) return std::shared_ptr<arrow::Table>();
  // Files of other writers or older schemas differ (large_string for string, a column added
  // since): their schemas are unified, the missing columns null.
  arrow::ConcatenateTablesOptions options;
  options.unify_schemas = true;
  options.field_merge_options = arrow::Field::MergeOptions::Permissive();
  TF_ASSIGN_OR_RETURN_ARROW(auto all, arrow::ConcatenateTables(parts, options));
  return all->Slice(0, limit);
}

std::string FormatSchema(const lake::TableMetadata& metadata) {
  std::ostringstream out;
  const nlohmann::json* schema = lake::CurrentSchema(metadata);
  out << "schema-id " << metadata.current_schema_id << ", last-column-id "
      << metadata.last_column_id << "\n";
  if (schema != nullptr) FormatFields(schema->at("fields"), 2, out);
  return out.str();
}

std::string FormatSnapshots(const lake::TableMetadata& metadata) {
  std::ostringstream out;
  if (metadata.snapshots.empty()) out << "(no snapshots)\n";
  for (const auto& s : metadata.snapshots) {
    bool current = metadata.current_snapshot_id == s.snapshot_id;
    out << (current ? "* " : "  ") << s.snapshot_id << "  seq " << s.sequence_number << "  "
        << IsoTime(s.timestamp_ms);
    auto get = [&](const char* k) {
      auto it = s.summary.find(k);
      return it == s.summary.end() ? std::string("-") : it->second;
    };
    const std::string added = get("added-records");
    out << "  " << get("operation") << "  +" << added << (added == "1" ? " row" : " rows")
        << " (total " << get("total-records") << ")";
    // Which pipeline's run wrote it: several may share a table.
    auto pipeline = s.summary.find("tradeflow.pipeline");
    if (pipeline != s.summary.end()) out << "  pipeline " << pipeline->second;
    auto run = s.summary.find("tradeflow.run-id");
    if (run != s.summary.end()) out << "  run " << run->second;
    out << "\n";
  }
  return out.str();
}

Result<std::string> FormatRows(const arrow::Table& rows, const std::vector<std::string>& columns) {
  for (const auto& name : columns) {
    if (rows.schema()->GetFieldIndex(name) >= 0) continue;
    std::string known;
    for (const auto& f : rows.schema()->fields()) known += (known.empty() ? "" : ", ") + f->name();
    return Status::Invalid("no top-level column '" + name + "'" +
                           (name.find_first_of(".[") != std::string::npos
                                ? " (a nested field is shown with its top-level column)"
                                : "") +
                           "; the columns are: " + known);
  }
  std::ostringstream out;
  std::vector<int> indexes;
  for (int c = 0; c < rows.num_columns(); ++c) {
    const std::string& name = rows.schema()->field(c)->name();
    if (columns.empty() || std::find(columns.begin(), columns.end(), name) != columns.end()) {
      indexes.push_back(c);
    }
  }
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    out << "-- row " << r + 1 << "\n";
    for (int c : indexes) {
      auto scalar = rows.column(c)->GetScalar(r);
      if (!scalar.ok() || !(*scalar)->is_valid) continue;
      out << "  " << rows.schema()->field(c)->name() << ": " << Render(**scalar) << "\n";
    }
  }
  return out.str();
}

}  // namespace tradeflow::pipeline
