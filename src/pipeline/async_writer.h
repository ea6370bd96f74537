// Hands accepted records to a second thread, so that reading, mapping and validating (this
// thread) overlap with building Arrow batches and encoding Parquet (the other). On two cores
// that is most of the available speed-up; the benchmark showed the two halves of similar cost.
//
// Records are filled in place in recycled chunks: Slot() gives a cleared record to fill, Push()
// hands it over. Proto messages keep their allocated sub-messages across Clear(), so after the
// first chunks nothing is allocated per record. Order is preserved. The consumer's first error
// stops the worker and is returned by the next Push() or by Finish().
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::pipeline {

class AsyncWriter {
 public:
  using Consumer = std::function<Status(const tradeflow::trade::v1::TradeEvent&)>;

  explicit AsyncWriter(Consumer consumer, size_t chunk_size = 1024, size_t max_chunks_queued = 8);
  ~AsyncWriter();

  // A cleared record to fill. Calling Slot() again without Push() (the record was rejected)
  // clears and reuses the same record.
  tradeflow::trade::v1::TradeEvent* Slot();
  // Hands the filled slot over.
  Status Push();
  // Hands over what is left, waits for the worker and returns its status. Call once.
  Status Finish();

 private:
  struct Chunk {
    std::vector<tradeflow::trade::v1::TradeEvent> events;
    size_t used = 0;
  };
  void Run();
  Status HandOver();

  Consumer consumer_;
  size_t chunk_size_;
  size_t max_queued_;
  Chunk current_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> full_;   // to the worker
  std::deque<Chunk> empty_;  // back from the worker, for reuse
  bool done_ = false;
  Status error_;
  std::thread worker_;
};

}  // namespace tradeflow::pipeline
