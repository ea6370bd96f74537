#include "lake/catalog/catalog.h"

namespace tradeflow::lake {
namespace {

// Column sizes of iceberg_tables / iceberg_namespace_properties (JdbcUtil, pyiceberg sql.py).
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxLocationLength = 1000;

}  // namespace

std::string TableIdentifier::ToString() const { return ns + "." + name; }

Status ValidateNamespace(const std::string& ns) {
  if (ns.empty()) return Status::Invalid("namespace is empty; give a name such as 'trading'");
  if (ns.find('.') != std::string::npos) {
    return Status::Invalid("namespace '" + ns +
                           "' contains '.', which Iceberg catalogs read as a nested namespace; "
                           "use a single level such as 'trading'");
  }
  if (ns.size() > kMaxNameLength) {
    return Status::Invalid("namespace '" + ns + "' is longer than " +
                           std::to_string(kMaxNameLength) + " characters");
  }
  return Status::OK();
}

Status ValidateTableIdentifier(const TableIdentifier& id) {
  TF_RETURN_IF_ERROR(ValidateNamespace(id.ns));
  if (id.name.empty()) {
    return Status::Invalid("table name is empty in namespace '" + id.ns + "'");
  }
  if (id.name.size() > kMaxNameLength) {
    return Status::Invalid("table name '" + id.name + "' is longer than " +
                           std::to_string(kMaxNameLength) + " characters");
  }
  return Status::OK();
}

Status ValidateMetadataLocation(const std::string& location) {
  if (location.empty()) return Status::Invalid("metadata location is empty");
  if (location.size() > kMaxLocationLength) {
    return Status::Invalid("metadata location '" + location + "' is longer than " +
                           std::to_string(kMaxLocationLength) +
                           " characters, the limit of the catalog's metadata_location column; "
                           "use a shorter warehouse path");
  }
  return Status::OK();
}

}  // namespace tradeflow::lake
