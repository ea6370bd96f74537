// The text encoding of an XML document, told from its first bytes as XML 1.0 Appendix F
// describes: a UTF-16 byte order mark, or "<" written in UTF-16; else the encoding its XML
// declaration names.
//
// Why: expat decodes UTF-16 and ISO-8859-1 itself, but the FIXML source also works on the bytes
// of the document: a report's raw text (for quarantine), the search for the reports after a
// well-formedness error, the input it keeps between reads. Those need text in which "<", "\n"
// and "TrdCaptRpt" are the ASCII bytes, so such a document is transcoded to UTF-8 before expat
// sees it (sources/transcoding_stream.h), and expat is told that it reads UTF-8.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sources/input_stream.h"

namespace tradeflow::sources {

struct XmlEncoding {
  enum Kind { kUtf8, kUtf16LE, kUtf16BE, kLatin1, kWindows1252 };
  Kind kind = kUtf8;
  size_t bom_bytes = 0;  // a byte order mark at the start (UTF-16, or UTF-8 in ReadXmlAsUtf8)
};

// From the first bytes of a document (a few hundred are enough for the declaration). UTF-8
// also stands for what the declaration names but is not recognised here (US-ASCII, which is
// UTF-8; or an encoding expat then reports as unknown). ISO-8859-1 and windows-1252 are
// recognised by their IANA names and aliases (latin1, cp1252, ...), case-insensitively.
XmlEncoding XmlEncodingOf(std::string_view head);

// Makes `*stream` (nothing read from it yet) give the document as UTF-8: a transcoding layer
// over it, unless it is UTF-8 already. Reads the first bytes to tell; `*transcoded` says whether
// it put a layer; `*bom_bytes`, how many bytes of byte order mark it dropped from the start. On a
// read error `*stream` is left as it was. A UTF-8 byte order mark with a declaration that names
// another encoding is an IOError (XML 1.0 §4.3.3).
Status ReadXmlAsUtf8(std::unique_ptr<InputStream>* stream, const std::string& name,
                     bool* transcoded, size_t* bom_bytes);

}  // namespace tradeflow::sources
