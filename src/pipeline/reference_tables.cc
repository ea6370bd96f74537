#include "pipeline/reference_tables.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <xxhash.h>

#include <cstdio>

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

// The snapshot summary key of the rows' content hash (ReferenceRowsHash).
constexpr char kRowsHashKey[] = "tradeflow.reference-rows-xxh3";
constexpr char kPipelineKey[] = "tradeflow.pipeline";

// XXH3-128 of the kind's rows as loaded, each serialized deterministically and length-prefixed:
// what the table would hold. The files' hashes alone missed a change of the pipeline's
// reference config (fields, defaults, ignore_columns, delimiter) that changes the rows.
Result<std::string> ReferenceRowsHash(const transform::ReferenceTables& t,
                                      const std::string& kind) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    TF_RETURN_IF_ERROR(ForEachReferenceRow(t, kind, [&](const google::protobuf::Message& row) {
      coded.WriteVarint64(row.ByteSizeLong());
      row.SerializeWithCachedSizes(&coded);
      return Status::OK();
    }));
  }
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(hex);
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
    TF_ASSIGN_OR_RETURN(std::string rows_hash, ReferenceRowsHash(reference.tables, kind));
    auto holds_these_rows = [&rows_hash](const lake::TableMetadata& metadata) {
      const lake::Snapshot* s = lake::CurrentSnapshot(metadata);
      return s != nullptr && s->summary.count(kRowsHashKey) &&
             s->summary.at(kRowsHashKey) == rows_hash;
    };
    if (holds_these_rows(sink->table().metadata())) continue;  // as the last run stored them
    const lake::Snapshot* current = lake::CurrentSnapshot(sink->table().metadata());
    // Pipelines that share a namespace share its ref_ tables: with reference files of their own,
    // each run replaces the other's rows, and a join of one's trades meets the other's rows.
    if (current != nullptr && current->summary.count(kPipelineKey) &&
        current->summary.at(kPipelineKey) != options.pipeline && options.progress) {
      options.progress->Line(
          "note: " + options.ns + "." + name + " held other rows, written by pipeline '" +
          current->summary.at(kPipelineKey) + "'; pipelines writing to namespace " + options.ns +
          " should read the same reference files");
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
    append.summary[kPipelineKey] = options.pipeline;
    append.summary[kInputHashesKey] = hashes;  // where the rows came from
    append.summary[kRowsHashKey] = rows_hash;
    // A run that committed the same rows while this one wrote them (two runs of a pipeline at
    // once) leaves nothing to do: not the same rows again as a snapshot of their own.
    bool stored_meanwhile = false;
    append.check = [&](const lake::TableMetadata& now) {
      stored_meanwhile = holds_these_rows(now);
      return stored_meanwhile ? Status::AlreadyExists("stored meanwhile") : Status::OK();
    };
    Status appended = sink->table().Append(files, sink->schema(), append).status();
    if (stored_meanwhile) {
      sink->Abandon();
      continue;
    }
    TF_RETURN_IF_ERROR(appended);
    if (options.replaced) options.replaced->push_back(options.ns + "." + name);
    if (options.progress) {
      options.progress->Line("reference table " + options.ns + "." + name + ": " +
                             std::to_string(rows) + " rows");
    }
  }
  return Status::OK();
}

}  // namespace tradeflow::pipeline
