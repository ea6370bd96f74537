#include "pipeline/async_writer.h"

namespace tradeflow::pipeline {

AsyncWriter::AsyncWriter(Consumer consumer, size_t chunk_size, size_t max_chunks_queued)
    : consumer_(std::move(consumer)),
      chunk_size_(chunk_size),
      max_queued_(max_chunks_queued),
      worker_([this] { Run(); }) {
  current_.events.resize(chunk_size_);
}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    full_.clear();  // abandoned (an error elsewhere): do not write what is queued
    done_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

tradeflow::trade::v1::TradeEvent* AsyncWriter::Slot() {
  auto* event = &current_.events[current_.used];
  event->Clear();  // also what a rejected record left in it
  return event;
}

Status AsyncWriter::Push() {
  ++current_.used;
  if (current_.used < chunk_size_) return Status::OK();
  return HandOver();
}

Status AsyncWriter::HandOver() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return full_.size() < max_queued_ || !error_.ok(); });
  if (!error_.ok()) return error_;
  full_.push_back(std::move(current_));
  if (!empty_.empty()) {
    current_ = std::move(empty_.front());
    empty_.pop_front();
  } else {
    current_ = Chunk();
    current_.events.resize(chunk_size_);
  }
  current_.used = 0;
  lock.unlock();
  cv_.notify_all();
  return Status::OK();
}

Status AsyncWriter::Finish() {
  if (current_.used > 0) TF_RETURN_IF_ERROR(HandOver());
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  worker_.join();
  return error_;
}

void AsyncWriter::Run() {
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !full_.empty() || done_; });
      if (full_.empty()) return;  // done and drained
      chunk = std::move(full_.front());
      full_.pop_front();
    }
    cv_.notify_all();
    Status st;
    for (size_t i = 0; i < chunk.used && st.ok(); ++i) st = consumer_(chunk.events[i]);
    std::lock_guard<std::mutex> lock(mu_);
    if (!st.ok()) {
      error_ = st;
      full_.clear();
      cv_.notify_all();
      return;
    }
    chunk.used = 0;
    empty_.push_back(std::move(chunk));
  }
}

}  // namespace tradeflow::pipeline
