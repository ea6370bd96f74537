// The decoder behind WireShredder (model/wire_shredder.h): serialized proto messages (wire
// bytes) decoded straight into Parquet leaf columns, without parsing them into Message objects.
// Internal to model; the contract of what it produces is stated in wire_shredder.h.
#pragma once

#include <arrow/type.h>
#include <google/protobuf/descriptor.h>
#include <parquet/schema.h>
#include <parquet/types.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/decimal.h"
#include "model/proto_schema.h"

namespace tradeflow::model {

namespace wire {
class WireReader;
class EnumLabels;
}  // namespace wire

// One Parquet leaf column of the rows decoded, Dremel-encoded: a definition and a
// repetition level per entry, and a value for each entry at the column's maximum definition level
// (in the one vector its type uses). Text values are views, not copies: into the decoded bytes,
// or into the decoder's enum labels and proto2 string defaults.
struct LeafColumn {
  std::vector<int16_t> def;
  std::vector<int16_t> rep;     // empty when the column is not inside a list or map (always 0)
  bool repeated = false;        // max repetition level > 0 (kept here for the hot path)
  std::vector<int32_t> int32s;  // int32, sint32, sfixed32, date
  std::vector<int64_t> int64s;  // int64, uint32, ..., timestamp (micros)
  std::vector<uint8_t> bools;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<parquet::ByteArray> bytes;  // strings, bytes, enum labels
  std::vector<uint8_t> fixed;             // decimals: type_length big-endian bytes each
  int type_length = 0;
  parquet::Type::type physical_type = parquet::Type::BYTE_ARRAY;

  void Clear();
};

class WireDecoder {
 public:
  ~WireDecoder();
  // `schema` must come from DeriveArrowSchema(descriptor), and `parquet` be its Parquet schema.
  static Result<std::unique_ptr<WireDecoder>> Make(const google::protobuf::Descriptor* descriptor,
                                                   const arrow::Schema& schema,
                                                   const parquet::SchemaDescriptor& parquet);

  Status AppendRow(std::string_view bytes) {
    if (ParseMessage(root_, bytes)) [[likely]] {
      return Status::OK();
    }
    return std::move(error_);
  }
  // One per leaf column of the Parquet schema, holding the rows appended so far.
  std::vector<LeafColumn>& columns() { return columns_; }

 private:
  using Kind = ColumnKind;

  struct Node;

  // The levels a value being decoded has reached, read by the nodes inside it.
  struct Context {
    int16_t def = 0;
    int16_t rep = 0;
  };

  // The fields of one message type, found by field number.
  struct Layout {
    Context ctx;                                // of the message being decoded
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

  // One field (or the element of a repeated field, or a map's key or value) and its columns.
  // Hot members first: Append touches every node of a row.
  struct Node {
    Kind kind = Kind::kString;
    bool element = false;           // a list element: kept when empty, never absent
    bool closed_enum = false;       // unknown numbers are dropped by the parser, not kept
    bool null_when_absent = false;  // a proto3 `optional` scalar (IsNullWhenAbsent)
    google::protobuf::FieldDescriptor::Type type =
        google::protobuf::FieldDescriptor::TYPE_STRING;  // how the value is encoded
    uint32_t number = 0;
    uint32_t wire_type = 2;  // length-delimited; of one value (a repeated scalar may be packed)
    uint32_t index = 0;      // in its Layout's fields
    int oneof = -1;
    uint64_t default_raw = 0;                  // an absent scalar: the raw wire bits of its default
    const wire::EnumLabels* labels = nullptr;  // kEnum
    std::unique_ptr<Layout> layout;            // kStruct
    std::vector<std::unique_ptr<Node>> children;  // kList: element; kMap: key, value

    std::string default_string;            // an absent string or bytes field
    DecimalType decimal;                   // kDecimal
    uint32_t part_numbers[3] = {0, 0, 0};  // kDecimal: value; kDate: year, month, day
    std::string path;                      // for errors

    // A string-keyed map being decoded: the previous key, to check the order.
    bool has_previous_key = false;
    std::string_view previous_key;

    // Levels and columns (Make):
    int leaf = -1;                 // a leaf: its column
    int16_t optional = 0;          // 1 when a present value adds a definition level
    int16_t rep_level = 0;         // kList, kMap: the repetition level of its elements
    std::vector<int> leaves;       // the columns at or below the node
    const Context* ctx = nullptr;  // of the value that holds this node
    Context inner;                 // kList, kMap: of the element being decoded
    int64_t elements = 0;          // kList, kMap: elements put in the current value
  };

  WireDecoder() = default;

  // ---- Plan, built by Make --------------------------------------------------------------------

  Result<std::unique_ptr<Node>> MakeNode(const google::protobuf::FieldDescriptor* field,
                                         const arrow::Field& arrow_field, const Context* ctx,
                                         bool element, const std::string& path);
  Status MakeScalar(const google::protobuf::FieldDescriptor* field, Node* node);
  Status MakeMessage(const google::protobuf::FieldDescriptor* field, Node* node);
  Status MakeChildren(const google::protobuf::FieldDescriptor* field, const arrow::DataType& type,
                      Node* node);
  Status MakeLayout(const google::protobuf::Descriptor* message, const arrow::FieldVector& fields,
                    const std::string& path, int16_t def, int16_t rep, Layout* layout);
  Status MakeColumns(const parquet::SchemaDescriptor& parquet);
  const wire::EnumLabels* LabelsFor(const google::protobuf::EnumDescriptor* type);

  // ---- Decoding, used by Append ---------------------------------------------------------------

  bool ParseMessage(Layout& layout, std::string_view bytes);
  bool ReadField(Layout& layout, Node& field, wire::WireReader& reader, uint32_t wire_type,
                 uint32_t previous, uint64_t generation);
  bool ReadRepeated(Node& field, wire::WireReader& reader, uint32_t wire_type);
  bool ReadValue(Node& node, wire::WireReader& reader, uint32_t wire_type);
  bool ReadMapEntry(Node& map, std::string_view entry);
  bool AppendAbsent(Node& node);
  bool AppendElement(Node& list, const Node& element, uint64_t raw);
  bool WrongWireType(const Node& node, uint32_t wire_type);
  bool AppendScalar(const Node& node, uint64_t raw);
  bool AppendEnum(const Node& node, int32_t number);
  bool AppendString(const Node& node, std::string_view value);
  bool AppendMessage(Node& node, std::string_view bytes);
  bool AppendDecimal(const Node& node, std::string_view bytes);
  bool AppendDate(const Node& node, std::string_view bytes);
  bool AppendTimestamp(const Node& node, std::string_view bytes);

  // ---- Levels and values ----------------------------------------------------------------------

  LeafColumn& PutValue(const Node& node) {
    LeafColumn& column = columns_[node.leaf];
    column.def.push_back(static_cast<int16_t>(node.ctx->def + node.optional));
    if (column.repeated) column.rep.push_back(node.ctx->rep);
    return column;
  }
  bool PutNull(const Node& node) {
    if (node.optional == 0)
      return Fail(Status::Internal("field " + node.path +
                                   ": null in a "
                                   "required column"));
    LeafColumn& column = columns_[node.leaf];
    column.def.push_back(node.ctx->def);
    if (column.repeated) column.rep.push_back(node.ctx->rep);
    return true;
  }
  void PutLevels(const Node& node, int def) {
    for (int leaf : node.leaves) {
      LeafColumn& column = columns_[leaf];
      column.def.push_back(static_cast<int16_t>(def));
      if (column.repeated) column.rep.push_back(node.ctx->rep);
    }
  }
  // Before each element of a list or entry of a map: the first continues the enclosing value's
  // repetition, the others repeat at the list's own level.
  void NextElement(Node& list) {
    list.inner.def = static_cast<int16_t>(list.ctx->def + list.optional + 1);
    list.inner.rep = list.elements++ == 0 ? list.ctx->rep : list.rep_level;
  }
  static parquet::ByteArray ByteArrayOf(std::string_view text) {
    return parquet::ByteArray(static_cast<uint32_t>(text.size()),
                              reinterpret_cast<const uint8_t*>(text.data()));
  }

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

  Status error_;
  Layout root_;
  std::map<const google::protobuf::EnumDescriptor*, std::unique_ptr<wire::EnumLabels>> labels_;
  uint64_t generation_ = 0;  // one per message decoded: marks the fields it has seen
  std::vector<LeafColumn> columns_;
  std::vector<const Node*> leaf_nodes_;  // by column
};

}  // namespace tradeflow::model
