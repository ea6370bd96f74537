#include "lake/orphan_files.h"

#include <filesystem>
#include <set>

#include "lake/file_io.h"
#include "lake/table_metadata.h"

namespace tradeflow::lake {
namespace {

namespace fs = std::filesystem;

Status AddLocal(const std::string& uri, std::set<std::string>* out) {
  TF_ASSIGN_OR_RETURN(std::string path, LocalPathFromUri(uri));
  out->insert(fs::path(path).lexically_normal().string());
  return Status::OK();
}

Result<std::set<std::string>> ReferencedFiles(const Table& table) {
  std::set<std::string> refs;
  const TableMetadata& md = table.metadata();
  TF_RETURN_IF_ERROR(AddLocal(table.metadata_location(), &refs));
  for (const auto& entry : md.metadata_log)
    TF_RETURN_IF_ERROR(AddLocal(entry.metadata_file, &refs));
  std::set<std::string> manifests_seen;
  for (const auto& snapshot : md.snapshots) {
    TF_RETURN_IF_ERROR(AddLocal(snapshot.manifest_list, &refs));
    TF_ASSIGN_OR_RETURN(std::string list_path, LocalPathFromUri(snapshot.manifest_list));
    TF_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(list_path));
    for (const auto& m : manifests) {
      if (!manifests_seen.insert(m.manifest_path).second) continue;
      TF_RETURN_IF_ERROR(AddLocal(m.manifest_path, &refs));
      TF_ASSIGN_OR_RETURN(std::string manifest_path, LocalPathFromUri(m.manifest_path));
      TF_ASSIGN_OR_RETURN(auto entries, ReadManifest(manifest_path));
      for (const auto& e : entries) TF_RETURN_IF_ERROR(AddLocal(e.data_file.file_path, &refs));
    }
  }
  return refs;
}

}  // namespace

Result<std::vector<std::string>> RemoveOrphanFiles(const Table& table, std::chrono::seconds min_age,
                                                   bool dry_run, std::string* not_cleaned) {
  // A table not in the catalog yet references nothing: whatever is under its location was left
  // by a writer killed before the table's first commit.
  std::set<std::string> refs;
  if (!table.staged()) {
    TF_ASSIGN_OR_RETURN(refs, ReferencedFiles(table));
  }
  // Its own metadata files (in refs) are not read again to look for another table's.
  TF_ASSIGN_OR_RETURN(auto foreign,
                      ForeignTablesAt(table.metadata().location, table.metadata().table_uuid,
                                      table.catalog_identity(), refs));
  if (!foreign.empty()) {
    if (not_cleaned != nullptr) {
      *not_cleaned = "its folder also holds another table's metadata (" +
                     foreign.front().metadata_file + "): files are not removed";
    }
    return std::vector<std::string>{};
  }
  TF_ASSIGN_OR_RETURN(std::string root, LocalPathFromUri(table.metadata().location));
  const auto cutoff = fs::file_time_type::clock::now() - min_age;
  std::vector<std::string> removed;
  for (const char* folder : {"data", "metadata"}) {
    fs::path dir = fs::path(root) / folder;
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string path = it->path().lexically_normal().string();
      if (refs.count(path)) continue;
      if (it->last_write_time() > cutoff) continue;
      if (!dry_run) TF_RETURN_IF_ERROR(RemoveFileIfExists(path));
      removed.push_back(path);
    }
    if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  }
  return removed;
}

}  // namespace tradeflow::lake
