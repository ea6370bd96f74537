#include "sources/jsonl_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sources/test_util.h"

namespace tradeflow::sources {
namespace {

using ::testing::HasSubstr;
using Extras = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<JsonlSource> FromText(const std::string& text) {
  return std::make_unique<JsonlSource>(OpenStringStream(text), "t.jsonl");
}

TEST(JsonlSourceTest, NestedPathsArraysAndExactNumbers) {
  auto source = FromText(
      R"({"trade":{"id":"T-1","price":{"value":72.1234567891234567,"ccy":"USD"}},)"
      R"("legs":[{"qty":1000,"unit":"BBL"},{"qty":-5e3}],"big":123456789012345678901234567890,)"
      R"("active":true,"note":null,"empty":"","tags":[],"grid":[[1,2],[3]]})"
      "\n");
  ASSERT_TRUE(source
                  ->Bind({{"trade.price.value", ""},
                          {"legs[0].qty", ""},
                          {"legs[1].qty", ""},
                          {"trade.id", ""},
                          {"missing.path", ""},
                          {"trade", ""}})
                  .ok());
  SourceRecord rec;
  auto more = source->Next(&rec);
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  ASSERT_TRUE(*more);
  EXPECT_EQ(rec.values,
            (std::vector<std::string>{"72.1234567891234567", "1000", "-5000", "T-1", "", ""}));
  // Numbers are marked as such, for a mapping whose `numbers:` format is for strings.
  EXPECT_EQ(rec.plain_numbers, (std::vector<char>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(rec.extras, (Extras{{"trade.price.ccy", "USD"},
                                {"legs[0].unit", "BBL"},
                                {"big", "123456789012345678901234567890"},
                                {"active", "true"},
                                {"grid[0][0]", "1"},
                                {"grid[0][1]", "2"},
                                {"grid[1][0]", "3"}}));
  EXPECT_EQ(rec.line, 1);
  EXPECT_EQ(rec.location, "line 1");
  EXPECT_FALSE(*source->Next(&rec));
}

// byte_offset is in the file: after a dropped byte order mark, and counting a Latin-1 byte as
// one though it became two in the UTF-8 text.
TEST(JsonlSourceTest, ByteOffsetsAreInTheFile) {
  struct Case {
    std::string text;
    Encoding encoding;
    std::vector<int64_t> offsets;
  };
  for (const Case& c : {Case{"{\"a\":\"\xE9\xE9\"}\n{\"a\":\"x\"}\n", Encoding::kLatin1, {0, 11}},
                        Case{"\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n", Encoding::kUtf8, {3, 11}}}) {
    auto source = JsonlSource::Open(testing::WriteTempFile("offsets.jsonl", c.text),
                                    {c.encoding, Compression::kAuto});
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Bind({{"a", ""}}).ok());
    auto d = testing::DrainSource(source->get());
    std::vector<int64_t> offsets;
    for (const auto& r : d.good) offsets.push_back(r.byte_offset);
    EXPECT_EQ(offsets, c.offsets);
  }
}

TEST(JsonlSourceTest, StringsAreUnescapedAndDuplicatePathsBoundTwice) {
  auto source = FromText(R"({"a":"caf\u00e9 \"q\"\n","b":"x"})");
  ASSERT_TRUE(source->Bind({{"a", ""}, {"a", ""}}).ok());
  SourceRecord rec;
  ASSERT_TRUE(*source->Next(&rec));
  EXPECT_EQ(rec.values, (std::vector<std::string>{"caf\xC3\xA9 \"q\"\n", "caf\xC3\xA9 \"q\"\n"}));
  EXPECT_EQ(rec.extras, (Extras{{"b", "x"}}));
}

// An empty key is a step of its own: its children are not top-level paths.
TEST(JsonlSourceTest, AnEmptyKeyIsAPathStepOfItsOwn) {
  auto source = FromText(R"({"": {"version": 7, "x": {"": 1}}, "a": {"": 2}})");
  ASSERT_TRUE(source->Bind({{"version", ""}, {".version", ""}}).ok());
  SourceRecord rec;
  ASSERT_TRUE(*source->Next(&rec));
  EXPECT_EQ(rec.values, (std::vector<std::string>{"", "7"}));
  EXPECT_EQ(rec.extras, (Extras{{".x.", "1"}, {"a.", "2"}}));
}

// RFC 8259 leaves a repeated key to the reader; parsers keep the first or the last. Either way
// one value would be lost without a word, so the line is malformed.
TEST(JsonlSourceTest, AKeyThatAppearsTwiceMakesTheLineMalformed) {
  auto source = FromText(
      "{\"a\":1,\"p\":{\"b\":\"X\",\"b\":\"Y\"}}\n"  // a bound key twice
      "{\"a\":2,\"note\":\"n1\",\"note\":\"n2\"}\n"  // an unbound one
      "{\"a\":3,\"p\":{\"b\":\"Z\"},\"q\":{\"b\":\"W\"}}\n"
      "{\"a\":4,\"note\":null,\"note\":\"n2\"}\n"  // an unbound one, first without a value
      "{\"a\":5,\"note\":\"n1\",\"note\":\"\"}\n"
      "{\"a\":6,\"note\":null,\"note\":null}\n");
  ASSERT_TRUE(source->Bind({{"a", ""}, {"p.b", ""}}).ok());
  auto d = testing::DrainSource(source.get());
  ASSERT_EQ(d.errors.size(), 5u);
  EXPECT_THAT(d.errors[0], HasSubstr(":1: key 'p.b' appears twice"));
  EXPECT_THAT(d.errors[1], HasSubstr(":2: key 'note' appears twice"));
  for (int i = 2; i < 5; ++i) {
    EXPECT_THAT(d.errors[i], HasSubstr(":" + std::to_string(i + 2) + ": key 'note' appears twice"));
  }
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"3", "Z"}));
}

// An object key given twice is as ambiguous when its values are objects or null: a full price
// followed by "price": {} was stored, and two halves of a price were merged.
TEST(JsonlSourceTest, AnObjectKeyThatAppearsTwiceMakesTheLineMalformed) {
  std::string many = "{\"a\":4";
  for (int i = 0; i < 40; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  many += ",\"k39\":0}\n";  // past the keys compared one by one
  auto source = FromText(
      "{\"a\":1,\"p\":{\"b\":\"X\"},\"p\":{}}\n"
      "{\"a\":2,\"p\":{\"b\":\"X\"},\"p\":null}\n"
      "{\"a\":3,\"p\":{\"b\":\"X\"},\"p\":{\"c\":\"Y\"}}\n" +
      many + "{\"a\":5,\"p\":{\"p\":{\"p\":\"nested, not twice\"}}}\n");
  ASSERT_TRUE(source->Bind({{"a", ""}, {"p.b", ""}}).ok());
  auto d = testing::DrainSource(source.get());
  ASSERT_EQ(d.errors.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(d.errors[i], HasSubstr(":" + std::to_string(i + 1) + ": key 'p' appears twice"));
  }
  EXPECT_THAT(d.errors[3], HasSubstr(":4: key 'k39' appears twice"));
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "5");
}

TEST(JsonlSourceTest, AnEscapedNulIsRejectedAsARawOneIs) {
  auto source = FromText(
      "{\"a\":1,\"p\":{\"b\":\"js\\u0000mith\"}}\n"  // bound
      "{\"a\":2,\"note\":\"x\\u0000\"}\n"            // unbound
      "{\"a\":3,\"p\":{\"b\":\"\\u001f ok\"}}\n"
      "{\"a\":4,\"x\\u0000y\":\"v\"}\n");  // in a key
  ASSERT_TRUE(source->Bind({{"a", ""}, {"p.b", ""}}).ok());
  auto d = testing::DrainSource(source.get());
  ASSERT_EQ(d.errors.size(), 3u);
  EXPECT_THAT(d.errors[0], HasSubstr(":1: key 'p.b': the key or its string value holds a NUL "
                                     "character (\\u0000)"));
  EXPECT_THAT(d.errors[1], HasSubstr(":2: key 'note': the key or its string value holds a NUL"));
  EXPECT_THAT(d.errors[2], HasSubstr(":4: key 'x\\u0000y': the key or its string value holds"));
  ASSERT_EQ(d.good.size(), 1u);
}

TEST(JsonlSourceTest, BadInputCorpus) {
  // 9 records: 4 good (one with wrong types), 5 malformed; blank lines are not records.
  std::string text =
      "{\"id\":\"T1\",\"qty\":10}\n"
      "\n"
      "{\"id\":\"T2\",\"qty\":}\n"                      // invalid JSON
      "[1,2,3]\r\n"                                     // not an object
      "{\"id\":\"T3\",\"qty\":\"ten\",\"px\":[1]}\r\n"  // wrong types: passed on as text
      "{\"id\":\"Soci\xE9t\xE9\"}\n"                    // Latin-1 in UTF-8
      "\"just a string\"\n"                             // not an object
      "{\"id\":\"T4\"} trailing\n"                      // text after the object
      "   \n"
      "{\"id\":\"T5\",\"qty\":5}\n"
      "{\"id\":\"T6\",\"qty\":6}";  // no final line break
  std::string path = testing::WriteTempFile("corpus.jsonl.gz", testing::Gzip(text));
  auto source = JsonlSource::Open(path, {});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_TRUE((*source)->Bind({{"id", ""}, {"qty", ""}}).ok());
  auto d = testing::DrainSource(source->get());
  ASSERT_TRUE(d.fatal.ok()) << d.fatal.ToString();
  ASSERT_EQ(d.good.size(), 4u);
  ASSERT_EQ(d.bad.size(), 5u);
  EXPECT_EQ(d.good.size() + d.bad.size(), 9u);
  EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"T1", "10"}));
  EXPECT_EQ(d.good[1].values, (std::vector<std::string>{"T3", "ten"}));
  EXPECT_EQ(d.good[1].extras, (Extras{{"px[0]", "1"}}));
  EXPECT_EQ(d.good[1].line, 5);
  EXPECT_EQ(d.good[2].line, 10);
  EXPECT_EQ(d.good[3].values, (std::vector<std::string>{"T6", "6"}));
  EXPECT_EQ(d.good[3].line, 11);

  EXPECT_THAT(d.errors[0], HasSubstr(path + ":3: invalid JSON at column 18: The JSON document "
                                            "has an improper structure"));
  EXPECT_EQ(d.bad[0].raw, "{\"id\":\"T2\",\"qty\":}");
  EXPECT_EQ(d.bad[0].location, "line 3");
  EXPECT_EQ(d.errors[1], path + ":4: not a JSON object (the line is an array)");
  EXPECT_EQ(d.bad[1].raw, "[1,2,3]");
  EXPECT_EQ(d.errors[2],
            path +
                ":6: invalid UTF-8 at byte 12 of the record; is the file Windows-1252 or "
                "Latin-1? set encoding: windows-1252");
  EXPECT_EQ(d.errors[3], path + ":7: not a JSON object (the line is a scalar)");
  EXPECT_THAT(d.errors[4], HasSubstr(path + ":8: invalid JSON at column"));
  EXPECT_EQ(d.bad[4].line, 8);
  for (const auto& bad : d.bad) EXPECT_TRUE(bad.values.empty());

  // Read as Latin-1, line 6 is a good record.
  auto latin = JsonlSource::Open(path, {Encoding::kLatin1, Compression::kAuto});
  ASSERT_TRUE(latin.ok());
  ASSERT_TRUE((*latin)->Bind({{"id", ""}}).ok());
  auto l = testing::DrainSource(latin->get());
  ASSERT_EQ(l.good.size(), 5u);
  EXPECT_EQ(l.good[2].values[0], "Soci\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(l.bad.size(), 4u);
}

// Every malformed line says what is wrong and, where the parser can tell, at which column.
TEST(JsonlSourceTest, MalformedLinesSayWhatAndWhere) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"a":1,})", "invalid JSON at column 8: The JSON document has an improper structure"},
      {R"({"a":01})", "invalid JSON at column 6: Problem while parsing a number"},
      {R"({"a":1.})", "invalid JSON at column 6: Problem while parsing a number"},
      {R"({"a":-})", "invalid JSON at column 6: Problem while parsing a number"},
      {R"({"a":"\ud800"})", "invalid JSON at column 14: Problem while parsing a string"},
      {R"({"a":tru})", "invalid JSON at column 6:"},
      {R"({"a":1} x)", "invalid JSON at column 9: text after the object"},
      {R"({"a":"}"} x)", "invalid JSON at column 11: text after the object"},
      {R"({"a":"}",)", "invalid JSON: an object or array is not closed where the line ends"},
      {R"({"a":1}{"b":2})", "invalid JSON at column 8: Unexpected trailing content"},
      {"{\"a\":\"tab\there\"}", "invalid JSON: Within strings, some characters must be escaped"},
      {R"({"a":"open})", "invalid JSON: A string is opened, but never closed"},
      {"42 x", "invalid JSON at column 1:"},
      {"null", "not a JSON object (the line is a scalar)"},
      {R"( "s" )", "not a JSON object (the line is a scalar)"},
  };
  std::string text;
  for (const auto& c : cases) text += c.first + "\n";
  auto source = FromText(text);
  ASSERT_TRUE(source->Bind({{"a", ""}}).ok());
  auto d = testing::DrainSource(source.get());
  ASSERT_TRUE(d.good.empty());
  ASSERT_EQ(d.errors.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_THAT(d.errors[i], HasSubstr(":" + std::to_string(i + 1) + ": " + cases[i].second))
        << cases[i].first;
    EXPECT_EQ(d.bad[i].raw, cases[i].first);
  }
}

// Nesting is walked recursively: past 1000 levels a line is invalid rather than a crash.
TEST(JsonlSourceTest, DeepNestingIsInvalidNotACrash) {
  auto nested = [](int levels, char open, char close) {
    return "{\"a\":" + std::string(levels, open) + std::string(levels, close) + "}";
  };
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"b\":";
  objects += "1" + std::string(100000, '}');
  auto source = FromText(nested(999, '[', ']') + "\n" + nested(100000, '[', ']') +
                         "\n{\"b\":" + objects + "}\n");
  ASSERT_TRUE(source->Bind({{"a", ""}}).ok());
  auto d = testing::DrainSource(source.get());
  ASSERT_EQ(d.good.size(), 1u);
  ASSERT_EQ(d.errors.size(), 2u);
  for (const auto& e : d.errors) EXPECT_THAT(e, HasSubstr("too deep")) << e.substr(0, 200);
}

TEST(JsonlSourceTest, NumbersKeepTheirSignAndRange) {
  auto source =
      FromText(R"({"z":-0,"big":1e400,"small":-1E-400,"f":0.0e-0,"a":3.1e2,"b":1e-07,"c":-2.5E+3,)"
               R"("d":12.345e1,"e":0.5e-2,"g":0e-70,"h":1e-90})");
  ASSERT_TRUE(source
                  ->Bind({{"z", ""},
                          {"big", ""},
                          {"small", ""},
                          {"f", ""},
                          {"a", ""},
                          {"b", ""},
                          {"c", ""},
                          {"d", ""},
                          {"e", ""},
                          {"g", ""},
                          {"h", ""}})
                  .ok());
  SourceRecord rec;
  ASSERT_TRUE(*source->Next(&rec));
  // Exponents are written out exactly; past 256 plain characters (no decimal column holds
  // such a value) left as written.
  EXPECT_EQ(rec.values,
            (std::vector<std::string>{"-0", "1e400", "-1E-400", "0.0", "310", "0.0000001", "-2500",
                                      "123.45", "0.005", "0." + std::string(70, '0'),
                                      "0." + std::string(89, '0') + "1"}));
}

TEST(JsonlSourceTest, TruncatedZstdIsFatal) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"id\":" + std::to_string(i) + "}\n";
  std::string zs = testing::Zstd(text);
  std::string path = testing::WriteTempFile("cut.jsonl.zst", zs.substr(0, zs.size() - 3));
  auto source = JsonlSource::Open(path, {});
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE((*source)->Bind({{"id", ""}}).ok());
  auto d = testing::DrainSource(source->get());
  EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
  EXPECT_THAT(d.fatal.message(), HasSubstr(path + ": truncated zstd data"));
  EXPECT_TRUE(d.bad.empty());
}

// A whole file in a form JSON Lines sources do not read stops at its first line, naming the
// fix, rather than quarantining every line as malformed.
TEST(JsonlSourceTest, AUtf16OrCompressedFileUnderAPlainNameIsNamed) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("{\"a\":1}\n")) utf16 += std::string{c, '\0'};
  auto d = testing::DrainSource(FromText(utf16).get());
  EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
  EXPECT_THAT(d.fatal.message(), HasSubstr("looks like UTF-16, which JSON Lines sources do not "
                                           "read; convert it to UTF-8"));
  auto gz = testing::DrainSource(FromText("\x1F\x8B\x08\x00junk\n").get());
  EXPECT_THAT(gz.fatal.message(),
              HasSubstr("the file is gzip-compressed, but its name does not end in .gz: rename "
                        "it, or for a trade source set compression: gzip"));
  // A UTF-8 file read as Latin-1 shows at its byte order mark, transcoded.
  auto latin1 = testing::DrainSource(FromText("\xC3\xAF\xC2\xBB\xC2\xBF{\"a\":1}\n").get());
  EXPECT_EQ(latin1.fatal.code(), StatusCode::kIOError);
  EXPECT_THAT(latin1.fatal.message(),
              HasSubstr("starts with a UTF-8 byte order mark but is read as Latin-1 or "
                        "windows-1252: set encoding: utf-8"));
  EXPECT_TRUE(latin1.bad.empty());
  // A stray NUL in the first record is that record's fault, not the file's.
  const std::string stray = std::string("{\"a\":\"kdu") + '\0' + "bois\"}\n{\"a\":\"x\"}\n";
  auto nul = testing::DrainSource(FromText(stray).get());
  EXPECT_TRUE(nul.fatal.ok()) << nul.fatal.ToString();
  EXPECT_EQ(nul.bad.size(), 1u);
  EXPECT_EQ(nul.good.size(), 1u);
}

// A byte order mark inside the file starts a file appended to it: that line is malformed.
TEST(JsonlSourceTest, AByteOrderMarkInsideTheFileMakesItsLineMalformed) {
  auto d = testing::DrainSource(FromText("{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}\n{\"a\":3}\n").get());
  EXPECT_TRUE(d.fatal.ok()) << d.fatal.ToString();
  EXPECT_EQ(d.good.size(), 2u);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_THAT(d.errors.at(0), HasSubstr("byte order mark"));
}

TEST(JsonlSourceTest, MissingFileIsNotFound) {
  auto source = JsonlSource::Open("/nonexistent/x.jsonl", {});
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tradeflow::sources
