#include "pipeline/pipeline_config.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

Result<PipelineConfig> Parse(const std::string& normalise) {
  std::string text =
      "pipeline: p\n"
      "source: {type: csv, path: trades.csv}\n"
      "mapping:\n"
      "  version: v1\n"
      "  fields: {source_trade_id: id}\n" +
      normalise;
  return ParsePipelineConfig(text, "/p/etl.yaml");
}

TEST(PipelineConfigTest, TheMappingFingerprintIgnoresLayoutCommentsAndTheVersion) {
  auto fingerprint = [](const std::string& mapping, const std::string& rest = "") {
    auto c = ParsePipelineConfig(
        "pipeline: p\nsource: {type: csv, path: trades.csv}\n" + mapping + rest, "/p/etl.yaml");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->mapping.fingerprint : "";
  };
  const std::string base = fingerprint(
      "mapping:\n  version: v1\n  fields:\n    source_trade_id: id\n"
      "    direction: {column: bs, enum: {B: BUY, S: SELL}}\n");
  EXPECT_EQ(base.size(), 64u);
  // Another version, flow style, keys in another order, comments, quotes: the same mapping.
  EXPECT_EQ(fingerprint("mapping: # the ETRM export\n  fields: {direction: {enum: {S: SELL, "
                        "'B': \"BUY\"}, column: bs}, source_trade_id: id}\n  version: v2\n"),
            base);
  // A column written as a rule, or as a list of one rule.
  EXPECT_EQ(fingerprint("mapping:\n  version: v1\n  fields:\n    source_trade_id: {column: id}\n"
                        "    direction: [{column: bs, enum: {B: BUY, S: SELL}}]\n"),
            base);
  // Another enum value, another column, an added option: another mapping.
  EXPECT_NE(fingerprint("mapping: {version: v1, fields: {source_trade_id: id, direction: "
                        "{column: bs, enum: {B: BUY, S: BUY}}}}\n"),
            base);
  EXPECT_NE(fingerprint("mapping: {version: v1, fields: {source_trade_id: deal, direction: "
                        "{column: bs, enum: {B: BUY, S: SELL}}}}\n"),
            base);
  EXPECT_NE(fingerprint("mapping: {version: v1, keep_unmapped_columns: false, fields: "
                        "{source_trade_id: id, direction: {column: bs, enum: {B: BUY, S: "
                        "SELL}}}}\n"),
            base);
  // Normalisation changes stored values too: it is part of what the version names, as the steps
  // it runs.
  EXPECT_EQ(fingerprint("mapping: {version: v1, fields: {source_trade_id: id, direction: "
                        "{column: bs, enum: {B: BUY, S: SELL}}}}\n",
                        "normalise: {enabled: true, totals: true}\n"),
            base);
  EXPECT_NE(fingerprint("mapping: {version: v1, fields: {source_trade_id: id, direction: "
                        "{column: bs, enum: {B: BUY, S: SELL}}}}\n",
                        "normalise: {totals: false}\n"),
            base);
}

TEST(PipelineConfigTest, NormaliseIsOnWithEveryStepByDefault) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->normalise_enabled);
  EXPECT_TRUE(c->normalise.compute_totals);
  EXPECT_TRUE(c->normalise.convert_quantities);
}

TEST(PipelineConfigTest, NormaliseCanBeSwitchedOffWhole) {
  auto c = Parse("normalise: false\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->normalise_enabled);
}

TEST(PipelineConfigTest, AStepSwitchedOnWithNormaliseOffIsAnError) {
  EXPECT_EQ(Parse("normalise: {enabled: false, totals: true}\n").status().message(),
            "/p/etl.yaml:6: normalise.totals is true, but normalise.enabled is false: no step "
            "runs");
  auto off = Parse("normalise: {enabled: false, totals: false}\n");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->normalise_enabled);
}

TEST(PipelineConfigTest, NormaliseStepsCanBeSwitchedOneByOne) {
  auto c = Parse("normalise: {totals: false, minor_currency: false, units: true}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->normalise_enabled);
  EXPECT_FALSE(c->normalise.compute_totals);
  EXPECT_FALSE(c->normalise.convert_minor_currency);
  EXPECT_TRUE(c->normalise.convert_quantities);
  EXPECT_TRUE(c->normalise.apply_contract_specs);
}

TEST(PipelineConfigTest, AnUnknownNormaliseStepNamesTheFileAndLine) {
  auto c = Parse("normalise: {total: false}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/p/etl.yaml:6"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("total"), std::string::npos);
}

// The file size on disk and the memory for waiting rows are set apart (lake/row_writer.h).
TEST(PipelineConfigTest, TargetFileSizeAndBufferAreWholeMegabytes) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->table.target_file_mb, 128);
  EXPECT_EQ(c->table.buffer_mb, 64);
  c = Parse("table: {target_file_mb: 512, buffer_mb: 16}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->table.target_file_mb, 512);
  EXPECT_EQ(c->table.buffer_mb, 16);
  for (const char* bad : {"table: {buffer_mb: 0}\n", "table: {buffer_mb: 1.5}\n",
                          "table: {target_file_mb: -3}\n", "table: {buffer_mb: 9999999999999}\n"}) {
    c = Parse(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("/p/etl.yaml:6"), std::string::npos)
        << c.status().ToString();
  }
}

// Table names are folder names: nothing that leaves the warehouse or aliases another table.
TEST(PipelineConfigTest, TableNamesArePlainAndDistinct) {
  auto message = [](const std::string& extra) {
    auto c = Parse(extra);
    return c.ok() ? std::string("ok") : c.status().message();
  };
  EXPECT_EQ(message("table: {namespace: trading, name: trade-events_2}\n"), "ok");
  for (const char* bad : {"table: {name: ../../evil}\n", "table: {name: a.b}\n",
                          "table: {namespace: a/b}\n", "quarantine: {name: ../q}\n"}) {
    EXPECT_NE(message(bad).find("may hold only letters, digits, '_' and '-'"), std::string::npos)
        << bad;
  }
  EXPECT_NE(message("quarantine: {name: trade_events}\n")
                .find("table.name and quarantine.name are both 'trade_events'"),
            std::string::npos);
  EXPECT_NE(message("table: {name: ref_books}\n")
                .find(":6: table.name 'ref_books' starts with 'ref_', which names the reference "
                      "tables"),
            std::string::npos);
  EXPECT_NE(message("table: {name: t}\nquarantine:\n  name: ref_q\n")
                .find(":8: quarantine.name 'ref_q' starts with 'ref_'"),
            std::string::npos)
      << message("table: {name: t}\nquarantine:\n  name: ref_q\n");
  EXPECT_NE(message("table:\n  sort_by: [trade_date descending]\n")
                .find("a column, then optionally 'desc' (or 'asc'), as 'trade_date desc'"),
            std::string::npos);
  EXPECT_EQ(message("table:\n  sort_by: [trade_date asc, source_trade_id desc]\n"), "ok");
  EXPECT_NE(message("table:\n  partition_by: [{column: trade_date, transform: month}, "
                    "{column: trade_date, transform: month}]\n")
                .find("partition_by names trade_date (month) twice"),
            std::string::npos);
}

// Local paths only: a URI is a file:// (or the catalog's sqlite:///) one, or an error.
TEST(PipelineConfigTest, UriPathsAreLocalOrRefused) {
  auto c = Parse("warehouse: file:///data/lake\ncatalog: {uri: \"sqlite:///lake/c.db\"}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->warehouse, "/data/lake");
  EXPECT_EQ(c->catalog.uri, "lake/c.db");  // SQLAlchemy's three slashes: a relative path
  c = Parse("catalog: {uri: \"sqlite:////data/lake/c.db\"}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->catalog.uri, "/data/lake/c.db");
  // SQLAlchemy (pyiceberg) decodes %XX in the path: the same URI names the same file.
  c = Parse("catalog: {uri: \"sqlite:////data/my%20cat%2541.db%\"}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->catalog.uri, "/data/my cat%41.db%");
  auto s3 = Parse("warehouse: s3://bucket/lake\n");
  ASSERT_FALSE(s3.ok());
  EXPECT_NE(s3.status().message().find("/p/etl.yaml:6: warehouse 's3://bucket/lake' is a s3:// "
                                       "location; tradeflow reads and writes local files only"),
            std::string::npos)
      << s3.status().message();
  // Empty, or a file:// URI with a host where the path should start: no folder to use.
  for (const char* empty :
       {"warehouse: ''\n", "catalog: {uri: ''}\n", "catalog: {uri: 'sqlite:///'}\n"}) {
    auto e = Parse(empty);
    ASSERT_FALSE(e.ok()) << empty;
    EXPECT_NE(e.status().message().find("is empty: give a folder or file path"), std::string::npos)
        << e.status().message();
  }
  EXPECT_NE(Parse("warehouse: file://cu/wh\n")
                .status()
                .message()
                .find("warehouse 'file://cu/wh' names no absolute path (file:///abs/path"),
            std::string::npos);
  // A scheme without "//" is not a folder named "file:".
  EXPECT_NE(Parse("warehouse: 'file:lake'\n")
                .status()
                .message()
                .find("warehouse 'file:lake' reads as a URI without '//' (file:); write a path, "
                      "or file:///abs/path (./file:lake for a folder whose name has a colon)"),
            std::string::npos);
  EXPECT_FALSE(Parse("catalog: {uri: 'sqlite:lake/c.db'}\n").ok());
  EXPECT_TRUE(Parse("warehouse: ./file:lake\n").ok());
  EXPECT_TRUE(Parse("warehouse: /data/x:y\n").ok());
}

// YAML's parser keeps both copies of a repeated key, and which one a reader sees differs from
// key to key: a repeat is an error naming both lines.
TEST(PipelineConfigTest, ARepeatedKeyIsAnError) {
  for (const char* extra : {"warehouse: a\nwarehouse: b\n", "table: {name: x, name: y}\n",
                            "validation:\n  builtin:\n    positive_quantity: error\n"
                            "    positive_quantity: off\n"}) {
    auto c = Parse(extra);
    ASSERT_FALSE(c.ok()) << extra;
    EXPECT_NE(c.status().message().find("appears twice in this mapping (first at line"),
              std::string::npos)
        << c.status().message();
  }
  auto two = ParsePipelineConfig("pipeline: a\n---\npipeline: b\n", "/p/etl.yaml");
  EXPECT_NE(two.status().message().find("/p/etl.yaml:3: a second YAML document"), std::string::npos)
      << two.status().message();
  EXPECT_NE(ParsePipelineConfig("# nothing\n", "/p/etl.yaml").status().message().find("is empty"),
            std::string::npos);
}

// A rule with two value sources, or a condition with two tests, would ignore one of them.
TEST(PipelineConfigTest, OneValueSourceAndOneTestPerRule) {
  auto two = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\n"
      "mapping:\n  version: v\n  fields:\n    parties.book: {column: book, constant: X}\n",
      "/p/etl.yaml");
  EXPECT_NE(two.status().message().find(
                "/p/etl.yaml:5: a rule takes one value source, but column and constant are both "
                "given"),
            std::string::npos)
      << two.status().message();
  auto both = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\n"
      "mapping:\n  version: v\n  fields:\n"
      "    parties.book: {column: book, when: {column: s, equals: A, in: [B]}}\n",
      "/p/etl.yaml");
  EXPECT_NE(both.status().message().find("when takes equals: x or in: [x, y], not both"),
            std::string::npos)
      << both.status().message();
  auto empty = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\n"
      "mapping:\n  version: v\n  fields:\n"
      "    parties.book: {column: book, when: {column: s, in: []}}\n",
      "/p/etl.yaml");
  EXPECT_EQ(empty.status().message(),
            "/p/etl.yaml:5: when.in is empty; list the values, or leave `in` out to test that "
            "the column is not empty");
}

// `when`, `default` and the like belong to a whole rule: inside a concat part or a lookup key
// they would be ignored, so they are errors there.
TEST(PipelineConfigTest, APartOfAValueTakesNoRuleOptions) {
  auto parse = [](const std::string& rule) {
    return ParsePipelineConfig(
               "source: {type: csv, path: t.csv}\n"
               "mapping:\n  version: v\n  fields:\n    parties.trader: " +
                   rule + "\n",
               "/p/etl.yaml")
        .status();
  };
  EXPECT_EQ(parse("{concat: [book, {constant: '-', when: {column: flag}}]}").message(),
            "/p/etl.yaml:5: 'when' does not apply to a concat part, only to a whole rule: a "
            "concat part is a column, constant, concat or lookup");
  EXPECT_NE(parse("{concat: [book, {column: tr, default: NOBODY}]}")
                .message()
                .find("'default' does not apply to a concat part"),
            std::string::npos);
  EXPECT_NE(parse("{lookup: {table: books, key: {column: book, default: X}, field: desk}}")
                .message()
                .find("'default' does not apply to a lookup key"),
            std::string::npos);
  EXPECT_NE(parse("{concat: []}").message().find("concat is empty: list the values to join"),
            std::string::npos);
  EXPECT_NE(parse("{concat: book}").message().find("concat must be a list of values to join"),
            std::string::npos);
  EXPECT_TRUE(parse("{concat: [book, {constant: '-'}, {column: tr}], separator: ''}").ok());
}

// A separator that is part of a number would rewrite values without error; a no-break space
// (French exports) is one character in two bytes.
TEST(PipelineConfigTest, NumberSeparatorsAreCheckedAndMayBeANoBreakSpace) {
  auto parse = [](const std::string& numbers) {
    return ParsePipelineConfig(
        "source: {type: csv, path: t.csv}\n"
        "mapping:\n  version: v\n  numbers: " +
            numbers + "\n  fields: {source_trade_id: id}\n",
        "/p/etl.yaml");
  };
  auto nbsp = parse("{decimal_separator: ',', thousands_separator: \"\\u00a0\"}");
  ASSERT_TRUE(nbsp.ok()) << nbsp.status().ToString();
  EXPECT_EQ(nbsp->mapping.numbers.thousands_separator, "\u00a0");
  EXPECT_EQ(parse("{decimal_separator: '1'}").status().message(),
            "/p/etl.yaml:4: decimal_separator must be '.' or ','");
  EXPECT_NE(parse("{thousands_separator: '1'}").status().message().find("is part of a number"),
            std::string::npos);
  EXPECT_NE(parse("{thousands_separator: 'ab'}").status().message().find("must be one character"),
            std::string::npos);
}

TEST(PipelineConfigTest, AKeyWithoutAValueIsNamedAtItsOwnLine) {
  auto source = ParsePipelineConfig(
      "pipeline: p\nsource:\n\n# the trades\nmapping:\n  version: v1\n"
      "  fields: {source_trade_id: id}\n",
      "/p/etl.yaml");
  EXPECT_EQ(source.status().message(), "/p/etl.yaml:2: key 'source' has no value");
  auto last = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\nmapping:\n  version: v1\n"
      "  fields: {source_trade_id: id}\nwarehouse:\n",
      "/p/etl.yaml");
  EXPECT_EQ(last.status().message(), "/p/etl.yaml:5: key 'warehouse' has no value");
  auto nested = ParsePipelineConfig(
      "source:\n  type: csv\n  path:\nmapping:\n  version: v1\n"
      "  fields: {source_trade_id: id}\n",
      "/p/etl.yaml");
  EXPECT_EQ(nested.status().message(), "/p/etl.yaml:3: key 'path' has no value");
  // `validation:` alone means the built-in rules at their defaults.
  EXPECT_TRUE(Parse("validation:\n").ok()) << Parse("validation:\n").status().ToString();
}

TEST(PipelineConfigTest, FixmlTakesNoNumberFormat) {
  auto fixml = ParsePipelineConfig(
      "source: {type: fixml, path: t.xml}\nmapping:\n  version: v1\n"
      "  numbers: {decimal_separator: ','}\n  fields: {source_trade_id: '@TrdID'}\n",
      "/p/etl.yaml");
  EXPECT_EQ(fixml.status().message(),
            "/p/etl.yaml:4: mapping.numbers does not apply to FIXML, whose numbers are always "
            "written 1234.5; leave it out");
}

TEST(PipelineConfigTest, EmptyMappingsAreRefused) {
  auto none = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\nmapping:\n  version: v1\n  fields: {}\n", "/p/etl.yaml");
  EXPECT_EQ(none.status().message(),
            "/p/etl.yaml:4: mapping.fields is empty: map at least the canonical fields");
  auto no_rules = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\nmapping:\n  version: v1\n"
      "  fields:\n    source_trade_id: id\n    parties.trader: []\n",
      "/p/etl.yaml");
  EXPECT_EQ(no_rules.status().message(),
            "/p/etl.yaml:6: the rules for parties.trader are an empty list: give at least one, or "
            "leave the field out");
}

TEST(PipelineConfigTest, TheMappingVersionIsNotEmpty) {
  auto empty = ParsePipelineConfig(
      "source: {type: csv, path: t.csv}\n"
      "mapping:\n  version: ''\n  fields: {source_trade_id: id}\n",
      "/p/etl.yaml");
  EXPECT_EQ(empty.status().message(),
            "/p/etl.yaml:3: mapping.version is empty; every record's provenance records it, so "
            "name the mapping's version (etrm-v1)");
}

TEST(PipelineConfigTest, MaxBadRecordsIsACountOrAPercentage) {
  auto none = Parse("");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->max_bad_records.has_value());

  auto count = Parse("max_bad_records: 1234567\n");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->max_bad_records->count, 1234567);
  EXPECT_FALSE(count->max_bad_records->Exceeded(1234567, 2000000));
  EXPECT_TRUE(count->max_bad_records->Exceeded(1234568, 2000000));
  EXPECT_EQ(count->max_bad_records->ToString(), "1234567");

  auto share = Parse("max_bad_records: 2.5%\n");
  ASSERT_TRUE(share.ok()) << share.status().ToString();
  EXPECT_FALSE(share->max_bad_records->count.has_value());
  EXPECT_FALSE(share->max_bad_records->Exceeded(25, 1000));
  EXPECT_TRUE(share->max_bad_records->Exceeded(26, 1000));
  EXPECT_FALSE(share->max_bad_records->Exceeded(0, 0));
  EXPECT_EQ(share->max_bad_records->ToString(), "2.5%");
}

// Exactly at the limit is not past it, for every whole percentage of 100 and of 300 records
// (0.29 * 100 is 28.999999999999996 in doubles).
TEST(PipelineConfigTest, MaxBadRecordsAtThePercentageItselfIsNotPastIt) {
  for (int p = 0; p <= 100; ++p) {
    BadRecordLimit limit;
    limit.percent_units = p;
    EXPECT_FALSE(limit.Exceeded(p, 100)) << p;
    EXPECT_TRUE(limit.Exceeded(p + 1, 100)) << p;
    EXPECT_FALSE(limit.Exceeded(3 * p, 300)) << p;
    EXPECT_TRUE(limit.Exceeded(3 * p + 1, 300)) << p;
  }
  // And for fractions: 0.29 is no double, yet 145 of 50,000 is exactly 0.29%.
  auto fraction = Parse("max_bad_records: 0.29%\n");
  ASSERT_TRUE(fraction.ok()) << fraction.status().ToString();
  EXPECT_FALSE(fraction->max_bad_records->Exceeded(145, 50000));
  EXPECT_TRUE(fraction->max_bad_records->Exceeded(146, 50000));
  EXPECT_EQ(fraction->max_bad_records->ToString(), "0.29%");
  auto fine = Parse("max_bad_records: 0.000001%\n");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_FALSE(fine->max_bad_records->Exceeded(1, 100000000));
  EXPECT_TRUE(fine->max_bad_records->Exceeded(2, 100000000));
  auto zero = Parse("max_bad_records: 0%\n");
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->max_bad_records->Exceeded(0, 0));  // an empty file
  EXPECT_TRUE(zero->max_bad_records->Exceeded(1, 1000));
}

TEST(PipelineConfigTest, OnBadFileFailsTheRunOrSkipsTheFile) {
  auto fallback = Parse("max_bad_records: 5%\n");
  ASSERT_TRUE(fallback.ok()) << fallback.status().ToString();
  EXPECT_EQ(fallback->on_bad_file, BadFilePolicy::kFail);
  auto skip = Parse("max_bad_records: 5%\non_bad_file: skip\n");
  ASSERT_TRUE(skip.ok()) << skip.status().ToString();
  EXPECT_EQ(skip->on_bad_file, BadFilePolicy::kSkip);
  auto fail = Parse("on_bad_file: fail\nmax_bad_records: 10\n");
  ASSERT_TRUE(fail.ok()) << fail.status().ToString();
  EXPECT_EQ(fail->on_bad_file, BadFilePolicy::kFail);
  EXPECT_TRUE(Parse("on_bad_file: fail\n").ok());  // the default, limit or not

  auto wrong = Parse("max_bad_records: 5%\non_bad_file: ignore\n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "/p/etl.yaml:7: on_bad_file must be fail or skip");
  auto alone = Parse("on_bad_file: skip\n");
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.status().message(),
            "/p/etl.yaml:6: on_bad_file needs max_bad_records, which says when a file is bad");
}

TEST(PipelineConfigTest, AWrongMaxBadRecordsNamesTheFileAndLine) {
  for (const char* value : {"lots",   "150%",  "-1",  "2.5", "%",      "10 %",
                            "nan%",   "inf",   "-0",  "-0%", "1e19",   "99999999999999999999",
                            "1e2%",   "+5",    ".5%", "5.%", "1.2.3%", "0.0000001%",
                            "100.5%", "1e-04%"}) {
    for (bool quoted : {true, false}) {
      if (!quoted && value[0] == '%') continue;  // not YAML: a directive
      auto c = Parse(std::string("max_bad_records: ") + (quoted ? "\"" : "") + value +
                     (quoted ? "\"" : "") + "\n");
      ASSERT_FALSE(c.ok()) << value;
      EXPECT_NE(c.status().message().find("/p/etl.yaml:6"), std::string::npos)
          << c.status().message();
      EXPECT_NE(c.status().message().find("a whole number of records (500) or a percentage"),
                std::string::npos)
          << c.status().message();
    }
  }
  auto with_fail = Parse("on_bad_record: fail\nmax_bad_records: 10%\n");
  ASSERT_FALSE(with_fail.ok());
  EXPECT_NE(with_fail.status().message().find("needs on_bad_record: quarantine"),
            std::string::npos);
}

TEST(PipelineConfigTest, OrphanMinAgeIsWholeSecondsFromZero) {
  EXPECT_EQ(Parse("cleanup: {orphan_min_age_seconds: 0}\n")->orphan_min_age_seconds, 0);
  EXPECT_EQ(Parse("cleanup: {orphan_min_age_seconds: -5}\n").status().message(),
            "/p/etl.yaml:6: orphan_min_age_seconds must be 0 or more");
  EXPECT_EQ(Parse("cleanup: {orphan_min_age_seconds: 1.5}\n").status().message(),
            "/p/etl.yaml:6: orphan_min_age_seconds must be a whole number of seconds");
}

TEST(PipelineConfigTest, YamlSyntaxErrorsSayTheUsualCause) {
  auto message = [](const std::string& text) {
    return ParsePipelineConfig(text, "/p/etl.yaml").status().message();
  };
  EXPECT_EQ(message("pipeline: p\nsource:\n\ttype: csv\n"),
            "/p/etl.yaml:3: illegal map value (this line is indented with a tab: YAML allows "
            "only spaces)");
  EXPECT_EQ(message("pipeline: p\nsource: {type: csv\nmapping: {}\n"),
            "/p/etl.yaml:3: end of map flow not found (a '{' is not closed by '}')");
  EXPECT_EQ(message("validation:\n  rules:\n    - {id: x, pattern: \"\\d+\"}\n"),
            "/p/etl.yaml:3: unknown escape character: d (in double quotes a backslash starts an "
            "escape: write a pattern with backslashes in single quotes ('\\d+'))");
  EXPECT_EQ(message("pipeline: p\n- a\n"),
            "/p/etl.yaml:2: end of map not found (a line is indented differently from the keys "
            "or list items around it)");
}

}  // namespace
}  // namespace tradeflow::pipeline
