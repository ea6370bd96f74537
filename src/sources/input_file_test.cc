#include "sources/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

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

TEST(InputFileTest, ChangesAfterHashingAreSeen) {
  auto dir = std::filesystem::temp_directory_path() / "tf_input_file_changes";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string a = (dir / "a.csv").string();
  std::ofstream(a) << "abc";
  auto f = DescribeInputFile(a);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(CheckUnchanged(*f).ok());
  std::ofstream(a, std::ios::app) << "def";  // appended to
  Status st = CheckUnchanged(*f);
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("changed since the run hashed it (its size went from 3 to 6 bytes)"),
            std::string::npos)
      << st.message();
  f = DescribeInputFile(a);
  ASSERT_TRUE(f.ok());
  // File time stamps move in clock ticks of a few milliseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(a) << "xyzxyz";  // rewritten, same size
  EXPECT_NE(CheckUnchanged(*f).message().find("it was written to"), std::string::npos);
  f = DescribeInputFile(a);
  ASSERT_TRUE(f.ok());
  std::string b = (dir / "b.csv").string();
  std::ofstream(b) << "xyzxyz";
  std::filesystem::rename(b, a);  // replaced under its name
  EXPECT_NE(CheckUnchanged(*f).message().find("replaced by another file"), std::string::npos);
  std::filesystem::remove(a);
  EXPECT_NE(CheckUnchanged(*f).message().find("gone since the run began"), std::string::npos);
}

// A URI is text: a name's spaces, '%', '#' and bytes that are not ASCII (a Latin-1 name's
// too) are percent-encoded, as Python's Path.as_uri() does.
TEST(InputFileTest, TheUriIsPercentEncoded) {
  EXPECT_EQ(FileUri("/in/trades-2026_05.csv"), "file:///in/trades-2026_05.csv");
  EXPECT_EQ(FileUri("/in/a b#1%.csv"), "file:///in/a%20b%231%25.csv");
  EXPECT_EQ(FileUri("/in/trades_\xE9t\xE9.csv"), "file:///in/trades_%E9t%E9.csv");
  EXPECT_EQ(FileUri("/in/\xC3\xA9.csv"), "file:///in/%C3%A9.csv");  // é in UTF-8
  EXPECT_EQ(FileUri("/in/\"q\",\t.csv"), "file:///in/%22q%22%2C%09.csv");
  EXPECT_EQ(FileUri("/in/a+b=c;d@e.csv"), "file:///in/a%2Bb%3Dc%3Bd%40e.csv");
}

TEST(InputFileTest, MissingFileIsNotFound) {
  auto f = DescribeInputFile("/no/such/trades.csv");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
}

// A FIFO would be read until its writer closes it, maybe never; a dangling link is named so.
TEST(InputFileTest, AFifoOrADanglingLinkIsNamed) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tf_input_file_special_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "c.csv").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = DescribeInputFile(fifo);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("is not a regular file (a FIFO, socket or device)"),
            std::string::npos)
      << f.status().message();
  const std::string link = (dir / "b.csv").string();
  std::filesystem::create_symlink(dir / "gone.csv", link);
  auto dangling = DescribeInputFile(link);
  ASSERT_FALSE(dangling.ok());
  EXPECT_EQ(
      dangling.status().message(),
      link + ": a symbolic link to " + (dir / "gone.csv").string() + ", which does not exist");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tradeflow::sources
