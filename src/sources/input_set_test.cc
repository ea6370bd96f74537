#include "sources/input_set.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "sources/test_util.h"

namespace tradeflow::sources {
namespace {

TEST(InputSetTest, ExpandsSortsAndDeduplicates) {
  std::string b = testing::WriteTempFile("set_b.csv", "x");
  std::string a = testing::WriteTempFile("set_a.csv", "x");
  std::string z = testing::WriteTempFile("set_z.csv.gz", "x");
  std::string dir = std::filesystem::path(a).parent_path().string();
  std::filesystem::create_directories(dir + "/set_dir.csv");  // a folder is not an input
  auto files = ExpandInputs({dir + "/set_?.csv", b, dir + "/set_[bz]*", dir + "/set_dir*"});
  ASSERT_FALSE(files.ok());  // set_dir* matches only a folder
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.status().message(), "no file matches '" + dir + "/set_dir*'");

  files = ExpandInputs({dir + "/set_?.csv", b, dir + "/set_[bz]*"});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::string>{a, b, z}));
}

// A path that exists is that file, glob characters and all; a folder named as a file is said to
// be one.
TEST(InputSetTest, AnExistingPathIsTakenAsItIs) {
  std::string odd = testing::WriteTempFile("set_odd[1].csv", "x");
  std::string dir = std::filesystem::path(odd).parent_path().string();
  auto files = ExpandInputs({odd});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, std::vector<std::string>{odd});
  std::filesystem::create_directories(dir + "/set_folder.csv");
  auto folder = ExpandInputs({dir + "/set_folder.csv"});
  EXPECT_EQ(folder.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(folder.status().message().find("set_folder.csv: is a directory, expected a file"),
            std::string::npos);
}

TEST(InputSetTest, MissingFileOrEmptyPatternIsNotFound) {
  auto missing = ExpandInputs({"/nonexistent/trades.csv"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "/nonexistent/trades.csv: no such file");
  auto none = ExpandInputs({"/nonexistent/*.jsonl"});
  EXPECT_EQ(none.status().message(), "no file matches '/nonexistent/*.jsonl'");
}

}  // namespace
}  // namespace tradeflow::sources
