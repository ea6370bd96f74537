#include "sources/open_input.h"

#include <algorithm>
#include <cctype>

#include "sources/compressed_stream.h"
#include "sources/transcoding_stream.h"

namespace tradeflow::sources {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

}  // namespace

Result<Encoding> ParseEncoding(std::string_view name) {
  std::string n = Lower(name);
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "latin-1" || n == "latin1" || n == "iso-8859-1" || n == "iso8859-1") {
    return Encoding::kLatin1;
  }
  if (n == "windows-1252" || n == "cp1252") return Encoding::kWindows1252;
  return Status::Invalid("unknown encoding '" + std::string(name) +
                         "' (utf-8, latin-1, windows-1252)");
}

Result<Compression> ParseCompression(std::string_view name) {
  std::string n = Lower(name);
  if (n == "auto") return Compression::kAuto;
  if (n == "none") return Compression::kNone;
  if (n == "gzip" || n == "gz") return Compression::kGzip;
  if (n == "zstd" || n == "zst") return Compression::kZstd;
  return Status::Invalid("unknown compression '" + std::string(name) +
                         "' (auto, none, gzip, zstd)");
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kUtf8:
      return "utf-8";
    case Encoding::kLatin1:
      return "latin-1";
    case Encoding::kWindows1252:
      return "windows-1252";
  }
  return "?";
}

Compression CompressionForPath(const std::string& path) {
  std::string p = Lower(path);
  if (EndsWith(p, ".gz") || EndsWith(p, ".gzip")) return Compression::kGzip;
  if (EndsWith(p, ".zst") || EndsWith(p, ".zstd")) return Compression::kZstd;
  return Compression::kNone;
}

std::unique_ptr<InputStream> WrapInput(std::unique_ptr<InputStream> raw, const std::string& name,
                                       const InputOptions& options) {
  Compression c = options.compression;
  if (c == Compression::kAuto) c = CompressionForPath(name);
  std::unique_ptr<InputStream> s = std::move(raw);
  if (c == Compression::kGzip) s = NewGzipStream(std::move(s), name);
  if (c == Compression::kZstd) s = NewZstdStream(std::move(s), name);
  switch (options.encoding) {
    case Encoding::kUtf8:
      return options.keep_utf8_bom ? std::move(s) : SkipUtf8Bom(std::move(s));
    case Encoding::kLatin1:
      return Latin1ToUtf8(std::move(s), /*windows1252=*/false);
    case Encoding::kWindows1252:
      return Latin1ToUtf8(std::move(s), /*windows1252=*/true);
  }
  return s;
}

Result<std::unique_ptr<InputStream>> OpenInput(const std::string& path,
                                               const InputOptions& options) {
  TF_ASSIGN_OR_RETURN(auto raw, OpenFileStream(path));
  return WrapInput(std::move(raw), path, options);
}

}  // namespace tradeflow::sources
