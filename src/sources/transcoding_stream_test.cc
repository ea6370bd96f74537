#include "sources/transcoding_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sources/open_input.h"
#include "sources/utf8.h"

namespace tradeflow::sources {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(std::unique_ptr<InputStream> s, size_t step = 5) {
  std::string out, buf(step, '\0');
  for (;;) {
    auto n = s->Read(buf.data(), step);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) return out;
    out.append(buf.data(), *n);
  }
}

TEST(TranscodingStreamTest, Latin1BecomesUtf8) {
  std::string latin1 =
      "caf\xE9,M\xFCller,\xA3"
      "5,\x80";
  EXPECT_EQ(ReadAll(Latin1ToUtf8(OpenStringStream(latin1), false)),
            "caf\xC3\xA9,M\xC3\xBCller,\xC2\xA3"
            "5,\xC2\x80");
  // Windows-1252: 0x80 is the euro sign, 0x93/0x94 curly quotes; 0x81 is unassigned.
  EXPECT_EQ(ReadAll(Latin1ToUtf8(OpenStringStream("\x80\x93x\x94\x81"), true), 1),
            "\xE2\x82\xAC\xE2\x80\x9Cx\xE2\x80\x9D\xC2\x81");
}

// Gives its bytes one at a time, so that every UTF-16 character is split across reads.
class TrickleStream : public InputStream {
 public:
  explicit TrickleStream(std::string data) : base_(OpenStringStream(std::move(data))) {}
  Result<size_t> Read(char* buffer, size_t n) override { return base_->Read(buffer, n ? 1 : 0); }
  int64_t file_bytes_read() const override { return base_->file_bytes_read(); }

 private:
  std::unique_ptr<InputStream> base_;
};

std::string Utf16(std::u16string_view text, bool big_endian) {
  std::string out;
  for (char16_t unit : text) {
    const char high = static_cast<char>(unit >> 8), low = static_cast<char>(unit & 0xFF);
    out += big_endian ? high : low;
    out += big_endian ? low : high;
  }
  return out;
}

TEST(TranscodingStreamTest, Utf16BecomesUtf8) {
  // ASCII, 2- and 3-byte characters, and a surrogate pair (U+1F600).
  const std::u16string text = u"<a p=\"Z\u00FCrich \u20AC5\"/>\U0001F600\n";
  const std::string utf8 =
      "<a p=\"Z\xC3\xBCrich \xE2\x82\xAC"
      "5\"/>\xF0\x9F\x98\x80\n";
  for (bool big_endian : {false, true}) {
    EXPECT_EQ(ReadAll(Utf16ToUtf8(OpenStringStream(Utf16(text, big_endian)), big_endian, "u")),
              utf8);
    EXPECT_EQ(ReadAll(Utf16ToUtf8(std::make_unique<TrickleStream>(Utf16(text, big_endian)),
                                  big_endian, "u"),
                      4),
              utf8);
  }
}

TEST(TranscodingStreamTest, BrokenUtf16IsAnErrorWithItsOffset) {
  auto read_error = [](std::string bytes) {
    auto s = Utf16ToUtf8(OpenStringStream(std::move(bytes)), false, "x.fixml");
    std::string buf(64, '\0');
    for (;;) {
      auto n = s->Read(buf.data(), buf.size());
      if (!n.ok()) return n.status();
      if (*n == 0) return Status::OK();
    }
  };
  Status lone = read_error(Utf16(u"ab", false) + std::string("\x00\xD8", 2) + Utf16(u"c", false));
  EXPECT_EQ(lone.code(), StatusCode::kIOError);
  EXPECT_THAT(lone.message(), HasSubstr("x.fixml: not valid UTF-16 (a lone surrogate) at byte 4"));
  Status cut = read_error(Utf16(u"abc", false) + "d");
  EXPECT_EQ(cut.code(), StatusCode::kIOError);
  EXPECT_THAT(cut.message(),
              HasSubstr("x.fixml: the file ends inside a UTF-16 character, at byte 6"));
}

TEST(TranscodingStreamTest, PrependedBytesComeFirst) {
  EXPECT_EQ(ReadAll(PrependBytes("head,", OpenStringStream("rest")), 3), "head,rest");
}

TEST(TranscodingStreamTest, DropsOnlyALeadingBom) {
  EXPECT_EQ(ReadAll(SkipUtf8Bom(OpenStringStream("\xEF\xBB\xBFid,x\n\xEF\xBB\xBF"))),
            "id,x\n\xEF\xBB\xBF");
  EXPECT_EQ(ReadAll(SkipUtf8Bom(OpenStringStream("\xEF\xBB"))), "\xEF\xBB");
  EXPECT_EQ(ReadAll(SkipUtf8Bom(OpenStringStream("ab"))), "ab");
  EXPECT_EQ(ReadAll(SkipUtf8Bom(OpenStringStream(""))), "");
}

TEST(TranscodingStreamTest, EncodingNames) {
  EXPECT_EQ(*ParseEncoding("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(*ParseEncoding("iso-8859-1"), Encoding::kLatin1);
  EXPECT_EQ(*ParseEncoding("cp1252"), Encoding::kWindows1252);
  EXPECT_EQ(ParseEncoding("ebcdic").status().message(),
            "unknown encoding 'ebcdic' (utf-8, latin-1, windows-1252)");
  EXPECT_EQ(*ParseCompression("gz"), Compression::kGzip);
  EXPECT_FALSE(ParseCompression("bz2").ok());
  EXPECT_EQ(CompressionForPath("a/T.JSONL.ZST"), Compression::kZstd);
  EXPECT_EQ(CompressionForPath("a.csv"), Compression::kNone);
}

TEST(Utf8Test, FindsTheFirstIllFormedByte) {
  EXPECT_EQ(FindInvalidUtf8("plain"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82\xAC \xF0\x9F\x9B\xA2"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xE9"), 3u);            // Latin-1 é
  EXPECT_EQ(FindInvalidUtf8("ab\xC0\xAF"), 2u);         // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);       // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\xF4\x90\x80\x80"), 1u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);           // cut short
  // Long ASCII runs are skipped a word at a time: the byte found must still be exact.
  const std::string ascii(21, 'a');
  for (size_t at = 0; at < ascii.size(); ++at) {
    std::string s = ascii;
    s.insert(at, "\xE2\x82\xAC");  // a valid euro sign...
    EXPECT_EQ(FindInvalidUtf8(s), std::string_view::npos) << at;
    s[at + 2] = 'x';  // ...cut short
    EXPECT_EQ(FindInvalidUtf8(s), at) << at;
  }
  EXPECT_EQ(CheckRecordUtf8("caf\xE9", "f.csv:3").message(),
            "f.csv:3: invalid UTF-8 at byte 4 of the record; is the file Windows-1252 or "
            "Latin-1? set encoding: windows-1252");
}

}  // namespace
}  // namespace tradeflow::sources
