// Writer of Avro Object Container Files (Avro 1.11 spec, "Object Container Files").
//
// Why hand-written: Debian's libavro (C) hard-codes the header to avro.codec and avro.schema and
// drops schema attributes such as field-id, element-id and logicalType when it serializes a
// schema. Iceberg manifests need both: extra header keys (schema, partition-spec,
// format-version, ...) and field ids in the writer schema, which readers such as pyiceberg and
// DuckDB bind columns by. So we write the container ourselves; it is a small format:
//
//   file   := "Obj\x01" metadata:map<bytes> sync:fixed[16] block*
//   block  := object_count:long byte_size:long data[byte_size] sync:fixed[16]
//
// The schema JSON is stored verbatim in "avro.schema", so every attribute survives. Records are
// passed in already encoded (see encoder.h); the writer does not check them against the schema.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lake/avro/codec.h"

namespace tradeflow::lake::avro {

constexpr std::string_view kMagic{"Obj\x01", 4};
constexpr size_t kSyncSize = 16;
using SyncMarker = std::array<char, kSyncSize>;

struct ContainerOptions {
  Codec codec = Codec::kNull;  // null is the one codec every reader accepts
  // User header keys in the order written, e.g. {"format-version", "2"}. Keys must be unique and
  // must not start with "avro." (reserved by the spec; the writer sets avro.schema/avro.codec).
  std::vector<std::pair<std::string, std::string>> metadata;
  // A new block starts once the current one holds this many encoded bytes.
  size_t block_bytes = 64 * 1024;
  // Fixed marker for reproducible output in tests; random (std::random_device) when unset.
  std::optional<SyncMarker> sync_marker;
};

class ContainerWriter {
 public:
  ContainerWriter(std::string schema_json, ContainerOptions options);

  // Adds one record, already encoded per the schema.
  void Append(std::string_view encoded_record);

  // The complete file. Invalid for bad metadata keys; Internal if compression fails.
  // REQUIRES: called once; no Append afterwards.
  Result<std::string> Finish();

 private:
  struct Block {
    int64_t count = 0;  // records in `data`
    std::string data;   // encoded records, uncompressed
  };

  std::string schema_json_;
  ContainerOptions options_;
  std::vector<Block> blocks_;  // the last one is being filled
};

// One-shot form of ContainerWriter.
Result<std::string> WriteContainer(std::string schema_json,
                                   const std::vector<std::string>& encoded_records,
                                   ContainerOptions options);

}  // namespace tradeflow::lake::avro
