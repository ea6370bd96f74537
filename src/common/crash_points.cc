#include "common/crash_points.h"

#include <csignal>
#include <cstdlib>
#include <string>

namespace tradeflow {

void CrashPoint(std::string_view point) {
  static const std::string kTarget = [] {
    const char* v = std::getenv("TRADEFLOW_CRASH_AT");
    return std::string(v == nullptr ? "" : v);
  }();
  if (!kTarget.empty() && kTarget == point) std::raise(SIGKILL);
}

}  // namespace tradeflow
