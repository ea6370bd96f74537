// Helpers shared by the sources tests (header only; not part of the library).
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sources/record_source.h"

namespace tradeflow::sources::testing {

// Writes `content` to a fresh file under the temp folder and returns its path.
inline std::string WriteTempFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / "tf_sources_test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

// One gzip member holding `data`.
inline std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// One zstd frame holding `data`.
inline std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// Everything a source gives, good records and malformed ones alike.
struct Drained {
  std::vector<SourceRecord> good;
  std::vector<SourceRecord> bad;  // raw/line/location as the source filled them
  std::vector<std::string> errors;
  Status fatal;  // a non-Invalid error, which ends the read
};

inline Drained DrainSource(RecordSource* source, int limit = 100000) {
  Drained d;
  for (int i = 0; i < limit; ++i) {
    SourceRecord rec;
    auto more = source->Next(&rec);
    if (!more.ok()) {
      if (more.status().code() != StatusCode::kInvalidArgument) {
        d.fatal = more.status();
        break;
      }
      d.errors.push_back(more.status().message());
      d.bad.push_back(rec);
      continue;
    }
    if (!*more) break;
    d.good.push_back(rec);
  }
  return d;
}

}  // namespace tradeflow::sources::testing
