#include "sources/compressed_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sources/csv_reader.h"
#include "sources/open_input.h"
#include "sources/test_util.h"

namespace tradeflow::sources {
namespace {

using testing::Gzip;
using ::testing::HasSubstr;
using testing::WriteTempFile;
using testing::Zstd;

// Reads the whole stream `step` bytes at a time.
Result<std::string> ReadAll(InputStream* s, size_t step = 4096) {
  std::string out, buf(step, '\0');
  for (;;) {
    TF_ASSIGN_OR_RETURN(size_t n, s->Read(buf.data(), step));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

std::string BigText() {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "row " + std::to_string(i) + ",abc,12.5\n";
  return text;
}

TEST(CompressedStreamTest, GzipMultiMemberRoundTrip) {
  std::string a = BigText(), b = "tail,1\n";
  auto s = NewGzipStream(OpenStringStream(Gzip(a) + Gzip(b)), "x.gz");
  for (size_t step : {1, 7, 4096, 1 << 20}) {
    auto again = NewGzipStream(OpenStringStream(Gzip(a) + Gzip(b)), "x.gz");
    auto all = ReadAll(again.get(), step);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(*all, a + b) << "step " << step;
  }
}

TEST(CompressedStreamTest, ZstdMultiFrameRoundTrip) {
  std::string a = BigText(), b = "tail,1\n";
  for (size_t step : {1, 13, 1 << 16}) {
    auto s = NewZstdStream(OpenStringStream(Zstd(a) + Zstd(b)), "x.zst");
    auto all = ReadAll(s.get(), step);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(*all, a + b) << "step " << step;
  }
}

TEST(CompressedStreamTest, TruncatedGzipIsAnErrorNamingTheOffset) {
  std::string gz = Gzip(BigText());
  std::string cut = gz.substr(0, gz.size() / 2);
  auto s = NewGzipStream(OpenStringStream(cut), "trades.csv.gz");
  auto all = ReadAll(s.get());
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kIOError);
  EXPECT_EQ(all.status().message(),
            "trades.csv.gz: truncated gzip data: the file ends at "
            "compressed offset " +
                std::to_string(cut.size()) + " inside a member");
  // Sticky: asking again gives the same error, never a clean end.
  char c;
  EXPECT_FALSE(s->Read(&c, 1).ok());
}

TEST(CompressedStreamTest, GzipMissingOnlyItsTrailerIsTruncated) {
  std::string gz = Gzip("a,b\n1,2\n");
  auto s = NewGzipStream(OpenStringStream(gz.substr(0, gz.size() - 4)), "t.gz");
  auto all = ReadAll(s.get());
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.status().message(), HasSubstr("truncated gzip data"));
}

TEST(CompressedStreamTest, CorruptGzipAndTrailingGarbageAreErrors) {
  std::string gz = Gzip(BigText());
  std::string bad = gz;
  for (size_t i = 100; i < 140; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5A);
  auto s = NewGzipStream(OpenStringStream(bad), "c.gz");
  auto all = ReadAll(s.get());
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kIOError);
  EXPECT_THAT(all.status().message(), HasSubstr("c.gz: corrupt gzip data near compressed offset"));

  EXPECT_THAT(all.status().message(), ::testing::Not(HasSubstr("is it compressed?")));
  // A plain file read as gzip says so.
  auto p = NewGzipStream(OpenStringStream("a,b\n1,2\n"), "plain.csv");
  auto plain = ReadAll(p.get());
  ASSERT_FALSE(plain.ok());
  EXPECT_THAT(plain.status().message(),
              HasSubstr("; the file does not start as gzip data: is it compressed?"));

  auto t = NewGzipStream(OpenStringStream(Gzip("x\n") + "garbage"), "t.gz");
  auto trailing = ReadAll(t.get());
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(trailing.status().message(), HasSubstr("corrupt gzip data"));

  auto e = NewGzipStream(OpenStringStream(""), "e.gz");
  auto empty = ReadAll(e.get());
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("e.gz: empty file, expected gzip data"));
}

// Zero bytes after the last member pad a file written in blocks (tar, tape); gzip ignores them.
TEST(CompressedStreamTest, ZeroPaddingAfterTheLastGzipMemberIsIgnored) {
  const std::string text = BigText();
  auto s = NewGzipStream(OpenStringStream(Gzip(text) + std::string(512, '\0')), "p.gz");
  auto all = ReadAll(s.get(), 1000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, text);
  auto t =
      NewGzipStream(OpenStringStream(Gzip("x\n") + std::string(10, '\0') + Gzip("y\n")), "q.gz");
  auto after = ReadAll(t.get());
  ASSERT_FALSE(after.ok());
  EXPECT_THAT(after.status().message(), HasSubstr("data after the zero bytes that pad the file"));
}

// The offset is where the damage shows: a bad checksum at the end of the member, where the
// checksum is, not where the decompressor's last step began.
TEST(CompressedStreamTest, ACorruptChecksumIsReportedAtTheEndOfTheMember) {
  std::string gz = Gzip(BigText());
  gz[gz.size() - 6] = static_cast<char>(gz[gz.size() - 6] ^ 0x01);  // in the CRC-32 trailer
  auto s = NewGzipStream(OpenStringStream(gz), "crc.gz");
  auto all = ReadAll(s.get());
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.status().message(), HasSubstr("incorrect data check"));
  EXPECT_THAT(all.status().message(),
              HasSubstr("near compressed offset " + std::to_string(gz.size() - 4)));
}

TEST(CompressedStreamTest, TruncatedAndCorruptZstdAreErrors) {
  std::string zs = Zstd(BigText());
  auto s = NewZstdStream(OpenStringStream(zs.substr(0, zs.size() - 10)), "t.zst");
  auto all = ReadAll(s.get());
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kIOError);
  EXPECT_THAT(all.status().message(),
              HasSubstr("t.zst: truncated zstd data: the file ends at compressed offset " +
                        std::to_string(zs.size() - 10)));

  std::string bad = zs;
  bad[0] = 'X';  // magic number
  auto c = NewZstdStream(OpenStringStream(bad), "c.zst");
  auto corrupt = ReadAll(c.get());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_THAT(corrupt.status().message(), HasSubstr("c.zst: corrupt zstd data"));

  auto e = NewZstdStream(OpenStringStream(""), "e.zst");
  EXPECT_FALSE(ReadAll(e.get()).ok());
}

TEST(CompressedStreamTest, OpenInputChoosesByExtensionAndCountsCompressedBytes) {
  std::string csv = "id,qty\n1,10\n2,20\n";
  std::string gz = Gzip(csv), zs = Zstd(csv);
  std::string gz_path = WriteTempFile("t.csv.gz", gz);
  std::string zs_path = WriteTempFile("t.csv.zst", zs);
  for (const auto& [path, size] : {std::pair{gz_path, gz.size()}, std::pair{zs_path, zs.size()}}) {
    auto s = OpenInput(path, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto all = ReadAll(s->get());
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(*all, csv);
    EXPECT_EQ((*s)->file_bytes_read(), static_cast<int64_t>(size));
  }
  // Forcing "none" reads the compressed bytes as they are.
  auto raw = OpenInput(gz_path, {Encoding::kLatin1, Compression::kNone});
  ASSERT_TRUE(raw.ok());
  // The old CsvReader::Open(path, options) goes through OpenInput too.
  auto reader = CsvReader::Open(zs_path, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  CsvRecord rec;
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.fields, (std::vector<std::string>{"1", "10"}));
}

TEST(CompressedStreamTest, TruncatedGzipCsvStopsTheReaderWithIOError) {
  std::string csv = BigText();
  std::string gz = Gzip("id,a,b\n" + csv);
  std::string path = WriteTempFile("cut.csv.gz", gz.substr(0, gz.size() * 3 / 4));
  CsvOptions options;
  options.chunk_size = 4096;  // so that records come out before the cut is reached
  auto reader = CsvReader::Open(path, options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  CsvRecord rec;
  Status last;
  int rows = 0;
  for (;;) {
    auto more = (*reader)->Next(&rec);
    if (!more.ok()) {
      last = more.status();
      break;
    }
    if (!*more) break;
    ++rows;
  }
  EXPECT_EQ(last.code(), StatusCode::kIOError);
  EXPECT_THAT(last.message(), HasSubstr(path + ": truncated gzip data"));
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, 20000);
}

}  // namespace
}  // namespace tradeflow::sources
