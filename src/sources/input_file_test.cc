#include "sources/input_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tradeflow::sources {
namespace {

TEST(InputFileTest, IdentifiesByContentHash) {
  auto dir = std::filesystem::temp_directory_path() / "tf_input_file_test";
  std::filesystem::create_directories(dir);
  std::string a = (dir / "a.csv").string(), b = (dir / "b.csv").string();
  std::ofstream(a) << "abc";
  std::ofstream(b) << "abc";
  auto fa = DescribeInputFile(a);
  auto fb = DescribeInputFile(b);
  ASSERT_TRUE(fa.ok() && fb.ok());
  // Known SHA-256 of "abc".
  EXPECT_EQ(fa->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(fa->sha256, fb->sha256);
  EXPECT_EQ(fa->size, 3);
  EXPECT_EQ(fa->uri, "file://" + std::filesystem::canonical(a).string());
}

TEST(InputFileTest, MissingFileIsNotFound) {
  auto f = DescribeInputFile("/no/such/trades.csv");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tradeflow::sources
