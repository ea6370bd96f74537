#include "pipeline/ingest_state.h"

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>

#include <set>

#include "common/arrow_status.h"
#include "lake/file_io.h"

namespace tradeflow::pipeline {

std::vector<std::string> HashList(const std::string& list) {
  std::vector<std::string> hashes;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    std::string hash = list.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!hash.empty()) hashes.push_back(std::move(hash));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return hashes;
}

std::map<std::string, IngestedInput> IngestedInputs(const lake::TableMetadata& metadata) {
  std::map<std::string, IngestedInput> out;
  for (const auto& s : metadata.snapshots) {
    auto it = s.summary.find(kInputHashesKey);
    if (it == s.summary.end()) continue;
    for (auto& hash : HashList(it->second)) {
      out.emplace(std::move(hash), IngestedInput{s.snapshot_id, s.timestamp_ms});
    }
  }
  return out;
}

Status LoadExistingTradeKeys(const lake::Table& table, validate::DuplicateIndex* index) {
  TF_ASSIGN_OR_RETURN(auto files, table.LiveDataFiles());
  return ForEachTradeKey(files, [index](const validate::DuplicateKey& key) {
    index->AddExisting(key);
    return Status::OK();
  });
}

namespace {

// The named columns of a Parquet data file, read whole.
Result<std::shared_ptr<arrow::RecordBatch>> ReadColumns(const lake::DataFile& file,
                                                        const std::vector<const char*>& names) {
  TF_ASSIGN_OR_RETURN(std::string path, lake::LocalPathFromUri(file.file_path));
  TF_ASSIGN_OR_RETURN_ARROW(auto input, arrow::io::ReadableFile::Open(path));
  TF_ASSIGN_OR_RETURN_ARROW(auto reader,
                            parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
  std::shared_ptr<arrow::Schema> schema;
  TF_RETURN_IF_ARROW_ERROR(reader->GetSchema(&schema));
  std::vector<int> columns;
  for (const char* name : names) {
    int i = schema->GetFieldIndex(name);
    if (i < 0) return Status::Invalid(path + ": no column " + name);
    columns.push_back(i);
  }
  TF_ASSIGN_OR_RETURN_ARROW(auto table, reader->ReadTable(columns));
  TF_ASSIGN_OR_RETURN_ARROW(auto batch, table->CombineChunksToBatch());
  return batch;
}

}  // namespace

Result<std::set<std::pair<std::string, std::string>>> StoredRejects(
    const lake::Table& quarantine, const std::set<std::string>& inputs) {
  std::set<std::pair<std::string, std::string>> out;
  TF_ASSIGN_OR_RETURN(auto files, quarantine.LiveDataFiles());
  for (const auto& f : files) {
    TF_ASSIGN_OR_RETURN(auto batch, ReadColumns(f, {"input_sha256", "source_location"}));
    auto sha = std::static_pointer_cast<arrow::StringArray>(batch->column(0));
    auto location = std::static_pointer_cast<arrow::StringArray>(batch->column(1));
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string hash(sha->GetView(r));
      if (inputs.count(hash)) out.emplace(std::move(hash), std::string(location->GetView(r)));
    }
  }
  return out;
}

Status ForEachTradeKey(const std::vector<lake::DataFile>& files,
                       const std::function<Status(const validate::DuplicateKey&)>& fn) {
  for (const auto& f : files) {
    TF_ASSIGN_OR_RETURN(auto batch,
                        ReadColumns(f, {"source_system", "source_trade_id", "source_version"}));
    auto sys = std::static_pointer_cast<arrow::StringArray>(batch->column(0));
    auto id = std::static_pointer_cast<arrow::StringArray>(batch->column(1));
    auto ver = std::static_pointer_cast<arrow::Int64Array>(batch->column(2));
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      TF_RETURN_IF_ERROR(fn({std::string(sys->GetView(r)), std::string(id->GetView(r)),
                             ver->IsNull(r) ? 0 : ver->Value(r)}));
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
