// The lake schema of a proto message, derived from its descriptor: the proto is the single source
// of truth for the table.
//
// Mapping (docs/canonical-model.md has the full table):
//   string → utf8            enum → utf8 (value name without the enum's prefix; UNSPECIFIED → null)
//   int32 → int32            int64 → int64          bool → bool        double → float64
//   tradeflow.trade.v1.Decimal → decimal128(P,S) from the field's decimal_precision/decimal_scale
//   tradeflow.trade.v1.Date → date32                google.protobuf.Timestamp → timestamp[us, UTC]
//   message → struct         repeated T → list<T>   map<K,V> → map<K,V>
// Every column is nullable: proto3 cannot tell "absent" from "default" for scalars, and a required
// Iceberg column can never be relaxed later.
//
// Field ids. Each Arrow field carries its Iceberg field id in the metadata key PARQUET:field_id.
// Ids are keyed by the column's path ("parties.book", "legs.element.quantity.value",
// "source_attributes.key"). A path already present in `existing` keeps its id; a new path gets
// the next id after `existing.last_column_id`. So the evolution rule "fields are only added" keeps
// every existing id stable, and a fresh table numbers its columns like Iceberg does (all fields of
// a struct first, then their children).
#pragma once

#include <arrow/type.h>
#include <google/protobuf/descriptor.h>

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/decimal.h"

namespace tradeflow::model {

inline constexpr char kFieldIdKey[] = "PARQUET:field_id";

struct FieldIds {
  std::map<std::string, int32_t> by_path;
  int32_t last_column_id = 0;
};

struct DerivedSchema {
  std::shared_ptr<arrow::Schema> schema;
  FieldIds ids;  // `existing` plus the ids handed out to new paths
};

Result<DerivedSchema> DeriveArrowSchema(const google::protobuf::Descriptor* message,
                                        const FieldIds& existing = {});

// The decimal type of a field of type tradeflow.trade.v1.Decimal, from its options.
DecimalType DecimalTypeOf(const google::protobuf::FieldDescriptor* field);

// True for the message types that map to a single column rather than a struct.
bool IsDecimalMessage(const google::protobuf::Descriptor* d);
bool IsDateMessage(const google::protobuf::Descriptor* d);
bool IsTimestampMessage(const google::protobuf::Descriptor* d);

// What kind of column a field (or, with `element`, one element of a repeated field) becomes: the
// one classification the Arrow builders share, so they cannot disagree on a field.
enum class ColumnKind {
  kString,
  kBinary,
  kEnum,
  kInt32,
  kInt64,  // int64 and uint32
  kBool,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTimestamp,
  kStruct,
  kList,
  kMap
};
// Invalid for a type with no Iceberg type (uint64, fixed64).
Result<ColumnKind> ColumnKindOf(const google::protobuf::FieldDescriptor* field, bool element);

// True for a scalar declared `optional` in proto3 (explicit presence): absent, it is null rather
// than its default, so that "not known" (a record that could not be parsed has no version) is not
// stored as 0. Other scalars are their default when absent, as proto3 cannot tell the two apart.
bool IsNullWhenAbsent(const google::protobuf::FieldDescriptor* field);

// "ACTION_NEW" of enum Action → "NEW"; the stored form of an enum value.
std::string EnumValueLabel(const google::protobuf::EnumValueDescriptor* value);

// Field id of an Arrow field (-1 when it has none).
int32_t FieldIdOf(const arrow::Field& field);

}  // namespace tradeflow::model
