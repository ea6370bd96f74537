#include "common/arrow_status.h"

#include <gtest/gtest.h>

#include <memory>

namespace tradeflow {
namespace {

// What Arrow attaches to an I/O error: the system's reason, kept apart from the message.
class ErrnoLikeDetail : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return "test-errno"; }
  std::string ToString() const override { return "[errno 28] No space left on device"; }
};

TEST(ArrowStatusTest, AnIoErrorKeepsTheSystemsReason) {
  arrow::Status full(arrow::StatusCode::IOError, "Error writing bytes to file",
                     std::make_shared<ErrnoLikeDetail>());
  Status st = FromArrow(full);
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_EQ(st.message(), "Error writing bytes to file ([errno 28] No space left on device)");
  EXPECT_EQ(FromArrow(arrow::Status::Invalid("bad")).message(), "bad");
  EXPECT_TRUE(FromArrow(arrow::Status::OK()).ok());
}

}  // namespace
}  // namespace tradeflow
