#include "lake/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace tradeflow::lake {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tf_file_io_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(FileIoTest, AtomicWriteCreatesParentsAndReplaces) {
  const std::string path = (dir_ / "a" / "b" / "f.bin").string();
  ASSERT_TRUE(WriteFileAtomic(path, std::string("one\0two", 7)).ok());
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, std::string("one\0two", 7));

  ASSERT_TRUE(WriteFileAtomic(path, "replaced").ok());
  EXPECT_EQ(*ReadFile(path), "replaced");
  // No temporary files are left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_ / "a" / "b")) ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(FileIoTest, ReadMissingFileIsNotFoundAndNamesIt) {
  auto read = ReadFile((dir_ / "missing").string());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find("missing"), std::string::npos);
}

TEST_F(FileIoTest, RemoveFileIfExists) {
  const std::string path = (dir_ / "x").string();
  ASSERT_TRUE(WriteFileAtomic(path, "x").ok());
  EXPECT_TRUE(RemoveFileIfExists(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(RemoveFileIfExists(path).ok());
}

TEST(FileUriTest, RoundTripsAndRejectsNonLocal) {
  EXPECT_EQ(ToFileUri("/data/t/m.avro"), "file:///data/t/m.avro");
  EXPECT_EQ(*LocalPathFromUri("file:///data/t/m.avro"), "/data/t/m.avro");
  EXPECT_EQ(*LocalPathFromUri("/data/t/m.avro"), "/data/t/m.avro");
  EXPECT_EQ(*LocalPathFromUri("file:/data/t/m.avro"), "/data/t/m.avro");
  for (const char* bad : {"s3://bucket/key", "file://host/x", "relative/path", "", "http://x/y"}) {
    auto r = LocalPathFromUri(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace tradeflow::lake
