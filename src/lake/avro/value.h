// A decoded Avro value of any type: the dynamic tree the generic container reader produces.
//
// Each Value keeps a pointer to its schema Node (owned by the Schema, which must outlive it;
// ContainerFile keeps both together). Unions are resolved while decoding: a Value holds the
// chosen branch's value and remembers the branch index, so `["null","long"]` reads as either a
// null Value or a long Value.
//
// Typed accessors return Invalid ("expected long, got string") instead of asserting, because the
// files come from other writers and a type surprise is bad input, not a bug. Field lookups return
// nullptr when the field does not exist, which is how callers handle optional or renamed fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/avro/schema.h"

namespace tradeflow::lake::avro {

class Decoder;

class Value {
 public:
  Value() = default;  // a null with no schema

  // The type of the value itself (never kUnion: unions resolve to their branch).
  Type type() const { return schema_ ? schema_->type : Type::kNull; }
  const Node* schema() const { return schema_; }
  // The union branch this value came from, or -1 if its schema position was not a union.
  int union_branch() const { return union_branch_; }

  bool IsNull() const { return type() == Type::kNull; }

  Result<bool> AsBool() const;
  Result<int32_t> AsInt() const;              // int, or a long that fits
  Result<int64_t> AsLong() const;             // int or long
  Result<double> AsDouble() const;            // float or double
  Result<std::string_view> AsString() const;  // string
  Result<std::string_view> AsBytes() const;   // bytes, fixed or string
  Result<std::string_view> EnumSymbol() const;
  int64_t EnumIndex() const { return long_; }  // REQUIRES: type() == kEnum

  // Record fields; nullptr if this is not a record or has no such field.
  const Value* Field(std::string_view name) const;
  const Value* FieldById(int32_t field_id) const;  // by the Iceberg "field-id" attribute

  // Array elements, map values, or record field values in schema order.
  const std::vector<Value>& items() const { return children_; }
  // Map keys, parallel to items().
  const std::vector<std::string>& map_keys() const { return keys_; }
  size_t size() const { return children_.size(); }

 private:
  friend Status DecodeValue(Decoder& decoder, const Node& schema, Value* out);
  friend Status DecodeInto(Decoder& decoder, const Node& schema, Value* out, int depth);
  Status TypeError(std::string_view expected) const;

  const Node* schema_ = nullptr;
  int union_branch_ = -1;
  bool bool_ = false;              // boolean
  int64_t long_ = 0;               // int, long, enum index
  double double_ = 0;              // float, double
  std::string bytes_;              // bytes, string, fixed, enum symbol
  std::vector<Value> children_;    // see items()
  std::vector<std::string> keys_;  // map keys
};

}  // namespace tradeflow::lake::avro
