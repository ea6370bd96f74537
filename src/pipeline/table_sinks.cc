#include "pipeline/table_sinks.h"

#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "lake/iceberg_schema.h"
#include "model/proto_schema.h"
#include "model/wire_shredder.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::trade::v1::TradeEvent;

// The ids a table already gave its columns, so a schema derived from a newer proto keeps them.
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

std::string FirstFew(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < 4; ++i) list += (i ? ", " : "") + names[i];
  if (names.size() > 4) list += ", ...";
  return list;
}

// Rows of `descriptor` only ever gain columns (the evolution rule of the protos). A table whose
// columns are mostly not theirs holds other rows: another pipeline's trade table named as this
// one's quarantine, say; writing on would mix two kinds of rows. A few columns of its own are
// another writer's additions (a column added with pyiceberg, for notes): the rows written here
// leave them null, which an optional column allows and a required one does not.
Status CheckSameKindOfRows(const lake::TableIdentifier& id, const lake::Table& table,
                           const google::protobuf::Descriptor* descriptor) {
  TF_ASSIGN_OR_RETURN(auto own, model::DeriveArrowSchema(descriptor, {}));
  const nlohmann::json* schema = lake::CurrentSchema(table.metadata());
  if (schema == nullptr || !schema->contains("fields")) return Status::OK();
  std::vector<std::string> foreign, required;
  size_t columns = 0;
  for (const nlohmann::json& field : (*schema)["fields"]) {
    ++columns;
    const std::string name = field.value("name", "");
    if (own.ids.by_path.count(name)) continue;
    foreign.push_back(name);
    if (field.value("required", false)) required.push_back(name);
  }
  if (foreign.size() * 2 > columns) {
    return Status::Invalid("table " + id.ToString() + " holds other rows than " +
                           descriptor->full_name() +
                           " (most of its columns are not theirs: " + FirstFew(foreign) +
                           "): another pipeline's table of another kind? Name this one otherwise "
                           "(table.name or quarantine.name)");
  }
  if (!required.empty()) {
    return Status::Invalid("table " + id.ToString() + " has required columns that " +
                           descriptor->full_name() + " rows do not fill: " + FirstFew(required) +
                           " (added by another writer?): make them optional, or drop them");
  }
  return Status::OK();
}

// A model column another writer renamed (its field id now has another name) or deleted (an
// earlier schema had it, the current one has not). Rows written on would split a renamed
// column's values in two (the new rows under the model's name, in a column of its own), so a
// rename stops the run; a deleted column comes back under a new id, which a note says
// (tradeflow's rows have it: the model's columns are only ever added).
Status CheckModelColumnsKept(const lake::TableIdentifier& id, const lake::TableMetadata& md,
                             const model::FieldIds& model_ids, std::vector<std::string>* notes) {
  const nlohmann::json* current_schema = lake::CurrentSchema(md);
  if (current_schema == nullptr) return Status::OK();
  TF_ASSIGN_OR_RETURN(auto current, lake::FieldIdsOfIcebergSchema(*current_schema));
  std::map<int32_t, std::string> current_by_id;
  for (const auto& [path, field_id] : current.by_path) current_by_id[field_id] = path;
  std::set<std::string> deleted;
  for (const nlohmann::json& schema : md.schemas) {
    if (&schema == current_schema) continue;
    auto earlier = lake::FieldIdsOfIcebergSchema(schema);
    if (!earlier.ok()) continue;
    for (const auto& [path, field_id] : earlier->by_path) {
      if (!model_ids.by_path.count(path) || current.by_path.count(path)) continue;
      if (auto now = current_by_id.find(field_id); now != current_by_id.end()) {
        return Status::Invalid("table " + id.ToString() + ": column '" + path + "' (field id " +
                               std::to_string(field_id) + ") was renamed to '" + now->second +
                               "' by another writer; tradeflow writes it under its model's name, "
                               "which would split its values in two: rename it back");
      }
      deleted.insert(path);
    }
  }
  for (const auto& path : deleted) {
    notes->push_back("table " + id.ToString() + ": column '" + path +
                     "' was deleted by another writer; tradeflow's rows have it, so it is added "
                     "again under a new field id (its earlier values stay unread in older files)");
  }
  return Status::OK();
}

// A table to write into, loaded or (when it does not exist yet) staged for creation by the first
// commit, so a run that fails creates nothing; with the Arrow schema its rows are written in.
struct OpenedTable {
  std::unique_ptr<lake::Table> table;
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::string> notes;  // for the run to say
};

// `properties` are those of a table created here; an existing table keeps its own.
Result<OpenedTable> OpenTable(lake::Catalog* catalog, const lake::TableIdentifier& id,
                              const std::string& location,
                              const google::protobuf::Descriptor* descriptor,
                              const lake::TableLayout& layout,
                              std::map<std::string, std::string> properties = {}) {
  OpenedTable out;
  auto loaded = lake::Table::Load(catalog, id);
  if (loaded.ok()) {
    out.table = std::move(*loaded);
  } else if (loaded.status().code() != StatusCode::kNotFound) {
    return loaded.status();
  }
  TF_ASSIGN_OR_RETURN(model::FieldIds ids, ExistingFieldIds(out.table.get()));
  if (out.table) TF_RETURN_IF_ERROR(CheckSameKindOfRows(id, *out.table, descriptor));
  TF_ASSIGN_OR_RETURN(auto derived, model::DeriveArrowSchema(descriptor, ids));
  out.schema = derived.schema;
  if (out.table) {
    const lake::TableMetadata& md = out.table->metadata();
    TF_RETURN_IF_ERROR(CheckModelColumnsKept(id, md, derived.ids, &out.notes));
    // What the commit will make current, checked before anything is written: a column another
    // writer retyped would leave files the table's schema cannot read.
    TF_ASSIGN_OR_RETURN(auto written, lake::IcebergSchemaFromArrow(*out.schema, 0));
    if (const nlohmann::json* current = lake::CurrentSchema(md)) {
      auto merged = lake::MergeSchemas(*current, written);
      if (!merged.ok()) return merged.status().WithContext("table " + id.ToString());
    }
  }
  if (!out.table) {
    TF_ASSIGN_OR_RETURN(out.table, lake::Table::Stage(catalog, id, location, *out.schema, layout,
                                                      std::move(properties)));
  }
  return out;
}

// Data files open at once, a descriptor each: a quarter of the process's limit (ulimit -n), so
// that inputs, the catalog and the other tables keep theirs; a file per partition for up to
// 256 partitions under the usual limit of 1024.
int OpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 256;
  return static_cast<int>(std::clamp<rlim_t>(limit.rlim_cur / 4, 16, 4096));
}

// Shreds serialized TradeEvents into Parquet columns when their data file is written: straight
// from the wire bytes (model/wire_shredder.h), without parsing them back into messages.
class EventRowEncoder : public lake::RowEncoder {
 public:
  static Result<std::unique_ptr<lake::RowEncoder>> Make(std::shared_ptr<arrow::Schema> schema,
                                                        const parquet::SchemaDescriptor& columns) {
    auto encoder = std::make_unique<EventRowEncoder>();
    TF_ASSIGN_OR_RETURN(encoder->shredder_, model::WireShredder::Make(TradeEvent::descriptor(),
                                                                      std::move(schema), columns));
    return std::unique_ptr<lake::RowEncoder>(std::move(encoder));
  }
  Status Append(std::string_view row) override { return shredder_->Append(row); }
  Status WriteColumn(int column, parquet::ColumnWriter* writer) override {
    return shredder_->WriteColumn(column, writer);
  }
  void Clear() override { shredder_->Clear(); }

 private:
  std::unique_ptr<model::WireShredder> shredder_;
};

}  // namespace

Result<std::unique_ptr<EventSink>> EventSink::Open(lake::Catalog* catalog,
                                                   const lake::TableIdentifier& id,
                                                   const std::string& location,
                                                   const lake::TableLayout& layout,
                                                   int64_t target_file_bytes, int64_t buffer_bytes,
                                                   ThreadPool* pool) {
  auto sink = std::unique_ptr<EventSink>(new EventSink());
  // Iceberg's name for the target: compaction by Spark or Trino then aims at the same size.
  TF_ASSIGN_OR_RETURN(
      OpenedTable opened,
      OpenTable(catalog, id, location, TradeEvent::descriptor(), layout,
                {{"write.target-file-size-bytes", std::to_string(target_file_bytes)}}));
  sink->table_ = std::move(opened.table);
  sink->schema_ = std::move(opened.schema);
  sink->notes_ = std::move(opened.notes);
  lake::Table& table = *sink->table_;
  TF_ASSIGN_OR_RETURN(lake::PartitionSpec spec, table.CurrentPartitionSpec());
  TF_ASSIGN_OR_RETURN(auto sort, table.DefaultSortKeys());
  TF_ASSIGN_OR_RETURN(sink->keys_,
                      RowKeys::Make(TradeEvent::descriptor(), *sink->schema_, spec, sort));
  lake::RowWriterOptions options;
  options.target_file_bytes = target_file_bytes;
  // Bounded memory whatever the input size: past this, the largest partition is written out.
  options.max_buffered_bytes = buffer_bytes;
  options.max_open_files = OpenFileLimit();
  options.max_tasks_in_flight = pool->size();
  options.rows_per_batch = kBatchRows;
  auto schema = sink->schema_;
  auto encoder = [schema](const parquet::SchemaDescriptor& columns) {
    return EventRowEncoder::Make(schema, columns);
  };
  TF_ASSIGN_OR_RETURN(sink->writer_, table.NewRowWriter(schema, encoder, options, pool));
  return sink;
}

Result<std::unique_ptr<TableSink>> TableSink::Open(lake::Catalog* catalog,
                                                   const lake::TableIdentifier& id,
                                                   const std::string& location,
                                                   const google::protobuf::Descriptor* descriptor,
                                                   const lake::TableLayout& layout,
                                                   int64_t target_file_bytes, int64_t batch_rows) {
  auto sink = std::unique_ptr<TableSink>(new TableSink());
  TF_ASSIGN_OR_RETURN(OpenedTable opened, OpenTable(catalog, id, location, descriptor, layout));
  sink->table_ = std::move(opened.table);
  sink->schema_ = std::move(opened.schema);
  sink->notes_ = std::move(opened.notes);
  TF_ASSIGN_OR_RETURN(sink->builder_, model::ProtoBatchBuilder::Make(descriptor, sink->schema_));
  lake::DataWriterOptions options;
  options.target_file_bytes = target_file_bytes;
  // Bounded memory whatever the input size: past this, the largest partition is written out.
  options.max_buffered_bytes = target_file_bytes;
  TF_ASSIGN_OR_RETURN(sink->writer_, sink->table_->NewDataWriter(sink->schema_, options));
  sink->batch_rows_ = batch_rows;
  return sink;
}

Status TableSink::Add(const google::protobuf::Message& message) {
  TF_RETURN_IF_ERROR(builder_->Append(message));
  ++rows_;
  if (builder_->num_rows() >= batch_rows_) return FlushBatch();
  return Status::OK();
}

Result<std::vector<lake::DataFile>> TableSink::Finish() {
  TF_RETURN_IF_ERROR(FlushBatch());
  return writer_->Finish();
}

void TableSink::Abandon() {
  (void)builder_->Finish();  // the rows not yet handed to the writer, dropped
  writer_->Abandon();
}

Status TableSink::FlushBatch() {
  if (builder_->num_rows() == 0) return Status::OK();
  TF_ASSIGN_OR_RETURN(auto batch, builder_->Finish());
  return writer_->Write(batch);
}

}  // namespace tradeflow::pipeline
