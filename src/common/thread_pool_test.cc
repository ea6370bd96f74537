#include "common/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>

namespace tradeflow {
namespace {

TEST(ThreadPoolTest, ReturnsEveryResultThroughItsFuture) {
  ThreadPool pool(2);
  std::vector<std::future<int>> results;
  for (int i = 0; i < 100; ++i) results.push_back(pool.Submit([i] { return i * i; }));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(results[i].get(), i * i);
}

TEST(ThreadPoolTest, RunsQueuedTasksBeforeItIsDestroyed) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 50; ++i) {
      (void)pool.Submit([&done] { done.fetch_add(1); });
    }
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(ThreadPoolTest, DefaultsToOneThreadPerCore) {
  ThreadPool pool;
  EXPECT_EQ(pool.size(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  ThreadPool three(3);
  EXPECT_EQ(three.size(), 3);
}

TEST(ThreadPoolTest, MoveOnlyResultsPassThrough) {
  ThreadPool pool(1);
  auto result = pool.Submit([] { return std::make_unique<std::string>("row"); });
  EXPECT_EQ(*result.get(), "row");
}

}  // namespace
}  // namespace tradeflow
