#include "transform/mapper.h"

#include <google/protobuf/message.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "common/quote.h"
#include "model/decimal.h"
#include "model/proto_schema.h"
#include "transform/field_path.h"
#include "transform/reference_data.h"
#include "transform/target_tree.h"
#include "transform/value_parsers.h"

namespace tradeflow::transform {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using tradeflow::trade::v1::TradeEvent;

namespace {

enum class LeafKind { kString, kInt32, kInt64, kBool, kEnum, kDecimal, kDate, kTimestamp };

char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = AsciiUpper(c);
  return out;
}

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

// A value source with its columns resolved to indexes.
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
    std::string scratch;
    std::string_view key = parts[0].Evaluate(fields, &scratch);
    if (table == "counterparties") return reference->FindCounterparty(key);
    if (table == "books") return reference->FindBook(key);
    if (table == "products") return reference->FindProduct(key);
    if (table == "contracts") {
      std::string scratch2;
      return reference->FindContract(key, parts[1].Evaluate(fields, &scratch2));
    }
    return nullptr;
  }

  // The value's text. Columns and constants are returned as views of the record or of the
  // rule, with no copy; values that have to be built (concatenations, lookups) are built in
  // `*scratch` and the view is of it.
  std::string_view Evaluate(const std::vector<std::string>& fields, std::string* scratch) const {
    switch (kind) {
      case ValueSource::Kind::kColumn:
        return TrimBlanks(fields[column]);
      case ValueSource::Kind::kConstant:
        return constant;
      case ValueSource::Kind::kConcat: {
        // Empty when any part read from the record is: a value is built whole or not at all
        // ("-L1" is no trade id, as a report without its TrdID would give).
        std::string out, part;
        for (size_t i = 0; i < parts.size(); ++i) {
          if (i > 0) out += separator;
          std::string_view text = parts[i].Evaluate(fields, &part);
          if (text.empty() && parts[i].kind != ValueSource::Kind::kConstant) {
            scratch->clear();
            return *scratch;
          }
          out += text;
        }
        *scratch = std::move(out);
        return *scratch;
      }
      case ValueSource::Kind::kLookup: {
        const Message* row = FindRow(fields);
        *scratch = row == nullptr ? "" : FieldText(*row, row_field);
        return *scratch;
      }
    }
    return {};
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
    // Else every lookup would find nothing, and the field would be empty on every record.
    if (!reference->HasTable(src.lookup_table)) {
      return Status::Invalid("lookup in " + src.lookup_table + ": reference table " +
                             src.lookup_table + " is not loaded: add it under reference:");
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

// Source text → enum value, without allocating: the rule's own values first (an exact match,
// else one that differs only in ASCII case), then the enum's labels, ignoring case. The rule's
// values come before the labels in both ways, since a map may send a value elsewhere than its
// label says ({Buy: SELL, Sell: BUY} for a swap's other leg: "BUY" is then SELL). A rule lists a
// handful of values, scanned in order; an enum may have many labels, hashed.
class EnumLookup {
 public:
  // Labels are upper case. One that is not could never equal an upper-cased text, so it is left
  // out, which lets lookups ignore case on both sides.
  void AddLabel(const std::string& label, const EnumValueDescriptor* value) {
    if (label == Upper(label)) labels_.insert_or_assign(label, value);
  }
  const EnumValueDescriptor* FindLabel(std::string_view label) const {
    auto it = labels_.find(label);
    return it == labels_.end() ? nullptr : it->second;
  }
  // Each `raw` once (they come from a map).
  void AddValue(const std::string& raw, const EnumValueDescriptor* value) {
    values_.emplace_back(raw, value);
  }

  const EnumValueDescriptor* Find(std::string_view text) const {
    const EnumValueDescriptor* other_case = nullptr;
    for (const auto& [raw, value] : values_) {
      if (raw == text) return value;
      if (other_case == nullptr && EqualsIgnoringCase(raw, text)) other_case = value;
    }
    return other_case != nullptr ? other_case : FindLabel(text);
  }

 private:
  struct CaseInsensitiveHash {  // FNV-1a over the upper-cased bytes
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      uint64_t h = 14695981039346656037ull;
      for (char c : s) h = (h ^ static_cast<unsigned char>(AsciiUpper(c))) * 1099511628211ull;
      return static_cast<size_t>(h);
    }
  };
  struct CaseInsensitiveEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
      return EqualsIgnoringCase(a, b);
    }
  };

  std::vector<std::pair<std::string, const EnumValueDescriptor*>> values_;
  std::unordered_map<std::string, const EnumValueDescriptor*, CaseInsensitiveHash,
                     CaseInsensitiveEqual>
      labels_;
};

// `text` with the source's separators made plain (value_parsers.h). An error of the number
// parser names the value as the source wrote it, not as rewritten.
template <typename Parse>
auto ParseNumber(const NumberFormat& numbers, std::string_view text, const Parse& parse)
    -> decltype(parse(text)) {
  if (numbers.is_plain()) {
    auto parsed = parse(text);
    // "85,50", "1.234,5": a source with a decimal comma, which mapping.numbers says.
    if (!parsed.ok() && text.find(',') != std::string_view::npos &&
        text.find_first_not_of("0123456789+-., \t") == std::string_view::npos) {
      return Status::Invalid(parsed.status().message() +
                             " (a decimal comma or thousands separators? set " + numbers.setting +
                             ")");
    }
    return parsed;
  }
  std::string buffer;
  TF_ASSIGN_OR_RETURN(std::string_view plain, PlainNumber(text, numbers.decimal_separator,
                                                          numbers.thousands_separator, &buffer));
  auto parsed = parse(plain);
  if (parsed.ok()) return parsed;
  return Status::Invalid(QuoteValue(text) + " (read as " + QuoteValue(plain) +
                         "): " + parsed.status().message());
}

}  // namespace

// One target field and how to fill it, with everything Map needs resolved: the parent message's
// node in the target tree and its Reflection, and for value messages (Decimal, Date, Timestamp)
// their own Reflection and fields. Immutable once compiled.
struct Mapper::CompiledRule {
  explicit CompiledRule(FieldPath p) : path(std::move(p)) {}

  FieldPath path;
  const FieldDescriptor* leaf = nullptr;
  int parent = TargetTree::kRoot;  // the node of the message that holds the leaf
  const Reflection* parent_reflection = nullptr;
  LeafKind kind = LeafKind::kString;
  CompiledSource source{};
  std::string format;
  std::string time_zone;
  EnumLookup enums;
  const Reflection* value_reflection = nullptr;
  std::array<const FieldDescriptor*, 3> value_fields{};  // Decimal: value; Date: y, m, d;
                                                         // Timestamp: seconds, nanos
  std::optional<std::string> default_value;
  ConditionalColumns conditional_bits;  // the Mapper's conditional_columns_ its source reads
  int when_column = -1;                 // the rule applies only if this column's value...
  std::vector<std::string> when_in;     // ...is one of these (or non-empty when empty)
  bool follows_another = false;         // an earlier rule fills the same target
  const FieldDescriptor* raw_sibling = nullptr;     // <enum>_raw
  const FieldDescriptor* offset_sibling = nullptr;  // <x>_utc_offset
  model::DecimalType decimal;
  // The source's number format, for text read from its columns; constants, defaults and lookups
  // are written plainly (like the YAML's other numbers), whatever the source's separators.
  NumberFormat numbers;
  bool source_is_plain = false;
  std::string where;

  bool Applies(const std::vector<std::string>& values) const {
    if (when_column < 0) return true;
    std::string_view v = TrimBlanks(values[when_column]);
    // A list of one or two values: a scan beats a tree or a hash.
    if (when_in.empty()) return !v.empty();
    return std::any_of(when_in.begin(), when_in.end(),
                       [v](const std::string& value) { return EqualsIgnoringCase(value, v); });
  }

  // Unsets the leaf (and its _raw or _utc_offset sibling) if this record set it already;
  // whether it did.
  bool Clear(TargetTree::Cursor* cursor) const {
    Message* msg = cursor->Existing(parent);
    if (msg == nullptr) return false;
    bool cleared = false;
    for (const FieldDescriptor* f : {leaf, raw_sibling, offset_sibling}) {
      if (f == nullptr || !parent_reflection->HasField(*msg, f)) continue;
      parent_reflection->ClearField(msg, f);
      cleared = true;
    }
    return cleared;
  }

  // Sets the leaf from `text`. The parent message is created before the text is parsed, so a
  // record rejected for its text still holds the (empty) parent, as it always has.
  Status Apply(std::string_view text, TargetTree::Cursor* cursor, std::vector<MappingIssue>* issues,
               bool plain) const {
    Message* msg = cursor->Get(parent);
    switch (kind) {
      case LeafKind::kString:
        cursor->BeforeSet(parent, leaf);
        parent_reflection->SetString(msg, leaf, std::string(text));
        return Status::OK();
      case LeafKind::kInt32:
      case LeafKind::kInt64:
        return SetInteger(text, plain ? NumberFormat{} : numbers, msg, cursor);
      case LeafKind::kBool: {
        TF_ASSIGN_OR_RETURN(bool v, ParseBool(text));
        cursor->BeforeSet(parent, leaf);
        parent_reflection->SetBool(msg, leaf, v);
        return Status::OK();
      }
      case LeafKind::kEnum:
        SetEnum(text, msg, cursor, issues);
        return Status::OK();
      case LeafKind::kDecimal:
        return SetDecimal(text, plain ? NumberFormat{} : numbers, msg, cursor);
      case LeafKind::kDate:
        return SetDate(text, msg, cursor);
      case LeafKind::kTimestamp:
        return SetTimestamp(text, msg, cursor);
    }
    return Status::Internal("unhandled field kind");
  }

  Status SetInteger(std::string_view text, const NumberFormat& format, Message* msg,
                    TargetTree::Cursor* cursor) const {
    TF_ASSIGN_OR_RETURN(int64_t v, ParseNumber(format, text, ParseInteger));
    if (kind == LeafKind::kInt32 && (v < INT32_MIN || v > INT32_MAX)) {
      return Status::Invalid(QuoteValue(text) + " is out of range for a 32-bit integer");
    }
    cursor->BeforeSet(parent, leaf);
    if (kind == LeafKind::kInt64) {
      parent_reflection->SetInt64(msg, leaf, v);
    } else {
      parent_reflection->SetInt32(msg, leaf, static_cast<int32_t>(v));
    }
    return Status::OK();
  }

  // The source's own text goes to <enum>_raw; a value no rule or label maps is reported, and
  // leaves the enum unset (an earlier rule for the same target may have set it from another
  // column: the value and its raw text must not disagree).
  void SetEnum(std::string_view text, Message* msg, TargetTree::Cursor* cursor,
               std::vector<MappingIssue>* issues) const {
    if (raw_sibling != nullptr) {
      cursor->BeforeSet(parent, raw_sibling);
      parent_reflection->SetString(msg, raw_sibling, std::string(text));
    }
    const EnumValueDescriptor* value = enums.Find(text);
    if (value == nullptr) {
      issues->push_back({path.text(), "value '" + std::string(text) + "' is not a known " +
                                          leaf->enum_type()->name() + " (kept as raw)"});
      if (parent_reflection->HasField(*msg, leaf)) parent_reflection->ClearField(msg, leaf);
      return;
    }
    cursor->BeforeSet(parent, leaf);
    parent_reflection->SetEnum(msg, leaf, value);
  }

  Status SetDecimal(std::string_view text, const NumberFormat& format, Message* msg,
                    TargetTree::Cursor* cursor) const {
    auto parse = [this](std::string_view plain) { return model::CanonicalDecimal(plain, decimal); };
    TF_ASSIGN_OR_RETURN(std::string canonical, ParseNumber(format, text, parse));
    cursor->BeforeSet(parent, leaf);
    Message* d = parent_reflection->MutableMessage(msg, leaf);
    value_reflection->SetString(d, value_fields[0], std::move(canonical));
    return Status::OK();
  }

  Status SetDate(std::string_view text, Message* msg, TargetTree::Cursor* cursor) const {
    TF_ASSIGN_OR_RETURN(CivilDate date, ParseDate(text, format));
    cursor->BeforeSet(parent, leaf);
    Message* d = parent_reflection->MutableMessage(msg, leaf);
    value_reflection->SetInt32(d, value_fields[0], date.year);
    value_reflection->SetInt32(d, value_fields[1], date.month);
    value_reflection->SetInt32(d, value_fields[2], date.day);
    return Status::OK();
  }

  // The offset the source used goes to <x>_utc_offset.
  Status SetTimestamp(std::string_view text, Message* msg, TargetTree::Cursor* cursor) const {
    TF_ASSIGN_OR_RETURN(UtcTimestamp ts, ParseTimestamp(text, format, time_zone));
    cursor->BeforeSet(parent, leaf);
    Message* t = parent_reflection->MutableMessage(msg, leaf);
    value_reflection->SetInt64(t, value_fields[0], ts.seconds);
    value_reflection->SetInt32(t, value_fields[1], ts.nanos);
    if (offset_sibling != nullptr) {
      cursor->BeforeSet(parent, offset_sibling);
      parent_reflection->SetString(msg, offset_sibling, std::move(ts.utc_offset));
    }
    return Status::OK();
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

// As a value no key equals exactly is matched ignoring case (and keys are trimmed), the keys
// before `raw` that equal it so must map to its label.
Status CheckKeysAgree(const FieldMapping& m, const std::string& raw, const std::string& label,
                      const EnumValueDescriptor* value, const EnumLookup& enums) {
  const std::string_view key = TrimBlanks(raw);
  for (const auto& [other_raw, other_label] : m.enum_values) {
    if (&other_raw == &raw) break;
    const std::string_view other_key = TrimBlanks(other_raw);
    if (!EqualsIgnoringCase(other_key, key)) continue;
    if (enums.FindLabel(other_label) == value) continue;  // same label: harmless
    // One letter ({B: BUY, b: SELL}): both cases are keys, so every value matches one exactly.
    const auto letters = std::count_if(key.begin(), key.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) != 0;
    });
    if (other_key != key && letters <= 1) continue;
    return Status::Invalid("target '" + m.target + "': enum values " + QuoteValue(other_raw) +
                           " and " + QuoteValue(raw) +
                           (other_key == key
                                ? " are the same once trimmed (source values are trimmed)"
                                : " differ only in case (a source value in yet another case could "
                                  "be either)") +
                           " but map to different labels (" + other_label + ", " + label + ")");
  }
  return Status::OK();
}

// The enum's labels, and the rule's own source values, each of which must name a label.
Status CompileEnum(const FieldMapping& m, Mapper::CompiledRule* rule) {
  const auto* e = rule->leaf->enum_type();
  for (int i = 1; i < e->value_count(); ++i) {
    rule->enums.AddLabel(model::EnumValueLabel(e->value(i)), e->value(i));
  }
  for (const auto& [raw, label] : m.enum_values) {
    const EnumValueDescriptor* value = rule->enums.FindLabel(label);
    if (value == nullptr) {
      std::string known;
      for (int i = 1; i < e->value_count(); ++i) {
        known += (known.empty() ? "" : ", ") + model::EnumValueLabel(e->value(i));
      }
      return Status::Invalid("target '" + m.target + "': '" + label + "' is not a " + e->name() +
                             " (one of: " + known + ")");
    }
    TF_RETURN_IF_ERROR(CheckKeysAgree(m, raw, label, value, rule->enums));
    // Source values are trimmed before they are looked up, so a key is too.
    rule->enums.AddValue(std::string(TrimBlanks(raw)), value);
  }
  rule->raw_sibling = rule->leaf->containing_type()->FindFieldByName(rule->leaf->name() + "_raw");
  return Status::OK();
}

// The Reflection and fields of a Decimal, Date or Timestamp leaf.
void CompileValueMessage(Mapper::CompiledRule* rule) {
  const auto* type = rule->leaf->message_type();
  rule->value_reflection =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->GetReflection();
  if (rule->kind == LeafKind::kTimestamp) {
    rule->value_fields = {type->FindFieldByName("seconds"), type->FindFieldByName("nanos")};
    return;
  }
  for (int i = 0; i < type->field_count() && i < 3; ++i) rule->value_fields[i] = type->field(i);
}

Result<std::unique_ptr<Mapper::CompiledRule>> CompileRule(const FieldMapping& m,
                                                          const NumberFormat& numbers,
                                                          const ReferenceData* reference,
                                                          TargetTree* targets,
                                                          FieldRegistry* fields) {
  TF_ASSIGN_OR_RETURN(FieldPath path, FieldPath::Resolve(targets->root(), m.target));
  auto rule = std::make_unique<Mapper::CompiledRule>(std::move(path));
  rule->leaf = rule->path.leaf();
  auto kind = KindOf(rule->leaf);
  if (!kind.ok()) return kind.status().WithContext("target '" + m.target + "'");
  rule->kind = *kind;
  rule->parent = targets->AddParentOf(rule->path);
  rule->parent_reflection = targets->reflection(rule->parent);
  TF_ASSIGN_OR_RETURN(rule->source, CompileSource(m.source, m.where, reference, fields));
  // An option the target's type does not use would be ignored without a word.
  const std::string target = "target '" + m.target + "' ";  // the caller adds m.where
  if (!m.enum_values.empty() && rule->kind != LeafKind::kEnum) {
    return Status::Invalid(target + "is no enum: `enum` maps values of enum fields only");
  }
  if (!m.format.empty() && rule->kind != LeafKind::kDate && rule->kind != LeafKind::kTimestamp) {
    return Status::Invalid(target + "is no date or timestamp: `format` does not apply");
  }
  // "ISO8601" as "iso8601"; and for a date, ISO 8601 is its default format.
  std::string format = EqualsIgnoringCase(m.format, "iso8601")
                           ? (rule->kind == LeafKind::kDate ? "" : "iso8601")
                           : m.format;
  if (!format.empty() && format != "iso8601" && !HasEpochSeconds(format)) {
    const std::string context = "target '" + m.target + "'";
    TF_RETURN_IF_ERROR(CheckStrptimeFormat(format).WithContext(context));
    TF_RETURN_IF_ERROR(CheckFormatGivesADate(format).WithContext(context));
  }
  if (HasEpochSeconds(m.format)) {
    if (m.format != "%s") {
      return Status::Invalid(target + "format '" + m.format +
                             "': %s (seconds since the epoch) must be the whole format");
    }
    if (!m.time_zone.empty() && m.time_zone != "UTC" && m.time_zone != "+00:00") {
      return Status::Invalid(target +
                             "has format %s, an instant: a time_zone does not apply to it");
    }
  }
  if (!m.time_zone.empty() && rule->kind != LeafKind::kTimestamp) {
    return Status::Invalid(target + "is no timestamp: `time_zone` does not apply" +
                           (rule->kind == LeafKind::kDate ? " (a date is read as written)" : ""));
  }
  rule->format = format;
  rule->time_zone = m.time_zone;
  rule->default_value = m.default_value;
  rule->numbers = numbers;
  rule->source_is_plain =
      m.source.kind == ValueSource::Kind::kConstant || m.source.kind == ValueSource::Kind::kLookup;
  rule->where = m.where;
  if (m.when) {
    ValueSource when_source;
    when_source.column = m.when->column;
    auto compiled = CompileSource(when_source, m.where, nullptr, fields);
    if (!compiled.ok()) return compiled.status().WithContext("condition of '" + m.target + "'");
    rule->when_column = compiled->column;
    // Compared with the trimmed source value, so trimmed too: " Alt " would never match.
    for (const auto& v : m.when->in) rule->when_in.emplace_back(TrimBlanks(v));
  }
  if (rule->kind == LeafKind::kEnum) TF_RETURN_IF_ERROR(CompileEnum(m, rule.get()));
  if (rule->kind == LeafKind::kDecimal) rule->decimal = model::DecimalTypeOf(rule->leaf);
  if (rule->kind == LeafKind::kDecimal || rule->kind == LeafKind::kDate ||
      rule->kind == LeafKind::kTimestamp) {
    CompileValueMessage(rule.get());
  }
  if (rule->kind == LeafKind::kTimestamp) {
    std::string stem = rule->leaf->name();
    if (stem.size() > 5 && stem.ends_with("_time")) stem.resize(stem.size() - 5);
    rule->offset_sibling = rule->leaf->containing_type()->FindFieldByName(stem + "_utc_offset");
    TF_RETURN_IF_ERROR(ValidateTimeZone(m.time_zone).WithContext("target '" + m.target + "'"));
  }
  // A default or a constant must itself be a valid value for the field (an enum's too): wrong,
  // it would fail every record it applies to, found only in the quarantine.
  auto check = [&](const std::string& value, const char* what) -> Status {
    std::unique_ptr<Message> scratch(google::protobuf::MessageFactory::generated_factory()
                                         ->GetPrototype(targets->root())
                                         ->New());
    TargetTree::Cursor cursor(*targets, scratch.get());
    std::vector<MappingIssue> issues;
    const std::string context = "target '" + m.target + "': " + what;
    TF_RETURN_IF_ERROR(rule->Apply(value, &cursor, &issues, /*plain=*/true).WithContext(context));
    if (!issues.empty()) {
      return Status::Invalid(context + " '" + value + "' is not a value of " +
                             rule->leaf->enum_type()->name() +
                             ": give one of its labels, or a source value its enum: map lists");
    }
    return Status::OK();
  };
  if (m.default_value) TF_RETURN_IF_ERROR(check(*m.default_value, "default"));
  if (m.source.kind == ValueSource::Kind::kConstant) {
    TF_RETURN_IF_ERROR(check(m.source.constant, "constant"));
  }
  return rule;
}

// What a TradeEvent mapping may not do: fill what tradeflow fills itself (provenance, the
// content hash, source_attributes, quality_warnings, the _raw text of an enum it maps), which
// would be overwritten without a word; and leave a gap in a list ("fees[5]" with no fees[0]),
// which would store empty entries before it. `paths[i]` is the resolved target of `fields[i]`.
Status CheckTradeEventTargets(const std::vector<FieldMapping>& fields,
                              const std::vector<const FieldPath*>& paths) {
  std::set<std::string> mapped;
  for (const auto& m : fields) mapped.insert(m.target);
  std::map<std::string, std::map<int, std::string>> lists;  // list path → index → where
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldMapping& m = fields[i];
    const std::string where =
        (m.where.empty() ? "mapping" : m.where) + ": target '" + m.target + "' ";
    const std::string& top = paths[i]->steps().front().field->name();
    if (top == "provenance" || top == "content_hash" || top == "source_attributes" ||
        top == "quality_warnings") {
      return Status::Invalid(where + "is filled by tradeflow itself and cannot be mapped");
    }
    if (m.target.ends_with("_raw") && mapped.count(m.target.substr(0, m.target.size() - 4))) {
      return Status::Invalid(where + "is filled from the rule for '" +
                             m.target.substr(0, m.target.size() - 4) +
                             "' (the source's own value) and cannot be mapped too");
    }
    std::string prefix;  // the path up to each list, with the indexes before it
    for (const FieldPath::Step& step : paths[i]->steps()) {
      prefix += step.field->name();
      if (step.index >= 0) {
        lists[prefix].emplace(step.index, m.where);
        prefix += "[" + std::to_string(step.index) + "]";
      }
      prefix += ".";
    }
  }
  for (const auto& [list, indices] : lists) {
    const int last = indices.rbegin()->first;
    for (int i = 0; i < last; ++i) {
      if (indices.count(i)) continue;
      const std::string& where = indices.rbegin()->second;
      return Status::Invalid((where.empty() ? "mapping" : where) + ": " + list + "[" +
                             std::to_string(last) + "] is mapped but " + list + "[" +
                             std::to_string(i) + "] is not: the list would get empty entries " +
                             "before it");
    }
  }
  return Status::OK();
}

}  // namespace

Mapper::~Mapper() = default;

Result<std::unique_ptr<Mapper>> Mapper::Compile(const MappingSpec& spec,
                                                const google::protobuf::Descriptor* target,
                                                const ReferenceData* reference) {
  auto mapper = std::unique_ptr<Mapper>(new Mapper());
  mapper->version_ = spec.version;
  mapper->target_ = target;
  mapper->targets_ = std::make_unique<TargetTree>(target);
  mapper->is_trade_event_ = target == TradeEvent::descriptor();
  mapper->keep_unmapped_ = spec.keep_unmapped_columns;
  FieldRegistry fields;
  std::set<std::string> targets;
  for (const auto& m : spec.fields) {
    auto rule = CompileRule(m, spec.numbers, reference, mapper->targets_.get(), &fields);
    if (!rule.ok()) return rule.status().WithContext(m.where.empty() ? "mapping" : m.where);
    // A target may be mapped again only by a conditional rule, which then wins where its
    // condition holds (rules apply in order).
    if (!targets.insert(m.target).second) {
      if (!m.when) {
        return Status::Invalid((m.where.empty() ? "mapping" : m.where) + ": target '" + m.target +
                               "' is mapped twice; a rule after the first for a field needs a "
                               "`when` (it wins where its condition holds)");
      }
      (*rule)->follows_another = true;
    }
    mapper->maps_trade_uid_ |= m.target == "trade_uid";
    mapper->rules_.push_back(std::move(*rule));
  }
  if (mapper->is_trade_event_) {
    std::vector<const FieldPath*> paths;
    for (const auto& rule : mapper->rules_) paths.push_back(&rule->path);
    TF_RETURN_IF_ERROR(CheckTradeEventTargets(spec.fields, paths));
  }
  mapper->source_fields_ = fields.Release();
  mapper->FindConditionalColumns();
  return mapper;
}

Status Mapper::Map(const std::vector<std::string>& values,
                   const std::vector<std::pair<std::string, std::string>>& extras,
                   const RecordContext& context, Message* out, std::vector<MappingIssue>* issues,
                   std::vector<MappingIssue>* errors,
                   const std::vector<char>* plain_numbers) const {
  if (values.size() != source_fields_.size()) {
    return Status::Internal("record has " + std::to_string(values.size()) +
                            " values, mapping reads " + std::to_string(source_fields_.size()));
  }
  // The compiled Reflection pointers are those of the generated classes.
  if (out->GetReflection() != targets_->reflection(TargetTree::kRoot)) {
    return Status::Internal("Map needs a generated " + target_->full_name() + " message");
  }
  TargetTree::Cursor cursor(*targets_, out);
  std::string scratch;
  ConditionalColumns conditional_read;
  bool cleared = false;  // a rule unset a value an earlier one set
  for (const auto& rule : rules_) {
    if (!rule->Applies(values)) continue;
    conditional_read |= rule->conditional_bits;
    std::string_view text = rule->source.Evaluate(values, &scratch);
    bool plain = rule->source_is_plain ||
                 (plain_numbers != nullptr && rule->source.kind == ValueSource::Kind::kColumn &&
                  static_cast<size_t>(rule->source.column) < plain_numbers->size() &&
                  (*plain_numbers)[static_cast<size_t>(rule->source.column)] != 0);
    if (text.empty()) {
      // The last rule that applies decides, also when its value is empty: what an earlier rule
      // set is not kept (a settlement price that a SETTLE row leaves empty is no trade price).
      if (!rule->default_value) {
        if (rule->follows_another) cleared |= rule->Clear(&cursor);
        continue;
      }
      text = *rule->default_value;
      plain = true;
    }
    Status st = rule->Apply(text, &cursor, issues, plain);
    if (const FieldDescriptor* lost = cursor.TakeReplacedOneofMember(); lost && st.ok()) {
      st = Status::Invalid("another rule set " + lost->name() + ", the alternative (oneof " +
                           lost->containing_oneof()->name() +
                           ") to this one; a record can have one of them: give the rules "
                           "`when` conditions that exclude each other");
    }
    if (!st.ok()) {
      st = st.WithContext(rule->path.text() + " (" + rule->source.Describe() + ")");
      if (errors == nullptr) return st;
      errors->push_back({rule->path.text(), st.message()});
    }
  }
  if (is_trade_event_) {
    auto* event = static_cast<TradeEvent*>(out);
    std::string list;
    if (Status gap = CheckNoEmptyElements(*event, cleared, &list); !gap.ok()) {
      if (errors == nullptr) return gap;
      errors->push_back({list, gap.message()});
    }
    FillTradeEvent(values, extras, conditional_read, context, event);
  }
  return Status::OK();
}

namespace {

// Whether `m` holds a value anywhere: a message of empty sub-messages (what a cleared leaf
// leaves behind) holds none.
bool HoldsAValue(const Message& m) {
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
    if (f->is_repeated()) {
      for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) {
        if (HoldsAValue(m.GetReflection()->GetRepeatedMessage(m, f, i))) return true;
      }
    } else if (HoldsAValue(m.GetReflection()->GetMessage(m, f))) {
      return true;
    }
  }
  return false;
}

}  // namespace

// A list grows up to the index a rule names, so a record whose rules for legs[0] all left it
// empty (their conditions did not hold) but filled legs[1] has a leg of nulls before it; and a
// rule that cleared the last value of an element (an empty value winning) leaves one anywhere.
// Without a clear, only elements before the last can be empty, and then they are fully empty
// (cheap to see); after one, every element is looked into. Returns the list's name as target.
Status Mapper::CheckNoEmptyElements(const TradeEvent& event, bool cleared, std::string* list) {
  auto check = [&](const auto& elements, const char* name) -> Status {
    const int last = static_cast<int>(elements.size()) - (cleared ? 0 : 1);
    for (int i = 0; i < last; ++i) {
      const bool empty =
          cleared ? !HoldsAValue(elements.Get(i)) : elements.Get(i).ByteSizeLong() == 0;
      if (!empty) continue;
      *list = name;
      return Status::Invalid(std::string(name) + "[" + std::to_string(i) +
                             "] has no values (none of its rules applied, or the one that did "
                             "had an empty value), but it is in the list: a record's list is "
                             "filled from its first element, without gaps");
    }
    return Status::OK();
  };
  TF_RETURN_IF_ERROR(check(event.legs(), "legs"));
  TF_RETURN_IF_ERROR(check(event.fees(), "fees"));
  return check(event.related_trades(), "related_trades");
}

namespace {

void CollectColumns(const CompiledSource& source, std::vector<int>* out) {
  if (source.column >= 0) out->push_back(source.column);
  for (const auto& part : source.parts) CollectColumns(part, out);
}

}  // namespace

void Mapper::FindConditionalColumns() {
  std::vector<std::vector<int>> read(rules_.size());  // by rule: the columns its source reads
  std::vector<char> always(source_fields_.size(), 0), conditional(source_fields_.size(), 0);
  for (size_t r = 0; r < rules_.size(); ++r) {
    const CompiledRule& rule = *rules_[r];
    // A condition's column counts as read where its condition holds: a value no condition
    // matched (a time zone no rule was written for) is kept, not dropped.
    if (rule.when_column >= 0) read[r].push_back(rule.when_column);
    CollectColumns(rule.source, &read[r]);
    for (int c : read[r]) (rule.when_column >= 0 ? conditional : always)[c] = 1;
  }
  std::vector<int> bit_of(source_fields_.size(), -1);
  for (size_t c = 0; c < source_fields_.size(); ++c) {
    if (conditional[c] && !always[c] && conditional_columns_.size() < kMaxConditionalColumns) {
      bit_of[c] = static_cast<int>(conditional_columns_.size());
      conditional_columns_.push_back(static_cast<int>(c));
    }
  }
  for (size_t r = 0; r < rules_.size(); ++r) {
    for (int c : read[r]) {
      if (bit_of[c] >= 0) rules_[r]->conditional_bits.set(static_cast<size_t>(bit_of[c]));
    }
  }
}

void Mapper::FillTradeEvent(const std::vector<std::string>& values,
                            const std::vector<std::pair<std::string, std::string>>& extras,
                            const ConditionalColumns& conditional_read,
                            const RecordContext& context, TradeEvent* out) const {
  if (!maps_trade_uid_ && !out->source_trade_id().empty()) {
    std::string* uid = out->mutable_trade_uid();
    uid->assign(out->source_system());
    uid->push_back(':');
    uid->append(out->source_trade_id());
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
    if (!v.empty()) (*attrs)[name].assign(v);
  }
  for (size_t bit = 0; bit < conditional_columns_.size(); ++bit) {
    if (conditional_read.test(bit)) continue;
    const int column = conditional_columns_[bit];
    std::string_view v = TrimBlanks(values[column]);
    if (!v.empty()) (*attrs)[source_fields_[column].name].assign(v);
  }
}

}  // namespace tradeflow::transform
