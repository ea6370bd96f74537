#include "common/stop_signal.h"

#include <gtest/gtest.h>

#include <csignal>

namespace tradeflow {
namespace {

TEST(StopSignalTest, TheFirstSignalAsksToStop) {
  InstallStopHandlers();
  RequestStopForTesting(0);
  EXPECT_EQ(StopRequested(), 0);
  std::raise(SIGTERM);  // handled: the process goes on, asked to stop
  EXPECT_EQ(StopRequested(), SIGTERM);
  EXPECT_EQ(SignalName(StopRequested()), "SIGTERM");
  EXPECT_EQ(SignalName(SIGINT), "SIGINT");
  RequestStopForTesting(0);
}

TEST(StopSignalTest, ASecondSignalEndsTheProcess) {
  EXPECT_EXIT(
      {
        InstallStopHandlers();
        RequestStopForTesting(0);
        std::raise(SIGINT);
        std::raise(SIGINT);
      },
      ::testing::KilledBySignal(SIGINT), "");
}

}  // namespace
}  // namespace tradeflow
