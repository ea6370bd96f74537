#include "sources/csv_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  EXPECT_EQ(st.message(), "p.yaml:9: unknown column 'trader' in " + path + " (it has: id, book)");
}

TEST(CsvSourceTest, MalformedRecordCarriesItsRawBytes) {
  auto reader = CsvReader::Open(WriteFile("c.csv", "id,book\n1,B\"x\n2,C\n"), {});
  CsvSource source(std::move(*reader));
  ASSERT_TRUE(source.Bind({{"id", ""}}).ok());
  SourceRecord rec;
  auto bad = source.Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(rec.raw, "1,B\"x\n");
  EXPECT_EQ(rec.line, 2);
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values[0], "2");
}

}  // namespace
}  // namespace tradeflow::sources
