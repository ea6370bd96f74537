#include "sources/xml_encoding.h"

#include <algorithm>
#include <cctype>

#include "sources/transcoding_stream.h"

namespace tradeflow::sources {
namespace {

// Enough for a BOM and an XML declaration with every attribute.
constexpr size_t kHeadBytes = 512;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The value of encoding="..." in the XML declaration at the start of `head`, or "".
std::string_view DeclaredEncoding(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  if (head.substr(0, 5) != "<?xml") return {};
  head = head.substr(0, head.find("?>"));
  size_t at = head.find("encoding");
  if (at == std::string_view::npos) return {};
  at = head.find_first_not_of(" \t\r\n", at + 8);
  if (at == std::string_view::npos || head[at] != '=') return {};
  at = head.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos || (head[at] != '"' && head[at] != '\'')) return {};
  const size_t end = head.find(head[at], at + 1);
  if (end == std::string_view::npos) return {};
  return head.substr(at + 1, end - at - 1);
}

bool AnyOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return EqualsIgnoringCase(name, n); });
}

}  // namespace

XmlEncoding XmlEncodingOf(std::string_view head) {
  if (head.substr(0, 2) == "\xFF\xFE") return {XmlEncoding::kUtf16LE, 2};
  if (head.substr(0, 2) == "\xFE\xFF") return {XmlEncoding::kUtf16BE, 2};
  if (head.substr(0, 2) == std::string_view("<\0", 2)) return {XmlEncoding::kUtf16LE, 0};
  if (head.substr(0, 2) == std::string_view("\0<", 2)) return {XmlEncoding::kUtf16BE, 0};
  const std::string_view name = DeclaredEncoding(head);
  if (AnyOf(name, {"ISO-8859-1", "ISO_8859-1", "ISO_8859-1:1987", "ISO8859-1", "latin1", "l1",
                   "iso-ir-100", "IBM819", "CP819", "csISOLatin1"})) {
    return {XmlEncoding::kLatin1, 0};
  }
  if (AnyOf(name, {"windows-1252", "cp1252", "x-cp1252"})) return {XmlEncoding::kWindows1252, 0};
  return {};
}

Status ReadXmlAsUtf8(std::unique_ptr<InputStream>* stream, const std::string& name,
                     bool* transcoded, size_t* bom_bytes) {
  std::string head(kHeadBytes, '\0');
  size_t size = 0;
  while (size < head.size()) {  // reads may be short
    TF_ASSIGN_OR_RETURN(size_t got, (*stream)->Read(head.data() + size, head.size() - size));
    if (got == 0) break;
    size += got;
  }
  head.resize(size);
  XmlEncoding encoding = XmlEncodingOf(head);
  if (head.starts_with("\xEF\xBB\xBF")) {
    // A UTF-8 byte order mark, and a declaration that must not say otherwise (XML 1.0 §4.3.3:
    // a document whose encoding declaration contradicts its BOM is in error).
    encoding = XmlEncodingOf(head.substr(3));
    if (encoding.kind != XmlEncoding::kUtf8) {
      return Status::IOError(name +
                             ": the file starts with a UTF-8 byte order mark, but its XML "
                             "declaration names another encoding; fix the declaration (or the "
                             "file's encoding): the two must agree");
    }
    encoding.bom_bytes = 3;
  }
  *transcoded = encoding.kind != XmlEncoding::kUtf8;
  *bom_bytes = encoding.bom_bytes;
  std::unique_ptr<InputStream> whole =
      PrependBytes(head.substr(encoding.bom_bytes), std::move(*stream));
  switch (encoding.kind) {
    case XmlEncoding::kUtf8:
      *stream = std::move(whole);
      break;
    case XmlEncoding::kUtf16LE:
    case XmlEncoding::kUtf16BE:
      *stream = Utf16ToUtf8(std::move(whole), encoding.kind == XmlEncoding::kUtf16BE, name);
      break;
    case XmlEncoding::kLatin1:
    case XmlEncoding::kWindows1252:
      *stream = Latin1ToUtf8(std::move(whole), encoding.kind == XmlEncoding::kWindows1252);
      break;
  }
  return Status::OK();
}

}  // namespace tradeflow::sources
