#include "observe/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace tradeflow::observe {
namespace {

TEST(ProgressTest, AStatusLineIsFittedToTheTerminalByCuttingTheFileName) {
  const std::string name = "../data/exports/2026/11/very_long_export_name_of_the_day.csv";
  const std::string line = "file 1/1 " + name + ": 385024 records, 31.2 MB/s";
  EXPECT_EQ(FitLine(line, name, 0), line);    // not a terminal
  EXPECT_EQ(FitLine(line, name, 200), line);  // fits
  const std::string fitted = FitLine(line, name, 60);
  EXPECT_LT(fitted.size(), 60u);
  EXPECT_EQ(fitted.rfind("file 1/1 ...", 0), 0u) << fitted;
  EXPECT_NE(fitted.find("of_the_day.csv: 385024 records, 31.2 MB/s"), std::string::npos) << fitted;
  const std::string narrow = FitLine(line, name, 44);  // room for little of the name
  EXPECT_LT(narrow.size(), 44u);
  EXPECT_EQ(narrow.rfind("file 1/1 ...", 0), 0u) << narrow;
  EXPECT_TRUE(narrow.ends_with(": 385024 records, 31.2 MB/s")) << narrow;
  EXPECT_LT(FitLine(line, name, 20).size(), 20u);  // narrower than the counts: cut at the end
}

TEST(ProgressTest, OffATerminalEachUpdateIsAPlainTimestampedLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Progress progress(out, /*interactive=*/false, std::chrono::milliseconds(0));
  progress.StartFile("t.csv", 1, 2);
  progress.Update(10, 1 << 20);
  progress.Line("note: something");
  progress.Finish();
  std::rewind(out);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  EXPECT_NE(text.find(" reading file 1/2 t.csv\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" file 1/2 t.csv: 10 records, "), std::string::npos) << text;
  EXPECT_NE(text.find("note: something\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
}

}  // namespace
}  // namespace tradeflow::observe
