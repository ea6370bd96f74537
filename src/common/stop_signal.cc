#include "common/stop_signal.h"

#include <time.h>

#include <atomic>
#include <csignal>
#include <cstdint>

namespace tradeflow {
namespace {

std::atomic<int> stop_signal{0};
std::atomic<int64_t> first_signal_ns{0};

// A repeat this soon after the first is the same request: GNU timeout signals the process and
// then its process group, and a terminal's Ctrl-C reaches a child its parent forwards it to.
constexpr int64_t kSameRequestNs = 2'000'000'000;

int64_t MonotonicNs() {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe (POSIX)
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Async-signal-safe: atomics, clock_gettime, and signal()/raise() for a later signal.
extern "C" void OnStopSignal(int signal) {
  const int64_t now = MonotonicNs();
  int none = 0;
  if (stop_signal.compare_exchange_strong(none, signal)) {
    first_signal_ns.store(now);
    return;
  }
  // 0: the first is being handled on another thread at this moment, so this is its twin.
  const int64_t first = first_signal_ns.load();
  if (first == 0 || now - first < kSameRequestNs) return;
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);  // the other stop signal waits while one is handled
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGINT);
  action.sa_flags = SA_RESTART;  // a read or write in progress goes on; the run stops after it
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int StopRequested() { return stop_signal.load(std::memory_order_relaxed); }

std::string SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    default:
      return "signal " + std::to_string(signal);
  }
}

void RequestStopForTesting(int signal) {
  stop_signal.store(signal);
  first_signal_ns.store(signal != 0 ? MonotonicNs() : 0);
}

}  // namespace tradeflow
