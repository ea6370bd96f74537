#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tradeflow {
namespace {

TEST(Utf8Test, EncodesEachLength) {
  std::string out;
  for (char32_t cp : {U'A', U'\u00e9', U'\u20ac', U'\U0001F600', U'\U0010FFFF'})
    AppendUtf8(cp, &out);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
}

}  // namespace
}  // namespace tradeflow
