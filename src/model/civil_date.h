// Dates of the canonical model (tradeflow.trade.v1.Date: year, month, day) as Arrow and Iceberg
// store them: days since 1970-01-01 in the proleptic Gregorian calendar.
#pragma once

#include <cstdint>

namespace tradeflow::model {

// False when (year, month, day) is not a date: month 13, February 30, or a part out of range.
// std::chrono alone would accept month 257 as January (it keeps the month in a byte), so the
// parts are range-checked first.
bool DaysSinceEpoch(int32_t year, int32_t month, int32_t day, int32_t* days);

}  // namespace tradeflow::model
