#include "transform/mapper.h"

#include <google/protobuf/message.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

#include "model/decimal.h"
#include "model/proto_schema.h"
#include "transform/field_path.h"
#include "transform/reference_data.h"
#include "transform/value_parsers.h"

namespace tradeflow::transform {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using tradeflow::trade::v1::TradeEvent;

namespace {

enum class LeafKind { kString, kInt32, kInt64, kBool, kEnum, kDecimal, kDate, kTimestamp };

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A value source with its columns resolved to indexes.
// The text of a reference-row field, as a source value: scalars as written, enums by label,
// decimals by value, dates as YYYY-MM-DD.
std::string FieldText(const Message& row, const FieldDescriptor* f) {
  const auto* r = row.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(row, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(row, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(row, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(row, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(row, f) == 0 ? "" : model::EnumValueLabel(r->GetEnum(row, f));
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!r->HasField(row, f)) return "";
      const Message& m = r->GetMessage(row, f);
      const auto* d = m.GetDescriptor();
      if (model::IsDecimalMessage(d)) return m.GetReflection()->GetString(m, d->field(0));
      if (model::IsDateMessage(d)) {
        char buf[16];
        const auto* mr = m.GetReflection();
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", mr->GetInt32(m, d->field(0)) % 10000,
                      mr->GetInt32(m, d->field(1)) % 100, mr->GetInt32(m, d->field(2)) % 100);
        return buf;
      }
      return "";
    }
    default:
      return "";
  }
}

struct CompiledSource {
  ValueSource::Kind kind;
  const ReferenceData* reference = nullptr;  // kLookup
  std::string table;
  const FieldDescriptor* row_field = nullptr;
  int column = -1;
  std::string column_name;
  std::string constant;
  std::vector<CompiledSource> parts;
  std::string separator;

  std::string Describe() const {
    switch (kind) {
      case ValueSource::Kind::kColumn:
        return "column " + column_name;
      case ValueSource::Kind::kConstant:
        return "constant";
      case ValueSource::Kind::kConcat:
        return "concatenation";
      case ValueSource::Kind::kLookup:
        return "lookup in " + table;
    }
    return "";
  }

  const Message* FindRow(const std::vector<std::string>& fields) const {
    std::string key = parts[0].Evaluate(fields);
    if (table == "counterparties") return reference->FindCounterparty(key);
    if (table == "books") return reference->FindBook(key);
    if (table == "products") return reference->FindProduct(key);
    if (table == "contracts") return reference->FindContract(key, parts[1].Evaluate(fields));
    return nullptr;
  }

  std::string Evaluate(const std::vector<std::string>& fields) const {
    switch (kind) {
      case ValueSource::Kind::kColumn:
        return std::string(TrimBlanks(fields[column]));
      case ValueSource::Kind::kConstant:
        return constant;
      case ValueSource::Kind::kConcat: {
        std::string out;
        for (size_t i = 0; i < parts.size(); ++i) {
          if (i > 0) out += separator;
          out += parts[i].Evaluate(fields);
        }
        return out;
      }
      case ValueSource::Kind::kLookup: {
        const Message* row = FindRow(fields);
        return row == nullptr ? "" : FieldText(*row, row_field);
      }
    }
    return "";
  }
};

// The source fields the rules read, each once, in first-use order.
class FieldRegistry {
 public:
  int IndexOf(const std::string& name, const std::string& where) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].name == name) return static_cast<int>(i);
    }
    fields_.push_back({name, where});
    return static_cast<int>(fields_.size() - 1);
  }
  std::vector<Mapper::SourceField> Release() { return std::move(fields_); }

 private:
  std::vector<Mapper::SourceField> fields_;
};

Result<CompiledSource> CompileSource(const ValueSource& src, const std::string& where,
                                     const ReferenceData* reference, FieldRegistry* fields) {
  CompiledSource out;
  if (src.kind == ValueSource::Kind::kLookup) {
    if (reference == nullptr) {
      return Status::Invalid("a lookup needs reference data: add a reference: section");
    }
    const google::protobuf::Descriptor* row = ReferenceDescriptor(src.lookup_table);
    size_t keys = src.lookup_table == "contracts" ? 2 : 1;
    if (row == nullptr || src.lookup_table == "unit_conversions" ||
        src.lookup_table == "fx_rates") {
      return Status::Invalid("lookup table '" + src.lookup_table +
                             "' must be counterparties, books, products or contracts");
    }
    if (src.parts.size() != keys) {
      return Status::Invalid("lookup in " + src.lookup_table + " takes " + std::to_string(keys) +
                             " key(s)");
    }
    out.row_field = row->FindFieldByName(src.lookup_field);
    if (out.row_field == nullptr) {
      return Status::Invalid("reference table " + src.lookup_table + " has no field '" +
                             src.lookup_field + "'");
    }
    out.reference = reference;
    out.table = src.lookup_table;
  }
  out.kind = src.kind;
  out.constant = src.constant;
  out.separator = src.separator;
  out.column_name = src.column;
  if (src.kind == ValueSource::Kind::kColumn) {
    if (src.column.empty()) return Status::Invalid("empty source field name");
    out.column = fields->IndexOf(src.column, where);
  }
  for (const auto& part : src.parts) {
    TF_ASSIGN_OR_RETURN(auto p, CompileSource(part, where, reference, fields));
    out.parts.push_back(std::move(p));
  }
  return out;
}

}  // namespace

struct Mapper::CompiledRule {
  explicit CompiledRule(FieldPath p) : path(std::move(p)) {}

  FieldPath path;
  LeafKind kind = LeafKind::kString;
  CompiledSource source{};
  std::string format;
  std::string time_zone;
  std::unordered_map<std::string, const EnumValueDescriptor*> enum_values;  // raw → value
  std::unordered_map<std::string, const EnumValueDescriptor*> enum_labels;  // upper label → value
  const FieldDescriptor* ts_seconds = nullptr;  // google.protobuf.Timestamp fields
  const FieldDescriptor* ts_nanos = nullptr;
  std::optional<std::string> default_value;
  int when_column = -1;           // the rule applies only if this column's value...
  std::set<std::string> when_in;  // ...is one of these (or non-empty when this is empty)
  const FieldDescriptor* raw_sibling = nullptr;     // <enum>_raw
  const FieldDescriptor* offset_sibling = nullptr;  // <x>_utc_offset
  model::DecimalType decimal;
  NumberFormat numbers;
  std::string where;

  Status Apply(const std::string& text, Message* root, std::vector<MappingIssue>* issues) const {
    Message* parent = path.MutableParent(root);
    const auto* r = parent->GetReflection();
    const FieldDescriptor* f = path.leaf();
    switch (kind) {
      case LeafKind::kString:
        r->SetString(parent, f, text);
        return Status::OK();
      case LeafKind::kInt32:
      case LeafKind::kInt64: {
        TF_ASSIGN_OR_RETURN(int64_t v, ParseInteger(numbers.Normalise(text)));
        if (kind == LeafKind::kInt64) {
          r->SetInt64(parent, f, v);
        } else {
          if (v < INT32_MIN || v > INT32_MAX) {
            return Status::Invalid("'" + text + "' is out of range for a 32-bit integer");
          }
          r->SetInt32(parent, f, static_cast<int32_t>(v));
        }
        return Status::OK();
      }
      case LeafKind::kBool: {
        TF_ASSIGN_OR_RETURN(bool v, ParseBool(text));
        r->SetBool(parent, f, v);
        return Status::OK();
      }
      case LeafKind::kEnum: {
        if (raw_sibling != nullptr) r->SetString(parent, raw_sibling, text);
        const EnumValueDescriptor* value = nullptr;
        if (auto it = enum_values.find(text); it != enum_values.end()) {
          value = it->second;
        } else if (auto it2 = enum_labels.find(Upper(text)); it2 != enum_labels.end()) {
          value = it2->second;
        }
        if (value == nullptr) {
          issues->push_back({path.text(), "value '" + text + "' is not a known " +
                                              f->enum_type()->name() + " (kept as raw)"});
          return Status::OK();
        }
        r->SetEnum(parent, f, value);
        return Status::OK();
      }
      case LeafKind::kDecimal: {
        std::string number = numbers.Normalise(text);
        TF_RETURN_IF_ERROR(model::ParseDecimal(number, decimal));
        TF_ASSIGN_OR_RETURN(std::string canonical, model::CanonicalDecimalString(number));
        Message* d = r->MutableMessage(parent, f);
        d->GetReflection()->SetString(d, d->GetDescriptor()->field(0), canonical);
        return Status::OK();
      }
      case LeafKind::kDate: {
        TF_ASSIGN_OR_RETURN(CivilDate date, ParseDate(text, format));
        Message* d = r->MutableMessage(parent, f);
        const auto* dr = d->GetReflection();
        dr->SetInt32(d, d->GetDescriptor()->field(0), date.year);
        dr->SetInt32(d, d->GetDescriptor()->field(1), date.month);
        dr->SetInt32(d, d->GetDescriptor()->field(2), date.day);
        return Status::OK();
      }
      case LeafKind::kTimestamp: {
        TF_ASSIGN_OR_RETURN(UtcTimestamp ts, ParseTimestamp(text, format, time_zone));
        Message* m = r->MutableMessage(parent, f);
        const auto* mr = m->GetReflection();
        mr->SetInt64(m, ts_seconds, ts.seconds);
        mr->SetInt32(m, ts_nanos, ts.nanos);
        if (offset_sibling != nullptr) r->SetString(parent, offset_sibling, ts.utc_offset);
        return Status::OK();
      }
    }
    return Status::Internal("unhandled field kind");
  }
};

namespace {

Result<LeafKind> KindOf(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return LeafKind::kString;
    case FieldDescriptor::CPPTYPE_INT32:
      return LeafKind::kInt32;
    case FieldDescriptor::CPPTYPE_INT64:
      return LeafKind::kInt64;
    case FieldDescriptor::CPPTYPE_BOOL:
      return LeafKind::kBool;
    case FieldDescriptor::CPPTYPE_ENUM:
      return LeafKind::kEnum;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const auto* m = f->message_type();
      if (model::IsDecimalMessage(m)) return LeafKind::kDecimal;
      if (model::IsDateMessage(m)) return LeafKind::kDate;
      if (model::IsTimestampMessage(m)) return LeafKind::kTimestamp;
      return Status::Invalid("is a " + m->name() + " message; map its fields instead");
    }
    default:
      return Status::Invalid("has a type mappings do not support");
  }
}

Result<std::unique_ptr<Mapper::CompiledRule>> CompileRule(
    const FieldMapping& m, const NumberFormat& numbers, const google::protobuf::Descriptor* target,
    const ReferenceData* reference, FieldRegistry* fields) {
  TF_ASSIGN_OR_RETURN(FieldPath path, FieldPath::Resolve(target, m.target));
  auto rule = std::make_unique<Mapper::CompiledRule>(std::move(path));
  const FieldDescriptor* leaf = rule->path.leaf();
  auto kind = KindOf(leaf);
  if (!kind.ok()) return kind.status().WithContext("target '" + m.target + "'");
  rule->kind = *kind;
  TF_ASSIGN_OR_RETURN(rule->source, CompileSource(m.source, m.where, reference, fields));
  rule->format = m.format;
  rule->time_zone = m.time_zone;
  rule->default_value = m.default_value;
  rule->numbers = numbers;
  rule->where = m.where;
  if (m.when) {
    ValueSource when_source;
    when_source.column = m.when->column;
    auto compiled = CompileSource(when_source, m.where, nullptr, fields);
    if (!compiled.ok()) return compiled.status().WithContext("condition of '" + m.target + "'");
    rule->when_column = compiled->column;
    rule->when_in.insert(m.when->in.begin(), m.when->in.end());
  }
  const auto* parent = leaf->containing_type();
  if (rule->kind == LeafKind::kEnum) {
    const auto* e = leaf->enum_type();
    for (int i = 1; i < e->value_count(); ++i) {
      rule->enum_labels[model::EnumValueLabel(e->value(i))] = e->value(i);
    }
    for (const auto& [raw, label] : m.enum_values) {
      auto it = rule->enum_labels.find(Upper(label));
      if (it == rule->enum_labels.end()) {
        std::string known;
        for (int i = 1; i < e->value_count(); ++i) {
          known += (known.empty() ? "" : ", ") + model::EnumValueLabel(e->value(i));
        }
        return Status::Invalid("target '" + m.target + "': '" + label + "' is not a " + e->name() +
                               " (one of: " + known + ")");
      }
      rule->enum_values[raw] = it->second;
    }
    rule->raw_sibling = parent->FindFieldByName(leaf->name() + "_raw");
  }
  if (rule->kind == LeafKind::kDecimal) rule->decimal = model::DecimalTypeOf(leaf);
  if (rule->kind == LeafKind::kTimestamp) {
    rule->ts_seconds = leaf->message_type()->FindFieldByName("seconds");
    rule->ts_nanos = leaf->message_type()->FindFieldByName("nanos");
    std::string stem = leaf->name();
    if (stem.size() > 5 && stem.ends_with("_time")) stem.resize(stem.size() - 5);
    rule->offset_sibling = parent->FindFieldByName(stem + "_utc_offset");
    TF_RETURN_IF_ERROR(ValidateTimeZone(m.time_zone).WithContext("target '" + m.target + "'"));
  }
  if (m.default_value) {
    // A default must itself be a valid value for the field.
    std::unique_ptr<Message> scratch(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(target)->New());
    std::vector<MappingIssue> ignored;
    TF_RETURN_IF_ERROR(rule->Apply(*m.default_value, scratch.get(), &ignored)
                           .WithContext("target '" + m.target + "': default"));
  }
  return rule;
}

}  // namespace

Mapper::~Mapper() = default;

Result<std::unique_ptr<Mapper>> Mapper::Compile(const MappingSpec& spec,
                                                const google::protobuf::Descriptor* target,
                                                const ReferenceData* reference) {
  auto mapper = std::unique_ptr<Mapper>(new Mapper());
  mapper->version_ = spec.version;
  mapper->target_ = target;
  mapper->keep_unmapped_ = spec.keep_unmapped_columns;
  FieldRegistry fields;
  std::set<std::string> targets;
  for (const auto& m : spec.fields) {
    auto rule = CompileRule(m, spec.numbers, target, reference, &fields);
    if (!rule.ok()) return rule.status().WithContext(m.where.empty() ? "mapping" : m.where);
    // A target may be mapped again only by a conditional rule, which then wins where its
    // condition holds (rules apply in order).
    if (!targets.insert(m.target).second && !m.when) {
      return Status::Invalid((m.where.empty() ? "mapping" : m.where) + ": target '" + m.target +
                             "' is mapped twice");
    }
    mapper->maps_trade_uid_ |= m.target == "trade_uid";
    mapper->rules_.push_back(std::move(*rule));
  }
  mapper->source_fields_ = fields.Release();
  return mapper;
}

Status Mapper::Map(const std::vector<std::string>& values,
                   const std::vector<std::pair<std::string, std::string>>& extras,
                   const RecordContext& context, Message* out,
                   std::vector<MappingIssue>* issues) const {
  if (values.size() != source_fields_.size()) {
    return Status::Internal("record has " + std::to_string(values.size()) +
                            " values, mapping reads " + std::to_string(source_fields_.size()));
  }
  for (const auto& rule : rules_) {
    if (rule->when_column >= 0) {
      std::string_view v = TrimBlanks(values[rule->when_column]);
      bool holds = rule->when_in.empty() ? !v.empty() : rule->when_in.count(std::string(v)) > 0;
      if (!holds) continue;
    }
    std::string text = rule->source.Evaluate(values);
    if (text.empty()) {
      if (!rule->default_value) continue;
      text = *rule->default_value;
    }
    Status st = rule->Apply(text, out, issues);
    if (!st.ok()) {
      return st.WithContext(rule->path.text() + " (" + rule->source.Describe() + ")");
    }
  }
  if (target_ == TradeEvent::descriptor()) {
    FillTradeEvent(extras, context, static_cast<TradeEvent*>(out));
  }
  return Status::OK();
}

void Mapper::FillTradeEvent(const std::vector<std::pair<std::string, std::string>>& extras,
                            const RecordContext& context, TradeEvent* out) const {
  if (!maps_trade_uid_ && !out->source_trade_id().empty()) {
    out->set_trade_uid(out->source_system() + ":" + out->source_trade_id());
  }
  auto* p = out->mutable_provenance();
  p->set_mapping_version(version_);
  p->set_raw_payload_uri(context.input_uri);
  p->set_raw_payload_sha256(context.input_sha256);
  p->set_source_location(context.location);
  p->set_run_id(context.run_id);
  if (context.ingested_unix_micros != 0) {
    p->mutable_ingested_time()->set_seconds(context.ingested_unix_micros / 1000000);
    p->mutable_ingested_time()->set_nanos(
        static_cast<int32_t>(context.ingested_unix_micros % 1000000) * 1000);
  }
  if (!keep_unmapped_) return;
  auto* attrs = out->mutable_source_attributes();
  for (const auto& [name, value] : extras) {
    std::string_view v = TrimBlanks(value);
    if (!v.empty()) (*attrs)[name] = std::string(v);
  }
}

}  // namespace tradeflow::transform
