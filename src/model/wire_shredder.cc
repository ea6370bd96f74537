#include "model/wire_shredder.h"

#include <parquet/exception.h>

#include <vector>

#include "model/wire_decoder.h"

namespace tradeflow::model {

WireShredder::~WireShredder() = default;

Result<std::unique_ptr<WireShredder>> WireShredder::Make(
    const google::protobuf::Descriptor* descriptor, std::shared_ptr<arrow::Schema> schema,
    const parquet::SchemaDescriptor& parquet) {
  auto out = std::unique_ptr<WireShredder>(new WireShredder());
  TF_ASSIGN_OR_RETURN(out->decoder_, WireDecoder::Make(descriptor, *schema, parquet));
  return out;
}

Status WireShredder::Append(std::string_view serialized) {
  TF_RETURN_IF_ERROR(decoder_->AppendRow(serialized));
  ++num_rows_;
  return Status::OK();
}

int WireShredder::num_columns() const { return static_cast<int>(decoder_->columns().size()); }

namespace {

template <typename ParquetType, typename T>
void WriteLevelsAndValues(const LeafColumn& c, parquet::ColumnWriter* writer, const T* values) {
  static_cast<parquet::TypedColumnWriter<ParquetType>*>(writer)->WriteBatch(
      static_cast<int64_t>(c.def.size()), c.def.data(), c.repeated ? c.rep.data() : nullptr,
      values);
}

}  // namespace

Status WireShredder::WriteColumn(int column, parquet::ColumnWriter* writer) {
  if (column < 0 || column >= num_columns()) {
    return Status::Internal("no column " + std::to_string(column));
  }
  const LeafColumn& c = decoder_->columns()[column];
  if (writer->type() != c.physical_type) {
    return Status::Internal("column " + std::to_string(column) + ": writer of another type");
  }
  try {
    switch (c.physical_type) {
      case parquet::Type::BOOLEAN:
        WriteLevelsAndValues<parquet::BooleanType>(c, writer,
                                                   reinterpret_cast<const bool*>(c.bools.data()));
        break;
      case parquet::Type::INT32:
        WriteLevelsAndValues<parquet::Int32Type>(c, writer, c.int32s.data());
        break;
      case parquet::Type::INT64:
        WriteLevelsAndValues<parquet::Int64Type>(c, writer, c.int64s.data());
        break;
      case parquet::Type::FLOAT:
        WriteLevelsAndValues<parquet::FloatType>(c, writer, c.floats.data());
        break;
      case parquet::Type::DOUBLE:
        WriteLevelsAndValues<parquet::DoubleType>(c, writer, c.doubles.data());
        break;
      case parquet::Type::BYTE_ARRAY:
        WriteLevelsAndValues<parquet::ByteArrayType>(c, writer, c.bytes.data());
        break;
      case parquet::Type::FIXED_LEN_BYTE_ARRAY: {
        std::vector<parquet::FixedLenByteArray> values;
        values.reserve(c.fixed.size() / std::max(c.type_length, 1));
        for (size_t at = 0; at < c.fixed.size(); at += c.type_length) {
          values.emplace_back(c.fixed.data() + at);
        }
        WriteLevelsAndValues<parquet::FLBAType>(c, writer, values.data());
        break;
      }
      default:
        return Status::Internal("column " + std::to_string(column) + ": unsupported type");
    }
  } catch (const parquet::ParquetException& e) {
    return Status::IOError(std::string("writing Parquet column: ") + e.what());
  }
  return Status::OK();
}

void WireShredder::Clear() {
  for (auto& c : decoder_->columns()) c.Clear();
  num_rows_ = 0;
}

}  // namespace tradeflow::model
