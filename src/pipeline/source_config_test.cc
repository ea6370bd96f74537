#include "pipeline/source_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

namespace tradeflow::pipeline {
namespace {

using ::testing::HasSubstr;

Result<SourceConfig> Parse(const std::string& yaml, const std::string& file = "/p/etl.yaml") {
  YAML::Node root = YAML::Load(yaml);
  return ParseSourceConfig(root["source"], file);
}

TEST(SourceConfigTest, CsvWithEveryOption) {
  auto c = Parse(
      "source:\n"
      "  type: csv\n"
      "  paths: [in/a.csv.gz, \"/abs/*.csv\"]\n"
      "  encoding: latin-1\n"
      "  compression: gzip\n"
      "  delimiter: tab\n"
      "  quote: \"'\"\n"
      "  escape: \"\\\\\"\n"
      "  header: false\n"
      "  columns: [id, qty]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->type, "csv");
  EXPECT_EQ(c->paths, (std::vector<std::string>{"/p/in/a.csv.gz", "/abs/*.csv"}));
  EXPECT_EQ(c->input.encoding, sources::Encoding::kLatin1);
  EXPECT_EQ(c->input.compression, sources::Compression::kGzip);
  EXPECT_EQ(c->csv.delimiter, '\t');
  EXPECT_EQ(c->csv.quote, '\'');
  EXPECT_EQ(c->csv.escape, '\\');
  EXPECT_FALSE(c->csv.header);
  EXPECT_EQ(c->csv.column_names, (std::vector<std::string>{"id", "qty"}));
  EXPECT_EQ(c->csv.column_names_where, "/p/etl.yaml:10");  // for the reader's errors
  EXPECT_EQ(c->where, "/p/etl.yaml:2");
}

TEST(SourceConfigTest, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a.csv\n  delimeter: ';'\n").status().message(),
            "/p/etl.yaml:4: unknown key 'delimeter' in source (allowed: type, path, paths, "
            "encoding, compression, delimiter, quote, escape, header, columns)");
  EXPECT_EQ(Parse("source:\n  type: xml\n  path: a\n").status().message(),
            "/p/etl.yaml:2: source type 'xml' is not supported (csv, jsonl, fixml)");
  EXPECT_EQ(Parse("source:\n  type: jsonl\n  path: a\n  delimiter: ';'\n").status().message(),
            "/p/etl.yaml:4: 'delimiter' applies only to csv sources");
  EXPECT_EQ(Parse("source:\n  type: fixml\n  path: a\n  encoding: ebcdic\n").status().message(),
            "/p/etl.yaml:4: unknown encoding 'ebcdic' (utf-8, latin-1, windows-1252)");
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a\n  compression: bz2\n").status().message(),
            "/p/etl.yaml:4: unknown compression 'bz2' (auto, none, gzip, zstd)");
  EXPECT_THAT(Parse("source:\n  type: csv\n").status().message(),
              HasSubstr("source needs a path or paths"));
  EXPECT_THAT(Parse("source:\n  type: csv\n  path: a\n  header: false\n").status().message(),
              HasSubstr("needs 'columns'"));
  EXPECT_THAT(Parse("source:\n  type: csv\n  path: a\n  escape: ','\n").status().message(),
              HasSubstr("must be different characters"));
  for (const char* c : {"\"\\n\"", "\"\\r\""}) {
    EXPECT_THAT(Parse(std::string("source:\n  type: csv\n  path: a\n  delimiter: ") + c + "\n")
                    .status()
                    .message(),
                HasSubstr("cannot be a line break"))
        << c;
  }
  EXPECT_THAT(Parse("source:\n  path: a\n").status().message(), HasSubstr("needs a type"));
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a\n  paths: [b]\n").status().message(),
            "/p/etl.yaml:4: give source.path or source.paths, not both");
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a\n  header: 1\n").status().message(),
            "/p/etl.yaml:4: header must be true or false (not '1')");
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a\n  columns: [id, '']\n").status().message(),
            "/p/etl.yaml:4: a column name in columns is empty; name every column (one the "
            "mapping does not read can be named anything, e.g. unused_7)");
  EXPECT_EQ(Parse("source:\n  type: csv\n  path: a\n  columns: [id, qty, id]\n").status().message(),
            "/p/etl.yaml:4: column name 'id' is given twice in columns");
  // YAML 1.1 spellings, as PyYAML reads them too.
  ASSERT_TRUE(Parse("source:\n  type: csv\n  path: a\n  header: yes\n").ok());
  EXPECT_TRUE(Parse("source:\n  type: csv\n  path: a\n  header: yes\n")->csv.header);
}

TEST(SourceConfigTest, OpensEachTypeOverResolvedGlobs) {
  auto dir = std::filesystem::temp_directory_path() / "tf_source_config_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "t1.jsonl") << "{\"id\":\"A\",\"px\":{\"v\":1.50}}\n";
  std::ofstream(dir / "t2.jsonl") << "{\"id\":\"B\"}\n";
  std::ofstream(dir / "r.fixml") << "<TrdCaptRpt TrdID=\"9\"/>";
  std::ofstream(dir / "c.csv") << "id;n\n1;\\;x\n";
  std::string file = (dir / "pipe.yaml").string();

  YAML::Node jsonl = YAML::Load("type: jsonl\npaths: [\"t*.jsonl\"]\n");
  auto jc = ParseSourceConfig(jsonl, file);
  ASSERT_TRUE(jc.ok()) << jc.status().ToString();
  auto files = ResolveSourceFiles(*jc);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0], (dir / "t1.jsonl").string());
  auto js = OpenSource(*jc, (*files)[0]);
  ASSERT_TRUE(js.ok()) << js.status().ToString();
  ASSERT_TRUE((*js)->Bind({{"px.v", ""}}).ok());
  sources::SourceRecord rec;
  ASSERT_TRUE(*(*js)->Next(&rec));
  EXPECT_EQ(rec.values[0], "1.50");

  auto fc = ParseSourceConfig(YAML::Load("type: fixml\npath: r.fixml\n"), file);
  ASSERT_TRUE(fc.ok());
  auto fs = OpenSource(*fc, fc->paths[0]);
  ASSERT_TRUE(fs.ok());
  ASSERT_TRUE((*fs)->Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  ASSERT_TRUE(*(*fs)->Next(&rec));
  EXPECT_EQ(rec.values[0], "9");

  auto cc =
      ParseSourceConfig(YAML::Load("type: csv\npath: c.csv\ndelimiter: ';'\nescape: '\\'\n"), file);
  ASSERT_TRUE(cc.ok()) << cc.status().ToString();
  auto cs = OpenSource(*cc, cc->paths[0]);
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  ASSERT_TRUE((*cs)->Bind({{"n", ""}}).ok());
  ASSERT_TRUE(*(*cs)->Next(&rec));
  EXPECT_EQ(rec.values[0], ";x");

  auto none = ParseSourceConfig(YAML::Load("type: csv\npath: \"missing_*.csv\"\n"), file);
  ASSERT_TRUE(none.ok());
  auto missing = ResolveSourceFiles(*none);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            file + ":1: source: no file matches '" + (dir / "missing_*.csv").string() + "'");
}

}  // namespace
}  // namespace tradeflow::pipeline
