// Generic reader of Avro Object Container Files (see container.h for the layout).
//
// Decodes every record with the writer schema from the file's own header into Value trees; no
// reader schema or schema resolution is involved, so callers look fields up by name or field
// id. Supports the null and deflate codecs, which covers what Java Iceberg, pyiceberg and our
// own writer produce for manifests.
//
// Malformed, truncated or hostile input yields Status::Invalid whose message starts with the
// file name and says what was wrong where ("m0.avro: block 2: at byte 17: truncated varint").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "lake/avro/codec.h"
#include "lake/avro/schema.h"
#include "lake/avro/value.h"

namespace tradeflow::lake::avro {

struct ContainerFile {
  // Header metadata in file order, including "avro.schema" and "avro.codec".
  std::vector<std::pair<std::string, std::string>> metadata;
  Codec codec = Codec::kNull;
  std::shared_ptr<const Schema> schema;  // the writer schema; the records point into it
  std::vector<Value> records;

  // The value of header key `key`, or nullptr.
  const std::string* FindMetadata(std::string_view key) const;
};

// Parses a whole container file held in memory. `file_name` is only used in error messages.
Result<ContainerFile> ReadContainer(std::string_view bytes, std::string_view file_name);

// Reads and parses the file at `path` (NotFound if it does not exist).
Result<ContainerFile> ReadContainerFile(const std::string& path);

}  // namespace tradeflow::lake::avro
