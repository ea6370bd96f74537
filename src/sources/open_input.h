// OpenInput: the one way sources open a file, with decompression and transcoding stacked under
// the format reader:  file → (gzip | zstd) → (BOM skip | Latin-1 → UTF-8) → CSV / JSONL reader.
//
// Compression `auto` chooses by extension: .gz/.gzip → gzip, .zst/.zstd → zstd, anything else is
// read as is. Encoding `utf-8` (the default) passes bytes through after dropping a leading BOM;
// sources then check each record is valid UTF-8 (see utf8.h). `latin-1` and `windows-1252`
// transcode to UTF-8.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sources/input_stream.h"

namespace tradeflow::sources {

enum class Encoding { kUtf8, kLatin1, kWindows1252 };
enum class Compression { kAuto, kNone, kGzip, kZstd };

struct InputOptions {
  Encoding encoding = Encoding::kUtf8;
  Compression compression = Compression::kAuto;
  // utf-8: leave a leading byte order mark in the stream, for a reader that tells the encoding
  // from it (FIXML: a BOM and an XML declaration naming another encoding contradict each other).
  bool keep_utf8_bom = false;
};

// "utf-8"/"utf8", "latin-1"/"latin1"/"iso-8859-1", "windows-1252"/"cp1252" (any case).
// Invalid lists the accepted names.
Result<Encoding> ParseEncoding(std::string_view name);
// "auto", "none", "gzip"/"gz", "zstd"/"zst".
Result<Compression> ParseCompression(std::string_view name);
std::string_view EncodingName(Encoding e);

// The compression `auto` picks for `path`.
Compression CompressionForPath(const std::string& path);

// Opens `path` with the layers `options` ask for. NotFound names the path.
Result<std::unique_ptr<InputStream>> OpenInput(const std::string& path,
                                               const InputOptions& options);

// The same layers over an already open stream (compression `auto` looks at `name`).
std::unique_ptr<InputStream> WrapInput(std::unique_ptr<InputStream> raw, const std::string& name,
                                       const InputOptions& options);

}  // namespace tradeflow::sources
