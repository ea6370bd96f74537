#include "model/wire_batch_builder.h"

#include "common/arrow_status.h"
#include "model/wire_decoder.h"

namespace tradeflow::model {

using google::protobuf::Descriptor;

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
  TF_ASSIGN_OR_RETURN(out->decoder_, WireDecoder::Make(descriptor, out->batch_builder_.get()));
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
