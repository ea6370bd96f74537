#include "lake/manifest_avro.h"

#include <charconv>

namespace tradeflow::lake::internal {

namespace {

using avro::Value;

std::string FieldName(FieldRef f) { return "field '" + std::string(f.name) + "'"; }

// Adds the field's name to a failed accessor's message.
template <typename T>
Result<T> Named(Result<T> r, FieldRef f) {
  if (!r.ok()) return r.status().WithContext(FieldName(f));
  return r;
}

Result<const Value*> Required(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr) return Status::Invalid("missing " + FieldName(f));
  if (v->IsNull()) return Status::Invalid(FieldName(f) + " is null");
  return v;
}

// Calls fn(key, value) for every entry of an Iceberg int-keyed map.
template <typename Fn>
Status ForEachMapEntry(const Value& record, FieldRef f, Fn fn) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return Status::OK();
  if (v->type() == avro::Type::kArray) {
    for (const Value& entry : v->items()) {
      const Value* key = entry.Field("key");
      const Value* value = entry.Field("value");
      if (key == nullptr || value == nullptr) {
        return Status::Invalid(FieldName(f) + ": map entry is not a key/value record");
      }
      auto k = key->AsInt();
      if (!k.ok()) return k.status().WithContext(FieldName(f) + " key");
      TF_RETURN_IF_ERROR(fn(*k, *value).WithContext(FieldName(f)));
    }
    return Status::OK();
  }
  if (v->type() == avro::Type::kMap) {
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string& text = v->map_keys()[i];
      int32_t k = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Status::Invalid(FieldName(f) + ": map key '" + text + "' is not an int");
      }
      TF_RETURN_IF_ERROR(fn(k, v->items()[i]).WithContext(FieldName(f)));
    }
    return Status::OK();
  }
  return Status::Invalid(FieldName(f) + ": expected a map, got " +
                         std::string(avro::TypeName(v->type())));
}

template <typename T, typename Get>
Result<std::vector<T>> GetList(const Value& record, FieldRef f, Get get) {
  std::vector<T> out;
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return out;
  if (v->type() != avro::Type::kArray) {
    return Status::Invalid(FieldName(f) + ": expected an array, got " +
                           std::string(avro::TypeName(v->type())));
  }
  for (const Value& item : v->items()) {
    TF_ASSIGN_OR_RETURN(T x, Named(get(item), f));
    out.push_back(x);
  }
  return out;
}

}  // namespace

OJson RequiredField(std::string_view name, OJson type, int32_t field_id) {
  return OJson{{"name", name}, {"type", std::move(type)}, {"field-id", field_id}};
}

OJson OptionalField(std::string_view name, OJson type, int32_t field_id) {
  return OJson{{"name", name},
               {"type", OJson::array({"null", std::move(type)})},
               {"default", nullptr},
               {"field-id", field_id}};
}

OJson ListType(OJson element, int32_t element_id) {
  return OJson{{"type", "array"}, {"items", std::move(element)}, {"element-id", element_id}};
}

OJson IntKeyMapType(OJson value_type, int32_t key_id, int32_t value_id) {
  OJson entry{{"type", "record"},
              {"name", "k" + std::to_string(key_id) + "_v" + std::to_string(value_id)},
              {"fields", OJson::array({RequiredField("key", "int", key_id),
                                       RequiredField("value", std::move(value_type), value_id)})}};
  return OJson{{"type", "array"}, {"logicalType", "map"}, {"items", std::move(entry)}};
}

void WriteOptionalLong(avro::Encoder& e, const std::optional<int64_t>& v) {
  e.WriteUnionBranch(v ? 1 : 0);
  if (v) e.WriteLong(*v);
}

void WriteOptionalInt(avro::Encoder& e, const std::optional<int32_t>& v) {
  e.WriteUnionBranch(v ? 1 : 0);
  if (v) e.WriteInt(*v);
}

void WriteOptionalBool(avro::Encoder& e, const std::optional<bool>& v) {
  e.WriteUnionBranch(v ? 1 : 0);
  if (v) e.WriteBoolean(*v);
}

void WriteOptionalBytes(avro::Encoder& e, const std::optional<std::string>& v) {
  e.WriteUnionBranch(v ? 1 : 0);
  if (v) e.WriteBytes(*v);
}

void WriteOptionalIntLongMap(avro::Encoder& e, const std::map<int32_t, int64_t>& m) {
  e.WriteUnionBranch(m.empty() ? 0 : 1);
  if (m.empty()) return;
  e.WriteBlockCount(static_cast<int64_t>(m.size()));
  for (const auto& [k, v] : m) {
    e.WriteInt(k);
    e.WriteLong(v);
  }
  e.WriteBlockEnd();
}

void WriteOptionalIntBytesMap(avro::Encoder& e, const std::map<int32_t, std::string>& m) {
  e.WriteUnionBranch(m.empty() ? 0 : 1);
  if (m.empty()) return;
  e.WriteBlockCount(static_cast<int64_t>(m.size()));
  for (const auto& [k, v] : m) {
    e.WriteInt(k);
    e.WriteBytes(v);
  }
  e.WriteBlockEnd();
}

void WriteOptionalLongList(avro::Encoder& e, const std::vector<int64_t>& v) {
  e.WriteUnionBranch(v.empty() ? 0 : 1);
  if (v.empty()) return;
  e.WriteBlockCount(static_cast<int64_t>(v.size()));
  for (int64_t x : v) e.WriteLong(x);
  e.WriteBlockEnd();
}

void WriteOptionalIntList(avro::Encoder& e, const std::vector<int32_t>& v) {
  e.WriteUnionBranch(v.empty() ? 0 : 1);
  if (v.empty()) return;
  e.WriteBlockCount(static_cast<int64_t>(v.size()));
  for (int32_t x : v) e.WriteInt(x);
  e.WriteBlockEnd();
}

const Value* FindField(const Value& record, FieldRef f) {
  const Value* v = record.FieldById(f.id);
  return v != nullptr ? v : record.Field(f.name);
}

Result<int64_t> GetLong(const Value& record, FieldRef f) {
  TF_ASSIGN_OR_RETURN(const Value* v, Required(record, f));
  return Named(v->AsLong(), f);
}

Result<int32_t> GetInt(const Value& record, FieldRef f) {
  TF_ASSIGN_OR_RETURN(const Value* v, Required(record, f));
  return Named(v->AsInt(), f);
}

Result<std::string> GetString(const Value& record, FieldRef f) {
  TF_ASSIGN_OR_RETURN(const Value* v, Required(record, f));
  TF_ASSIGN_OR_RETURN(std::string_view s, Named(v->AsString(), f));
  return std::string(s);
}

Result<std::optional<int64_t>> GetOptionalLong(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return std::optional<int64_t>();
  TF_ASSIGN_OR_RETURN(int64_t x, Named(v->AsLong(), f));
  return std::optional<int64_t>(x);
}

Result<std::optional<int32_t>> GetOptionalInt(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return std::optional<int32_t>();
  TF_ASSIGN_OR_RETURN(int32_t x, Named(v->AsInt(), f));
  return std::optional<int32_t>(x);
}

Result<std::optional<bool>> GetOptionalBool(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return std::optional<bool>();
  TF_ASSIGN_OR_RETURN(bool x, Named(v->AsBool(), f));
  return std::optional<bool>(x);
}

Result<std::optional<std::string>> GetOptionalBytes(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return std::optional<std::string>();
  TF_ASSIGN_OR_RETURN(std::string_view x, Named(v->AsBytes(), f));
  return std::optional<std::string>(std::string(x));
}

Result<std::optional<std::string>> GetOptionalString(const Value& record, FieldRef f) {
  const Value* v = FindField(record, f);
  if (v == nullptr || v->IsNull()) return std::optional<std::string>();
  TF_ASSIGN_OR_RETURN(std::string_view x, Named(v->AsString(), f));
  return std::optional<std::string>(std::string(x));
}

Result<int64_t> GetLongOr(const Value& record, FieldRef f, int64_t fallback) {
  TF_ASSIGN_OR_RETURN(std::optional<int64_t> v, GetOptionalLong(record, f));
  return v.value_or(fallback);
}

Result<int32_t> GetIntOr(const Value& record, FieldRef f, int32_t fallback) {
  TF_ASSIGN_OR_RETURN(std::optional<int32_t> v, GetOptionalInt(record, f));
  return v.value_or(fallback);
}

Result<std::map<int32_t, int64_t>> GetIntLongMap(const Value& record, FieldRef f) {
  std::map<int32_t, int64_t> out;
  TF_RETURN_IF_ERROR(ForEachMapEntry(record, f, [&](int32_t k, const Value& v) -> Status {
    TF_ASSIGN_OR_RETURN(out[k], v.AsLong());
    return Status::OK();
  }));
  return out;
}

Result<std::map<int32_t, std::string>> GetIntBytesMap(const Value& record, FieldRef f) {
  std::map<int32_t, std::string> out;
  TF_RETURN_IF_ERROR(ForEachMapEntry(record, f, [&](int32_t k, const Value& v) -> Status {
    TF_ASSIGN_OR_RETURN(std::string_view bytes, v.AsBytes());
    out[k] = std::string(bytes);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<int64_t>> GetLongList(const Value& record, FieldRef f) {
  return GetList<int64_t>(record, f, [](const Value& v) { return v.AsLong(); });
}

Result<std::vector<int32_t>> GetIntList(const Value& record, FieldRef f) {
  return GetList<int32_t>(record, f, [](const Value& v) { return v.AsInt(); });
}

}  // namespace tradeflow::lake::internal
