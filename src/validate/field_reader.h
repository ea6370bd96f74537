// Reads one field of a message by a canonical path ("parties.book", "legs[0].quantity.value"),
// resolved once against the descriptor. Reading never creates anything: an unset message on the
// way or a list index past the end makes the field absent.
//
// transform::FieldPath does the writing side of the same syntax; validation keeps its own reader
// because it may only depend on model (docs/architecture.md).
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/decimal.h"

namespace tradeflow::validate {

// What a leaf holds, which decides the checks that apply to it.
enum class ValueKind {
  kString,
  kInteger,  // int32, int64, uint32, uint64
  kBool,
  kEnum,
  kDecimal,    // tradeflow.trade.v1.Decimal
  kDate,       // tradeflow.trade.v1.Date
  kTimestamp,  // google.protobuf.Timestamp
  kMessage,    // any other message: only presence can be checked
};

std::string_view ValueKindName(ValueKind kind);

// Whether `text` holds anything but blanks: Unicode White_Space and the invisible format
// characters that exports pad fields with (zero-width space, word joiner, BOM). Text that is not
// UTF-8 counts as text. A required text of blanks only is missing (built-in and user rules).
bool HasText(std::string_view text);

// One value read from a record. Views point into the record: use it before the record changes.
struct FieldValue {
  bool present = false;
  std::string_view text;  // kString, kDecimal (the decimal's text)
  int64_t number = 0;     // kInteger, kBool (0/1), kEnum (value number), kDate (yyyymmdd),
                          // kTimestamp (seconds)
  int32_t nanos = 0;      // kTimestamp
};

class FieldReader {
 public:
  // Invalid with the reason when a name does not exist, an index is on a non-list field, a list
  // is used without an index, or the path ends on a list or map.
  static Result<FieldReader> Resolve(const google::protobuf::Descriptor* root,
                                     const std::string& path);

  const std::string& path() const { return path_; }
  ValueKind kind() const { return kind_; }
  const google::protobuf::FieldDescriptor* leaf() const { return steps_.back().field; }
  model::DecimalType decimal_type() const { return decimal_type_; }

  // Absent as in the lake: an unset message, an empty string or decimal, an enum at 0, an
  // all-zero date. Integers and booleans have no null in proto3: present whenever reachable.
  FieldValue Read(const google::protobuf::Message& root) const;

 private:
  struct Step {
    const google::protobuf::FieldDescriptor* field;
    int index;  // list index, -1 for singular fields
  };
  std::string path_;
  std::vector<Step> steps_;
  ValueKind kind_ = ValueKind::kString;
  model::DecimalType decimal_type_;
  // The fields inside a Decimal (value), Date (year, month, day) or Timestamp (seconds, nanos).
  std::vector<const google::protobuf::FieldDescriptor*> inner_;
};

}  // namespace tradeflow::validate
