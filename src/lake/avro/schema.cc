#include "lake/avro/schema.h"

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace tradeflow::lake::avro {

namespace {

using Json = nlohmann::json;

// Deeper nesting than this is rejected rather than risking the stack on hostile input.
constexpr int kMaxDepth = 64;

std::optional<Type> PrimitiveType(std::string_view name) {
  if (name == "null") return Type::kNull;
  if (name == "boolean") return Type::kBoolean;
  if (name == "int") return Type::kInt;
  if (name == "long") return Type::kLong;
  if (name == "float") return Type::kFloat;
  if (name == "double") return Type::kDouble;
  if (name == "bytes") return Type::kBytes;
  if (name == "string") return Type::kString;
  return std::nullopt;
}

size_t SaturatingAdd(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kBytes:
      return "bytes";
    case Type::kString:
      return "string";
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
  }
  return "unknown";
}

int Node::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Node::FieldIndexById(int32_t field_id) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field_id == field_id) return static_cast<int>(i);
  }
  return -1;
}

class SchemaParser {
 public:
  Result<std::shared_ptr<const Schema>> Run(std::string_view text) {
    Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Status::Invalid("schema is not valid JSON");
    schema_.reset(new Schema());
    TF_ASSIGN_OR_RETURN(const Node* root, ParseType(json, "", 0));
    schema_->root_ = root;
    std::map<const Node*, std::optional<size_t>> memo;
    for (const auto& node : schema_->nodes_) ComputeMinSize(node.get(), memo);
    for (const auto& node : schema_->nodes_) node->min_encoded_size = *memo[node.get()];
    return std::shared_ptr<const Schema>(std::move(schema_));
  }

 private:
  Node* NewNode(Type type) {
    schema_->nodes_.push_back(std::make_unique<Node>());
    schema_->nodes_.back()->type = type;
    return schema_->nodes_.back().get();
  }

  Result<Node*> ParseType(const Json& j, const std::string& ns, int depth) {
    if (depth > kMaxDepth) return Status::Invalid("schema nests deeper than 64 levels");
    if (j.is_string()) return ParseNameOrPrimitive(j.get<std::string>(), ns);
    if (j.is_array()) return ParseUnion(j, ns, depth);
    if (!j.is_object()) return Status::Invalid("schema type must be a string, array or object");
    auto type_it = j.find("type");
    if (type_it == j.end()) return Status::Invalid("schema object without \"type\"");
    if (!type_it->is_string()) return ParseType(*type_it, ns, depth + 1);
    const std::string type = type_it->get<std::string>();
    Node* node = nullptr;
    if (type == "record" || type == "error") {
      TF_ASSIGN_OR_RETURN(node, ParseRecord(j, ns, depth));
    } else if (type == "enum") {
      TF_ASSIGN_OR_RETURN(node, ParseEnum(j, ns));
    } else if (type == "fixed") {
      TF_ASSIGN_OR_RETURN(node, ParseFixed(j, ns));
    } else if (type == "array") {
      TF_ASSIGN_OR_RETURN(node, ParseArray(j, ns, depth));
    } else if (type == "map") {
      auto values = j.find("values");
      if (values == j.end()) return Status::Invalid("map schema without \"values\"");
      Node* map = NewNode(Type::kMap);
      TF_ASSIGN_OR_RETURN(map->values, ParseType(*values, ns, depth + 1));
      node = map;
    } else if (auto prim = PrimitiveType(type)) {
      node = NewNode(*prim);
    } else {
      // {"type": "SomeName"}: a reference written in object form.
      return ParseNameOrPrimitive(type, ns);
    }
    // logicalType lives on the node we just created (never on a shared named type).
    auto logical = j.find("logicalType");
    if (logical != j.end() && logical->is_string()) {
      node->logical_type = logical->get<std::string>();
    }
    return node;
  }

  Result<Node*> ParseNameOrPrimitive(const std::string& name, const std::string& ns) {
    if (auto prim = PrimitiveType(name)) return NewNode(*prim);
    if (name.find('.') == std::string::npos && !ns.empty()) {
      auto it = named_.find(ns + "." + name);
      if (it != named_.end()) return it->second;
    }
    auto it = named_.find(name);
    if (it != named_.end()) return it->second;
    return Status::Invalid("schema refers to undefined type '" + name + "'");
  }

  Result<Node*> ParseUnion(const Json& j, const std::string& ns, int depth) {
    if (j.empty()) return Status::Invalid("union schema with no branches");
    Node* node = NewNode(Type::kUnion);
    for (const Json& branch : j) {
      TF_ASSIGN_OR_RETURN(Node * b, ParseType(branch, ns, depth + 1));
      if (b->type == Type::kUnion) return Status::Invalid("union directly inside a union");
      node->branches.push_back(b);
    }
    return node;
  }

  // Registers a named type; `ns` is updated to the namespace its children inherit.
  Result<Node*> DefineNamed(const Json& j, Type type, std::string* ns) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string() || name_it->get<std::string>().empty()) {
      return Status::Invalid(std::string(TypeName(type)) + " schema without a \"name\"");
    }
    std::string name = name_it->get<std::string>();
    std::string full;
    if (auto dot = name.rfind('.'); dot != std::string::npos) {
      full = name;
      *ns = name.substr(0, dot);
    } else {
      auto ns_it = j.find("namespace");
      if (ns_it != j.end() && ns_it->is_string()) *ns = ns_it->get<std::string>();
      full = ns->empty() ? name : *ns + "." + name;
    }
    if (named_.count(full)) return Status::Invalid("schema defines type '" + full + "' twice");
    Node* node = NewNode(type);
    node->full_name = full;
    named_[full] = node;
    return node;
  }

  Result<Node*> ParseRecord(const Json& j, std::string ns, int depth) {
    TF_ASSIGN_OR_RETURN(Node * node, DefineNamed(j, Type::kRecord, &ns));
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) {
      return Status::Invalid("record '" + node->full_name + "' without a \"fields\" array");
    }
    for (const Json& f : *fields) {
      if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("type")) {
        return Status::Invalid("record '" + node->full_name + "' has a field without name or type");
      }
      FieldSchema field;
      field.name = f["name"].get<std::string>();
      auto type = ParseType(f["type"], ns, depth + 1);
      if (!type.ok()) return type.status().WithContext("field '" + field.name + "'");
      field.type = *type;
      auto id = f.find("field-id");
      if (id != f.end() && id->is_number_integer()) field.field_id = id->get<int32_t>();
      node->fields.push_back(std::move(field));
    }
    return node;
  }

  Result<Node*> ParseEnum(const Json& j, std::string ns) {
    TF_ASSIGN_OR_RETURN(Node * node, DefineNamed(j, Type::kEnum, &ns));
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array() || symbols->empty()) {
      return Status::Invalid("enum '" + node->full_name + "' without symbols");
    }
    for (const Json& s : *symbols) {
      if (!s.is_string()) return Status::Invalid("enum '" + node->full_name + "': bad symbol");
      node->symbols.push_back(s.get<std::string>());
    }
    return node;
  }

  Result<Node*> ParseFixed(const Json& j, std::string ns) {
    TF_ASSIGN_OR_RETURN(Node * node, DefineNamed(j, Type::kFixed, &ns));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_unsigned()) {
      return Status::Invalid("fixed '" + node->full_name + "' without a valid size");
    }
    node->fixed_size = size->get<size_t>();
    return node;
  }

  Result<Node*> ParseArray(const Json& j, const std::string& ns, int depth) {
    auto items = j.find("items");
    if (items == j.end()) return Status::Invalid("array schema without \"items\"");
    Node* node = NewNode(Type::kArray);
    TF_ASSIGN_OR_RETURN(node->items, ParseType(*items, ns, depth + 1));
    auto id = j.find("element-id");
    if (id != j.end() && id->is_number_integer()) node->element_id = id->get<int32_t>();
    return node;
  }

  // A node met again while its own size is being computed (a recursive record) counts as 0
  // bytes, which keeps the result a lower bound.
  size_t ComputeMinSize(const Node* node, std::map<const Node*, std::optional<size_t>>& memo) {
    auto [it, inserted] = memo.try_emplace(node);
    if (!inserted) return it->second.value_or(0);
    size_t size = 1;  // boolean, int, long, bytes, string, enum, array, map: at least one byte
    switch (node->type) {
      case Type::kNull:
        size = 0;
        break;
      case Type::kFloat:
        size = 4;
        break;
      case Type::kDouble:
        size = 8;
        break;
      case Type::kFixed:
        size = node->fixed_size;
        break;
      case Type::kRecord:
        size = 0;
        for (const FieldSchema& f : node->fields) {
          size = SaturatingAdd(size, ComputeMinSize(f.type, memo));
        }
        break;
      case Type::kUnion: {
        size_t smallest = std::numeric_limits<size_t>::max();
        for (const Node* b : node->branches) smallest = std::min(smallest, ComputeMinSize(b, memo));
        size = SaturatingAdd(1, smallest);
        break;
      }
      default:
        break;
    }
    memo[node] = size;
    return size;
  }

  std::unique_ptr<Schema> schema_;
  std::map<std::string, Node*> named_;  // full name -> definition
};

Result<std::shared_ptr<const Schema>> Schema::Parse(std::string_view json) {
  return SchemaParser().Run(json);
}

}  // namespace tradeflow::lake::avro
