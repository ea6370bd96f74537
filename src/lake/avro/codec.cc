#include "lake/avro/codec.h"

#include <zlib.h>

#include <limits>

namespace tradeflow::lake::avro {

namespace {

// Negative window bits select raw deflate (no zlib header/trailer), as Avro requires.
constexpr int kRawWindowBits = -15;

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNull:
      return "null";
    case Codec::kDeflate:
      return "deflate";
  }
  return "null";
}

Result<Codec> ParseCodec(std::string_view name) {
  if (name.empty() || name == "null") return Codec::kNull;
  if (name == "deflate") return Codec::kDeflate;
  return Status::Invalid("unsupported Avro codec '" + std::string(name) +
                         "' (supported: null, deflate)");
}

Result<std::string> DeflateRaw(std::string_view data) {
  if (data.size() > std::numeric_limits<uInt>::max()) {
    return Status::Internal("deflate input too large");
  }
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  // deflateBound guarantees a single Z_FINISH call completes.
  if (rc != Z_STREAM_END) return Status::Internal("deflate failed: " + std::to_string(rc));
  out.resize(produced);
  return out;
}

Result<std::string> InflateRaw(std::string_view data, size_t max_output) {
  if (data.size() > std::numeric_limits<uInt>::max()) {
    return Status::Invalid("deflate block too large");
  }
  z_stream zs{};
  if (inflateInit2(&zs, kRawWindowBits) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      std::string why = zs.msg ? zs.msg : "zlib error " + std::to_string(rc);
      inflateEnd(&zs);
      if (rc == Z_BUF_ERROR) return Status::Invalid("deflate data is truncated");
      return Status::Invalid("deflate data is corrupt: " + why);
    }
    size_t produced = sizeof(chunk) - zs.avail_out;
    if (out.size() + produced > max_output) {
      inflateEnd(&zs);
      return Status::Invalid("deflate block expands beyond " + std::to_string(max_output) +
                             " bytes");
    }
    out.append(chunk, produced);
    if (rc == Z_OK && zs.avail_in == 0 && produced == 0) {
      inflateEnd(&zs);
      return Status::Invalid("deflate data is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace tradeflow::lake::avro
