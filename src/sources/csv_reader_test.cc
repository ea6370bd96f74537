#include "sources/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace tradeflow::sources {
namespace {

using ::testing::HasSubstr;

class CsvReaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    // One folder per test and process: ctest runs tests of this binary in parallel.
    auto dir = std::filesystem::temp_directory_path() /
               ("tf_csv_reader_test_" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
                std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / (std::to_string(counter_++) + ".csv")).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::vector<std::vector<std::string>> ReadAll(const std::string& content,
                                                size_t chunk = 1 << 20) {
    CsvOptions options;
    options.chunk_size = chunk;
    auto reader = CsvReader::Open(Write(content), options);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<std::vector<std::string>> rows;
    CsvRecord rec;
    for (;;) {
      auto more = (*reader)->Next(&rec);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      rows.push_back(rec.fields);
    }
    return rows;
  }
  // A reader of `content` that takes it `chunk` bytes at a time.
  Result<std::unique_ptr<CsvReader>> OpenChunked(const std::string& content, size_t chunk) {
    CsvOptions options;
    options.chunk_size = chunk;
    return CsvReader::Open(Write(content), options);
  }
  int counter_ = 0;
};

TEST_F(CsvReaderTest, ReadsQuotedFieldsAcrossLinesAndChunks) {
  std::string text =
      "id,comment,qty\r\n"
      "1,\"hello, world\",10\r\n"
      "\n"
      "2,\"two\nlines \"\"quoted\"\"\",20\n"
      "3,,30";
  for (size_t chunk : {1, 2, 3, 7, 1 << 20}) {
    auto rows = ReadAll(text, chunk);
    ASSERT_EQ(rows.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "hello, world", "10"}));
    EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "two\nlines \"quoted\"", "20"}));
    EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "", "30"}));
  }
}

TEST_F(CsvReaderTest, ReportsLineNumbersAndOffsets) {
  auto reader = CsvReader::Open(Write("a,b\n1,2\n\n\"x\ny\",3\n4,5\n"), {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->column_names(), (std::vector<std::string>{"a", "b"}));
  CsvRecord rec;
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.line, 2);
  EXPECT_EQ(rec.byte_offset, 4);
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.line, 4);
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.line, 6);
  EXPECT_EQ(rec.raw, "4,5");
  EXPECT_FALSE(*(*reader)->Next(&rec));
}

TEST_F(CsvReaderTest, MalformedRecordsNameTheLineAndAllowContinuing) {
  auto reader = CsvReader::Open(Write("a,b\n1,x\"y\n2,\"ok\"z\n3,4,5\n6,7\n"), {});
  ASSERT_TRUE(reader.ok());
  CsvRecord rec;
  auto r1 = (*reader)->Next(&rec);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find(":2: quote character inside unquoted field 2"),
            std::string::npos)
      << r1.status().message();
  auto r2 = (*reader)->Next(&rec);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find(":3: unexpected text after the closing quote"),
            std::string::npos);
  auto r3 = (*reader)->Next(&rec);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find(":4: expected 2 fields, found 3"), std::string::npos);
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.fields, (std::vector<std::string>{"6", "7"}));
  EXPECT_EQ(rec.line, 5);
}

// A malformed record still ends where the quoting says: a quoted field after the error may hold
// line breaks, and the records after it are read as usual, not swallowed into it.
TEST_F(CsvReaderTest, AMalformedRecordEndsWhereItsQuotingEndsIt) {
  const std::string text =
      "a,b,c\n"
      "1,\"x\"y,\"note\nmore\"\n"  // text after a closing quote, then a quoted line break
      "2,ok,fine\n"
      "3,B\"x,\"multi\nline\"\n"  // a quote inside an unquoted field, then the same
      "4,k,l\n";
  for (size_t chunk : {1, 2, 5, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto reader = OpenChunked(text, chunk);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    auto first = (*reader)->Next(&rec);
    ASSERT_FALSE(first.ok());
    EXPECT_THAT(first.status().message(),
                HasSubstr(":2: unexpected text after the closing quote of field 2 (this record "
                          "runs from line 2 to line 3"));
    EXPECT_EQ(rec.raw, "1,\"x\"y,\"note\nmore\"");
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"2", "ok", "fine"}));
    EXPECT_EQ(rec.line, 4);
    auto third = (*reader)->Next(&rec);
    ASSERT_FALSE(third.ok());
    EXPECT_THAT(third.status().message(), HasSubstr(":5: quote character inside unquoted field 2"));
    EXPECT_EQ(rec.raw, "3,B\"x,\"multi\nline\"");
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"4", "k", "l"}));
    EXPECT_EQ(rec.line, 7);
    EXPECT_FALSE(*(*reader)->Next(&rec));
  }
}

// Text after a closing quote in a record that is malformed already ends at the next delimiter
// too: the rest of the line is not a record of its own (a made-up trade), and the lines after
// keep their numbers.
TEST_F(CsvReaderTest, TextAfterAQuoteInARecordMalformedAlreadyStaysInIt) {
  const std::string text =
      "id,v,note\n"
      "a,1,ok\n"
      "b\"ad,1,\"n\"Z,2,fake\n"
      "\xEF\xBB\xBF"
      "c,1,\"n\"Y,3,fake\n"
      "d,1,x\n";
  for (size_t chunk : {1, 3, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto reader = OpenChunked(text, chunk);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*reader)->Next(&rec));
    auto bad = (*reader)->Next(&rec);
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.status().message(), HasSubstr(":3: quote character inside unquoted field 1"));
    EXPECT_EQ(rec.raw, "b\"ad,1,\"n\"Z,2,fake");
    auto bom = (*reader)->Next(&rec);
    ASSERT_FALSE(bom.ok());
    EXPECT_THAT(bom.status().message(), HasSubstr(":4: the record starts with a UTF-8 byte"));
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"d", "1", "x"}));
    EXPECT_EQ(rec.line, 5);
    EXPECT_FALSE(*(*reader)->Next(&rec));
  }
}

// A lone CR ends a line wherever it is: between records, on a blank line, in a quoted field.
TEST_F(CsvReaderTest, LineNumbersCountLoneCarriageReturns) {
  const std::string text = "a,b\r1,2\r\r\r\"x\ry\",3\r4,5\r\n6,7";
  for (size_t chunk : {1, 2, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto reader = OpenChunked(text, chunk);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    std::vector<int64_t> lines;
    while (*(*reader)->Next(&rec)) lines.push_back(rec.line);
    EXPECT_EQ(lines, (std::vector<int64_t>{2, 5, 7, 8}));
  }
  // An escaped lone CR breaks a line as well.
  CsvOptions options;
  options.escape = '\\';
  for (size_t chunk : {1, 2, 1 << 20}) {
    options.chunk_size = chunk;
    auto escaped = CsvReader::Open(Write("a,b\r1,x\\\ry\r2,z\r"), options);
    ASSERT_TRUE(escaped.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*escaped)->Next(&rec));
    EXPECT_EQ(rec.fields[1], "x\ry");
    ASSERT_TRUE(*(*escaped)->Next(&rec));
    EXPECT_EQ(rec.line, 4) << "chunk " << chunk;
  }
}

// Header names become keys of the stored rows' source_attributes: a header that is not UTF-8
// text is the file's error, not a column of garbled name.
TEST_F(CsvReaderTest, AHeaderThatIsNotUtf8TextIsTheFilesError) {
  for (const auto& [header, what] :
       {std::pair<std::string, std::string>{"id,remarqu\xE9\n1,x\n", "invalid UTF-8 at byte 11"},
        std::pair<std::string, std::string>{std::string("id,co\0l\n1,x\n", 11),
                                            "NUL byte at byte 6"}}) {
    auto reader = CsvReader::Open(Write(header), {});
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.status().code(), StatusCode::kIOError);
    EXPECT_THAT(reader.status().message(), HasSubstr(":1: " + what + " of the header row"));
  }
  // With names of one's own, the header row is not used.
  CsvOptions named;
  named.column_names = {"id", "remark"};
  EXPECT_TRUE(CsvReader::Open(Write("id,remarqu\xE9\n1,x\n"), named).ok());
}

TEST_F(CsvReaderTest, UnterminatedQuoteIsAnError) {
  auto reader = CsvReader::Open(Write("a,b\n1,\"never closed\n2,3\n"), {});
  ASSERT_TRUE(reader.ok());
  CsvRecord rec;
  auto r = (*reader)->Next(&rec);
  ASSERT_FALSE(r.ok());
  // The opening quote's line, not the line the file ends on.
  EXPECT_NE(r.status().message().find(":2: quoted field is never closed (opening quote on line 2)"),
            std::string::npos)
      << r.status().message();
  EXPECT_FALSE(*(*reader)->Next(&rec));
}

// An export that wrote nothing, not even its header, has failed: an IOError, like a file that
// cannot be read, so that on_bad_file: skip can leave it out.
TEST_F(CsvReaderTest, AnEmptyFileIsAnIOError) {
  for (const char* text : {"", "\n\n", "   \n\t\n", " \r\n  "}) {
    auto reader = CsvReader::Open(Write(text), {});
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.status().code(), StatusCode::kIOError);
    EXPECT_NE(reader.status().message().find("empty file, expected a header row"),
              std::string::npos);
  }
}

TEST_F(CsvReaderTest, MissingFileIsNotFound) {
  auto reader = CsvReader::Open("/nonexistent/trades.csv", {});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader.status().message(), "/nonexistent/trades.csv: no such file");
}

TEST_F(CsvReaderTest, StripsUtf8ByteOrderMark) {
  auto reader = CsvReader::Open(Write("\xEF\xBB\xBFid,b\n1,2\n"), {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->column_names()[0], "id");
}

// A byte order mark inside the file starts a file appended to it: kept, it would hide in the
// first field (a trade id that matches nothing). The record is malformed, alone.
TEST_F(CsvReaderTest, AByteOrderMarkInsideTheFileMakesItsRecordMalformed) {
  const std::string text =
      "a,b\n1,2\n\xEF\xBB\xBF"
      "3,4\n5,6\n";
  for (size_t chunk : {1, 2, 5, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto reader = OpenChunked(text, chunk);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"1", "2"}));
    auto bom = (*reader)->Next(&rec);
    ASSERT_FALSE(bom.ok());
    EXPECT_THAT(bom.status().message(),
                HasSubstr(":3: the record starts with a UTF-8 byte order mark"));
    EXPECT_EQ(rec.raw,
              "\xEF\xBB\xBF"
              "3,4");
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"5", "6"}));
    EXPECT_FALSE(*(*reader)->Next(&rec));
  }
}

// A line of spaces and tabs holds no record in a file of several columns: it is skipped as a
// blank line, as JSON Lines skips it, not quarantined for its column count. In a one-column
// file it is a record (an empty value, once trimmed).
TEST_F(CsvReaderTest, ALineOfSpacesIsBlankInAFileOfSeveralColumns) {
  const std::string text = "a,b\n1,2\n   \n\t \n3,4\n  ";
  for (size_t chunk : {1, 2, 5, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    auto reader = OpenChunked(text, chunk);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"1", "2"}));
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"3", "4"}));
    EXPECT_EQ(rec.line, 5);
    auto end = (*reader)->Next(&rec);
    ASSERT_TRUE(end.ok()) << end.status().ToString();
    EXPECT_FALSE(*end);
  }
  auto one = OpenChunked("a\n1\n   \n2\n", 1 << 20);
  ASSERT_TRUE(one.ok());
  CsvRecord rec;
  std::vector<std::string> values;
  while (*(*one)->Next(&rec)) values.push_back(rec.fields[0]);
  EXPECT_EQ(values, (std::vector<std::string>{"1", "   ", "2"}));
  // Before the header too: a line of spaces is no header.
  auto header = OpenChunked("  \n\t\nid,qty\n1,2\n", 1);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ((*header)->column_names(), (std::vector<std::string>{"id", "qty"}));
  ASSERT_TRUE(*(*header)->Next(&rec));
  EXPECT_EQ(rec.line, 4);
}

// A column name twice would let a mapping read one column and silently lose the other.
TEST_F(CsvReaderTest, AColumnNameTwiceInTheHeaderIsAnError) {
  auto reader = CsvReader::Open(Write("deal,book,qty,book\n1,A,5,B\n"), {});
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find(
                "column 'book' appears twice in the header (columns 2 and 4); rename one, or "
                "name every column yourself with columns: [...]"),
            std::string::npos)
      << reader.status().message();
  CsvOptions no_header;
  no_header.header = false;
  no_header.column_names = {"a", "b", "a"};
  auto named = CsvReader::Open(Write("1,2,3\n"), no_header);
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.status().message().find("column 'a' appears twice in columns: (columns 1 and 3)"),
            std::string::npos)
      << named.status().message();
  // Empty names, as spreadsheets export trailing commas, are named by their position, so that
  // two of them lose no value.
  auto unnamed = CsvReader::Open(Write("deal,book,, \n1,A,x,y\n"), {});
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ((*unnamed)->column_names(),
            (std::vector<std::string>{"deal", "book", "column_3", "column_4"}));
  // A real column of that name makes it a duplicate, said so.
  EXPECT_NE(CsvReader::Open(Write("column_2,\n1,2\n"), {})
                .status()
                .message()
                .find("column 'column_2' appears twice"),
            std::string::npos);
}

// Encoding mistakes are named at the header, not left to show as an unknown, garbled column.
// byte_offset is in the file, also when the stream dropped a byte order mark or turned Latin-1
// bytes into two-byte UTF-8 characters; at every chunk size.
TEST_F(CsvReaderTest, ByteOffsetsAreInTheFile) {
  const std::string latin = "id,name\n1,Soci\xE9t\xE9\n2,\xC9\xE9\xE8\n3,x\n";
  const std::string bom = "\xEF\xBB\xBFid,name\n1,a\n2,b\n";
  struct Case {
    std::string text;
    Encoding encoding;
    std::vector<int64_t> offsets;
  };
  for (const Case& c :
       {Case{latin, Encoding::kLatin1, {8, 18, 24}},
        Case{latin, Encoding::kWindows1252, {8, 18, 24}}, Case{bom, Encoding::kUtf8, {11, 15}}}) {
    const std::string path = Write(c.text);
    for (size_t chunk : {size_t{1 << 20}, size_t{1}, size_t{3}}) {
      CsvOptions options;
      options.chunk_size = chunk;
      auto reader = CsvReader::Open(path, options, {c.encoding, Compression::kAuto});
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      std::vector<int64_t> offsets;
      CsvRecord rec;
      while (*(*reader)->Next(&rec)) offsets.push_back(rec.byte_offset);
      EXPECT_EQ(offsets, c.offsets) << "chunk " << chunk;
    }
  }
}

TEST_F(CsvReaderTest, AUtf16FileOrAUtf8BomReadAsLatin1IsNamed) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("id,book\n1,A\n")) utf16 += std::string{c, '\0'};
  auto reader = CsvReader::Open(Write(utf16), {});
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("looks like UTF-16"), std::string::npos)
      << reader.status().message();
  std::string utf32 = std::string("\xFF\xFE\0\0", 4);
  for (char c : std::string("id,book\n1,A\n")) utf32 += std::string{c, '\0', '\0', '\0'};
  auto wide = CsvReader::Open(Write(utf32), {});
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("looks like UTF-32, which CSV sources do not read; "
                                         "convert it to UTF-8 (iconv -f UTF-32 -t UTF-8)"),
            std::string::npos)
      << wide.status().message();
  auto zstd = CsvReader::Open(Write(std::string("\x28\xB5\x2F\xFD") + "junk\n"), {});
  ASSERT_FALSE(zstd.ok());
  EXPECT_NE(zstd.status().message().find("zstd-compressed, but its name does not end in .zst"),
            std::string::npos)
      << zstd.status().message();
  // compressed data under a name that says so, read as plain by compression: none
  auto named =
      CsvReader::Open(OpenStringStream(std::string("\x1F\x8B") + "junk\n"), "t.csv.gz", {});
  ASSERT_FALSE(named.ok());
  EXPECT_THAT(named.status().message(),
              HasSubstr("gzip-compressed, but the source's compression: none reads it as plain"));
  // What a UTF-8 byte order mark becomes when the file is transcoded from Latin-1.
  auto latin1 = CsvReader::Open(Write("\xC3\xAF\xC2\xBB\xC2\xBFid,book\n1,A\n"), {});
  ASSERT_FALSE(latin1.ok());
  EXPECT_NE(latin1.status().message().find("set encoding: utf-8"), std::string::npos)
      << latin1.status().message();
}

// Names of one's own replace a header row, which is skipped; it must have as many columns.
TEST_F(CsvReaderTest, ConfiguredNamesReplaceTheHeaderRow) {
  CsvOptions options;
  options.column_names = {"deal", "book", "qty", "book_2"};
  auto reader = CsvReader::Open(Write("deal,book,qty,book\n1,A,5,B\n"), options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->column_names(), options.column_names);
  CsvRecord rec;
  ASSERT_TRUE(*(*reader)->Next(&rec));
  EXPECT_EQ(rec.fields, (std::vector<std::string>{"1", "A", "5", "B"}));
  EXPECT_EQ(rec.line, 2);

  // The same names in another order would read one column as another.
  options.column_names = {"deal", "qty", "book", "book_2"};
  auto moved = CsvReader::Open(Write("deal,book,qty,book\n1,A,5,B\n"), options);
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(
      moved.status().message().find("column 'qty' is column 3 in the header row but 2 in columns:"),
      std::string::npos)
      << moved.status().message();

  options.column_names = {"deal", "book"};
  auto short_names = CsvReader::Open(Write("deal,book,qty\n1,A,5\n"), options);
  ASSERT_FALSE(short_names.ok());
  EXPECT_NE(short_names.status().message().find("the header row has 3 columns, 'columns' names 2"),
            std::string::npos);
  options.column_names_where = "p.yaml:9";
  auto located = CsvReader::Open(Write("deal,book,qty\n1,A,5\n"), options);
  EXPECT_NE(located.status().message().find("'columns' names 2 (p.yaml:9)"), std::string::npos)
      << located.status().message();
}

// A stray quote makes one record of several lines; the error says which lines it took.
TEST_F(CsvReaderTest, AMalformedRecordOverSeveralLinesSaysWhichLines) {
  auto reader = CsvReader::Open(Write("a,b,c\n1,\"Atlas,3\n2,x,4\n3,\"y\",5\n6,7,8\n"), {});
  ASSERT_TRUE(reader.ok());
  CsvRecord rec;
  auto bad = (*reader)->Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":2: unexpected text after the closing quote of field 2 "
                                        "(this record runs from line 2 to line 4 inside a "
                                        "quoted field: a stray quote?)"),
            std::string::npos)
      << bad.status().message();
  EXPECT_EQ(rec.swallowed_lines, 2);    // lines 3 and 4, for max_bad_records
  ASSERT_TRUE(*(*reader)->Next(&rec));  // reading goes on after the bad record
  EXPECT_EQ(rec.line, 5);
  EXPECT_EQ(rec.swallowed_lines, 0);
  // A quote never closed takes in the rest of the file, not its final line break; lone CRs
  // count as line breaks too.
  for (const char* text : {"a,b\n1,\"x\n2,y\n3,z\n", "a,b\r1,\"x\r2,y\r3,z\r"}) {
    auto open = CsvReader::Open(Write(text), {});
    ASSERT_TRUE(open.ok());
    auto unclosed = (*open)->Next(&rec);
    ASSERT_FALSE(unclosed.ok());
    EXPECT_NE(unclosed.status().message().find("runs from line 2 to line 4"), std::string::npos)
        << unclosed.status().message();
    EXPECT_EQ(rec.swallowed_lines, 2);
  }
  // A quoted field over several lines, well formed, swallowed nothing (a record that fails for
  // another reason, a field count, is one bad record).
  auto multi = CsvReader::Open(Write("a,b\n1,\"x\ny\",extra\n"), {});
  ASSERT_TRUE(multi.ok());
  ASSERT_FALSE((*multi)->Next(&rec).ok());
  EXPECT_EQ(rec.swallowed_lines, 0);
  // A record on one line gets no such note.
  auto one = CsvReader::Open(Write("a,b\n1,\"x\"y\n"), {});
  ASSERT_TRUE(one.ok());
  auto plain = (*one)->Next(&rec);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().message().find("runs from line"), std::string::npos);
}

TEST_F(CsvReaderTest, EscapeCharacterTakesTheNextCharacterLiterally) {
  std::string text =
      "id,comment\n"
      "1,\"say \\\"hi\\\" \\\\ there\"\n"  // 1,"say \"hi\" \\ there"
      "2,a\\,b\n"                          // 2,a\,b
      "3,\"multi\\\nline\"\n";             // 3,"multi\<LF>line"
  for (size_t chunk : {1, 2, 5, 1 << 20}) {
    CsvOptions options;
    options.escape = '\\';
    options.chunk_size = chunk;
    auto reader = CsvReader::Open(Write(text), options);
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields[1], "say \"hi\" \\ there") << "chunk " << chunk;
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields, (std::vector<std::string>{"2", "a,b"}));
    ASSERT_TRUE(*(*reader)->Next(&rec));
    EXPECT_EQ(rec.fields[1], "multi\nline");
    EXPECT_EQ(rec.line, 4);
    EXPECT_FALSE(*(*reader)->Next(&rec));
  }
}

TEST_F(CsvReaderTest, EscapeAtEndOfFileIsMalformed) {
  CsvOptions options;
  options.escape = '\\';
  auto reader = CsvReader::Open(Write("a,b\n1,x\\"), options);
  ASSERT_TRUE(reader.ok());
  CsvRecord rec;
  auto r = (*reader)->Next(&rec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":2: escape character at the end of the file"),
            std::string::npos)
      << r.status().message();
  EXPECT_FALSE(*(*reader)->Next(&rec));
}

TEST_F(CsvReaderTest, WithoutEscapeABackslashIsOrdinary) {
  auto rows = ReadAll("p\nC:\\dir\\\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "C:\\dir\\");
}

// Whatever the chunk size, random text with quotes, escapes, delimiters and line ends of every
// kind parses into the same records, errors, lines, offsets and raw bytes: a record split across
// refills is parsed again whole, never half-kept.
TEST_F(CsvReaderTest, RandomTextParsesTheSameInEveryChunking) {
  std::mt19937 rng(5);
  size_t records = 0, errors = 0;
  const std::string alphabet = "ab,,\"\"\\\n\r ";
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const size_t length = 20 + rng() % 300;
    for (size_t i = 0; i < length; ++i) text += alphabet[rng() % alphabet.size()];
    const std::string path = Write(text);
    for (char escape : {'\0', '\\'}) {
      std::vector<std::string> outcomes[2];
      int which = 0;
      for (size_t chunk : {size_t{1 << 20}, size_t{1}, size_t{2}, size_t{3}, size_t{7}}) {
        CsvOptions options;
        options.header = false;
        options.column_names = {"x", "y", "z"};
        options.escape = escape;
        options.chunk_size = chunk;
        auto reader = CsvReader::Open(path, options);
        ASSERT_TRUE(reader.ok());
        std::vector<std::string>& out = outcomes[which];
        out.clear();
        CsvRecord rec;
        for (int guard = 0; guard < 1000; ++guard) {
          auto more = (*reader)->Next(&rec);
          if (more.ok() && !*more) break;
          std::string entry = more.ok() ? "" : more.status().message() + " | ";
          entry += std::to_string(rec.line) + "@" + std::to_string(rec.byte_offset) + " [" +
                   rec.raw + "]";
          if (more.ok()) {
            for (const auto& f : rec.fields) entry += " <" + f + ">";
          }
          out.push_back(entry);
        }
        if (which == 0) {
          for (const auto& e : out) (e.find(" | ") == std::string::npos ? records : errors)++;
        }
        if (which == 1) {
          ASSERT_EQ(outcomes[1], outcomes[0])
              << "chunk " << chunk << " escape " << int(escape) << " text:\n"
              << text;
        }
        which = 1;
      }
    }
  }
  EXPECT_GT(records, 50u);  // the text makes both good records and errors
  EXPECT_GT(errors, 100u);
}

}  // namespace
}  // namespace tradeflow::sources
