// Shared by the lake tests: Arrow fields that carry the Iceberg field id the writers require.
#pragma once

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lake/catalog/catalog.h"

namespace tradeflow::lake::testing {

// A catalog that forwards to `real`: tests override the call they make misbehave (a swap that
// fails, or that another writer races).
class ForwardingCatalog : public Catalog {
 public:
  explicit ForwardingCatalog(Catalog* real) : real_(real) {}
  const std::string& name() const override { return real_->name(); }
  std::string identity() const override { return real_->identity(); }
  Result<std::vector<std::string>> CatalogNamesInStore() override {
    return real_->CatalogNamesInStore();
  }
  Status CreateNamespace(const std::string& ns) override { return real_->CreateNamespace(ns); }
  Result<std::vector<std::string>> ListNamespaces() override { return real_->ListNamespaces(); }
  Result<std::vector<TableIdentifier>> ListTables(const std::string& ns) override {
    return real_->ListTables(ns);
  }
  Result<std::optional<std::string>> LoadMetadataLocation(const TableIdentifier& id) override {
    return real_->LoadMetadataLocation(id);
  }
  Status CreateTable(const TableIdentifier& id, const std::string& location) override {
    return real_->CreateTable(id, location);
  }
  Status SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                              const std::string& location,
                              const std::vector<SwapGuard>& guards = {}) override {
    return real_->SwapMetadataLocation(id, expected, location, guards);
  }
  Status DropTable(const TableIdentifier& id) override { return real_->DropTable(id); }

 protected:
  Catalog* real_;
};

// A nullable field with PARQUET:field_id = `id`.
inline std::shared_ptr<arrow::Field> F(const std::string& name,
                                       std::shared_ptr<arrow::DataType> type, int id) {
  return arrow::field(name, std::move(type), true,
                      arrow::key_value_metadata({"PARQUET:field_id"}, {std::to_string(id)}));
}

}  // namespace tradeflow::lake::testing
