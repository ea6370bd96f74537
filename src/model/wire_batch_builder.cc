// The wire format is decoded by hand: protobuf's public API can parse bytes only into a Message
// (or skip them), it has no way to stream the fields of a message into builders of our own. The
// subset needed is small and stable (varints, fixed 32/64-bit values, length-delimited values,
// groups to skip), see https://protobuf.dev/programming-guides/encoding/.
#include "model/wire_batch_builder.h"

#include <arrow/builder.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/arrow_status.h"
#include "model/civil_date.h"
#include "model/decimal.h"
#include "model/proto_schema.h"

namespace tradeflow::model {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

namespace {

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

}  // namespace

class WireBatchBuilder::Decoder {
 public:
  static Result<std::unique_ptr<Decoder>> Make(const Descriptor* descriptor,
                                               arrow::RecordBatchBuilder* batch_builder);

  Status AppendRow(std::string_view bytes) {
    if (ParseMessage(root_, bytes)) [[likely]] {
      return Status::OK();
    }
    return std::move(error_);
  }
  Status Reserve(int64_t rows) { return ReserveLayout(root_, rows); }
  // Appends the nulls still counted (see AppendAbsent); call before the builders are finished.
  Status FlushNulls() {
    for (auto& field : root_.fields) {
      if (!FlushTree(*field)) return std::move(error_);
    }
    return Status::OK();
  }

 private:
  using Kind = ColumnKind;

  struct Node;

  // The fields of one message type, found by field number.
  struct Layout {
    std::string path;                           // for errors: the message's column path
    std::vector<std::unique_ptr<Node>> fields;  // declaration order
    std::vector<Node*> by_number;               // dense: index = field number
    std::vector<Node*> sorted;                  // sparse numbers: sorted by number
    // Per message being decoded: the generation that saw each field (by index) and each oneof.
    std::vector<uint64_t> seen;
    std::vector<uint64_t> oneof_seen;

    Node* Find(uint32_t number) const {
      if (number < by_number.size()) return by_number[number];
      if (!by_number.empty()) return nullptr;
      auto it = std::lower_bound(sorted.begin(), sorted.end(), number,
                                 [](const Node* n, uint32_t v) { return n->number < v; });
      return it != sorted.end() && (*it)->number == number ? *it : nullptr;
    }
  };

  // One field (or the element of a repeated field, or a map's key or value) and its builder.
  // Hot members first: Append touches every node of a row.
  struct Node {
    Kind kind = Kind::kString;
    bool element = false;      // a list element: kept when empty, never absent
    bool closed_enum = false;  // unknown numbers are dropped by the parser, not kept
    FieldDescriptor::Type type = FieldDescriptor::TYPE_STRING;  // how the value is encoded
    uint32_t number = 0;
    uint32_t wire_type = kLengthDelimited;  // of one value; a repeated scalar may also be packed
    uint32_t index = 0;                     // in its Layout's fields
    int oneof = -1;
    arrow::ArrayBuilder* builder = nullptr;
    uint64_t default_raw = 0;            // an absent scalar: the raw wire bits of its default
    const EnumLabels* labels = nullptr;  // kEnum
    std::unique_ptr<Layout> layout;      // kStruct
    std::vector<std::unique_ptr<Node>> children;  // kList: element; kMap: key, value

    std::string default_string;            // an absent string or bytes field
    DecimalType decimal;                   // kDecimal
    uint32_t part_numbers[3] = {0, 0, 0};  // kDecimal: value; kDate: year, month, day
    std::string path;                      // for errors

    // A string-keyed map being decoded: the previous key, to check the order.
    bool has_previous_key = false;
    std::string_view previous_key;

    int64_t pending_nulls = 0;  // kStruct: absent values not appended yet (see AppendAbsent)
  };

  Decoder() = default;

  // ---- Plan, built by Make --------------------------------------------------------------------

  Result<std::unique_ptr<Node>> MakeNode(const FieldDescriptor* field, arrow::ArrayBuilder* builder,
                                         bool element, const std::string& path);
  Status MakeScalar(const FieldDescriptor* field, Node* node);
  Status MakeMessage(const FieldDescriptor* field, Node* node);
  Status MakeChildren(const FieldDescriptor* field, Node* node);
  Status MakeLayout(const Descriptor* message, const std::vector<arrow::ArrayBuilder*>& builders,
                    const std::string& path, Layout* layout);
  const EnumLabels* LabelsFor(const EnumDescriptor* type);

  // ---- Decoding, used by Append ---------------------------------------------------------------

  bool ParseMessage(Layout& layout, std::string_view bytes);
  bool ReadField(Layout& layout, Node& field, WireReader& reader, uint32_t wire_type,
                 uint32_t previous, uint64_t generation);
  bool ReadRepeated(Node& field, WireReader& reader, uint32_t wire_type);
  bool ReadValue(Node& node, WireReader& reader, uint32_t wire_type);
  bool ReadMapEntry(Node& map, std::string_view entry);
  bool AppendAbsent(Node& node);
  bool AppendCountedNulls(Node& node);
  bool FlushTree(Node& node);
  bool AppendScalar(const Node& node, uint64_t raw);
  bool AppendEnum(const Node& node, int32_t number);
  bool AppendString(const Node& node, std::string_view value);
  bool AppendMessage(Node& node, std::string_view bytes);
  bool AppendDecimal(const Node& node, std::string_view bytes);
  bool AppendDate(const Node& node, std::string_view bytes);
  bool AppendTimestamp(const Node& node, std::string_view bytes);
  Status ReserveLayout(Layout& layout, int64_t rows);

  static arrow::Type::type ArrowTypeOf(Kind kind) {
    switch (kind) {
      case Kind::kString:
      case Kind::kEnum:
        return arrow::Type::STRING;
      case Kind::kBinary:
        return arrow::Type::BINARY;
      case Kind::kInt32:
        return arrow::Type::INT32;
      case Kind::kInt64:
        return arrow::Type::INT64;
      case Kind::kBool:
        return arrow::Type::BOOL;
      case Kind::kFloat:
        return arrow::Type::FLOAT;
      case Kind::kDouble:
        return arrow::Type::DOUBLE;
      case Kind::kDecimal:
        return arrow::Type::DECIMAL128;
      case Kind::kDate:
        return arrow::Type::DATE32;
      case Kind::kTimestamp:
        return arrow::Type::TIMESTAMP;
      case Kind::kStruct:
        return arrow::Type::STRUCT;
      case Kind::kList:
        return arrow::Type::LIST;
      case Kind::kMap:
        return arrow::Type::MAP;
    }
    return arrow::Type::NA;
  }
  static bool IsScalar(Kind kind) {
    return kind == Kind::kEnum || kind == Kind::kInt32 || kind == Kind::kInt64 ||
           kind == Kind::kBool || kind == Kind::kFloat || kind == Kind::kDouble;
  }

  // Decoding functions return false after storing the error here: cheaper than a Status per
  // value on the hot path.
  bool Fail(Status st) {
    error_ = std::move(st);
    return false;
  }
  bool Malformed(const std::string& path, std::string_view what) {
    return Fail(Status::Invalid("field " + path + ": " + std::string(what)));
  }
  bool Check(const arrow::Status& st) {
    if (st.ok()) [[likely]] {
      return true;
    }
    return Fail(FromArrow(st));
  }

  Status error_;
  Layout root_;
  std::map<const EnumDescriptor*, std::unique_ptr<EnumLabels>> labels_;
  uint64_t generation_ = 0;  // one per message decoded: marks the fields it has seen
};

// ---- Plan -------------------------------------------------------------------------------------

Result<std::unique_ptr<WireBatchBuilder::Decoder>> WireBatchBuilder::Decoder::Make(
    const Descriptor* descriptor, arrow::RecordBatchBuilder* batch_builder) {
  auto decoder = std::unique_ptr<Decoder>(new Decoder());
  std::vector<arrow::ArrayBuilder*> builders;
  for (int i = 0; i < batch_builder->num_fields(); ++i) {
    builders.push_back(batch_builder->GetField(i));
  }
  TF_RETURN_IF_ERROR(decoder->MakeLayout(descriptor, builders, "", &decoder->root_));
  decoder->root_.path = descriptor->full_name();
  return decoder;
}

Status WireBatchBuilder::Decoder::MakeLayout(const Descriptor* message,
                                             const std::vector<arrow::ArrayBuilder*>& builders,
                                             const std::string& path, Layout* layout) {
  if (static_cast<int>(builders.size()) != message->field_count()) {
    return Status::Internal("schema does not match message " + message->full_name());
  }
  layout->path = path;
  uint32_t max_number = 0;
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* f = message->field(i);
    std::string field_path = path.empty() ? f->name() : path + "." + f->name();
    TF_ASSIGN_OR_RETURN(auto node, MakeNode(f, builders[i], false, field_path));
    if (f->containing_oneof() != nullptr) node->oneof = f->containing_oneof()->index();
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

Result<std::unique_ptr<WireBatchBuilder::Decoder::Node>> WireBatchBuilder::Decoder::MakeNode(
    const FieldDescriptor* field, arrow::ArrayBuilder* builder, bool element,
    const std::string& path) {
  auto node = std::make_unique<Node>();
  node->type = field->type();
  node->number = static_cast<uint32_t>(field->number());
  node->element = element;
  node->path = path;
  node->builder = builder;
  TF_ASSIGN_OR_RETURN(node->kind, ColumnKindOf(field, element));
  // Maps and lists get nodes for their elements (MakeChildren); values need their wire details.
  if (node->kind != Kind::kMap && node->kind != Kind::kList) {
    TF_RETURN_IF_ERROR(field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                           ? MakeMessage(field, node.get())
                           : MakeScalar(field, node.get()));
  }
  // Append() casts builders to the class the kind implies: check them once here.
  if (builder->type()->id() != ArrowTypeOf(node->kind)) {
    return Status::Internal("schema does not match field " + field->full_name() + ": " +
                            builder->type()->ToString());
  }
  TF_RETURN_IF_ERROR(MakeChildren(field, node.get()));
  return node;
}

Status WireBatchBuilder::Decoder::MakeChildren(const FieldDescriptor* field, Node* node) {
  switch (node->kind) {
    case Kind::kMap: {
      auto* map = static_cast<arrow::MapBuilder*>(node->builder);
      const Descriptor* entry = field->message_type();
      TF_ASSIGN_OR_RETURN(
          auto key, MakeNode(entry->map_key(), map->key_builder(), false, node->path + ".key"));
      TF_ASSIGN_OR_RETURN(auto value, MakeNode(entry->map_value(), map->item_builder(), false,
                                               node->path + ".value"));
      node->children.push_back(std::move(key));
      node->children.push_back(std::move(value));
      return Status::OK();
    }
    case Kind::kList: {
      auto* list = static_cast<arrow::ListBuilder*>(node->builder);
      TF_ASSIGN_OR_RETURN(auto element, MakeNode(field, list->value_builder(), true, node->path));
      node->children.push_back(std::move(element));
      return Status::OK();
    }
    case Kind::kStruct: {
      auto* st = static_cast<arrow::StructBuilder*>(node->builder);
      std::vector<arrow::ArrayBuilder*> builders;
      for (int i = 0; i < st->num_fields(); ++i) builders.push_back(st->field_builder(i));
      node->layout = std::make_unique<Layout>();
      return MakeLayout(field->message_type(), builders, node->path, node->layout.get());
    }
    default:
      return Status::OK();
  }
}

Status WireBatchBuilder::Decoder::MakeScalar(const FieldDescriptor* field, Node* node) {
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

Status WireBatchBuilder::Decoder::MakeMessage(const FieldDescriptor* field, Node* node) {
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
  if (IsTimestampMessage(m)) {  // seconds = 1, nanos = 2, fixed by the well-known type
    return Status::OK();
  }
  return Status::OK();
}

const EnumLabels* WireBatchBuilder::Decoder::LabelsFor(const EnumDescriptor* type) {
  auto& labels = labels_[type];
  if (labels == nullptr) labels = std::make_unique<EnumLabels>(type);
  return labels.get();
}

// ---- Decoding ---------------------------------------------------------------------------------

// Decodes the fields of one message into their builders, then gives every field the message did
// not carry its absent value.
bool WireBatchBuilder::Decoder::ParseMessage(Layout& layout, std::string_view bytes) {
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
    if (layout.seen[i] != generation && !AppendAbsent(*layout.fields[i])) return false;
  }
  return true;
}

bool WireBatchBuilder::Decoder::ReadField(Layout& layout, Node& field, WireReader& reader,
                                          uint32_t wire_type, uint32_t previous,
                                          uint64_t generation) {
  if (field.kind == Kind::kList || field.kind == Kind::kMap) {
    uint64_t& seen = layout.seen[field.index];
    if (seen != generation) {
      seen = generation;
      field.has_previous_key = false;
      arrow::Status st = field.kind == Kind::kList
                             ? static_cast<arrow::ListBuilder*>(field.builder)->Append()
                             : static_cast<arrow::MapBuilder*>(field.builder)->Append();
      if (!Check(st)) return false;
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
bool WireBatchBuilder::Decoder::ReadRepeated(Node& field, WireReader& reader, uint32_t wire_type) {
  if (field.kind == Kind::kMap) {
    std::string_view entry;
    if (wire_type != kLengthDelimited || !reader.ReadLengthDelimited(&entry)) {
      return Malformed(field.path, "malformed map entry");
    }
    return ReadMapEntry(field, entry);
  }
  Node& element = *field.children[0];
  if (wire_type != kLengthDelimited || !IsScalar(element.kind)) {
    return ReadValue(element, reader, wire_type);
  }
  std::string_view packed;
  if (!reader.ReadLengthDelimited(&packed)) return Malformed(field.path, "truncated");
  WireReader values(packed);
  while (!values.done()) {
    uint64_t raw;
    if (!values.ReadScalar(element.wire_type, &raw)) {
      return Malformed(field.path, "malformed packed values");
    }
    if (!AppendScalar(element, raw)) return false;
  }
  return true;
}

// One value of a singular field, a list element or a map value.
bool WireBatchBuilder::Decoder::ReadValue(Node& node, WireReader& reader, uint32_t wire_type) {
  if (wire_type != node.wire_type) {
    return Malformed(node.path, "wire type " + std::to_string(wire_type) + ", expected " +
                                    std::to_string(node.wire_type));
  }
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
bool WireBatchBuilder::Decoder::ReadMapEntry(Node& map, std::string_view entry) {
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
    if (!Check(static_cast<arrow::BinaryBuilder*>(key.builder)->Append(text))) return false;
  } else if (has_key) {
    if (!ReadValue(key, key_reader, key.wire_type)) return false;
  } else {
    if (!AppendScalar(key, key.default_raw)) return false;
  }
  if (has_value) return ReadValue(value, value_reader, value.wire_type);
  return AppendAbsent(value);  // a Decimal or Date is null whether absent or empty
}

// An absent struct is counted, not appended. StructBuilder::AppendNull appends an empty value to
// every field below it, one virtual call each, and absent structs hold most of a row's columns
// (a swap leg has no physical, option or fixed terms). The count goes in as one AppendNulls when
// the struct next has a value, or when the batch is finished.
bool WireBatchBuilder::Decoder::AppendAbsent(Node& node) {
  switch (node.kind) {
    case Kind::kList:
      return Check(static_cast<arrow::ListBuilder*>(node.builder)->Append());
    case Kind::kMap:
      return Check(static_cast<arrow::MapBuilder*>(node.builder)->Append());
    case Kind::kStruct:
      ++node.pending_nulls;
      return true;
    case Kind::kDecimal:
    case Kind::kDate:
    case Kind::kTimestamp:
      return Check(node.builder->AppendNull());
    case Kind::kString:
    case Kind::kBinary:
      return AppendString(node, node.default_string);
    default:
      return AppendScalar(node, node.default_raw);
  }
}

bool WireBatchBuilder::Decoder::AppendCountedNulls(Node& node) {
  if (node.pending_nulls == 0) return true;
  return Check(node.builder->AppendNulls(std::exchange(node.pending_nulls, 0)));
}

// Appends every counted null at and below `node`, deepest first: before a struct with counted
// nulls takes its next value, and at the end of a batch. The fields' nulls go first because they
// were counted in earlier rows (a field is only decoded while its struct has a value, which
// flushes the struct), and the struct's AppendNulls appends an empty, valid value to each of its
// fields for its own, later rows.
bool WireBatchBuilder::Decoder::FlushTree(Node& node) {
  if (node.layout != nullptr) {
    for (auto& field : node.layout->fields) {
      if (!FlushTree(*field)) return false;
    }
  }
  for (auto& child : node.children) {
    if (!FlushTree(*child)) return false;
  }
  return AppendCountedNulls(node);
}

bool WireBatchBuilder::Decoder::AppendScalar(const Node& node, uint64_t raw) {
  arrow::ArrayBuilder* b = node.builder;
  switch (node.type) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return Check(static_cast<arrow::Int32Builder*>(b)->Append(static_cast<int32_t>(raw)));
    case FieldDescriptor::TYPE_SINT32:
      return Check(
          static_cast<arrow::Int32Builder*>(b)->Append(ZigZagDecode32(static_cast<uint32_t>(raw))));
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return Check(static_cast<arrow::Int64Builder*>(b)->Append(static_cast<uint32_t>(raw)));
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return Check(static_cast<arrow::Int64Builder*>(b)->Append(static_cast<int64_t>(raw)));
    case FieldDescriptor::TYPE_SINT64:
      return Check(static_cast<arrow::Int64Builder*>(b)->Append(ZigZagDecode64(raw)));
    case FieldDescriptor::TYPE_BOOL:
      return Check(static_cast<arrow::BooleanBuilder*>(b)->Append(raw != 0));
    case FieldDescriptor::TYPE_FLOAT:
      return Check(static_cast<arrow::FloatBuilder*>(b)->Append(
          std::bit_cast<float>(static_cast<uint32_t>(raw))));
    case FieldDescriptor::TYPE_DOUBLE:
      return Check(static_cast<arrow::DoubleBuilder*>(b)->Append(std::bit_cast<double>(raw)));
    case FieldDescriptor::TYPE_ENUM:
      return AppendEnum(node, static_cast<int32_t>(raw));
    default:
      return Fail(Status::Internal("field " + node.path + ": not a scalar"));
  }
}

bool WireBatchBuilder::Decoder::AppendEnum(const Node& node, int32_t number) {
  const std::string* label = node.labels->Find(number);
  if (label == nullptr && node.closed_enum) {
    // The parser keeps an unknown number of a closed enum out of the field: an element is
    // dropped, a singular field reads as its default.
    if (node.element) return true;
    number = static_cast<int32_t>(node.default_raw);
    label = node.labels->Find(number);
  }
  if (number == 0 || label == nullptr) return Check(node.builder->AppendNull());
  return Check(static_cast<arrow::StringBuilder*>(node.builder)->Append(*label));
}

bool WireBatchBuilder::Decoder::AppendString(const Node& node, std::string_view value) {
  if (value.empty() && !node.element) return Check(node.builder->AppendNull());
  return Check(static_cast<arrow::BinaryBuilder*>(node.builder)->Append(value));
}

// A message value that is present (possibly empty).
bool WireBatchBuilder::Decoder::AppendMessage(Node& node, std::string_view bytes) {
  switch (node.kind) {
    case Kind::kDecimal:
      return AppendDecimal(node, bytes);
    case Kind::kDate:
      return AppendDate(node, bytes);
    case Kind::kTimestamp:
      return AppendTimestamp(node, bytes);
    case Kind::kStruct:
      if (node.pending_nulls != 0 && !FlushTree(node)) return false;
      if (!Check(static_cast<arrow::StructBuilder*>(node.builder)->Append())) return false;
      return ParseMessage(*node.layout, bytes);
    default:
      return Fail(Status::Internal("field " + node.path + ": not a message"));
  }
}

bool WireBatchBuilder::Decoder::AppendDecimal(const Node& node, std::string_view bytes) {
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
  if (text.empty()) return Check(node.builder->AppendNull());
  auto value = ParseDecimal(text, node.decimal);
  if (!value.ok()) return Fail(value.status().WithContext("field " + node.path));
  return Check(static_cast<arrow::Decimal128Builder*>(node.builder)->Append(*value));
}

bool WireBatchBuilder::Decoder::AppendDate(const Node& node, std::string_view bytes) {
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
  if (parts[0] == 0 && parts[1] == 0 && parts[2] == 0) return Check(node.builder->AppendNull());
  int32_t days = 0;
  if (!DaysSinceEpoch(parts[0], parts[1], parts[2], &days)) {
    return Malformed(node.path, "not a valid date");
  }
  return Check(static_cast<arrow::Date32Builder*>(node.builder)->Append(days));
}

bool WireBatchBuilder::Decoder::AppendTimestamp(const Node& node, std::string_view bytes) {
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
  return Check(
      static_cast<arrow::TimestampBuilder*>(node.builder)->Append(static_cast<int64_t>(micros)));
}

// Singular structs get one value per row too, so their fields are reserved with them.
Status WireBatchBuilder::Decoder::ReserveLayout(Layout& layout, int64_t rows) {
  for (auto& field : layout.fields) {
    TF_RETURN_IF_ARROW_ERROR(field->builder->Reserve(rows));
    if (field->layout != nullptr) TF_RETURN_IF_ERROR(ReserveLayout(*field->layout, rows));
  }
  return Status::OK();
}

// ---- WireBatchBuilder -------------------------------------------------------------------------

WireBatchBuilder::~WireBatchBuilder() = default;

Result<std::unique_ptr<WireBatchBuilder>> WireBatchBuilder::Make(
    const Descriptor* descriptor, std::shared_ptr<arrow::Schema> schema) {
  if (schema->num_fields() != descriptor->field_count()) {
    return Status::Internal("schema has " + std::to_string(schema->num_fields()) +
                            " fields, message " + descriptor->full_name() + " has " +
                            std::to_string(descriptor->field_count()));
  }
  auto out = std::unique_ptr<WireBatchBuilder>(new WireBatchBuilder());
  TF_ASSIGN_OR_RETURN_ARROW(out->batch_builder_,
                            arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool()));
  TF_ASSIGN_OR_RETURN(out->decoder_, Decoder::Make(descriptor, out->batch_builder_.get()));
  return out;
}

Status WireBatchBuilder::Append(std::string_view serialized) {
  TF_RETURN_IF_ERROR(decoder_->AppendRow(serialized));
  ++num_rows_;
  return Status::OK();
}

Status WireBatchBuilder::Reserve(int64_t rows) { return decoder_->Reserve(rows); }

Result<std::shared_ptr<arrow::RecordBatch>> WireBatchBuilder::Finish() {
  TF_RETURN_IF_ERROR(decoder_->FlushNulls());
  TF_ASSIGN_OR_RETURN_ARROW(auto batch, batch_builder_->Flush());
  num_rows_ = 0;
  return batch;
}

}  // namespace tradeflow::model
