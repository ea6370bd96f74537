#include "model/proto_schema.h"

#include <arrow/util/key_value_metadata.h>

#include <cctype>

#include "tradeflow/trade/v1/types.pb.h"

namespace tradeflow::model {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string UpperSnake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out.push_back('_');
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

// Hands out ids: existing paths keep theirs, new paths get last_column_id + 1, ...
class IdAllocator {
 public:
  explicit IdAllocator(FieldIds ids) : ids_(std::move(ids)) {}
  int32_t IdFor(const std::string& path) {
    auto [it, inserted] = ids_.by_path.emplace(path, 0);
    if (inserted) it->second = ++ids_.last_column_id;
    return it->second;
  }
  FieldIds Release() { return std::move(ids_); }

 private:
  FieldIds ids_;
};

std::shared_ptr<arrow::Field> WithId(std::string name, std::shared_ptr<arrow::DataType> type,
                                     int32_t id, bool nullable = true) {
  return arrow::field(std::move(name), std::move(type), nullable,
                      arrow::key_value_metadata({kFieldIdKey}, {std::to_string(id)}));
}

std::string Join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

class Deriver {
 public:
  explicit Deriver(IdAllocator* ids) : ids_(ids) {}

  // Fields of a struct: ids for all direct children first, then each child's own subtree, the
  // order Iceberg uses for fresh schemas.
  Result<arrow::FieldVector> StructFields(const Descriptor* d, const std::string& prefix) {
    if (++depth_ > kMaxDepth) return Status::Invalid("message nesting too deep at " + prefix);
    std::vector<int32_t> field_ids;
    for (int i = 0; i < d->field_count(); ++i) {
      field_ids.push_back(ids_->IdFor(Join(prefix, d->field(i)->name())));
    }
    arrow::FieldVector out;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      std::string path = Join(prefix, f->name());
      TF_ASSIGN_OR_RETURN(auto type, FieldType(f, path));
      out.push_back(WithId(f->name(), std::move(type), field_ids[i]));
    }
    --depth_;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 16;

  Result<std::shared_ptr<arrow::DataType>> FieldType(const FieldDescriptor* f,
                                                     const std::string& path) {
    if (f->is_map()) {
      const Descriptor* entry = f->message_type();
      int32_t key_id = ids_->IdFor(path + ".key");
      int32_t value_id = ids_->IdFor(path + ".value");
      TF_ASSIGN_OR_RETURN(auto key_type, SingularType(entry->map_key(), path + ".key"));
      TF_ASSIGN_OR_RETURN(auto value_type, SingularType(entry->map_value(), path + ".value"));
      return std::static_pointer_cast<arrow::DataType>(
          std::make_shared<arrow::MapType>(WithId("key", key_type, key_id, /*nullable=*/false),
                                           WithId("value", value_type, value_id)));
    }
    if (f->is_repeated()) {
      int32_t element_id = ids_->IdFor(path + ".element");
      TF_ASSIGN_OR_RETURN(auto element_type, SingularType(f, path + ".element"));
      return arrow::list(WithId("element", element_type, element_id));
    }
    return SingularType(f, path);
  }

  Result<std::shared_ptr<arrow::DataType>> SingularType(const FieldDescriptor* f,
                                                        const std::string& path) {
    auto kind = ColumnKindOf(f, /*element=*/true);
    if (!kind.ok())
      return Status::Invalid("field " + path + ": uint64 has no Iceberg type; use int64");
    switch (*kind) {
      case ColumnKind::kString:
      case ColumnKind::kEnum:
        return arrow::utf8();
      case ColumnKind::kBinary:
        return arrow::binary();
      case ColumnKind::kInt32:
        return arrow::int32();
      case ColumnKind::kInt64:
        return arrow::int64();
      case ColumnKind::kBool:
        return arrow::boolean();
      case ColumnKind::kFloat:
        return arrow::float32();
      case ColumnKind::kDouble:
        return arrow::float64();
      case ColumnKind::kDecimal: {
        DecimalType t = DecimalTypeOf(f);
        return arrow::decimal128(t.precision, t.scale);
      }
      case ColumnKind::kDate:
        return arrow::date32();
      case ColumnKind::kTimestamp:
        return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
      case ColumnKind::kStruct:
      case ColumnKind::kList:
      case ColumnKind::kMap:
        break;
    }
    const Descriptor* m = f->message_type();
    TF_ASSIGN_OR_RETURN(auto children, StructFields(m, path));
    return arrow::struct_(std::move(children));
  }

  IdAllocator* ids_;
  int depth_ = 0;
};

}  // namespace

bool IsDecimalMessage(const Descriptor* d) {
  return d == tradeflow::trade::v1::Decimal::descriptor() ||
         d->full_name() == "tradeflow.trade.v1.Decimal";
}
bool IsDateMessage(const Descriptor* d) { return d->full_name() == "tradeflow.trade.v1.Date"; }
bool IsTimestampMessage(const Descriptor* d) {
  return d->full_name() == "google.protobuf.Timestamp";
}

bool IsNullWhenAbsent(const FieldDescriptor* field) {
  return field->has_optional_keyword() && !field->is_repeated() &&
         field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE &&
         field->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
}

Result<ColumnKind> ColumnKindOf(const FieldDescriptor* field, bool element) {
  if (!element && field->is_map()) return ColumnKind::kMap;
  if (!element && field->is_repeated()) return ColumnKind::kList;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return field->type() == FieldDescriptor::TYPE_BYTES ? ColumnKind::kBinary
                                                          : ColumnKind::kString;
    case FieldDescriptor::CPPTYPE_ENUM:
      return ColumnKind::kEnum;
    case FieldDescriptor::CPPTYPE_INT32:
      return ColumnKind::kInt32;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
      return ColumnKind::kInt64;
    case FieldDescriptor::CPPTYPE_BOOL:
      return ColumnKind::kBool;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return ColumnKind::kFloat;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return ColumnKind::kDouble;
    case FieldDescriptor::CPPTYPE_UINT64:
      return Status::Invalid("field " + field->full_name() + ": " + field->type_name() +
                             " has no Iceberg type");
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  const Descriptor* m = field->message_type();
  if (IsDecimalMessage(m)) return ColumnKind::kDecimal;
  if (IsDateMessage(m)) return ColumnKind::kDate;
  if (IsTimestampMessage(m)) return ColumnKind::kTimestamp;
  return ColumnKind::kStruct;
}

DecimalType DecimalTypeOf(const FieldDescriptor* f) {
  DecimalType t;
  const auto& options = f->options();
  if (options.HasExtension(tradeflow::trade::v1::decimal_precision)) {
    t.precision = options.GetExtension(tradeflow::trade::v1::decimal_precision);
  }
  if (options.HasExtension(tradeflow::trade::v1::decimal_scale)) {
    t.scale = options.GetExtension(tradeflow::trade::v1::decimal_scale);
  }
  return t;
}

std::string EnumValueLabel(const google::protobuf::EnumValueDescriptor* value) {
  std::string prefix = UpperSnake(value->type()->name()) + "_";
  const std::string& name = value->name();
  if (name.rfind(prefix, 0) == 0) return name.substr(prefix.size());
  return name;
}

int32_t FieldIdOf(const arrow::Field& field) {
  if (!field.metadata()) return -1;
  auto found = field.metadata()->Get(kFieldIdKey);
  if (!found.ok()) return -1;
  return std::stoi(*found);
}

Result<DerivedSchema> DeriveArrowSchema(const Descriptor* message, const FieldIds& existing) {
  IdAllocator ids(existing);
  Deriver deriver(&ids);
  TF_ASSIGN_OR_RETURN(auto fields, deriver.StructFields(message, ""));
  return DerivedSchema{arrow::schema(std::move(fields)), ids.Release()};
}

}  // namespace tradeflow::model
