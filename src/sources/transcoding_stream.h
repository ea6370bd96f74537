// Text-encoding layers: every source reads UTF-8, whatever the file holds.
//
// - SkipUtf8Bom: UTF-8 input; a leading byte order mark (EF BB BF) is dropped, so it never
//   ends up in the first column's name or breaks the first JSON line.
// - Latin1ToUtf8: ISO-8859-1 (every byte is the code point of the same value) or, with
//   `windows1252`, Windows-1252 (0x80-0x9F are the typographic quotes, dashes, € and so on; the
//   five unassigned bytes map to the C1 controls of the same value, as the WHATWG encoding
//   standard does). The output is always valid UTF-8; it grows by at most 3x.
// - Utf16ToUtf8: UTF-16, little- or big-endian, with its byte order mark already dropped by the
//   caller. A lone surrogate, or a file that ends inside a character, is an IOError naming the
//   file and the byte offset (counted from the first byte this layer reads).
//
// Byte offsets of records read through a transcoding layer are offsets in the UTF-8 text.
#pragma once

#include <memory>
#include <string>

#include "sources/input_stream.h"

namespace tradeflow::sources {

std::unique_ptr<InputStream> SkipUtf8Bom(std::unique_ptr<InputStream> utf8);
std::unique_ptr<InputStream> Latin1ToUtf8(std::unique_ptr<InputStream> latin1, bool windows1252);
std::unique_ptr<InputStream> Utf16ToUtf8(std::unique_ptr<InputStream> utf16, bool big_endian,
                                         std::string name);

}  // namespace tradeflow::sources
