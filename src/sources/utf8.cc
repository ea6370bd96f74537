#include "sources/utf8.h"

#include <cstdint>
#include <cstring>

#include "sources/open_input.h"

namespace tradeflow::sources {

size_t FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Most text is ASCII: skip it eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Ranges of the second byte per lead byte, as in the Unicode standard's table 3-7.
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

Status CheckRecordUtf8(std::string_view record, const std::string& where, const char* what) {
  size_t bad = FindInvalidUtf8(record);
  if (bad != std::string_view::npos) {
    return Status::Invalid(where + ": invalid UTF-8 at byte " + std::to_string(bad + 1) +
                           " of the " + what +
                           "; is the file Windows-1252 or Latin-1? set encoding: windows-1252");
  }
  // NUL is valid UTF-8, but in a text record it is corruption, and it would pass into ids.
  size_t nul = record.find('\0');
  if (nul != std::string_view::npos) {
    return Status::Invalid(where + ": NUL byte at byte " + std::to_string(nul + 1) + " of the " +
                           what + "; is the file binary, UTF-16 or corrupt?");
  }
  return Status::OK();
}

Status CheckNotCompressed(std::string_view start, const std::string& path) {
  // The magic numbers as read: raw, or transcoded from Latin-1 (0x8B became C2 8B).
  const bool gzip = start.starts_with("\x1F\x8B") || start.starts_with("\x1F\xC2\x8B");
  const bool zstd =
      start.starts_with("\x28\xB5\x2F\xFD") || start.starts_with("\x28\xC2\xB5\x2F\xC3\xBD");
  if (!gzip && !zstd) return Status::OK();
  const std::string kind = gzip ? "gzip" : "zstd";
  const std::string is = path + ": the file is " + kind + "-compressed, but ";
  if (CompressionForPath(path) != Compression::kNone) {  // the name says so: the setting does not
    return Status::IOError(is +
                           "the source's compression: none reads it as plain text: leave "
                           "compression out (the name tells) or set it to " +
                           kind);
  }
  return Status::IOError(is + "its name does not end in " + (gzip ? ".gz" : ".zst") +
                         ": rename it, or for a trade source set compression: " + kind);
}

Status CheckTextStart(std::string_view first_line, const std::string& path, const char* kind) {
  TF_RETURN_IF_ERROR(CheckNotCompressed(first_line, path));
  // UTF-16 puts a NUL beside every ASCII letter, so at the first or second byte. (A stray NUL
  // further on is one bad record, which the record's own check quarantines.)
  const bool utf16_bom = first_line.starts_with("\xFF\xFE") || first_line.starts_with("\xFE\xFF");
  const bool utf16_text =
      first_line.size() >= 2 && (first_line[0] == '\0' || first_line[1] == '\0');
  if (utf16_bom || utf16_text) {
    // UTF-32 has two NULs beside every ASCII letter (and its BOM starts as UTF-16's does).
    const bool utf32 = first_line.size() >= 4 &&
                       ((first_line[2] == '\0' && first_line[3] == '\0' && first_line[0] != '\0') ||
                        (first_line[0] == '\0' && first_line[1] == '\0'));
    const std::string name = utf32 ? "UTF-32" : "UTF-16";
    return Status::IOError(path + ": the file looks like " + name + ", which " + kind +
                           " sources do not read; convert it to UTF-8 (iconv -f " + name +
                           " -t UTF-8)");
  }
  // A UTF-8 byte order mark read as Latin-1 is "ï»¿", in UTF-8 now: the encoding is wrong for
  // the whole file, not for its first record.
  if (first_line.starts_with("\xC3\xAF\xC2\xBB\xC2\xBF")) {
    return Status::IOError(path +
                           ": the file starts with a UTF-8 byte order mark but is read as "
                           "Latin-1 or windows-1252: set encoding: utf-8");
  }
  return Status::OK();
}

}  // namespace tradeflow::sources
