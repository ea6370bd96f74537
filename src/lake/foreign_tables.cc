#include "lake/foreign_tables.h"

#include <filesystem>
#include <set>

#include "lake/file_io.h"
#include "lake/table_metadata.h"

namespace tradeflow::lake {

namespace fs = std::filesystem;

Result<std::vector<ForeignTable>> ForeignTablesAt(const std::string& location,
                                                  const std::string& own_uuid,
                                                  const std::string& catalog_identity,
                                                  const std::set<std::string>& own_files) {
  TF_ASSIGN_OR_RETURN(std::string root, LocalPathFromUri(location));
  const fs::path dir = fs::path(root) / "metadata";
  std::vector<ForeignTable> out;
  std::set<std::string> seen;  // table uuids
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file() || !name.ends_with(".metadata.json")) continue;
    if (own_files.count(it->path().lexically_normal().string())) continue;
    TF_ASSIGN_OR_RETURN(std::string text, ReadFile(it->path().string()));
    auto metadata = ParseTableMetadata(text);
    if (!metadata.ok()) {  // unreadable: not ours to judge, so not ours to remove either
      out.push_back({it->path().string(), "", ""});
      continue;
    }
    if (metadata->table_uuid == own_uuid || seen.count(metadata->table_uuid)) continue;
    auto creator = metadata->properties.find(kCreatedByCatalogProperty);
    const std::string created_by = creator == metadata->properties.end() ? "" : creator->second;
    if (!created_by.empty() && created_by == catalog_identity) continue;  // our own leftover
    seen.insert(metadata->table_uuid);
    out.push_back({it->path().string(), metadata->table_uuid, created_by});
  }
  if (ec) return Status::IOError(dir.string() + ": " + ec.message());
  return out;
}

}  // namespace tradeflow::lake
