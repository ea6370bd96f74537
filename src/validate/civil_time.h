// Calendar helpers for the date rules. Dates are compared as yyyymmdd integers ("date keys"),
// which order like the dates and need no calendar arithmetic; instants are unix seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradeflow::validate {

// 20260511 → "2026-05-11".
std::string FormatDateKey(int64_t key);

// "2026-05-11" → 20260511; nullopt unless exactly YYYY-MM-DD with a real month and day.
std::optional<int64_t> ParseDateKey(std::string_view text);

// Days since 1970-01-01 → date key (proleptic Gregorian).
int64_t DateKeyFromDays(int64_t days);

// The date key of `unix_seconds` in a zone `offset_seconds` east of UTC.
int64_t LocalDateKey(int64_t unix_seconds, int64_t offset_seconds);

// "+02:00", "-0530", "+01", "Z", "UTC" or "" (UTC) → seconds east of UTC; nullopt otherwise.
std::optional<int64_t> ParseUtcOffset(std::string_view text);

// Unix seconds → "2026-05-11T06:02:23Z".
std::string FormatUnixSeconds(int64_t unix_seconds);

}  // namespace tradeflow::validate
