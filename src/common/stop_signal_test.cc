#include "common/stop_signal.h"

#include <gtest/gtest.h>
#include <time.h>

#include <csignal>
#include <cstdlib>

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

// Raises SIGTERM twice at once, then SIGINT a little over two seconds later.
void TwiceAtOnceThenLater() {
  InstallStopHandlers();
  RequestStopForTesting(0);
  std::raise(SIGTERM);
  std::raise(SIGTERM);  // as GNU timeout sends it: to the process, then its group
  if (StopRequested() != SIGTERM) std::exit(3);
  struct timespec wait {};
  wait.tv_sec = 2;
  wait.tv_nsec = 100'000'000;
  nanosleep(&wait, nullptr);
  std::raise(SIGINT);
  std::exit(4);  // not reached
}

TEST(StopSignalTest, ARepeatAtOnceIsTheSameRequestALaterSignalEndsTheProcess) {
  EXPECT_EXIT(TwiceAtOnceThenLater(), ::testing::KilledBySignal(SIGINT), "");
}

}  // namespace
}  // namespace tradeflow
