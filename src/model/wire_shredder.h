// Shreds serialized proto messages (wire bytes) into Parquet leaf columns: for each leaf, the
// definition and repetition levels and the values (Dremel's encoding, which Parquet stores), so
// that a Parquet file can be written from them column by column without the rows ever being
// Arrow arrays.
//
// Why: the batch pipeline buffers accepted records as serialized bytes (compact, cheap to sort)
// and writes them when their file is due. Parsing each back into a Message (an allocation per
// submessage and string, a virtual call per field) or building Arrow arrays that Arrow's Parquet
// writer then walks again to compute the same levels costs more; here the levels come out of one
// pass over the wire bytes, and text values are views into those bytes, not copies.
//
// Contract: for any message type whose schema comes from DeriveArrowSchema, and bytes produced by
// deterministic serialization of a message of that type, a Parquet reader reads back from the
// columns exactly the batch ProtoBatchBuilder builds from the message that was serialized (same
// values, same nulls):
//   - an absent or empty singular string, an enum at 0 or an unknown enum number, an absent
//     message, an empty Decimal and an all-zero Date are null; a present but empty Timestamp is 0;
//   - an absent number or bool is its default (0, or a proto2 [default]), never null, unless it
//     is declared `optional` in proto3: then it is null (IsNullWhenAbsent), as is such a string;
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
// where protobuf's own parsers disagree (see ReadMapEntry in wire_decoder.cc). Fields may come in
// any order, unknown field numbers are skipped, and packed and unpacked repeated scalars are both
// read. After an error the shredder holds a partial row and must be discarded.
//
// Everything about the message type (field lookup tables, levels, enum labels, decimal types) is
// resolved once in Make(); Append() uses no reflection and allocates only as columns grow.
#pragma once

#include <arrow/type.h>
#include <google/protobuf/descriptor.h>
#include <parquet/column_writer.h>
#include <parquet/schema.h>

#include <memory>
#include <string_view>

#include "common/status.h"

namespace tradeflow::model {

class WireDecoder;

class WireShredder {
 public:
  // `schema` must come from DeriveArrowSchema(descriptor), and `parquet` be its Parquet schema
  // (parquet::arrow::ToParquetSchema): one leaf column per primitive field, in schema order.
  static Result<std::unique_ptr<WireShredder>> Make(const google::protobuf::Descriptor* descriptor,
                                                    std::shared_ptr<arrow::Schema> schema,
                                                    const parquet::SchemaDescriptor& parquet);
  ~WireShredder();

  // Appends one row from the bytes of one message, serialized deterministically. The bytes must
  // stay valid until the rows are written: text values are kept as views into them.
  Status Append(std::string_view serialized);
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const;

  // Writes leaf column `column` of the rows appended since the last Clear(), with the writer of
  // that column (a parquet::TypedColumnWriter of its physical type).
  Status WriteColumn(int column, parquet::ColumnWriter* writer);
  // Forgets the rows appended so far (keeping the memory for the next ones).
  void Clear();

 private:
  WireShredder() = default;

  std::unique_ptr<WireDecoder> decoder_;
  int64_t num_rows_ = 0;
};

}  // namespace tradeflow::model
