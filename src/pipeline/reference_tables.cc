#include "pipeline/reference_tables.h"

#include "lake/file_io.h"
#include "lake/orphan_files.h"
#include "lake/table.h"
#include "pipeline/ingest_state.h"
#include "pipeline/table_sinks.h"
#include "sources/input_file.h"
#include "transform/reference_data.h"

namespace tradeflow::pipeline {
namespace {

template <typename Fn>
Status ForEachReferenceRow(const transform::ReferenceTables& t, const std::string& kind, Fn fn) {
  auto each = [&](const auto& rows) -> Status {
    for (const auto& row : rows) TF_RETURN_IF_ERROR(fn(row));
    return Status::OK();
  };
  if (kind == "counterparties") return each(t.counterparties);
  if (kind == "books") return each(t.books);
  if (kind == "products") return each(t.products);
  if (kind == "contracts") return each(t.contracts);
  if (kind == "unit_conversions") return each(t.unit_conversions);
  if (kind == "fx_rates") return each(t.fx_rates);
  return Status::Internal("unknown reference kind " + kind);
}

}  // namespace

Result<ReferenceHashes> HashReferenceFiles(const ReferenceConfig& config) {
  ReferenceHashes hashes;
  for (const auto& t : config.tables) {
    auto file = sources::DescribeInputFile(t.path);
    if (!file.ok()) {
      return file.status().WithContext((t.where.empty() ? "" : t.where + ": ") + "reference." +
                                       t.kind);
    }
    std::string& list = hashes[t.kind];
    list += (list.empty() ? "" : ",") + file->sha256;
  }
  return hashes;
}

Status CommitReferenceTables(lake::Catalog* catalog, const ReferenceHashes& kinds,
                             const LoadedReference& reference,
                             const ReferenceTablesOptions& options) {
  for (std::string_view kind_view : transform::ReferenceKinds()) {
    std::string kind(kind_view);
    auto listed = kinds.find(kind);
    if (listed == kinds.end()) continue;
    const std::string& hashes = listed->second;
    std::string name = "ref_" + kind;
    TF_ASSIGN_OR_RETURN(
        auto sink,
        TableSink::Open(catalog, {options.ns, name}, lake::ToFileUri(options.root + name),
                        transform::ReferenceDescriptor(kind), {}, options.target_file_bytes));
    auto removed = lake::RemoveOrphanFiles(sink->table(), options.orphan_min_age);
    if (!removed.ok()) return removed.status().WithContext("cleaning " + options.ns + "." + name);
    if (options.orphans_removed) *options.orphans_removed += static_cast<int64_t>(removed->size());
    const lake::Snapshot* current = lake::CurrentSnapshot(sink->table().metadata());
    if (current != nullptr && current->summary.count(kInputHashesKey) &&
        current->summary.at(kInputHashesKey) == hashes) {
      continue;  // unchanged since the last run
    }
    int64_t rows = 0;
    TF_RETURN_IF_ERROR(
        ForEachReferenceRow(reference.tables, kind, [&](const google::protobuf::Message& row) {
          ++rows;
          return sink->Add(row);
        }));
    TF_ASSIGN_OR_RETURN(auto files, sink->Finish());
    lake::AppendOptions append;
    append.replace_all = true;
    append.summary["tradeflow.run-id"] = options.run_id;
    append.summary[kInputHashesKey] = hashes;
    TF_RETURN_IF_ERROR(sink->table().Append(files, sink->schema(), append).status());
    if (options.replaced) options.replaced->push_back(options.ns + "." + name);
    if (options.progress) {
      options.progress->Line("reference table " + options.ns + "." + name + ": " +
                             std::to_string(rows) + " rows");
    }
  }
  return Status::OK();
}

}  // namespace tradeflow::pipeline
