#include "common/stop_signal.h"

#include <atomic>
#include <csignal>

namespace tradeflow {
namespace {

std::atomic<int> stop_signal{0};

// Async-signal-safe: an atomic store, and signal()/raise() for the second signal.
extern "C" void OnStopSignal(int signal) {
  int none = 0;
  if (!stop_signal.compare_exchange_strong(none, signal)) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
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
