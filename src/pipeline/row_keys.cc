#include "pipeline/row_keys.h"

#include <google/protobuf/timestamp.pb.h>

#include "lake/sort_key.h"
#include "model/civil_date.h"
#include "model/proto_schema.h"

namespace tradeflow::pipeline {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

// The dotted path of the column with field id `id`, searching structs only.
bool FindPath(const arrow::FieldVector& fields, int32_t id, std::string prefix, std::string* out) {
  for (const auto& f : fields) {
    std::string path = prefix.empty() ? f->name() : prefix + "." + f->name();
    if (model::FieldIdOf(*f) == id) {
      *out = path;
      return true;
    }
    if (f->type()->id() == arrow::Type::STRUCT && FindPath(f->type()->fields(), id, path, out)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<RowKeys::Column> RowKeys::ResolveColumn(const Descriptor* descriptor,
                                               const std::string& path) {
  Column c;
  c.path = path;
  TF_ASSIGN_OR_RETURN(c.steps, model::ResolveFieldPath(descriptor, path));
  for (const auto& step : c.steps) {
    if (step.field->is_repeated()) {
      return Status::Invalid("column '" + path + "' is inside a list or map: rows cannot be " +
                             "partitioned or sorted by it");
    }
  }
  const FieldDescriptor* leaf = c.steps.back().field;
  switch (leaf->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = leaf->enum_type();
      for (int i = 0; i < e->value_count(); ++i) {
        int number = e->value(i)->number();
        if (number < 0 || number > 4096) {
          return Status::Invalid("column '" + path +
                                 "': enum numbers beyond 4096 are not supported");
        }
        if (static_cast<int>(c.enum_labels.size()) <= number) c.enum_labels.resize(number + 1);
        c.enum_labels[number] = model::EnumValueLabel(e->value(i));
      }
      return c;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      if (leaf->type() == FieldDescriptor::TYPE_BYTES) break;
      return c;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_BOOL:
      return c;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Descriptor* m = leaf->message_type();
      if (model::IsDecimalMessage(m)) c.decimal = model::DecimalTypeOf(leaf);
      if (model::IsDecimalMessage(m) || model::IsDateMessage(m) || model::IsTimestampMessage(m)) {
        return c;
      }
      break;
    }
    default:
      break;
  }
  return Status::Invalid("column '" + path +
                         "' has a type rows cannot be partitioned or sorted by");
}

Result<RowKeys> RowKeys::Make(const Descriptor* descriptor, const arrow::Schema& schema,
                              const lake::PartitionSpec& spec,
                              const std::vector<lake::SortKey>& sort) {
  RowKeys keys;
  keys.partition_fields_ = spec.fields;
  for (const auto& f : spec.fields) {
    std::string path;
    if (!FindPath(schema.fields(), f.source_id, "", &path)) {
      return Status::Invalid("partition field " + f.name + ": no column with field id " +
                             std::to_string(f.source_id));
    }
    TF_ASSIGN_OR_RETURN(Column c, ResolveColumn(descriptor, path));
    const FieldDescriptor* leaf = c.steps.back().field;
    if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        model::IsDecimalMessage(leaf->message_type())) {
      return Status::Invalid("partition field " + f.name + ": cannot partition by decimal " + path);
    }
    keys.partition_columns_.push_back(std::move(c));
  }
  for (const auto& s : sort) {
    TF_ASSIGN_OR_RETURN(Column c, ResolveColumn(descriptor, s.column));
    c.descending = s.descending;
    c.nulls_first = s.NullsFirst();
    keys.sort_columns_.push_back(std::move(c));
  }
  return keys;
}

// Walks the column's path; an unset message on the way, an empty string and enum 0 are null.
Result<lake::PartitionSource> RowKeys::Read(const Column& column, const Message& message) const {
  const Message* at = &message;
  for (size_t i = 0; i + 1 < column.steps.size(); ++i) {
    const Reflection* r = at->GetReflection();
    if (!r->HasField(*at, column.steps[i].field)) return lake::PartitionSource(std::monostate{});
    at = &r->GetMessage(*at, column.steps[i].field);
  }
  const FieldDescriptor* f = column.steps.back().field;
  const Reflection* r = at->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      // Generated messages hand out a reference to their own string, never to the scratch.
      const std::string& v = r->GetStringReference(*at, f, nullptr);
      if (v.empty()) return lake::PartitionSource(std::monostate{});
      return lake::PartitionSource(std::string_view(v));
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = r->GetEnumValue(*at, f);
      if (number <= 0 || number >= static_cast<int>(column.enum_labels.size()) ||
          column.enum_labels[number].empty()) {
        return lake::PartitionSource(std::monostate{});
      }
      return lake::PartitionSource(std::string_view(column.enum_labels[number]));
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return lake::PartitionSource(r->GetInt32(*at, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return lake::PartitionSource(r->GetInt64(*at, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return lake::PartitionSource(static_cast<int64_t>(r->GetUInt32(*at, f)));
    case FieldDescriptor::CPPTYPE_BOOL:
      return lake::PartitionSource(r->GetBool(*at, f));
    default:
      break;
  }
  if (!r->HasField(*at, f)) return lake::PartitionSource(std::monostate{});
  const Message& value = r->GetMessage(*at, f);
  const Descriptor* d = f->message_type();
  const Reflection* vr = value.GetReflection();
  if (model::IsTimestampMessage(d)) {
    const auto& ts = static_cast<const google::protobuf::Timestamp&>(value);
    return lake::PartitionSource(static_cast<int64_t>(ts.seconds() * 1000000 + ts.nanos() / 1000));
  }
  if (model::IsDateMessage(d)) {
    int32_t y = vr->GetInt32(value, d->field(0)), m = vr->GetInt32(value, d->field(1)),
            day = vr->GetInt32(value, d->field(2));
    if (y == 0 && m == 0 && day == 0) return lake::PartitionSource(std::monostate{});
    int32_t days = 0;
    if (!model::DaysSinceEpoch(y, m, day, &days)) {
      return Status::Invalid("column '" + column.path + "': not a valid date");
    }
    return lake::PartitionSource(days);
  }
  return Status::Internal("column '" + column.path + "' cannot be read as a key");
}

Status RowKeys::AppendSortValue(const Column& column, const Message& message,
                                std::string* key) const {
  const FieldDescriptor* leaf = column.steps.back().field;
  if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      model::IsDecimalMessage(leaf->message_type())) {
    // Decimals compare by value, so read the text and scale it to the column's scale.
    const Message* at = &message;
    for (const auto& step : column.steps) {
      const Reflection* r = at->GetReflection();
      if (!r->HasField(*at, step.field)) {
        lake::AppendNullSortKey(column.nulls_first, key);
        return Status::OK();
      }
      at = &r->GetMessage(*at, step.field);
    }
    const std::string& text =
        at->GetReflection()->GetStringReference(*at, at->GetDescriptor()->field(0), nullptr);
    if (text.empty()) {
      lake::AppendNullSortKey(column.nulls_first, key);
      return Status::OK();
    }
    TF_ASSIGN_OR_RETURN(arrow::Decimal128 value, model::ParseDecimal(text, column.decimal));
    lake::AppendDecimalSortKey(value.high_bits(), value.low_bits(), column.descending, key);
    return Status::OK();
  }
  TF_ASSIGN_OR_RETURN(lake::PartitionSource value, Read(column, message));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          lake::AppendNullSortKey(column.nulls_first, key);
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          lake::AppendStringSortKey(v, column.descending, key);
        } else if constexpr (std::is_same_v<T, bool>) {
          lake::AppendBoolSortKey(v, column.descending, key);
        } else {
          lake::AppendIntSortKey(static_cast<int64_t>(v), column.descending, key);
        }
      },
      value);
  return Status::OK();
}

Status RowKeys::Compute(const Message& message, std::vector<lake::PartitionValue>* partition,
                        std::string* sort_key) const {
  partition->resize(partition_fields_.size());
  for (size_t i = 0; i < partition_fields_.size(); ++i) {
    TF_ASSIGN_OR_RETURN(lake::PartitionSource source, Read(partition_columns_[i], message));
    (*partition)[i] = lake::TransformValue(partition_fields_[i], source);
  }
  sort_key->clear();
  for (const auto& column : sort_columns_) {
    Status st = AppendSortValue(column, message, sort_key);
    if (!st.ok()) return st.WithContext("sort column " + column.path);
  }
  return Status::OK();
}

}  // namespace tradeflow::pipeline
