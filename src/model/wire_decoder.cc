// The wire format is decoded by hand: protobuf's public API can parse bytes only into a Message
// (or skip them), it has no way to stream the fields of a message into columns of our own. The
// subset needed is small and stable (varints, fixed 32/64-bit values, length-delimited values,
// groups to skip), see https://protobuf.dev/programming-guides/encoding/.
#include "model/wire_decoder.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/civil_date.h"
#include "model/decimal.h"
#include "model/proto_schema.h"

namespace tradeflow::model {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

namespace wire {

static_assert(std::endian::native == std::endian::little,
              "fixed-width wire values are copied as they are");

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Protobuf's own limit on nested groups; only unknown groups are skipped this way.
constexpr int kMaxGroupDepth = 100;

// Reads wire values from a byte range. Every method returns false on malformed or truncated input
// and leaves the error message to the caller, which knows the field.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : pos_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(pos_ + bytes.size()) {}

  bool done() const { return pos_ == end_; }

  bool ReadVarint(uint64_t* value) {
    if (pos_ < end_ && *pos_ < 0x80) {
      *value = *pos_++;
      return true;
    }
    return ReadVarintSlow(value);
  }

  bool ReadTag(uint32_t* number, uint32_t* wire_type) {
    uint64_t tag;
    if (!ReadVarint(&tag) || tag > UINT32_MAX || (tag >> 3) == 0) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }

  bool ReadFixed32(uint32_t* value) {
    if (end_ - pos_ < 4) return false;
    std::memcpy(value, pos_, 4);
    pos_ += 4;
    return true;
  }

  bool ReadFixed64(uint64_t* value) {
    if (end_ - pos_ < 8) return false;
    std::memcpy(value, pos_, 8);
    pos_ += 8;
    return true;
  }

  // A varint, fixed32 or fixed64 value as its raw bits.
  bool ReadScalar(uint32_t wire_type, uint64_t* raw) {
    switch (wire_type) {
      case kVarint:
        return ReadVarint(raw);
      case kFixed64:
        return ReadFixed64(raw);
      case kFixed32: {
        uint32_t v;
        if (!ReadFixed32(&v)) return false;
        *raw = v;
        return true;
      }
      default:
        return false;
    }
  }

  bool ReadLengthDelimited(std::string_view* bytes) {
    uint64_t size;
    if (!ReadVarint(&size) || size > static_cast<uint64_t>(end_ - pos_)) return false;
    *bytes = std::string_view(reinterpret_cast<const char*>(pos_), size);
    pos_ += size;
    return true;
  }

  // After the start-group tag of field `number`: the group's body, up to its end-group tag.
  bool ReadGroup(uint32_t number, std::string_view* body) {
    const uint8_t* begin = pos_;
    for (;;) {
      const uint8_t* tag_begin = pos_;
      uint32_t inner, wire_type;
      if (!ReadTag(&inner, &wire_type)) return false;
      if (wire_type == kEndGroup) {
        if (inner != number) return false;
        *body = std::string_view(reinterpret_cast<const char*>(begin), tag_begin - begin);
        return true;
      }
      if (!Skip(inner, wire_type, 1)) return false;
    }
  }

  // Skips the value of a field whose tag was just read.
  bool Skip(uint32_t number, uint32_t wire_type, int depth = 0) {
    uint64_t ignored;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint:
      case kFixed64:
      case kFixed32:
        return ReadScalar(wire_type, &ignored);
      case kLengthDelimited:
        return ReadLengthDelimited(&bytes);
      case kStartGroup:
        for (;;) {
          uint32_t inner, inner_type;
          if (depth >= kMaxGroupDepth || !ReadTag(&inner, &inner_type)) return false;
          if (inner_type == kEndGroup) return inner == number;
          if (!Skip(inner, inner_type, depth + 1)) return false;
        }
      default:  // an end-group tag without its start, or wire types 6 and 7
        return false;
    }
  }

 private:
  bool ReadVarintSlow(uint64_t* value) {
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      if (pos_ == end_) return false;
      uint8_t byte = *pos_++;
      result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if (byte < 0x80) {
        *value = result;
        return true;
      }
    }
    return false;
  }

  const uint8_t* pos_;
  const uint8_t* end_;
};

int32_t ZigZagDecode32(uint32_t n) { return static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1)); }
int64_t ZigZagDecode64(uint64_t n) { return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1)); }
uint32_t ZigZagEncode32(int32_t n) {
  return (static_cast<uint32_t>(n) << 1) ^ static_cast<uint32_t>(n >> 31);
}
uint64_t ZigZagEncode64(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}

// The stored labels of one enum type by number (EnumValueLabel of the value FindValueByNumber
// returns, so the first of several aliases).
class EnumLabels {
 public:
  explicit EnumLabels(const EnumDescriptor* type) {
    for (int i = 0; i < type->value_count(); ++i) {
      const auto* value = type->value(i);
      if (type->FindValueByNumber(value->number()) != value) continue;  // an alias
      sorted_.emplace_back(value->number(), EnumValueLabel(value));
    }
    std::sort(sorted_.begin(), sorted_.end());
    int32_t max = sorted_.empty() ? -1 : sorted_.back().first;
    if (max >= 0 && max < kMaxDense) {
      dense_.assign(max + 1, -1);
      for (size_t i = 0; i < sorted_.size(); ++i) {
        if (sorted_[i].first >= 0) dense_[sorted_[i].first] = static_cast<int32_t>(i);
      }
    }
  }

  // Null for a number the enum does not define.
  const std::string* Find(int32_t number) const {
    if (static_cast<uint32_t>(number) < dense_.size()) {
      int32_t i = dense_[number];
      return i < 0 ? nullptr : &sorted_[i].second;
    }
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), number,
                               [](const auto& entry, int32_t n) { return entry.first < n; });
    return it != sorted_.end() && it->first == number ? &it->second : nullptr;
  }

 private:
  static constexpr int32_t kMaxDense = 1024;

  std::vector<std::pair<int32_t, std::string>> sorted_;
  std::vector<int32_t> dense_;  // number → index in sorted_, -1 when undefined
};

}  // namespace wire

using namespace wire;  // NOLINT: the wire-format helpers above, for the decoder below

WireDecoder::~WireDecoder() = default;

// ---- Plan -------------------------------------------------------------------------------------

Result<std::unique_ptr<WireDecoder>> WireDecoder::Make(const Descriptor* descriptor,
                                                       const arrow::Schema& schema,
                                                       const parquet::SchemaDescriptor& parquet) {
  auto decoder = std::unique_ptr<WireDecoder>(new WireDecoder());
  TF_RETURN_IF_ERROR(decoder->MakeLayout(descriptor, schema.fields(), "", 0, 0, &decoder->root_));
  decoder->root_.path = descriptor->full_name();
  TF_RETURN_IF_ERROR(decoder->MakeColumns(parquet));
  return decoder;
}

// `def` and `rep`: the levels a value of the message reaches.
Status WireDecoder::MakeLayout(const Descriptor* message, const arrow::FieldVector& fields,
                               const std::string& path, int16_t def, int16_t rep, Layout* layout) {
  if (static_cast<int>(fields.size()) != message->field_count()) {
    return Status::Internal("schema does not match message " + message->full_name());
  }
  layout->path = path;
  layout->ctx = {def, rep};
  uint32_t max_number = 0;
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* f = message->field(i);
    std::string field_path = path.empty() ? f->name() : path + "." + f->name();
    TF_ASSIGN_OR_RETURN(auto node, MakeNode(f, *fields[i], &layout->ctx, false, field_path));
    if (f->containing_oneof() != nullptr) node->oneof = f->containing_oneof()->index();
    node->null_when_absent = IsNullWhenAbsent(f);
    node->index = static_cast<uint32_t>(i);
    max_number = std::max(max_number, static_cast<uint32_t>(f->number()));
    layout->fields.push_back(std::move(node));
  }
  layout->seen.assign(layout->fields.size(), 0);
  layout->oneof_seen.assign(message->oneof_decl_count(), 0);
  // A table indexed by field number when that is not much bigger than the field count (proto
  // numbers are usually dense); a sorted array searched by number otherwise.
  if (max_number < 64 + 4 * layout->fields.size()) {
    layout->by_number.assign(max_number + 1, nullptr);
    for (auto& node : layout->fields) layout->by_number[node->number] = node.get();
  } else {
    for (auto& node : layout->fields) layout->sorted.push_back(node.get());
    std::sort(layout->sorted.begin(), layout->sorted.end(),
              [](const Node* a, const Node* b) { return a->number < b->number; });
  }
  return Status::OK();
}

// A node's value adds a definition level when its Arrow field is nullable (ToParquetSchema makes
// it optional); its leaf columns are numbered in schema order, as Parquet numbers them.
Result<std::unique_ptr<WireDecoder::Node>> WireDecoder::MakeNode(const FieldDescriptor* field,
                                                                 const arrow::Field& arrow_field,
                                                                 const Context* ctx, bool element,
                                                                 const std::string& path) {
  auto node = std::make_unique<Node>();
  node->type = field->type();
  node->number = static_cast<uint32_t>(field->number());
  node->element = element;
  node->path = path;
  node->ctx = ctx;
  node->optional = arrow_field.nullable() ? 1 : 0;
  TF_ASSIGN_OR_RETURN(node->kind, ColumnKindOf(field, element));
  // Maps and lists get nodes for their elements (MakeChildren); values need their wire details.
  if (node->kind != Kind::kMap && node->kind != Kind::kList) {
    TF_RETURN_IF_ERROR(field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                           ? MakeMessage(field, node.get())
                           : MakeScalar(field, node.get()));
  }
  if (arrow_field.type()->id() != ArrowTypeOf(node->kind)) {
    return Status::Internal("schema does not match field " + field->full_name() + ": " +
                            arrow_field.type()->ToString());
  }
  const int first = static_cast<int>(leaf_nodes_.size());
  TF_RETURN_IF_ERROR(MakeChildren(field, *arrow_field.type(), node.get()));
  if (node->layout == nullptr && node->children.empty()) {
    node->leaf = first;
    leaf_nodes_.push_back(node.get());
  }
  for (int i = first; i < static_cast<int>(leaf_nodes_.size()); ++i) node->leaves.push_back(i);
  return node;
}

// A list element or map entry adds a definition level and a repetition level (Parquet's
// repeated group) to those of its list or map.
Status WireDecoder::MakeChildren(const FieldDescriptor* field, const arrow::DataType& type,
                                 Node* node) {
  const auto present = static_cast<int16_t>(node->ctx->def + node->optional);
  if (node->kind == Kind::kMap || node->kind == Kind::kList) {
    node->rep_level = static_cast<int16_t>(node->ctx->rep + 1);
    node->inner = {static_cast<int16_t>(present + 1), node->rep_level};  // until decoding
  }
  switch (node->kind) {
    case Kind::kMap: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      const Descriptor* entry = field->message_type();
      TF_ASSIGN_OR_RETURN(auto key, MakeNode(entry->map_key(), *map.key_field(), &node->inner,
                                             false, node->path + ".key"));
      TF_ASSIGN_OR_RETURN(auto value, MakeNode(entry->map_value(), *map.item_field(), &node->inner,
                                               false, node->path + ".value"));
      node->children.push_back(std::move(key));
      node->children.push_back(std::move(value));
      return Status::OK();
    }
    case Kind::kList: {
      const auto& list = static_cast<const arrow::ListType&>(type);
      TF_ASSIGN_OR_RETURN(auto element,
                          MakeNode(field, *list.value_field(), &node->inner, true, node->path));
      node->children.push_back(std::move(element));
      return Status::OK();
    }
    case Kind::kStruct:
      node->layout = std::make_unique<Layout>();
      return MakeLayout(field->message_type(), type.fields(), node->path, present, node->ctx->rep,
                        node->layout.get());
    default:
      return Status::OK();
  }
}

Status WireDecoder::MakeScalar(const FieldDescriptor* field, Node* node) {
  switch (field->type()) {
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
      node->wire_type = kLengthDelimited;
      node->default_string = field->default_value_string();
      return Status::OK();
    case FieldDescriptor::TYPE_ENUM:
      node->wire_type = kVarint;
      node->labels = LabelsFor(field->enum_type());
      node->closed_enum = field->file()->syntax() != FileDescriptor::SYNTAX_PROTO3 ||
                          field->enum_type()->file()->syntax() != FileDescriptor::SYNTAX_PROTO3;
      node->default_raw =
          static_cast<uint64_t>(static_cast<int64_t>(field->default_value_enum()->number()));
      return Status::OK();
    case FieldDescriptor::TYPE_INT32:
      node->wire_type = kVarint;
      node->default_raw = static_cast<uint64_t>(static_cast<int64_t>(field->default_value_int32()));
      return Status::OK();
    case FieldDescriptor::TYPE_SINT32:
      node->wire_type = kVarint;
      node->default_raw = ZigZagEncode32(field->default_value_int32());
      return Status::OK();
    case FieldDescriptor::TYPE_SFIXED32:
      node->wire_type = kFixed32;
      node->default_raw = static_cast<uint32_t>(field->default_value_int32());
      return Status::OK();
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      node->wire_type = field->type() == FieldDescriptor::TYPE_UINT32 ? kVarint : kFixed32;
      node->default_raw = field->default_value_uint32();
      return Status::OK();
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SFIXED64:
      node->wire_type = field->type() == FieldDescriptor::TYPE_INT64 ? kVarint : kFixed64;
      node->default_raw = static_cast<uint64_t>(field->default_value_int64());
      return Status::OK();
    case FieldDescriptor::TYPE_SINT64:
      node->wire_type = kVarint;
      node->default_raw = ZigZagEncode64(field->default_value_int64());
      return Status::OK();
    case FieldDescriptor::TYPE_BOOL:
      node->wire_type = kVarint;
      node->default_raw = field->default_value_bool() ? 1 : 0;
      return Status::OK();
    case FieldDescriptor::TYPE_FLOAT:
      node->wire_type = kFixed32;
      node->default_raw = std::bit_cast<uint32_t>(field->default_value_float());
      return Status::OK();
    case FieldDescriptor::TYPE_DOUBLE:
      node->wire_type = kFixed64;
      node->default_raw = std::bit_cast<uint64_t>(field->default_value_double());
      return Status::OK();
    default:  // uint64, fixed64
      return Status::Invalid("field " + field->full_name() + ": " + field->type_name() +
                             " has no Iceberg type");
  }
}

Status WireDecoder::MakeMessage(const FieldDescriptor* field, Node* node) {
  const Descriptor* m = field->message_type();
  node->wire_type = field->type() == FieldDescriptor::TYPE_GROUP ? kStartGroup : kLengthDelimited;
  auto part = [&](int i, FieldDescriptor::Type type) -> Status {
    if (i >= m->field_count() || m->field(i)->type() != type || m->field(i)->is_repeated()) {
      return Status::Internal("unexpected layout of " + m->full_name());
    }
    node->part_numbers[i] = static_cast<uint32_t>(m->field(i)->number());
    return Status::OK();
  };
  if (IsDecimalMessage(m)) {
    node->decimal = DecimalTypeOf(field);
    return part(0, FieldDescriptor::TYPE_STRING);
  }
  if (IsDateMessage(m)) {
    for (int i = 0; i < 3; ++i) TF_RETURN_IF_ERROR(part(i, FieldDescriptor::TYPE_INT32));
    return Status::OK();
  }
  return Status::OK();  // a Timestamp: seconds = 1, nanos = 2, fixed by the well-known type
}

const EnumLabels* WireDecoder::LabelsFor(const EnumDescriptor* type) {
  auto& labels = labels_[type];
  if (labels == nullptr) labels = std::make_unique<EnumLabels>(type);
  return labels.get();
}

// ---- Decoding ---------------------------------------------------------------------------------

// Decodes the fields of one message into their columns, then gives every field the message did
// not carry its absent value.
bool WireDecoder::ParseMessage(Layout& layout, std::string_view bytes) {
  const uint64_t generation = ++generation_;
  WireReader reader(bytes);
  uint32_t previous = 0;
  while (!reader.done()) {
    uint32_t number, wire_type;
    if (!reader.ReadTag(&number, &wire_type)) {
      return Fail(Status::Invalid("message " + layout.path + ": malformed tag"));
    }
    Node* field = layout.Find(number);
    if (field == nullptr) {
      if (!reader.Skip(number, wire_type)) {
        return Fail(Status::Invalid("message " + layout.path + ": malformed unknown field " +
                                    std::to_string(number)));
      }
    } else {
      if (!ReadField(layout, *field, reader, wire_type, previous, generation)) return false;
    }
    previous = number;
  }
  for (size_t i = 0; i < layout.seen.size(); ++i) {
    Node& field = *layout.fields[i];
    if (layout.seen[i] != generation) {
      if (!AppendAbsent(field)) return false;
    } else if (field.elements == 0 && (field.kind == Kind::kList || field.kind == Kind::kMap)) {
      // On the wire but with no element: all dropped, or an empty packed run. An empty list.
      PutLevels(field, field.ctx->def + field.optional);
    }
  }
  return true;
}

bool WireDecoder::ReadField(Layout& layout, Node& field, WireReader& reader, uint32_t wire_type,
                            uint32_t previous, uint64_t generation) {
  if (field.kind == Kind::kList || field.kind == Kind::kMap) {
    uint64_t& seen = layout.seen[field.index];
    if (seen != generation) {
      seen = generation;
      field.has_previous_key = false;
      field.elements = 0;
    } else if (previous != field.number) {
      return Malformed(field.path, "repeated field split by another field");
    }
    return ReadRepeated(field, reader, wire_type);
  }
  uint64_t& seen = layout.seen[field.index];
  if (seen == generation) return Malformed(field.path, "singular field appears twice");
  if (field.oneof >= 0) {
    if (layout.oneof_seen[field.oneof] == generation) {
      return Malformed(field.path, "a second member of its oneof is set");
    }
    layout.oneof_seen[field.oneof] = generation;
  }
  seen = generation;
  return ReadValue(field, reader, wire_type);
}

// One element (or a packed run of elements) of a list, or one map entry.
bool WireDecoder::ReadRepeated(Node& field, WireReader& reader, uint32_t wire_type) {
  if (field.kind == Kind::kMap) {
    std::string_view entry;
    if (wire_type != kLengthDelimited || !reader.ReadLengthDelimited(&entry)) {
      return Malformed(field.path, "malformed map entry");
    }
    NextElement(field);
    return ReadMapEntry(field, entry);
  }
  Node& element = *field.children[0];
  if (!IsScalar(element.kind)) {
    NextElement(field);
    return ReadValue(element, reader, wire_type);
  }
  if (wire_type != kLengthDelimited) {  // one unpacked value
    if (wire_type != element.wire_type) return WrongWireType(element, wire_type);
    uint64_t raw;
    if (!reader.ReadScalar(wire_type, &raw)) return Malformed(element.path, "truncated");
    return AppendElement(field, element, raw);
  }
  std::string_view packed;
  if (!reader.ReadLengthDelimited(&packed)) return Malformed(field.path, "truncated");
  WireReader values(packed);
  while (!values.done()) {
    uint64_t raw;
    if (!values.ReadScalar(element.wire_type, &raw)) {
      return Malformed(field.path, "malformed packed values");
    }
    if (!AppendElement(field, element, raw)) return false;
  }
  return true;
}

// A scalar list element. An element's levels depend on its position in the list, so an element
// the parser drops (an unknown number of a closed enum) is left out before it takes one.
bool WireDecoder::AppendElement(Node& list, const Node& element, uint64_t raw) {
  if (element.kind == Kind::kEnum && element.closed_enum &&
      element.labels->Find(static_cast<int32_t>(raw)) == nullptr) {
    return true;
  }
  NextElement(list);
  return AppendScalar(element, raw);
}

bool WireDecoder::WrongWireType(const Node& node, uint32_t wire_type) {
  return Malformed(node.path, "wire type " + std::to_string(wire_type) + ", expected " +
                                  std::to_string(node.wire_type));
}

// One value of a singular field, a list element or a map value.
bool WireDecoder::ReadValue(Node& node, WireReader& reader, uint32_t wire_type) {
  if (wire_type != node.wire_type) return WrongWireType(node, wire_type);
  if (IsScalar(node.kind)) {
    uint64_t raw;
    if (!reader.ReadScalar(wire_type, &raw)) return Malformed(node.path, "truncated");
    return AppendScalar(node, raw);
  }
  std::string_view bytes;
  bool ok = wire_type == kStartGroup ? reader.ReadGroup(node.number, &bytes)
                                     : reader.ReadLengthDelimited(&bytes);
  if (!ok) return Malformed(node.path, "truncated");
  if (node.kind == Kind::kString || node.kind == Kind::kBinary) return AppendString(node, bytes);
  return AppendMessage(node, bytes);
}

// A map entry is a message with the key as field 1 and the value as field 2. Both are located
// first, then appended key first. Serializers always write both; a missing key, or a missing
// value of a scalar, string, Decimal or Date, reads as its default, as every parser gives it. Two
// cases are rejected because protobuf's parsers disagree on them: a missing Timestamp or struct
// value (generated code stores an empty message, a DynamicMessage none) and an unknown number of
// a closed enum (generated code drops the entry, a DynamicMessage keeps it with the default).
bool WireDecoder::ReadMapEntry(Node& map, std::string_view entry) {
  Node& key = *map.children[0];
  Node& value = *map.children[1];
  WireReader reader(entry);
  WireReader key_reader(std::string_view{}), value_reader(std::string_view{});
  bool has_key = false, has_value = false;
  while (!reader.done()) {
    uint32_t number, wire_type;
    if (!reader.ReadTag(&number, &wire_type)) return Malformed(map.path, "malformed map entry");
    if (number == 1 || number == 2) {
      Node& part = number == 1 ? key : value;
      bool& seen = number == 1 ? has_key : has_value;
      if (seen) return Malformed(part.path, "appears twice in a map entry");
      if (wire_type != part.wire_type) return Malformed(part.path, "unexpected wire type");
      seen = true;
      (number == 1 ? key_reader : value_reader) = reader;
    }
    if (!reader.Skip(number, wire_type)) return Malformed(map.path, "malformed map entry");
  }
  if (!has_value && (value.kind == Kind::kStruct || value.kind == Kind::kTimestamp)) {
    return Malformed(value.path, "missing from a map entry");
  }
  if (has_value && value.kind == Kind::kEnum && value.closed_enum) {
    WireReader peek = value_reader;
    uint64_t raw;
    if (!peek.ReadVarint(&raw)) return Malformed(value.path, "truncated");
    if (value.labels->Find(static_cast<int32_t>(raw)) == nullptr) {
      return Malformed(value.path, "unknown number " + std::to_string(static_cast<int32_t>(raw)) +
                                       " of a closed enum in a map entry");
    }
  }
  if (key.kind == Kind::kString) {  // never null, even when empty
    std::string_view text;
    if (has_key && !key_reader.ReadLengthDelimited(&text)) return Malformed(key.path, "truncated");
    if (map.has_previous_key && !(map.previous_key < text)) {
      return Malformed(map.path, "keys not in increasing order (serialize deterministically)");
    }
    map.previous_key = text;
    map.has_previous_key = true;
    PutValue(key).bytes.push_back(ByteArrayOf(text));
  } else if (has_key) {
    if (!ReadValue(key, key_reader, key.wire_type)) return false;
  } else {
    if (!AppendScalar(key, key.default_raw)) return false;
  }
  if (has_value) return ReadValue(value, value_reader, value.wire_type);
  return AppendAbsent(value);  // a Decimal or Date is null whether absent or empty
}

// An absent list or map is empty; an absent struct leaves every column below it undefined at the
// level of the message that holds it (one entry each, as Parquet needs); an absent leaf is null
// or its default, as the contract in wire_shredder.h says.
bool WireDecoder::AppendAbsent(Node& node) {
  if (node.null_when_absent) return PutNull(node);
  switch (node.kind) {
    case Kind::kList:
    case Kind::kMap:
      PutLevels(node, node.ctx->def + node.optional);
      return true;
    case Kind::kStruct:
      PutLevels(node, node.ctx->def);
      return true;
    case Kind::kDecimal:
    case Kind::kDate:
    case Kind::kTimestamp:
      return PutNull(node);
    case Kind::kString:
    case Kind::kBinary:
      return AppendString(node, node.default_string);
    default:
      return AppendScalar(node, node.default_raw);
  }
}

bool WireDecoder::AppendScalar(const Node& node, uint64_t raw) {
  if (node.type == FieldDescriptor::TYPE_ENUM) return AppendEnum(node, static_cast<int32_t>(raw));
  LeafColumn& column = PutValue(node);
  switch (node.type) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SFIXED32:
      column.int32s.push_back(static_cast<int32_t>(raw));
      return true;
    case FieldDescriptor::TYPE_SINT32:
      column.int32s.push_back(ZigZagDecode32(static_cast<uint32_t>(raw)));
      return true;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      column.int64s.push_back(static_cast<uint32_t>(raw));
      return true;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SFIXED64:
      column.int64s.push_back(static_cast<int64_t>(raw));
      return true;
    case FieldDescriptor::TYPE_SINT64:
      column.int64s.push_back(ZigZagDecode64(raw));
      return true;
    case FieldDescriptor::TYPE_BOOL:
      column.bools.push_back(raw != 0 ? 1 : 0);
      return true;
    case FieldDescriptor::TYPE_FLOAT:
      column.floats.push_back(std::bit_cast<float>(static_cast<uint32_t>(raw)));
      return true;
    case FieldDescriptor::TYPE_DOUBLE:
      column.doubles.push_back(std::bit_cast<double>(raw));
      return true;
    default:
      return Fail(Status::Internal("field " + node.path + ": not a scalar"));
  }
}

bool WireDecoder::AppendEnum(const Node& node, int32_t number) {
  const std::string* label = node.labels->Find(number);
  if (label == nullptr && node.closed_enum) {
    // The parser keeps an unknown number of a closed enum out of the field: a singular field
    // reads as its default (a list element was left out by AppendElement).
    number = static_cast<int32_t>(node.default_raw);
    label = node.labels->Find(number);
  }
  if (number == 0 || label == nullptr) return PutNull(node);
  PutValue(node).bytes.push_back(ByteArrayOf(*label));
  return true;
}

bool WireDecoder::AppendString(const Node& node, std::string_view value) {
  if (value.empty() && !node.element) return PutNull(node);
  PutValue(node).bytes.push_back(ByteArrayOf(value));
  return true;
}

// A message value that is present (possibly empty).
bool WireDecoder::AppendMessage(Node& node, std::string_view bytes) {
  switch (node.kind) {
    case Kind::kDecimal:
      return AppendDecimal(node, bytes);
    case Kind::kDate:
      return AppendDate(node, bytes);
    case Kind::kTimestamp:
      return AppendTimestamp(node, bytes);
    case Kind::kStruct:
      node.layout->ctx = {static_cast<int16_t>(node.ctx->def + node.optional), node.ctx->rep};
      return ParseMessage(*node.layout, bytes);
    default:
      return Fail(Status::Internal("field " + node.path + ": not a message"));
  }
}

bool WireDecoder::AppendDecimal(const Node& node, std::string_view bytes) {
  WireReader reader(bytes);
  std::string_view text;
  bool seen = false;
  while (!reader.done()) {
    uint32_t number, wire_type;
    if (!reader.ReadTag(&number, &wire_type)) return Malformed(node.path, "malformed Decimal");
    if (number == node.part_numbers[0]) {
      if (seen || wire_type != kLengthDelimited || !reader.ReadLengthDelimited(&text)) {
        return Malformed(node.path, "malformed Decimal");
      }
      seen = true;
    } else if (!reader.Skip(number, wire_type)) {
      return Malformed(node.path, "malformed Decimal");
    }
  }
  if (text.empty()) return PutNull(node);
  auto value = ParseDecimal(text, node.decimal);
  if (!value.ok()) return Fail(value.status().WithContext("field " + node.path));
  {
    // Parquet's decimal: big-endian two's complement in type_length bytes (the low ones).
    LeafColumn& column = PutValue(node);
    uint64_t big[2] = {__builtin_bswap64(static_cast<uint64_t>(value->high_bits())),
                       __builtin_bswap64(value->low_bits())};
    const auto* bytes = reinterpret_cast<const uint8_t*>(big);
    column.fixed.insert(column.fixed.end(), bytes + 16 - column.type_length, bytes + 16);
    return true;
  }
}

bool WireDecoder::AppendDate(const Node& node, std::string_view bytes) {
  WireReader reader(bytes);
  int32_t parts[3] = {0, 0, 0};  // year, month, day
  bool seen[3] = {false, false, false};
  while (!reader.done()) {
    uint32_t number, wire_type;
    if (!reader.ReadTag(&number, &wire_type)) return Malformed(node.path, "malformed Date");
    int i = 0;
    while (i < 3 && node.part_numbers[i] != number) ++i;
    if (i == 3) {
      if (!reader.Skip(number, wire_type)) return Malformed(node.path, "malformed Date");
      continue;
    }
    uint64_t raw;
    if (seen[i] || wire_type != kVarint || !reader.ReadVarint(&raw)) {
      return Malformed(node.path, "malformed Date");
    }
    seen[i] = true;
    parts[i] = static_cast<int32_t>(raw);
  }
  if (parts[0] == 0 && parts[1] == 0 && parts[2] == 0) return PutNull(node);
  int32_t days = 0;
  if (!DaysSinceEpoch(parts[0], parts[1], parts[2], &days)) {
    return Malformed(node.path, "not a valid date");
  }
  PutValue(node).int32s.push_back(days);
  return true;
}

bool WireDecoder::AppendTimestamp(const Node& node, std::string_view bytes) {
  WireReader reader(bytes);
  uint64_t parts[2] = {0, 0};  // seconds (field 1), nanos (field 2)
  bool seen[2] = {false, false};
  while (!reader.done()) {
    uint32_t number, wire_type;
    if (!reader.ReadTag(&number, &wire_type)) return Malformed(node.path, "malformed Timestamp");
    if (number != 1 && number != 2) {
      if (!reader.Skip(number, wire_type)) return Malformed(node.path, "malformed Timestamp");
      continue;
    }
    if (seen[number - 1] || wire_type != kVarint || !reader.ReadVarint(&parts[number - 1])) {
      return Malformed(node.path, "malformed Timestamp");
    }
    seen[number - 1] = true;
  }
  // As ProtoBatchBuilder: seconds * 1e6 + nanos / 1000, in wrapping arithmetic.
  int64_t nanos = static_cast<int32_t>(parts[1]);
  uint64_t micros = parts[0] * 1000000u + static_cast<uint64_t>(nanos / 1000);
  PutValue(node).int64s.push_back(static_cast<int64_t>(micros));
  return true;
}

// ---- Columns ----------------------------------------------------------------------------------

void LeafColumn::Clear() {
  def.clear();
  rep.clear();
  int32s.clear();
  int64s.clear();
  bools.clear();
  floats.clear();
  doubles.clear();
  bytes.clear();
  fixed.clear();
}

namespace {

parquet::Type::type PhysicalTypeOf(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kInt32:
    case ColumnKind::kDate:
      return parquet::Type::INT32;
    case ColumnKind::kInt64:
    case ColumnKind::kTimestamp:
      return parquet::Type::INT64;
    case ColumnKind::kBool:
      return parquet::Type::BOOLEAN;
    case ColumnKind::kFloat:
      return parquet::Type::FLOAT;
    case ColumnKind::kDouble:
      return parquet::Type::DOUBLE;
    case ColumnKind::kDecimal:
      return parquet::Type::FIXED_LEN_BYTE_ARRAY;
    default:  // strings, bytes, enum labels
      return parquet::Type::BYTE_ARRAY;
  }
}

}  // namespace

// Checks the plan against the Parquet schema, leaf for leaf, and makes a column for each.
Status WireDecoder::MakeColumns(const parquet::SchemaDescriptor& parquet) {
  if (static_cast<int>(leaf_nodes_.size()) != parquet.num_columns()) {
    return Status::Internal("the Parquet schema has " + std::to_string(parquet.num_columns()) +
                            " columns, the message " + std::to_string(leaf_nodes_.size()));
  }
  columns_.assign(leaf_nodes_.size(), LeafColumn{});
  for (size_t i = 0; i < leaf_nodes_.size(); ++i) {
    const Node& node = *leaf_nodes_[i];
    const parquet::ColumnDescriptor& column = *parquet.Column(static_cast<int>(i));
    int16_t def = static_cast<int16_t>(node.ctx->def + node.optional);
    if (column.max_definition_level() != def || column.max_repetition_level() != node.ctx->rep ||
        column.physical_type() != PhysicalTypeOf(node.kind)) {
      return Status::Internal("Parquet column " + column.path()->ToDotString() +
                              " does not match field " + node.path);
    }
    columns_[i].physical_type = column.physical_type();
    columns_[i].repeated = column.max_repetition_level() > 0;
    columns_[i].type_length = column.type_length();
  }
  return Status::OK();
}

}  // namespace tradeflow::model
