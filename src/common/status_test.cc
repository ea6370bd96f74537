#include "common/status.h"

#include <gtest/gtest.h>

namespace tradeflow {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::Invalid("not positive: " + std::to_string(v));
  return v;
}

Result<int> Twice(int v) {
  TF_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status Check(int v) {
  TF_RETURN_IF_ERROR(ParsePositive(v));
  return Status::OK();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ContextIsPrefixed) {
  Status s = Status::Invalid("bad date").WithContext("trades.csv:3");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "trades.csv:3: bad date");
  EXPECT_EQ(s.ToString(), "Invalid: trades.csv:3: bad date");
  EXPECT_TRUE(Status::OK().WithContext("x").ok());
}

TEST(ResultTest, PropagatesValueAndError) {
  ASSERT_TRUE(Twice(4).ok());
  EXPECT_EQ(*Twice(4), 8);
  Result<int> bad = Twice(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "not positive: -1");
  EXPECT_TRUE(Check(1).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tradeflow
