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
  int none = 0;
  if (stop_signal.compare_exchange_strong(none, signal)) {
    first_signal_ns.store(MonotonicNs());
    return;
  }
  if (MonotonicNs() - first_signal_ns.load() < kSameRequestNs) return;
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
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

void RequestStopForTesting(int signal) { stop_signal.store(signal); }

}  // namespace tradeflow
