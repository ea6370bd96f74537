#include "common/crash_points.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace tradeflow {

void CrashPoint(std::string_view point) {
  static const std::string kTarget = [] {
    const char* v = std::getenv("TRADEFLOW_CRASH_AT");
    return std::string(v == nullptr ? "" : v);
  }();
  if (!kTarget.empty() && kTarget == point) std::raise(SIGKILL);
}

void PausePoint(std::string_view point) {
  static const std::string kTarget = [] {
    const char* v = std::getenv("TRADEFLOW_PAUSE_AT");
    return std::string(v == nullptr ? "" : v);
  }();
  if (kTarget.empty() || kTarget != point) return;
  // Once: a run that starts again without a file left out (on_bad_file: skip) passes the
  // point again, and the test waits for one pause.
  static std::atomic<bool> paused{false};
  if (paused.exchange(true)) return;
  const char* file = std::getenv("TRADEFLOW_PAUSE_FILE");
  if (file == nullptr || *file == '\0') return;
  std::ofstream(file) << point << "\n";
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 10min;
  std::error_code ec;
  while (std::filesystem::exists(file, ec) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace tradeflow
