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

// Another table of the table's catalog whose current metadata file lies under `root`, the
// table's folder, as "trading.trade_events_archive (<file>)"; "" if none. A table renamed (or
// dropped from the catalog and registered again) keeps its folder, and a new table of the old
// name is then made in the same one: the renamed table's files are no leftovers of this one.
Result<std::string> OtherTableUnder(const Table& table, const std::string& root) {
  Catalog* catalog = table.catalog();
  if (catalog == nullptr) return std::string();
  const std::string prefix = fs::path(root).lexically_normal().string() + "/";
  TF_ASSIGN_OR_RETURN(auto namespaces, catalog->ListNamespaces());
  for (const auto& ns : namespaces) {
    TF_ASSIGN_OR_RETURN(auto ids, catalog->ListTables(ns));
    for (const auto& id : ids) {
      if (id == table.id()) continue;
      // Another table's damaged catalog row is that table's problem, not this cleanup's.
      auto location = catalog->LoadMetadataLocation(id);
      if (!location.ok() || !*location) continue;
      auto path = LocalPathFromUri(**location);
      if (!path.ok()) continue;  // another file system: not under a local folder
      const std::string file = fs::path(*path).lexically_normal().string();
      if (file.starts_with(prefix)) return id.ToString() + " (" + file + ")";
    }
  }
  return std::string();
}

}  // namespace

Result<std::vector<std::string>> RemoveOrphanFiles(const Table& table, std::chrono::seconds min_age,
                                                   bool dry_run, std::string* not_cleaned) {
  // What the catalog holds now, not when `table` was opened: another run may have committed
  // since, or created the table this one has only staged, and its files are no orphans. (Files
  // it writes and commits from now on are protected by their age only: min_age.)
  TF_ASSIGN_OR_RETURN(std::unique_ptr<Table> current, table.LoadCurrent());
  // A table not in the catalog yet references nothing: whatever is under its location was left
  // by a writer killed before the table's first commit.
  std::set<std::string> refs;
  if (current != nullptr) {
    TF_ASSIGN_OR_RETURN(refs, ReferencedFiles(*current));
  }
  const TableMetadata& md = current != nullptr ? current->metadata() : table.metadata();
  // Its own metadata files (in refs) are not read again to look for another table's.
  TF_ASSIGN_OR_RETURN(auto foreign,
                      ForeignTablesAt(md.location, md.table_uuid, table.catalog_identity(), refs));
  if (!foreign.empty()) {
    if (not_cleaned != nullptr) {
      *not_cleaned = "its folder also holds another table's metadata (" +
                     foreign.front().metadata_file + "): files are not removed";
    }
    return std::vector<std::string>{};
  }
  TF_ASSIGN_OR_RETURN(std::string root, LocalPathFromUri(md.location));
  TF_ASSIGN_OR_RETURN(std::string other, OtherTableUnder(table, root));
  if (!other.empty()) {
    if (not_cleaned != nullptr) {
      *not_cleaned = "its folder also holds the metadata of table " + other +
                     " (renamed, or registered there by another tool): files are not removed";
    }
    return std::vector<std::string>{};
  }
  const auto cutoff = fs::file_time_type::clock::now() - min_age;
  std::vector<std::string> removed;
  for (const char* folder : {"data", "metadata"}) {
    fs::path dir = fs::path(root) / folder;
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      // A file may vanish between the listing and these calls: another run removing its
      // temporary file, or the losing attempt of a commit race. It is skipped, not an error.
      std::error_code gone;
      if (!it->is_regular_file(gone) || gone) continue;
      std::string path = it->path().lexically_normal().string();
      if (refs.count(path)) continue;
      const auto written = it->last_write_time(gone);
      if (gone || written > cutoff) continue;
      if (!dry_run) TF_RETURN_IF_ERROR(RemoveFileIfExists(path));
      removed.push_back(path);
    }
    if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  }
  return removed;
}

}  // namespace tradeflow::lake
