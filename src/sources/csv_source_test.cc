#include "sources/csv_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sources/test_util.h"

namespace tradeflow::sources {
namespace {

std::string WriteFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / "tf_csv_source_test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(CsvSourceTest, BindsColumnsAndKeepsTheRestAsExtras) {
  auto reader = CsvReader::Open(WriteFile("a.csv", "id,book,desk,note\n7,B1,,hello\n"), {});
  ASSERT_TRUE(reader.ok());
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"book", "p.yaml:3"}, {"id", "p.yaml:2"}}).ok());
  SourceRecord rec;
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values, (std::vector<std::string>{"B1", "7"}));
  ASSERT_EQ(rec.extras.size(), 1u);  // empty "desk" is not kept
  EXPECT_EQ(rec.extras[0], (std::pair<std::string, std::string>{"note", "hello"}));
  EXPECT_EQ(rec.location, "line 2");
  EXPECT_EQ(rec.raw, "7,B1,,hello");
  EXPECT_FALSE(*source.Next(&rec));
}

TEST(CsvSourceTest, UnknownColumnNamesTheRuleAndTheColumnsThereAre) {
  std::string path = WriteFile("b.csv", "id,book\n1,B\n");
  auto reader = CsvReader::Open(path, {});
  CsvSource source(std::move(*reader));
  Status st = source.Bind({{"trader", "p.yaml:9"}});
  EXPECT_EQ(st.message(),
            "p.yaml:9: unknown column 'trader' in " + path + " (it has: 'id', 'book')");
  // A header read as one column because the delimiter is another: said so.
  std::string semicolons = WriteFile("s.csv", "id;book\n1;B\n");
  auto one = CsvReader::Open(semicolons, {});
  CsvSource wrong(std::move(*one));
  EXPECT_NE(wrong.Bind({{"id", "p.yaml:9"}})
                .message()
                .find("the header row was read as one column, and it holds ';': is the "
                      "delimiter right?"),
            std::string::npos);
}

TEST(CsvSourceTest, MalformedRecordCarriesItsRawBytes) {
  auto reader = CsvReader::Open(WriteFile("c.csv", "id,book\n1,B\"x\n2,C\n"), {});
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"id", ""}}).ok());
  SourceRecord rec;
  auto bad = source.Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(rec.raw, "1,B\"x");  // like a good record's, without its line end
  EXPECT_EQ(rec.line, 2);
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values[0], "2");
}

// A NUL byte is valid UTF-8 but not text: the record is malformed, not an id with a NUL in it.
TEST(CsvSourceTest, ARecordWithANulByteIsMalformed) {
  std::string content = "id,book\n1000";
  content += '\0';
  content += "09,B\n2,C\n";
  auto reader = CsvReader::Open(WriteFile("nul.csv", content), {});
  ASSERT_TRUE(reader.ok());
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"id", ""}}).ok());
  SourceRecord rec;
  auto bad = source.Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":2: NUL byte at byte 5 of the record"), std::string::npos)
      << bad.status().message();
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values[0], "2");
}

TEST(CsvSourceTest, BadInputCorpus) {
  // 7 records: 3 good, 4 malformed (Latin-1 byte, stray quote, text after a quote, field count).
  std::string text =
      "trade_id,counterparty,qty\n"
      "T1,Shell,100\n"
      "T2,Soci\xE9t\xE9 G\xE9n\xE9rale,200\n"
      "T3,BP \"plc\",300\n"
      "T4,\"Total\"x,400\n"
      "T5,Vitol\n"
      "T6,\"Glencore, AG\",abc\n"
      "T7,Trafigura,700\n";
  std::string path = WriteFile("corpus.csv", text);
  auto reader = CsvReader::Open(path, {});
  ASSERT_TRUE(reader.ok());
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"trade_id", ""}, {"qty", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_TRUE(d.fatal.ok()) << d.fatal.ToString();
  ASSERT_EQ(d.good.size(), 3u);
  ASSERT_EQ(d.bad.size(), 4u);
  EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"T1", "100"}));
  EXPECT_EQ(d.good[1].values, (std::vector<std::string>{"T6", "abc"}));  // wrong type: text
  EXPECT_EQ(d.good[1].extras[0].second, "Glencore, AG");
  EXPECT_EQ(d.good[2].line, 8);
  EXPECT_EQ(d.errors[0],
            path +
                ":3: invalid UTF-8 at byte 8 of the record; is the file Windows-1252 or "
                "Latin-1? set encoding: windows-1252");
  EXPECT_EQ(d.bad[0].location, "line 3");
  EXPECT_EQ(d.bad[0].raw, "T2,Soci\xE9t\xE9 G\xE9n\xE9rale,200");
  EXPECT_NE(d.errors[1].find(":4: quote character inside unquoted field 2"), std::string::npos);
  EXPECT_NE(d.errors[2].find(":5: unexpected text after the closing quote"), std::string::npos);
  EXPECT_NE(d.errors[3].find(":6: expected 3 fields, found 2"), std::string::npos);
  EXPECT_EQ(d.bad[3].line, 6);
  EXPECT_EQ(d.good.size() + d.bad.size(), 7u);

  // The same file read as Latin-1: the accented record is good and comes out as UTF-8.
  auto latin = CsvReader::Open(path, {}, {Encoding::kLatin1, Compression::kAuto});
  ASSERT_TRUE(latin.ok());
  CsvSource latin_source(std::move(*latin));
  ASSERT_TRUE(latin_source.Bind({{"counterparty", ""}}).ok());
  auto l = testing::DrainSource(&latin_source);
  ASSERT_EQ(l.good.size(), 4u);
  ASSERT_EQ(l.bad.size(), 3u);
  EXPECT_EQ(l.good[1].values[0], "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale");
  EXPECT_EQ(l.good[1].line, 3);
}

TEST(CsvSourceTest, GzippedWindows1252WithEscapes) {
  std::string text = "id;note\n1;\\\"\x80 5\\\" fee\n";  // 1;\"€ 5\" fee
  std::string path = WriteFile("w.csv.gz", testing::Gzip(text));
  CsvOptions options;
  options.delimiter = ';';
  options.escape = '\\';
  auto reader = CsvReader::Open(path, options, {Encoding::kWindows1252, Compression::kAuto});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"note", ""}}).ok());
  SourceRecord rec;
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values[0], "\"\xE2\x82\xAC 5\" fee");
}

}  // namespace
}  // namespace tradeflow::sources
