#include "model/civil_date.h"

#include <chrono>

namespace tradeflow::model {

bool DaysSinceEpoch(int32_t year, int32_t month, int32_t day, int32_t* days) {
  if (year < -32767 || year > 32767 || month < 1 || month > 12 || day < 1 || day > 31) {
    return false;
  }
  std::chrono::year_month_day ymd{std::chrono::year{year},
                                  std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  *days = static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
  return true;
}

}  // namespace tradeflow::model
