#include "validate/civil_time.h"

#include <cstdio>

namespace tradeflow::validate {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::string FormatDateKey(int64_t key) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(key / 10000),
                static_cast<long long>(key / 100 % 100), static_cast<long long>(key % 100));
  return buf;
}

std::optional<int64_t> ParseDateKey(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return std::nullopt;
  }
  auto num = [&](size_t from, size_t n) {
    int64_t v = 0;
    for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int64_t y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(m))) return std::nullopt;
  return y * 10000 + m * 100 + d;
}

int64_t DateKeyFromDays(int64_t z) {
  // H. Hinnant, civil_from_days.
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

int64_t LocalDateKey(int64_t unix_seconds, int64_t offset_seconds) {
  return DateKeyFromDays(FloorDiv(unix_seconds + offset_seconds, 86400));
}

std::optional<int64_t> ParseUtcOffset(std::string_view s) {
  if (s.empty() || s == "Z" || s == "z" || s == "UTC") return 0;
  if (s[0] != '+' && s[0] != '-') return std::nullopt;
  // +HH, +HHMM, +HH:MM or +HH:MM:SS (the mapping writes seconds when a zone's offset had some).
  char digits[6];
  size_t n = 0;
  const bool colons = s.size() > 3 && s[3] == ':';
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == ':' && colons && (i == 3 || i == 6)) continue;
    if (!IsDigit(s[i]) || n == 6) return std::nullopt;
    digits[n++] = s[i];
  }
  if (n != 2 && n != 4 && !(n == 6 && colons && s.size() == 9)) return std::nullopt;
  auto pair = [&digits](size_t at) { return (digits[at] - '0') * 10 + (digits[at + 1] - '0'); };
  const int64_t hours = pair(0), minutes = n >= 4 ? pair(2) : 0, seconds = n == 6 ? pair(4) : 0;
  if (hours > 18 || minutes > 59 || seconds > 59) return std::nullopt;
  return (s[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds);
}

std::string FormatUnixSeconds(int64_t unix_seconds) {
  int64_t key = DateKeyFromDays(FloorDiv(unix_seconds, 86400));
  int64_t in_day = unix_seconds - FloorDiv(unix_seconds, 86400) * 86400;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "T%02lld:%02lld:%02lldZ", static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60));
  return FormatDateKey(key) + buf;
}

}  // namespace tradeflow::validate
