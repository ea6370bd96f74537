// Turns serialized proto messages (wire bytes) into Arrow record batches, without parsing them
// into Message objects first.
//
// Why: the batch pipeline buffers accepted records as serialized bytes (compact, cheap to sort)
// and converts them at flush time. Parsing each record back into a Message and walking it by
// reflection (ProtoBatchBuilder) costs an allocation per submessage and string plus a virtual
// call per field; here each field's bytes go straight from the wire into its Arrow builder.
//
// Contract: for any message type whose schema comes from DeriveArrowSchema, and bytes produced by
// deterministic serialization of a message of that type, the batch is identical to the one
// ProtoBatchBuilder builds from the message that was serialized (same values, same nulls):
//   - an absent or empty singular string, an enum at 0 or an unknown enum number, an absent
//     message, an empty Decimal and an all-zero Date are null; a present but empty Timestamp is 0;
//   - an absent number or bool is its default (0, or a proto2 [default]), never null;
//   - an absent repeated field or map is an empty list or map; elements of a repeated string are
//     kept when empty; a map key is never null.
//
// Map entries are stored in wire order. Deterministic serialization sorts them by key, which is
// the order ProtoBatchBuilder sorts string keys into; a string-keyed map that is not sorted (or has
// a duplicate key) is rejected rather than stored differently. Other key types ProtoBatchBuilder
// leaves in hash-map order; here they are in key order, as serialized.
//
// Input the deterministic serializer never writes is rejected with Invalid naming the field,
// rather than guessed at: a singular field or a second member of a oneof appearing twice, a
// repeated field split by another field, a known field with the wrong wire type, and two map cases
// where protobuf's own parsers disagree (see ReadMapEntry in the .cc). Fields may come in any
// order, unknown field numbers are skipped, and packed and unpacked repeated scalars are both
// read. After an error the builder holds a partial row and must be discarded.
//
// Everything about the message type (field lookup tables, Arrow builders, enum labels, decimal
// types) is resolved once in Make(); Append() uses no reflection and allocates nothing beyond
// what the Arrow builders need.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/table_builder.h>
#include <google/protobuf/descriptor.h>

#include <memory>
#include <string_view>

#include "common/status.h"

namespace tradeflow::model {

class WireDecoder;

class WireBatchBuilder {
 public:
  // `schema` must come from DeriveArrowSchema(descriptor) (field order and types are relied on).
  static Result<std::unique_ptr<WireBatchBuilder>> Make(
      const google::protobuf::Descriptor* descriptor, std::shared_ptr<arrow::Schema> schema);
  ~WireBatchBuilder();

  // Appends one row from the bytes of one message of `descriptor`, as SerializeToString or
  // SerializeToArray write them with deterministic serialization (map entries sorted by key).
  Status Append(std::string_view serialized);
  int64_t num_rows() const { return num_rows_; }

  // Optional: makes room for `rows` more rows in every builder that gets one value per row.
  Status Reserve(int64_t rows);

  // Returns the rows appended since the last Finish() and starts a new batch.
  Result<std::shared_ptr<arrow::RecordBatch>> Finish();

 private:
  WireBatchBuilder() = default;

  std::unique_ptr<arrow::RecordBatchBuilder> batch_builder_;
  std::unique_ptr<WireDecoder> decoder_;
  int64_t num_rows_ = 0;
};

}  // namespace tradeflow::model
