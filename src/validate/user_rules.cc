#include "validate/user_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/quote.h"
#include "model/proto_schema.h"
#include "validate/civil_time.h"

namespace tradeflow::validate {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool Holds(CompareOp op, int cmp) {
  switch (op) {
    case CompareOp::kLt:
      return cmp < 0;
    case CompareOp::kLe:
      return cmp <= 0;
    case CompareOp::kEq:
      return cmp == 0;
    case CompareOp::kNe:
      return cmp != 0;
    case CompareOp::kGe:
      return cmp >= 0;
    case CompareOp::kGt:
      return cmp > 0;
  }
  return false;
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool Orderable(ValueKind k) {
  return k == ValueKind::kDecimal || k == ValueKind::kInteger || k == ValueKind::kDate ||
         k == ValueKind::kTimestamp || k == ValueKind::kString;
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kGt:
      return ">";
  }
  return "?";
}

Result<CompiledUserRule::Scalar> CompiledUserRule::ParseBound(const std::string& text) const {
  Scalar s;
  switch (field_.kind()) {
    case ValueKind::kDecimal: {
      TF_ASSIGN_OR_RETURN(s.decimal, model::ParseDecimal(text, field_.decimal_type()));
      s.scale = field_.decimal_type().scale;
      return s;
    }
    case ValueKind::kInteger: {
      auto v = ParseInt(text);
      if (!v) return Status::Invalid("'" + text + "' is not an integer");
      s.number = *v;
      return s;
    }
    case ValueKind::kDate: {
      auto v = ParseDateKey(text);
      if (!v) return Status::Invalid("'" + text + "' is not a date YYYY-MM-DD");
      s.number = *v;
      return s;
    }
    case ValueKind::kBool:
      if (text != "true" && text != "false") {
        return Status::Invalid("'" + text + "' is not true or false");
      }
      s.number = text == "true" ? 1 : 0;
      return s;
    case ValueKind::kEnum: {
      const auto* type = field_.leaf()->enum_type();
      // The stored label ("BUY") or the full name ("SIDE_BUY"), in any case.
      const std::string wanted = Upper(text);
      const google::protobuf::EnumValueDescriptor* value = nullptr;
      for (int i = 0; i < type->value_count() && value == nullptr; ++i) {
        const auto* v = type->value(i);
        if (v->name() == wanted || model::EnumValueLabel(v) == wanted) value = v;
      }
      if (value == nullptr || value->number() == 0) {
        std::string labels;
        for (int i = 1; i < type->value_count(); ++i) {
          labels += (labels.empty() ? "" : ", ") + model::EnumValueLabel(type->value(i));
        }
        return Status::Invalid("'" + text + "' is not a " + type->name() + " (" + labels + ")");
      }
      s.number = value->number();
      return s;
    }
    default:
      return Status::Invalid("values of a " + std::string(ValueKindName(field_.kind())) +
                             " field cannot be listed");
  }
}

Result<CompiledUserRule> CompiledUserRule::Compile(const UserRule& rule,
                                                   const google::protobuf::Descriptor* root,
                                                   const model::ReferenceLookup* lookup) {
  const std::string context =
      (rule.where.empty() ? "" : rule.where + ": ") + "rule '" + rule.id + "'";
  auto error = [&](const std::string& msg) { return Status::Invalid(context + ": " + msg); };
  if (rule.id.empty()) return Status::Invalid(context + ": a rule needs an id");
  CompiledUserRule out;
  out.id_ = rule.id;
  out.severity_ = rule.severity;
  out.kind_ = rule.kind;
  // What the pipeline fills once the rules have run: a rule would read it unset.
  for (const std::string* path : {&rule.field, &rule.other_field}) {
    if (*path == "content_hash" || path->starts_with("quality_warnings")) {
      return error(*path + " is filled after validation (a rule would always see it unset)");
    }
  }
  auto field = FieldReader::Resolve(root, rule.field);
  if (!field.ok()) return error("field " + field.status().message());
  out.field_ = std::move(*field);
  const ValueKind kind = out.field_.kind();
  const std::string kind_name(ValueKindName(kind));

  switch (rule.kind) {
    case UserRule::Kind::kNotNull:
      break;
    case UserRule::Kind::kRange: {
      if (kind != ValueKind::kDecimal && kind != ValueKind::kInteger && kind != ValueKind::kDate) {
        return error("range needs a decimal, integer or date field; " + rule.field + " is a " +
                     kind_name);
      }
      if (!rule.min && !rule.max) return error("range needs min, max or both");
      if (rule.min) {
        auto v = out.ParseBound(*rule.min);
        if (!v.ok()) return error("range min: " + v.status().message());
        out.min_ = *v;
        out.min_text_ = *rule.min;
      }
      if (rule.max) {
        auto v = out.ParseBound(*rule.max);
        if (!v.ok()) return error("range max: " + v.status().message());
        out.max_ = *v;
        out.max_text_ = *rule.max;
      }
      if (out.min_ && out.max_) {
        bool inverted = kind == ValueKind::kDecimal ? out.max_->decimal < out.min_->decimal
                                                    : out.max_->number < out.min_->number;
        if (inverted) return error("range min " + *rule.min + " is above max " + *rule.max);
      }
      break;
    }
    case UserRule::Kind::kSet: {
      if (rule.values.empty()) return error("set needs at least one value");
      for (const std::string& v : rule.values) {
        out.set_text_ += (out.set_text_.empty() ? "" : ", ") + v;
        if (kind == ValueKind::kString) {
          out.string_set_.push_back(v);
          continue;
        }
        if (kind == ValueKind::kTimestamp || kind == ValueKind::kMessage) {
          return error("set does not apply to " + rule.field + ", a " + kind_name);
        }
        auto parsed = out.ParseBound(v);
        if (!parsed.ok()) return error("set: " + parsed.status().message());
        out.scalar_set_.push_back(*parsed);
      }
      out.set_text_ = "[" + out.set_text_ + "]";
      std::sort(out.string_set_.begin(), out.string_set_.end());
      break;
    }
    case UserRule::Kind::kPattern:
      if (kind != ValueKind::kString) {
        return error("pattern needs a string field; " + rule.field + " is a " + kind_name);
      }
      {
        auto regex = Regex::Compile(rule.pattern);
        if (!regex.ok()) {
          return error("pattern '" + rule.pattern +
                       "' is not a valid regular expression: " + regex.status().message());
        }
        out.regex_ = std::move(*regex);
      }
      out.pattern_ = rule.pattern;
      break;
    case UserRule::Kind::kReference:
      if (kind != ValueKind::kString) {
        return error("reference needs a string field; " + rule.field + " is a " + kind_name);
      }
      if (rule.table.empty()) return error("reference needs a table");
      if (lookup == nullptr || !lookup->HasTable(rule.table)) {
        return error("reference table '" + rule.table +
                     "' is not loaded, or has no single key to look a value up by (the tables "
                     "that have: counterparties by id, books by book, products by commodity, "
                     "contracts by exchange:product_code)");
      }
      out.table_ = rule.table;
      out.lookup_ = lookup;
      break;
    case UserRule::Kind::kCompare: {
      auto other = FieldReader::Resolve(root, rule.other_field);
      if (!other.ok()) return error("other_field " + other.status().message());
      ValueKind other_kind = other->kind();
      bool same = other_kind == kind;
      if (same && kind == ValueKind::kEnum) {
        same = other->leaf()->enum_type() == out.field_.leaf()->enum_type();
      }
      if (!same) {
        auto type_of = [](const FieldReader& f) {
          const std::string name(ValueKindName(f.kind()));
          const bool vowel = std::string_view("aeiou").find(name[0]) != std::string_view::npos;
          return std::string(vowel ? "an " : "a ") + name +
                 (f.kind() == ValueKind::kEnum ? " (" + f.leaf()->enum_type()->name() + ")" : "");
        };
        return error("compare needs fields of the same type; " + rule.field + " is " +
                     type_of(out.field_) + ", " + rule.other_field + " " + type_of(*other));
      }
      bool equality = rule.op == CompareOp::kEq || rule.op == CompareOp::kNe;
      if (!equality && !Orderable(kind)) {
        return error("a " + kind_name + " field can only be compared with == or !=");
      }
      if (kind == ValueKind::kMessage) return error("messages cannot be compared");
      out.op_ = rule.op;
      out.other_ = std::move(*other);
      break;
    }
  }
  return out;
}

bool CompiledUserRule::ToScalar(const FieldReader& reader, const FieldValue& value, Scalar* out,
                                std::string* error) const {
  out->number = value.number;
  out->nanos = value.nanos;
  if (reader.kind() == ValueKind::kDecimal) {
    auto d = model::ParseDecimal(value.text, reader.decimal_type());
    if (!d.ok()) {
      *error = reader.path() + ": " + d.status().message();
      return false;
    }
    out->decimal = *d;
    out->scale = reader.decimal_type().scale;
  }
  return true;
}

std::string CompiledUserRule::Show(const FieldReader& reader, const FieldValue& value) const {
  switch (reader.kind()) {
    case ValueKind::kString: {
      // A message quotes a long value's start only (the record itself is in quarantine).
      return QuoteValue(value.text);
    }
    case ValueKind::kDecimal:
      return std::string(value.text);
    case ValueKind::kInteger:
      return std::to_string(value.number);
    case ValueKind::kBool:
      return value.number != 0 ? "true" : "false";
    case ValueKind::kEnum: {
      const auto* v = reader.leaf()->enum_type()->FindValueByNumber(static_cast<int>(value.number));
      return v != nullptr ? model::EnumValueLabel(v) : std::to_string(value.number);
    }
    case ValueKind::kDate:
      return FormatDateKey(value.number);
    case ValueKind::kTimestamp:
      return FormatUnixSeconds(value.number);
    case ValueKind::kMessage:
      return "(set)";
  }
  return "?";
}

void CompiledUserRule::Fail(std::string message, std::vector<RuleFailure>* out) const {
  out->push_back({id_, severity_, field_.path(), std::move(message)});
}

namespace {

// Orders two scalars of the same kind; nullopt when two decimals cannot be brought to one scale.
std::optional<int> CompareScalars(ValueKind kind, const auto& a, const auto& b) {
  if (kind == ValueKind::kDecimal) {
    if (a.scale == b.scale) return Cmp(a.decimal, b.decimal);
    int32_t scale = std::max(a.scale, b.scale);
    auto ra = a.decimal.Rescale(a.scale, scale);
    auto rb = b.decimal.Rescale(b.scale, scale);
    if (ra.ok() && rb.ok()) return Cmp(*ra, *rb);
    // Too many digits to bring to one scale (32 whole digits against 10 decimals): the whole
    // parts decide, then the fractions, which fit. Both are cut toward zero, so their signs agree.
    arrow::BasicDecimal128 whole_a, fraction_a, whole_b, fraction_b;
    a.decimal.GetWholeAndFraction(a.scale, &whole_a, &fraction_a);
    b.decimal.GetWholeAndFraction(b.scale, &whole_b, &fraction_b);
    if (whole_a != whole_b) return Cmp(arrow::Decimal128(whole_a), arrow::Decimal128(whole_b));
    auto fa = arrow::Decimal128(fraction_a).Rescale(a.scale, scale);
    auto fb = arrow::Decimal128(fraction_b).Rescale(b.scale, scale);
    if (!fa.ok() || !fb.ok()) return std::nullopt;
    return Cmp(*fa, *fb);
  }
  if (kind == ValueKind::kTimestamp && a.number == b.number) return Cmp(a.nanos, b.nanos);
  return Cmp(a.number, b.number);
}

}  // namespace

void CompiledUserRule::Check(const google::protobuf::Message& record,
                             std::vector<RuleFailure>* out) const {
  const FieldValue value = field_.Read(record);
  if (!value.present) {
    if (kind_ == UserRule::Kind::kNotNull) Fail(field_.path() + " is missing", out);
    return;
  }
  const ValueKind kind = field_.kind();
  switch (kind_) {
    case UserRule::Kind::kNotNull:
      if (kind == ValueKind::kString && !HasText(value.text)) {
        Fail(field_.path() + " holds only blanks (" + QuoteValue(value.text) + ")", out);
      }
      return;
    case UserRule::Kind::kRange: {
      Scalar s;
      std::string error;
      if (!ToScalar(field_, value, &s, &error)) return Fail(error, out);
      if (min_ && CompareScalars(kind, s, *min_).value_or(0) < 0) {
        Fail(field_.path() + " is " + Show(field_, value) + ", below the minimum " + *min_text_,
             out);
      } else if (max_ && CompareScalars(kind, s, *max_).value_or(0) > 0) {
        Fail(field_.path() + " is " + Show(field_, value) + ", above the maximum " + *max_text_,
             out);
      }
      return;
    }
    case UserRule::Kind::kSet: {
      bool found = false;
      if (kind == ValueKind::kString) {
        found =
            std::binary_search(string_set_.begin(), string_set_.end(), value.text, std::less<>());
      } else {
        Scalar s;
        std::string error;
        if (!ToScalar(field_, value, &s, &error)) return Fail(error, out);
        found = std::any_of(scalar_set_.begin(), scalar_set_.end(),
                            [&](const Scalar& m) { return CompareScalars(kind, s, m) == 0; });
      }
      if (!found) {
        Fail(field_.path() + " is " + Show(field_, value) + ", not one of " + set_text_, out);
      }
      return;
    }
    case UserRule::Kind::kPattern: {
      auto matched = regex_->FullMatch(value.text);
      if (!matched.ok()) {
        Fail(Show(field_, value) + " could not be checked against the pattern " + pattern_ + ": " +
                 matched.status().message(),
             out);
      } else if (!*matched) {
        Fail(Show(field_, value) + " does not match the pattern " + pattern_, out);
      }
      return;
    }
    case UserRule::Kind::kReference:
      if (!lookup_->Exists(table_, value.text)) {
        Fail(Show(field_, value) + " is not in reference table " + table_, out);
      }
      return;
    case UserRule::Kind::kCompare: {
      const FieldValue other = other_->Read(record);
      if (!other.present) return;
      Scalar a, b;
      std::string error;
      if (!ToScalar(field_, value, &a, &error) || !ToScalar(*other_, other, &b, &error)) {
        return Fail(error, out);
      }
      std::optional<int> cmp;
      if (kind == ValueKind::kString) {
        cmp = Cmp(value.text, other.text);
      } else {
        cmp = CompareScalars(kind, a, b);
      }
      if (!cmp) {
        return Fail("cannot compare " + Show(field_, value) + " with " + Show(*other_, other), out);
      }
      if (!Holds(op_, *cmp)) {
        Fail(field_.path() + " " + Show(field_, value) + " must be " +
                 std::string(CompareOpName(op_)) + " " + other_->path() + " " +
                 Show(*other_, other),
             out);
      }
      return;
    }
  }
}

}  // namespace tradeflow::validate
