#include "model/proto_batch_builder.h"

#include <arrow/builder.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/timestamp.pb.h>

#include <algorithm>

#include "common/arrow_status.h"
#include "model/civil_date.h"
#include "model/decimal.h"
#include "model/proto_schema.h"

namespace tradeflow::model {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {}  // namespace

// One column (or nested child) of the output: knows its proto field, its Arrow builder and how
// to convert a value.
class ProtoBatchBuilder::Node {
 public:
  using Kind = ColumnKind;

  static Result<std::unique_ptr<Node>> Make(const FieldDescriptor* field,
                                            arrow::ArrayBuilder* builder, bool element) {
    auto node = std::unique_ptr<Node>(new Node());
    node->field_ = field;
    node->builder_ = builder;
    // Reflection objects looked up once: GetReflection() per field and row showed up at the top
    // of profiles. Null for non-generated (dynamic) types, which then ask each message.
    node->parent_reflection_ = ReflectionOf(field->containing_type());
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      node->message_reflection_ = ReflectionOf(field->message_type());
    }
    TF_ASSIGN_OR_RETURN(node->kind_, ColumnKindOf(field, element));
    node->null_when_absent_ = !element && IsNullWhenAbsent(field);
    switch (node->kind_) {
      case Kind::kMap: {
        auto* map = static_cast<arrow::MapBuilder*>(builder);
        const Descriptor* entry = field->message_type();
        TF_ASSIGN_OR_RETURN(auto key, Make(entry->map_key(), map->key_builder(), false));
        TF_ASSIGN_OR_RETURN(auto value, Make(entry->map_value(), map->item_builder(), false));
        node->children_.push_back(std::move(key));
        node->children_.push_back(std::move(value));
        return node;
      }
      case Kind::kList: {
        auto* list = static_cast<arrow::ListBuilder*>(builder);
        TF_ASSIGN_OR_RETURN(auto child, Make(field, list->value_builder(), /*element=*/true));
        node->children_.push_back(std::move(child));
        return node;
      }
      case Kind::kDecimal:
        node->decimal_ = DecimalTypeOf(field);
        return node;
      case Kind::kStruct:
        break;
      default:
        return node;
    }
    const Descriptor* m = field->message_type();
    auto* st = static_cast<arrow::StructBuilder*>(builder);
    if (st->num_fields() != m->field_count()) {
      return Status::Internal("schema does not match message " + m->full_name());
    }
    for (int i = 0; i < m->field_count(); ++i) {
      TF_ASSIGN_OR_RETURN(auto child, Make(m->field(i), st->field_builder(i), false));
      node->children_.push_back(std::move(child));
    }
    return node;
  }

  // Appends the value of field_ in `parent` (element `index` when the field is repeated and this
  // node is the list's element, -1 otherwise).
  Status Append(const Message& parent, int index) {
    const Reflection* r = parent_reflection_ ? parent_reflection_ : parent.GetReflection();
    const FieldDescriptor* f = field_;
    const bool rep = index >= 0;
    if (!rep && null_when_absent_ && !r->HasField(parent, f)) return AppendNull();
    switch (kind_) {
      case Kind::kString:
      case Kind::kBinary: {
        std::string scratch;
        const std::string& v = rep ? r->GetRepeatedStringReference(parent, f, index, &scratch)
                                   : r->GetStringReference(parent, f, &scratch);
        if (v.empty() && !rep) return AsArrow(builder_->AppendNull());
        if (kind_ == Kind::kString) {
          return AsArrow(static_cast<arrow::StringBuilder*>(builder_)->Append(v));
        }
        return AsArrow(static_cast<arrow::BinaryBuilder*>(builder_)->Append(v));
      }
      case Kind::kEnum: {
        int number = rep ? r->GetRepeatedEnumValue(parent, f, index) : r->GetEnumValue(parent, f);
        if (number == 0) return AsArrow(builder_->AppendNull());
        const auto* value = f->enum_type()->FindValueByNumber(number);
        if (value == nullptr) return AsArrow(builder_->AppendNull());  // open-enum unknown
        return AsArrow(static_cast<arrow::StringBuilder*>(builder_)->Append(EnumValueLabel(value)));
      }
      case Kind::kInt32:
        return AsArrow(static_cast<arrow::Int32Builder*>(builder_)->Append(
            rep ? r->GetRepeatedInt32(parent, f, index) : r->GetInt32(parent, f)));
      case Kind::kInt64: {
        int64_t v;
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
          v = rep ? r->GetRepeatedUInt32(parent, f, index) : r->GetUInt32(parent, f);
        } else {
          v = rep ? r->GetRepeatedInt64(parent, f, index) : r->GetInt64(parent, f);
        }
        return AsArrow(static_cast<arrow::Int64Builder*>(builder_)->Append(v));
      }
      case Kind::kBool:
        return AsArrow(static_cast<arrow::BooleanBuilder*>(builder_)->Append(
            rep ? r->GetRepeatedBool(parent, f, index) : r->GetBool(parent, f)));
      case Kind::kFloat:
        return AsArrow(static_cast<arrow::FloatBuilder*>(builder_)->Append(
            rep ? r->GetRepeatedFloat(parent, f, index) : r->GetFloat(parent, f)));
      case Kind::kDouble:
        return AsArrow(static_cast<arrow::DoubleBuilder*>(builder_)->Append(
            rep ? r->GetRepeatedDouble(parent, f, index) : r->GetDouble(parent, f)));
      case Kind::kList: {
        int n = r->FieldSize(parent, f);
        TF_RETURN_IF_ERROR(AsArrow(static_cast<arrow::ListBuilder*>(builder_)->Append()));
        for (int i = 0; i < n; ++i) TF_RETURN_IF_ERROR(children_[0]->Append(parent, i));
        return Status::OK();
      }
      case Kind::kMap:
        return AppendMap(parent);
      default:
        break;
    }
    // Message-typed kinds.
    if (!rep && !r->HasField(parent, f)) return AppendNull();
    const Message& m = rep ? r->GetRepeatedMessage(parent, f, index) : r->GetMessage(parent, f);
    return AppendMessage(m);
  }

  Status AppendNull() { return AsArrow(builder_->AppendNull()); }

  const std::string& name() const { return field_->name(); }

 private:
  Node() = default;

  static Status AsArrow(const arrow::Status& st) { return FromArrow(st); }

  Status AppendMessage(const Message& m) {
    const Descriptor* d = field_->message_type();
    const Reflection* r = message_reflection_ ? message_reflection_ : m.GetReflection();
    switch (kind_) {
      case Kind::kDecimal: {
        const std::string& text = r->GetStringReference(m, d->field(0), nullptr);
        if (text.empty()) return AppendNull();
        auto value = ParseDecimal(text, decimal_);
        if (!value.ok()) return value.status().WithContext(field_->name());
        return AsArrow(static_cast<arrow::Decimal128Builder*>(builder_)->Append(*value));
      }
      case Kind::kDate: {
        int32_t y = r->GetInt32(m, d->field(0)), mo = r->GetInt32(m, d->field(1)),
                day = r->GetInt32(m, d->field(2));
        if (y == 0 && mo == 0 && day == 0) return AppendNull();
        int32_t days = 0;
        if (!DaysSinceEpoch(y, mo, day, &days)) {
          return Status::Invalid(field_->name() + ": not a valid date");
        }
        return AsArrow(static_cast<arrow::Date32Builder*>(builder_)->Append(days));
      }
      case Kind::kTimestamp: {
        const auto& ts = static_cast<const google::protobuf::Timestamp&>(m);
        int64_t micros = ts.seconds() * 1000000 + ts.nanos() / 1000;
        return AsArrow(static_cast<arrow::TimestampBuilder*>(builder_)->Append(micros));
      }
      case Kind::kStruct: {
        TF_RETURN_IF_ERROR(AsArrow(static_cast<arrow::StructBuilder*>(builder_)->Append()));
        for (auto& child : children_) TF_RETURN_IF_ERROR(child->Append(m, -1));
        return Status::OK();
      }
      default:
        return Status::Internal("unexpected message for " + field_->full_name());
    }
  }

  // Map entries come out of reflection in hash order; sort by key so files are reproducible.
  Status AppendMap(const Message& parent) {
    const Reflection* r = parent_reflection_ ? parent_reflection_ : parent.GetReflection();
    int n = r->FieldSize(parent, field_);
    std::vector<const Message*> entries;
    entries.reserve(n);
    for (int i = 0; i < n; ++i) entries.push_back(&r->GetRepeatedMessage(parent, field_, i));
    const FieldDescriptor* key_field = field_->message_type()->map_key();
    if (key_field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::sort(entries.begin(), entries.end(), [key_field](const Message* a, const Message* b) {
        return a->GetReflection()->GetString(*a, key_field) <
               b->GetReflection()->GetString(*b, key_field);
      });
    }
    TF_RETURN_IF_ERROR(AsArrow(static_cast<arrow::MapBuilder*>(builder_)->Append()));
    for (const Message* e : entries) {
      TF_RETURN_IF_ERROR(AppendMapKey(*e));
      TF_RETURN_IF_ERROR(children_[1]->Append(*e, -1));
    }
    return Status::OK();
  }

  // A map key is never null, even when it is the empty string.
  Status AppendMapKey(const Message& entry) {
    Node& key = *children_[0];
    if (key.kind_ == Kind::kString) {
      return AsArrow(static_cast<arrow::StringBuilder*>(key.builder_)
                         ->Append(entry.GetReflection()->GetString(entry, key.field_)));
    }
    return key.Append(entry, -1);
  }

  static const Reflection* ReflectionOf(const Descriptor* d) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    return prototype == nullptr ? nullptr : prototype->GetReflection();
  }

  Kind kind_ = Kind::kString;
  bool null_when_absent_ = false;  // IsNullWhenAbsent
  const FieldDescriptor* field_ = nullptr;
  const Reflection* parent_reflection_ = nullptr;
  const Reflection* message_reflection_ = nullptr;
  arrow::ArrayBuilder* builder_ = nullptr;
  DecimalType decimal_;
  std::vector<std::unique_ptr<Node>> children_;
};

ProtoBatchBuilder::~ProtoBatchBuilder() = default;

Result<std::unique_ptr<ProtoBatchBuilder>> ProtoBatchBuilder::Make(
    const Descriptor* descriptor, std::shared_ptr<arrow::Schema> schema) {
  if (schema->num_fields() != descriptor->field_count()) {
    return Status::Internal("schema has " + std::to_string(schema->num_fields()) +
                            " fields, message " + descriptor->full_name() + " has " +
                            std::to_string(descriptor->field_count()));
  }
  auto out = std::unique_ptr<ProtoBatchBuilder>(new ProtoBatchBuilder());
  out->schema_ = schema;
  TF_ASSIGN_OR_RETURN_ARROW(out->batch_builder_,
                            arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool()));
  for (int i = 0; i < descriptor->field_count(); ++i) {
    TF_ASSIGN_OR_RETURN(auto node,
                        Node::Make(descriptor->field(i), out->batch_builder_->GetField(i), false));
    out->columns_.push_back(std::move(node));
  }
  return out;
}

Status ProtoBatchBuilder::Append(const Message& message) {
  for (auto& column : columns_) {
    Status st = column->Append(message, -1);
    if (!st.ok()) return st.WithContext("column " + column->name());
  }
  ++num_rows_;
  return Status::OK();
}

Result<std::shared_ptr<arrow::RecordBatch>> ProtoBatchBuilder::Finish() {
  TF_ASSIGN_OR_RETURN_ARROW(auto batch, batch_builder_->Flush());
  num_rows_ = 0;
  return batch;
}

}  // namespace tradeflow::model
