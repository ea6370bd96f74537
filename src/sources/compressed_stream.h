// Decompressing InputStreams: gzip (.gz) and Zstandard (.zst), layered under every format.
//
// Contract:
// - Read() returns decompressed bytes; file_bytes_read() counts compressed bytes consumed, so
//   progress is measured against the file's size on disk.
// - gzip: every member of a multi-member file is read (as `cat a.gz b.gz` and gzip -d do).
//   zstd: every frame. Bytes after the last member that are not another member are an error.
// - A truncated or corrupt file is never a silent short read: Read() returns IOError naming the
//   file and the compressed offset ("x.csv.gz: truncated gzip data: the file ends at compressed
//   offset 1234 inside a member"). It is IOError, not Invalid, because the rest of the input is
//   lost: callers must stop, not quarantine one record and carry on. The error is sticky.
#pragma once

#include <memory>
#include <string>

#include "sources/input_stream.h"

namespace tradeflow::sources {

// `name` is used in messages.
std::unique_ptr<InputStream> NewGzipStream(std::unique_ptr<InputStream> compressed,
                                           std::string name);
std::unique_ptr<InputStream> NewZstdStream(std::unique_ptr<InputStream> compressed,
                                           std::string name);

}  // namespace tradeflow::sources
