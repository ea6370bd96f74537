// Shreds serialized proto messages (wire bytes) into Parquet leaf columns: for each leaf, the
// definition and repetition levels and the values (Dremel's encoding, which Parquet stores), so
// that a Parquet file can be written from them column by column without the rows ever being
// Arrow arrays.
//
// Why: writing through Arrow meant building every row into Arrow builders, after which Arrow's
// Parquet writer walked the arrays again to compute the same levels. Here the levels come out of
// the one pass over the wire bytes, and text values are views into those bytes, not copies.
//
// Contract: what a Parquet reader reads back from columns written by WriteColumn is exactly the
// batch WireBatchBuilder builds from the same bytes (model/wire_batch_builder.h states the
// mapping: which absent values are null, which are defaults, map order, rejected input).
// Decoding errors are the same too; after one the shredder holds a partial row and must be
// discarded.
#pragma once

#include <arrow/table_builder.h>
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

  std::unique_ptr<arrow::RecordBatchBuilder> shape_;  // the decoder's plan; never appended to
  std::unique_ptr<WireDecoder> decoder_;
  int64_t num_rows_ = 0;
};

}  // namespace tradeflow::model
