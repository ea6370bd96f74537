#include "lake/avro/value.h"

#include <limits>

namespace tradeflow::lake::avro {

Status Value::TypeError(std::string_view expected) const {
  return Status::Invalid("expected " + std::string(expected) + ", got " +
                         std::string(TypeName(type())));
}

Result<bool> Value::AsBool() const {
  if (type() != Type::kBoolean) return TypeError("boolean");
  return bool_;
}

Result<int32_t> Value::AsInt() const {
  if (type() != Type::kInt && type() != Type::kLong) return TypeError("int");
  if (long_ < std::numeric_limits<int32_t>::min() || long_ > std::numeric_limits<int32_t>::max()) {
    return Status::Invalid("value " + std::to_string(long_) + " does not fit an int");
  }
  return static_cast<int32_t>(long_);
}

Result<int64_t> Value::AsLong() const {
  if (type() != Type::kInt && type() != Type::kLong) return TypeError("long");
  return long_;
}

Result<double> Value::AsDouble() const {
  if (type() != Type::kFloat && type() != Type::kDouble) return TypeError("double");
  return double_;
}

Result<std::string_view> Value::AsString() const {
  if (type() != Type::kString) return TypeError("string");
  return std::string_view(bytes_);
}

Result<std::string_view> Value::AsBytes() const {
  if (type() != Type::kBytes && type() != Type::kFixed && type() != Type::kString) {
    return TypeError("bytes");
  }
  return std::string_view(bytes_);
}

Result<std::string_view> Value::EnumSymbol() const {
  if (type() != Type::kEnum) return TypeError("enum");
  return std::string_view(bytes_);
}

const Value* Value::Field(std::string_view name) const {
  if (type() != Type::kRecord) return nullptr;
  int i = schema_->FieldIndex(name);
  return i < 0 ? nullptr : &children_[static_cast<size_t>(i)];
}

const Value* Value::FieldById(int32_t field_id) const {
  if (type() != Type::kRecord) return nullptr;
  int i = schema_->FieldIndexById(field_id);
  return i < 0 ? nullptr : &children_[static_cast<size_t>(i)];
}

}  // namespace tradeflow::lake::avro
