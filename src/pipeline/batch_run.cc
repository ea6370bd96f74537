#include "pipeline/batch_run.h"

#include <chrono>
#include <filesystem>

#include "lake/catalog/sqlite_catalog.h"
#include "lake/file_io.h"
#include "lake/iceberg_schema.h"
#include "lake/table.h"
#include "model/proto_batch_builder.h"
#include "model/proto_schema.h"
#include "sources/csv_reader.h"
#include "sources/csv_source.h"
#include "sources/input_file.h"
#include "transform/mapper.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::trade::v1::TradeEvent;

constexpr int64_t kBatchRows = 64 * 1024;

std::string Absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The ids the table already gave its columns, so a schema derived from a newer proto keeps them.
Result<model::FieldIds> ExistingFieldIds(const lake::Table* table) {
  model::FieldIds ids;
  if (table == nullptr) return ids;
  const nlohmann::json* schema = lake::CurrentSchema(table->metadata());
  if (schema == nullptr) return Status::Invalid("table has no current schema");
  TF_ASSIGN_OR_RETURN(auto found, lake::FieldIdsOfIcebergSchema(*schema));
  ids.by_path = std::move(found.by_path);
  ids.last_column_id = std::max(found.max_id, table->metadata().last_column_id);
  return ids;
}

struct MappedInput {
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
};

// Reads and maps one file into `builder`, flushing full batches into `out`.
Status MapFile(const PipelineConfig& config, const sources::InputFile& input,
               const std::string& run_id, model::ProtoBatchBuilder* builder, MappedInput* out,
               FileSummary* summary, int64_t* unmapped_enums) {
  sources::CsvOptions options;
  options.delimiter = config.source.delimiter;
  options.quote = config.source.quote;
  options.header = config.source.header;
  options.column_names = config.source.column_names;
  TF_ASSIGN_OR_RETURN(auto reader, sources::CsvReader::Open(input.path, options));
  sources::CsvSource source(std::move(reader));
  TF_ASSIGN_OR_RETURN(auto mapper, transform::Mapper::Compile(config.mapping));
  std::vector<sources::FieldRef> fields;
  for (const auto& f : mapper->source_fields()) fields.push_back({f.name, f.where});
  TF_RETURN_IF_ERROR(source.Bind(fields));

  transform::RecordContext context;
  context.input_uri = input.uri;
  context.input_sha256 = input.sha256;
  context.run_id = run_id;
  context.ingested_unix_micros = NowMicros();
  sources::SourceRecord record;
  TradeEvent event;
  std::vector<transform::MappingIssue> issues;
  for (;;) {
    TF_ASSIGN_OR_RETURN(bool more, source.Next(&record));
    if (!more) break;
    ++summary->records_read;
    event.Clear();
    issues.clear();
    context.location = "line " + std::to_string(record.line);
    Status st = mapper->Map(record.values, record.extras, context, &event, &issues);
    if (!st.ok()) return st.WithContext(input.path + ":" + std::to_string(record.line));
    *unmapped_enums += static_cast<int64_t>(issues.size());
    st = builder->Append(event);
    if (!st.ok()) return st.WithContext(input.path + ":" + std::to_string(record.line));
    ++summary->records_accepted;
    if (builder->num_rows() >= kBatchRows) {
      TF_ASSIGN_OR_RETURN(auto batch, builder->Finish());
      out->batches.push_back(std::move(batch));
    }
  }
  return Status::OK();
}

}  // namespace

Result<RunSummary> RunPipeline(const PipelineConfig& config) {
  const auto started = std::chrono::steady_clock::now();
  RunSummary summary;
  summary.run_id = lake::NewUuid();
  summary.table = config.table.ns + "." + config.table.name;
  summary.catalog_path = Absolute(config.catalog.uri);
  summary.catalog_name = config.catalog.name;
  summary.warehouse = lake::ToFileUri(Absolute(config.warehouse));

  // Every input must exist before anything else happens.
  std::vector<sources::InputFile> inputs;
  for (const auto& path : config.source.paths) {
    auto input = sources::DescribeInputFile(path);
    if (!input.ok()) return input.status().WithContext("source file");
    inputs.push_back(std::move(*input));
  }

  TF_ASSIGN_OR_RETURN(auto catalog,
                      lake::OpenSqliteCatalog(summary.catalog_path, config.catalog.name));
  const lake::TableIdentifier id{config.table.ns, config.table.name};
  std::unique_ptr<lake::Table> table;
  auto loaded = lake::Table::Load(catalog.get(), id);
  if (loaded.ok()) {
    table = std::move(*loaded);
  } else if (loaded.status().code() != StatusCode::kNotFound) {
    return loaded.status();
  }

  TF_ASSIGN_OR_RETURN(model::FieldIds ids, ExistingFieldIds(table.get()));
  TF_ASSIGN_OR_RETURN(auto derived, model::DeriveArrowSchema(TradeEvent::descriptor(), ids));
  TF_ASSIGN_OR_RETURN(auto builder,
                      model::ProtoBatchBuilder::Make(TradeEvent::descriptor(), derived.schema));

  MappedInput mapped;
  for (const auto& input : inputs) {
    FileSummary file{input.path, input.sha256};
    TF_RETURN_IF_ERROR(MapFile(config, input, summary.run_id, builder.get(), &mapped, &file,
                               &summary.unmapped_enum_values));
    summary.records_read += file.records_read;
    summary.records_accepted += file.records_accepted;
    summary.files.push_back(std::move(file));
  }
  if (builder->num_rows() > 0) {
    TF_ASSIGN_OR_RETURN(auto batch, builder->Finish());
    mapped.batches.push_back(std::move(batch));
  }

  if (!table) {
    std::string location = lake::ToFileUri(Absolute(config.warehouse) + "/" + config.table.ns +
                                           "/" + config.table.name);
    TF_ASSIGN_OR_RETURN(table, lake::Table::Create(catalog.get(), id, location, *derived.schema));
  }
  TF_ASSIGN_OR_RETURN(auto files, table->WriteDataFiles(derived.schema, mapped.batches));

  lake::AppendOptions append;
  append.summary["tradeflow.run-id"] = summary.run_id;
  append.summary["tradeflow.pipeline"] = config.name;
  append.summary["tradeflow.mapping-version"] = config.mapping.version;
  std::string hashes;
  for (const auto& f : summary.files) hashes += (hashes.empty() ? "" : ",") + f.sha256;
  append.summary["tradeflow.input-sha256"] = hashes;
  append.summary["tradeflow.records-read"] = std::to_string(summary.records_read);
  append.summary["tradeflow.records-accepted"] = std::to_string(summary.records_accepted);
  append.summary["tradeflow.records-quarantined"] = "0";
  TF_ASSIGN_OR_RETURN(summary.snapshot_id, table->Append(files, *derived.schema, append));
  summary.metadata_location = table->metadata_location();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace tradeflow::pipeline
