// A fixed set of worker threads that run submitted tasks in submission order.
//
// The batch run keeps both cores busy with it: chunks of records are mapped and validated on the
// pool while the calling thread reads the next chunk, and data files are converted and written on
// it too. Results come back through std::future, so a caller that needs them in input order just
// waits on the futures in that order; tasks never wait on each other, so the pool cannot
// deadlock.
//
// Written here rather than taken from a library: Arrow's pool is in arrow::internal (not a public
// API), Debian packages none, and a queue plus a few threads is all this needs.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace tradeflow {

class ThreadPool {
 public:
  // `threads` <= 0 means one per hardware thread.
  explicit ThreadPool(int threads = 0);
  // Runs what is queued, then joins.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }

  template <typename Fn>
  auto Submit(Fn fn) -> std::future<std::invoke_result_t<Fn>> {
    using R = std::invoke_result_t<Fn>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    std::future<R> result = task->get_future();
    Enqueue([task] { (*task)(); });
    return result;
  }

 private:
  void Enqueue(std::function<void()> job);
  void Work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tradeflow
