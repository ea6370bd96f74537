#include "pipeline/ingest_state.h"

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/arrow_status.h"
#include "lake/data_file_reader.h"
#include "lake/file_io.h"
#include "lake/partitioning.h"

namespace tradeflow::pipeline {

std::vector<std::string> CommaList(const std::string& list) {
  std::vector<std::string> hashes;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    std::string hash = list.substr(start, comma == std::string::npos ? comma : comma - start);
    // Blanks around an item are no part of it ("trade_uid, action").
    const size_t first = hash.find_first_not_of(" \t");
    hash = first == std::string::npos
               ? ""
               : hash.substr(first, hash.find_last_not_of(" \t") + 1 - first);
    if (!hash.empty()) hashes.push_back(std::move(hash));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return hashes;
}

namespace {

bool OfAnotherTable(const lake::Snapshot& s, const std::string& trade_table) {
  auto it = s.summary.find(kTradeTableKey);
  return it != s.summary.end() && it->second != trade_table;
}

}  // namespace

lake::TableMetadata QuarantineOf(const lake::TableMetadata& quarantine,
                                 const std::string& trade_table) {
  lake::TableMetadata out = quarantine;
  std::erase_if(out.snapshots,
                [&](const lake::Snapshot& s) { return OfAnotherTable(s, trade_table); });
  return out;
}

std::set<std::string> OtherTablesRuns(const lake::TableMetadata& quarantine,
                                      const std::string& trade_table) {
  std::set<std::string> runs;
  for (const auto& s : quarantine.snapshots) {
    auto run = s.summary.find("tradeflow.run-id");
    if (run != s.summary.end() && OfAnotherTable(s, trade_table)) runs.insert(run->second);
  }
  return runs;
}

std::map<std::string, IngestedInput> IngestedInputs(const lake::TableMetadata& metadata) {
  std::map<std::string, IngestedInput> out;
  for (const auto& s : metadata.snapshots) {
    auto it = s.summary.find(kInputHashesKey);
    if (it == s.summary.end()) continue;
    for (auto& hash : CommaList(it->second)) {
      out.emplace(std::move(hash), IngestedInput{s.snapshot_id, s.timestamp_ms});
    }
  }
  return out;
}

std::optional<RecordedMapping> LastRecordedMapping(const lake::TableMetadata& trades,
                                                   const std::string& version,
                                                   const std::string& pipeline) {
  std::optional<RecordedMapping> out;
  int64_t sequence = -1;
  for (const auto& s : trades.snapshots) {
    auto recorded = s.summary.find(kMappingVersionKey);
    auto fingerprint = s.summary.find(kMappingFingerprintKey);
    auto of = s.summary.find("tradeflow.pipeline");
    if (recorded == s.summary.end() || recorded->second != version ||
        fingerprint == s.summary.end() || of == s.summary.end() || of->second != pipeline ||
        s.sequence_number < sequence) {
      continue;
    }
    sequence = s.sequence_number;
    auto value = [&](const char* key) {
      auto it = s.summary.find(key);
      return it == s.summary.end() ? std::string() : it->second;
    };
    out = RecordedMapping{s.snapshot_id, value("tradeflow.run-id"), value("tradeflow.pipeline"),
                          fingerprint->second};
  }
  return out;
}

std::set<std::string> RunsOf(const lake::TableMetadata& metadata) {
  std::set<std::string> runs;
  for (const auto& s : metadata.snapshots) {
    if (auto run = s.summary.find("tradeflow.run-id"); run != s.summary.end()) {
      runs.insert(run->second);
    }
  }
  return runs;
}

std::map<std::string, RejectsWithoutTrades> InputsWithRejectsOnly(
    const lake::TableMetadata& all_trades, const lake::TableMetadata& quarantine,
    const std::string& pipeline) {
  const auto ingested = IngestedInputs(all_trades);
  const auto trade_runs = RunsOf(all_trades);
  std::optional<int64_t> oldest;
  for (const auto& s : all_trades.snapshots) {
    oldest = std::min(oldest.value_or(s.timestamp_ms), s.timestamp_ms);
  }
  std::map<std::string, RejectsWithoutTrades> out;
  for (const auto& s : quarantine.snapshots) {
    auto of = s.summary.find("tradeflow.pipeline");
    auto inputs = s.summary.find("tradeflow.inputs");
    auto run = s.summary.find("tradeflow.run-id");
    if (of == s.summary.end() || of->second != pipeline || inputs == s.summary.end() ||
        run == s.summary.end() || trade_runs.count(run->second) ||
        (oldest && s.timestamp_ms < *oldest)) {
      continue;
    }
    const nlohmann::json files = nlohmann::json::parse(inputs->second, nullptr, false);
    if (!files.is_array()) continue;
    for (const auto& f : files) {
      const auto sha256 = f.is_object() ? f.find("sha256") : f.end();
      if (sha256 == f.end() || !sha256->is_string() || ingested.count(*sha256)) continue;
      RejectsWithoutTrades& input = out[*sha256];
      if (auto path = f.find("path"); path != f.end() && path->is_string()) input.path = *path;
      input.run_id = run->second;
      auto quarantined = f.find("quarantined");
      if (quarantined != f.end() && quarantined->is_number_integer()) {
        input.quarantined += quarantined->get<int64_t>();
      }
    }
  }
  return out;
}

Status LoadExistingTradeKeys(const lake::Table& table, validate::DuplicateIndex* index) {
  TF_ASSIGN_OR_RETURN(auto files, table.LiveDataFiles());
  return ForEachTradeKey(files, [index](const validate::DuplicateKey& key, int64_t content_hash) {
    index->AddExisting(key, content_hash);
    return Status::OK();
  });
}

namespace {

// A column to read, and the Arrow type to read it as.
struct Column {
  const char* name;
  std::shared_ptr<arrow::DataType> type;
};

// The named top-level primitive columns of a Parquet data file, read whole and cast to their
// types; look them up by name in the result. Other writers of the table choose other Arrow
// types for the same Iceberg type (pyiceberg reads and writes strings as large_string, a file
// may hold a dictionary), so a column is cast rather than assumed. An `optional` column the file
// does not have (it was written before the column was added) is left out.
Result<std::shared_ptr<arrow::RecordBatch>> ReadColumns(const lake::DataFile& file,
                                                        const std::vector<Column>& wanted,
                                                        std::optional<Column> optional = {}) {
  TF_ASSIGN_OR_RETURN(std::string path, lake::LocalPathFromUri(file.file_path));
  TF_ASSIGN_OR_RETURN(auto reader, lake::OpenDataFileReader(file));
  std::shared_ptr<arrow::Schema> schema;
  TF_RETURN_IF_ARROW_ERROR(reader->GetSchema(&schema));
  // ReadTable takes leaf column indices, which differ from field indices after a nested field.
  auto leaf = [&](const char* name) {
    const int field = schema->GetFieldIndex(name);
    return field < 0 ? -1 : reader->manifest().schema_fields[field].column_index;
  };
  std::vector<int> columns;
  std::vector<Column> read;
  for (const Column& column : wanted) {
    const int i = leaf(column.name);
    if (i < 0) return Status::Invalid(path + ": no column " + column.name);
    columns.push_back(i);
    read.push_back(column);
  }
  if (optional) {
    if (const int i = leaf(optional->name); i >= 0) {
      columns.push_back(i);
      read.push_back(*optional);
    }
  }
  TF_ASSIGN_OR_RETURN_ARROW(auto table, reader->ReadTable(columns));
  TF_ASSIGN_OR_RETURN_ARROW(auto batch, table->CombineChunksToBatch());
  TF_RETURN_IF_ERROR(lake::EnsureArrowCompute());
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const Column& column : read) {
    std::shared_ptr<arrow::Array> array = batch->GetColumnByName(column.name);
    if (array == nullptr) return Status::Invalid(path + ": no column " + column.name);
    if (!array->type()->Equals(*column.type)) {
      auto cast = arrow::compute::Cast(*array, column.type);
      if (!cast.ok()) {
        return Status::Invalid(path + ": column " + column.name + " of type " +
                               array->type()->ToString() + " cannot be read as " +
                               column.type->ToString() + ": " + cast.status().message());
      }
      array = *cast;
    }
    fields.push_back(arrow::field(column.name, column.type));
    arrays.push_back(std::move(array));
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), batch->num_rows(), arrays);
}

}  // namespace

std::map<std::string, std::set<std::string>> UnfinishedReadings(
    const lake::TableMetadata& trades, const lake::TableMetadata& quarantine) {
  return UnfinishedReadings(trades, quarantine, RunsOf(trades));
}

std::map<std::string, std::set<std::string>> UnfinishedReadings(
    const lake::TableMetadata& trades, const lake::TableMetadata& quarantine,
    const std::set<std::string>& trade_runs) {
  // Where the input's last trade snapshot stands among the quarantine table's snapshots.
  struct Mark {
    int64_t timestamp_ms = 0;
    std::optional<int64_t> quarantine_sequence;
  };
  std::map<std::string, Mark> last_ingested;  // sha256 → its last trade snapshot's
  for (const auto& s : trades.snapshots) {
    auto it = s.summary.find(kInputHashesKey);
    if (it == s.summary.end()) continue;
    Mark mark{s.timestamp_ms, std::nullopt};
    if (auto seq = s.summary.find(kQuarantineSequenceKey); seq != s.summary.end()) {
      mark.quarantine_sequence = std::stoll(seq->second);
    }
    for (auto& hash : CommaList(it->second)) {
      last_ingested[hash] = mark;  // snapshots are listed in commit order
    }
  }
  auto after = [](const lake::Snapshot& q, const Mark& m) {
    return m.quarantine_sequence ? q.sequence_number > *m.quarantine_sequence
                                 : q.timestamp_ms >= m.timestamp_ms;
  };
  std::map<std::string, std::set<std::string>> out;
  for (const auto& s : quarantine.snapshots) {
    auto run = s.summary.find("tradeflow.run-id");
    if (run == s.summary.end() || trade_runs.count(run->second)) continue;
    for (const char* key : {kInputHashesKey, kLateInputHashesKey}) {
      auto it = s.summary.find(key);
      if (it == s.summary.end()) continue;
      for (auto& hash : CommaList(it->second)) {
        auto ingested = last_ingested.find(hash);
        if (ingested != last_ingested.end() && after(s, ingested->second)) {
          out[hash].insert(run->second);
        }
      }
    }
  }
  return out;
}

Result<std::set<std::pair<std::string, std::string>>> StoredRejects(
    const lake::Table& quarantine, const std::set<std::string>& inputs,
    const std::map<std::string, std::set<std::string>>& only_runs,
    const std::set<std::string>& skip_runs) {
  std::set<std::pair<std::string, std::string>> out;
  TF_ASSIGN_OR_RETURN(auto files, quarantine.LiveDataFiles());
  for (const auto& f : files) {
    TF_ASSIGN_OR_RETURN(auto batch, ReadColumns(f, {{"input_sha256", arrow::utf8()},
                                                    {"source_location", arrow::utf8()},
                                                    {"run_id", arrow::utf8()}}));
    auto sha = std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("input_sha256"));
    auto location =
        std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("source_location"));
    auto run = std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("run_id"));
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string hash(sha->GetView(r));
      if (!inputs.count(hash)) continue;
      if (!skip_runs.empty() && skip_runs.count(std::string(run->GetView(r)))) continue;
      if (auto runs = only_runs.find(hash);
          runs != only_runs.end() && !runs->second.count(std::string(run->GetView(r)))) {
        continue;
      }
      out.emplace(std::move(hash), std::string(location->GetView(r)));
    }
  }
  return out;
}

Status ForEachTradeKey(
    const std::vector<lake::DataFile>& files,
    const std::function<Status(const validate::DuplicateKey&, int64_t content_hash)>& fn) {
  for (const auto& f : files) {
    TF_ASSIGN_OR_RETURN(auto batch, ReadColumns(f,
                                                {{"source_system", arrow::utf8()},
                                                 {"source_trade_id", arrow::utf8()},
                                                 {"source_version", arrow::int64()}},
                                                Column{"content_hash", arrow::int64()}));
    auto sys =
        std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("source_system"));
    auto id =
        std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("source_trade_id"));
    auto ver =
        std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("source_version"));
    // Null when the file has no such column: the hash is not known.
    auto hash = std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("content_hash"));
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      const int64_t content_hash = hash && !hash->IsNull(r) ? hash->Value(r) : 0;
      TF_RETURN_IF_ERROR(fn({std::string(sys->GetView(r)), std::string(id->GetView(r)),
                             ver->IsNull(r) ? 0 : ver->Value(r)},
                            content_hash));
    }
  }
  return Status::OK();
}

Result<std::vector<lake::DataFile>> FilesAddedSince(const lake::Table& table,
                                                    std::optional<int64_t> base) {
  TF_ASSIGN_OR_RETURN(auto now, table.LiveDataFiles());
  if (!base) return now;
  TF_ASSIGN_OR_RETURN(auto then, table.LiveDataFiles(base));
  std::set<std::string> known;
  for (const auto& f : then) known.insert(f.file_path);
  std::vector<lake::DataFile> added;
  for (auto& f : now) {
    if (!known.count(f.file_path)) added.push_back(std::move(f));
  }
  return added;
}

}  // namespace tradeflow::pipeline
