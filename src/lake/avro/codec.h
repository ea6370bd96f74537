// Block codecs of the Avro Object Container File: "null" (stored as-is) and "deflate".
//
// Avro's deflate is *raw* RFC 1951 data: no zlib header and no checksum, unlike zlib's default
// format. Getting that wrong produces files that Java, fastavro and pyiceberg cannot read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::lake::avro {

enum class Codec { kNull, kDeflate };

// The value of the "avro.codec" header key.
std::string_view CodecName(Codec codec);

// The codec named by an "avro.codec" value. Invalid for codecs we cannot decode
// (snappy, zstandard, bzip2, xz).
Result<Codec> ParseCodec(std::string_view name);

// Raw-deflates `data`.
Result<std::string> DeflateRaw(std::string_view data);

// Inflates raw deflate data. Invalid if it is corrupt, truncated, or would expand beyond
// `max_output` bytes (so a crafted block cannot exhaust memory).
Result<std::string> InflateRaw(std::string_view data, size_t max_output);

}  // namespace tradeflow::lake::avro
