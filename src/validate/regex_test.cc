#include "validate/regex.h"

#include <gtest/gtest.h>

namespace tradeflow::validate {
namespace {

bool Matches(const std::string& pattern, std::string_view text) {
  auto regex = Regex::Compile(pattern);
  EXPECT_TRUE(regex.ok()) << regex.status().ToString();
  auto matched = regex->FullMatch(text);
  EXPECT_TRUE(matched.ok()) << matched.status().ToString();
  return matched.ok() && *matched;
}

TEST(RegexTest, MatchesTheWholeValue) {
  EXPECT_TRUE(Matches("[A-Z]+-[A-Z]{2,3}", "OIL-LDN"));
  EXPECT_FALSE(Matches("[A-Z]+-[A-Z]{2,3}", "OIL-LDN-2"));  // a prefix is not enough
  EXPECT_FALSE(Matches("[A-Z]+", "xOIL"));                  // nor a suffix
  EXPECT_TRUE(Matches("a|ab", "ab"));                       // the alternative that ends it
  EXPECT_TRUE(Matches("\\d{4}-\\d{2}", "2026-05"));
  EXPECT_TRUE(Matches("(?i)endur", "ENDUR"));
  EXPECT_TRUE(Matches("\\u0041+-\\x42", "AA-B"));  // escapes as ECMAScript and Python write them
  EXPECT_TRUE(Matches("\\x{20AC}\\x{41}",
                      "\xE2\x82\xAC"
                      "A"));  // and as Perl does
  EXPECT_TRUE(Matches("[\\x{00C0}-\\x{00FF}]+", "\xC3\xA9\xC3\xA8"));
  EXPECT_TRUE(Matches("a\\x9-", "a\t-"));        // \x with one hex digit
  EXPECT_TRUE(Matches("\\\\u0041", "\\u0041"));  // an escaped backslash, then "u0041"
  EXPECT_TRUE(
      Matches("Soci.t. G.n.rale", "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale"));  // UTF-8
  // \w, \b and the POSIX classes know letters beyond ASCII, as Python's re does.
  EXPECT_TRUE(Matches("\\w+", "j\xC3\xBCrgen"));
  EXPECT_TRUE(Matches("[[:alpha:] ]+", "Zo\xC3\xAB M\xC3\xBCller"));
  EXPECT_TRUE(Matches("\\b.+\\b", "\xC3\x89LODIE"));
  EXPECT_FALSE(Matches("\\w+", "a-b"));
}

TEST(RegexTest, AVeryLongValueNeitherCrashesNorFails) {
  EXPECT_TRUE(Matches("(\\w|\\.)+", std::string(200000, 'a')));
  EXPECT_FALSE(Matches("(\\w|\\.)+", std::string(200000, 'a') + "!"));
}

TEST(RegexTest, ABadPatternNamesWhereItIsWrong) {
  auto regex = Regex::Compile("[A-Z");
  ASSERT_FALSE(regex.ok());
  EXPECT_EQ(regex.status().message(), "missing terminating ] for character class at offset 4");
}

TEST(RegexTest, CatastrophicBacktrackingIsAnErrorNotAHang) {
  auto regex = Regex::Compile("(a+)+");
  ASSERT_TRUE(regex.ok());
  // 2^30 ways to split the a's before the '!' fails them all: PCRE2 gives up at its limit.
  auto matched = regex->FullMatch(std::string(30, 'a') + "!");
  ASSERT_FALSE(matched.ok());
  EXPECT_NE(matched.status().message().find("limit"), std::string::npos)
      << matched.status().message();
}

}  // namespace
}  // namespace tradeflow::validate
