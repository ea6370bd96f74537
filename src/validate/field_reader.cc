#include "validate/field_reader.h"

#include <charconv>

#include "model/field_path.h"
#include "model/proto_schema.h"

namespace tradeflow::validate {

// Decodes UTF-8 by hand for the handful of blank code points it compares against.
bool HasText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c != ' ' && (c < '\t' || c > '\r')) return true;
      ++i;
      continue;
    }
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n == 1 || i + n > text.size()) return true;
    char32_t cp = c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return true;  // not UTF-8: text
      cp = (cp << 6) | (next & 0x3F);
    }
    const bool blank = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200D) ||
                       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
                       cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF;
    if (!blank) return true;
    i += n;
  }
  return false;
}

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString:
      return "string";
    case ValueKind::kInteger:
      return "integer";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kEnum:
      return "enum";
    case ValueKind::kDecimal:
      return "decimal";
    case ValueKind::kDate:
      return "date";
    case ValueKind::kTimestamp:
      return "timestamp";
    case ValueKind::kMessage:
      return "message";
  }
  return "?";
}

Result<FieldReader> FieldReader::Resolve(const Descriptor* root, const std::string& path) {
  FieldReader out;
  out.path_ = path;
  TF_ASSIGN_OR_RETURN(auto steps, model::ResolveFieldPath(root, path));
  for (const auto& step : steps) out.steps_.push_back({step.field, step.index});
  const FieldDescriptor* leaf = out.leaf();
  switch (leaf->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      out.kind_ = ValueKind::kString;
      break;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
      out.kind_ = ValueKind::kInteger;
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out.kind_ = ValueKind::kBool;
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      out.kind_ = ValueKind::kEnum;
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Descriptor* d = leaf->message_type();
      if (model::IsDecimalMessage(d)) {
        out.kind_ = ValueKind::kDecimal;
        out.decimal_type_ = model::DecimalTypeOf(leaf);
        out.inner_ = {d->FindFieldByName("value")};
      } else if (model::IsDateMessage(d)) {
        out.kind_ = ValueKind::kDate;
        out.inner_ = {d->FindFieldByName("year"), d->FindFieldByName("month"),
                      d->FindFieldByName("day")};
      } else if (model::IsTimestampMessage(d)) {
        out.kind_ = ValueKind::kTimestamp;
        out.inner_ = {d->FindFieldByName("seconds"), d->FindFieldByName("nanos")};
      } else {
        out.kind_ = ValueKind::kMessage;
      }
      break;
    }
    default:
      // uint64, float, double: the canonical model has none.
      return Status::Invalid("'" + path + "': fields of type " + leaf->cpp_type_name() +
                             " are not supported");
  }
  return out;
}

FieldValue FieldReader::Read(const Message& root) const {
  FieldValue v;
  const Message* msg = &root;
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    const Step& s = steps_[i];
    const auto* r = msg->GetReflection();
    if (s.index < 0) {
      if (!r->HasField(*msg, s.field)) return v;
      msg = &r->GetMessage(*msg, s.field);
    } else {
      if (r->FieldSize(*msg, s.field) <= s.index) return v;
      msg = &r->GetRepeatedMessage(*msg, s.field, s.index);
    }
  }
  const Step& s = steps_.back();
  const auto* r = msg->GetReflection();
  if (s.index >= 0 && r->FieldSize(*msg, s.field) <= s.index) return v;
  switch (kind_) {
    case ValueKind::kString: {
      // Generated messages keep strings inline: no copy, the view points into the record.
      const std::string& text =
          s.index < 0 ? r->GetStringReference(*msg, s.field, nullptr)
                      : r->GetRepeatedStringReference(*msg, s.field, s.index, nullptr);
      v.text = text;
      v.present = !text.empty();
      return v;
    }
    case ValueKind::kInteger:
      switch (s.field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          v.number = s.index < 0 ? r->GetInt32(*msg, s.field)
                                 : r->GetRepeatedInt32(*msg, s.field, s.index);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          v.number = s.index < 0 ? r->GetUInt32(*msg, s.field)
                                 : r->GetRepeatedUInt32(*msg, s.field, s.index);
          break;
        default:
          v.number = s.index < 0 ? r->GetInt64(*msg, s.field)
                                 : r->GetRepeatedInt64(*msg, s.field, s.index);
          break;
      }
      v.present = true;
      return v;
    case ValueKind::kBool:
      v.number =
          (s.index < 0 ? r->GetBool(*msg, s.field) : r->GetRepeatedBool(*msg, s.field, s.index))
              ? 1
              : 0;
      v.present = true;
      return v;
    case ValueKind::kEnum:
      v.number = s.index < 0 ? r->GetEnumValue(*msg, s.field)
                             : r->GetRepeatedEnumValue(*msg, s.field, s.index);
      v.present = v.number != 0;
      return v;
    default:
      break;
  }
  // A message leaf.
  if (s.index < 0 && !r->HasField(*msg, s.field)) return v;
  const Message& m =
      s.index < 0 ? r->GetMessage(*msg, s.field) : r->GetRepeatedMessage(*msg, s.field, s.index);
  // Read by reflection, not by casting to the generated class, so that dynamic messages work too.
  const auto* mr = m.GetReflection();
  switch (kind_) {
    case ValueKind::kDecimal: {
      const std::string& text = mr->GetStringReference(m, inner_[0], nullptr);
      v.text = text;
      v.present = !text.empty();
      return v;
    }
    case ValueKind::kDate:
      v.number = int64_t{mr->GetInt32(m, inner_[0])} * 10000 + mr->GetInt32(m, inner_[1]) * 100 +
                 mr->GetInt32(m, inner_[2]);
      v.present = v.number != 0;
      return v;
    case ValueKind::kTimestamp:
      v.number = mr->GetInt64(m, inner_[0]);
      v.nanos = mr->GetInt32(m, inner_[1]);
      v.present = true;
      return v;
    default:
      v.present = true;
      return v;
  }
}

}  // namespace tradeflow::validate
