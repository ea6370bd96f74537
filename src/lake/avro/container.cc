#include "lake/avro/container.h"

#include <random>
#include <set>

#include "lake/avro/encoder.h"

namespace tradeflow::lake::avro {

namespace {

SyncMarker RandomSyncMarker() {
  std::random_device rd;
  std::uniform_int_distribution<int> byte(0, 255);
  SyncMarker marker;
  for (char& c : marker) c = static_cast<char>(byte(rd));
  return marker;
}

Status CheckMetadataKeys(const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::set<std::string_view> seen;
  for (const auto& [key, value] : metadata) {
    if (key.starts_with("avro.")) {
      return Status::Invalid("Avro header key '" + key + "' is reserved for the container writer");
    }
    if (!seen.insert(key).second) {
      return Status::Invalid("Avro header key '" + key + "' given twice");
    }
  }
  return Status::OK();
}

}  // namespace

ContainerWriter::ContainerWriter(std::string schema_json, ContainerOptions options)
    : schema_json_(std::move(schema_json)), options_(std::move(options)) {}

void ContainerWriter::Append(std::string_view encoded_record) {
  if (blocks_.empty() || blocks_.back().data.size() >= options_.block_bytes) blocks_.emplace_back();
  Block& block = blocks_.back();
  block.data.append(encoded_record);
  ++block.count;
}

Result<std::string> ContainerWriter::Finish() {
  TF_RETURN_IF_ERROR(CheckMetadataKeys(options_.metadata));
  const SyncMarker sync = options_.sync_marker.value_or(RandomSyncMarker());
  const std::string_view sync_bytes(sync.data(), sync.size());

  Encoder out;
  out.WriteFixed(kMagic);
  // The header metadata is an Avro map<bytes>: one block holding every entry, then the 0 end.
  out.WriteBlockCount(static_cast<int64_t>(options_.metadata.size() + 2));
  out.WriteString("avro.schema");
  out.WriteBytes(schema_json_);
  out.WriteString("avro.codec");
  out.WriteBytes(CodecName(options_.codec));
  for (const auto& [key, value] : options_.metadata) {
    out.WriteString(key);
    out.WriteBytes(value);
  }
  out.WriteBlockEnd();
  out.WriteFixed(sync_bytes);

  for (const Block& block : blocks_) {
    out.WriteLong(block.count);
    if (options_.codec == Codec::kDeflate) {
      TF_ASSIGN_OR_RETURN(std::string compressed, DeflateRaw(block.data));
      out.WriteBytes(compressed);
    } else {
      out.WriteBytes(block.data);
    }
    out.WriteFixed(sync_bytes);
  }
  blocks_.clear();
  return out.Release();
}

Result<std::string> WriteContainer(std::string schema_json,
                                   const std::vector<std::string>& encoded_records,
                                   ContainerOptions options) {
  ContainerWriter writer(std::move(schema_json), std::move(options));
  for (const std::string& record : encoded_records) writer.Append(record);
  return writer.Finish();
}

}  // namespace tradeflow::lake::avro
