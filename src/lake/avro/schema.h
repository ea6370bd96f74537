// Avro schemas parsed from their JSON form, as needed to decode container files generically.
//
// A Schema owns a graph of Nodes. Named types (record, enum, fixed) may be referenced by name
// after their definition, including from inside themselves (recursive records), so the graph can
// have cycles; Nodes therefore point at each other with plain pointers owned by the Schema.
//
// Beyond the Avro spec the parser keeps the attributes Iceberg puts in schemas: "field-id" on
// record fields, "element-id" on arrays and "logicalType" anywhere. Defaults, aliases and doc
// strings are ignored: the reader decodes with the writer's schema, so it never needs them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tradeflow::lake::avro {

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

std::string_view TypeName(Type type);

struct Node;

struct FieldSchema {
  std::string name;
  const Node* type = nullptr;
  std::optional<int32_t> field_id;  // Iceberg "field-id"
};

struct Node {
  Type type = Type::kNull;
  std::string full_name;              // record, enum, fixed: namespace-qualified name
  std::string logical_type;           // "logicalType", empty when absent
  std::vector<FieldSchema> fields;    // record
  std::vector<std::string> symbols;   // enum
  const Node* items = nullptr;        // array
  const Node* values = nullptr;       // map
  std::vector<const Node*> branches;  // union
  size_t fixed_size = 0;              // fixed
  std::optional<int32_t> element_id;  // array: Iceberg "element-id"
  // Fewest bytes any value of this type encodes to. Used to reject block counts that the
  // remaining input cannot possibly hold, before allocating for them.
  size_t min_encoded_size = 0;

  // Index of the record field called `name`, or -1.
  int FieldIndex(std::string_view name) const;
  // Index of the record field carrying `field_id`, or -1.
  int FieldIndexById(int32_t field_id) const;
};

class Schema {
 public:
  // Parses Avro schema JSON. Invalid with the reason on malformed JSON or schemas.
  static Result<std::shared_ptr<const Schema>> Parse(std::string_view json);

  const Node& root() const { return *root_; }

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  friend class SchemaParser;
  Schema() = default;

  std::vector<std::unique_ptr<Node>> nodes_;  // every node of the graph
  const Node* root_ = nullptr;
};

}  // namespace tradeflow::lake::avro
