// Parsing of source text into typed values, with messages that say what was expected.
//
// All parsers take the whole (trimmed) text: trailing garbage is an error, never ignored.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::transform {

struct CivilDate {
  int32_t year = 0, month = 0, day = 0;
};

struct UtcTimestamp {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int32_t nanos = 0;
  std::string utc_offset;  // the offset written in (or assumed for) the source: "+01:00"
};

// Without leading and trailing blanks: std::isspace's in the "C" locale, and the no-break space
// (U+00A0 in UTF-8, which spreadsheet exports pad numbers with). Inline: it runs on every field
// of every record, and most fields have no blanks to trim.
inline std::string_view TrimBlanks(std::string_view s) {
  constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
  auto blank = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  for (;;) {
    if (!s.empty() && blank(s.front())) {
      s.remove_prefix(1);
    } else if (s.starts_with(kNoBreakSpace)) {
      s.remove_prefix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && blank(s.back())) {
      s.remove_suffix(1);
    } else if (s.ends_with(kNoBreakSpace)) {
      s.remove_suffix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  return s;
}

// ASCII case-insensitive equality. Enum values and `when` conditions compare source text so,
// both the same way: a source that writes "SWAP" where the mapping says "Swap" must not get the
// instrument type of a swap but none of its legs.
inline bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return upper(x) == upper(y); });
}

Result<int64_t> ParseInteger(std::string_view text);

// `text` written with a source's separators ("-1.234,5" with decimal ',' and thousands '.'),
// rewritten as a plain number ("-1234.5"): a view of `text` itself when the separators are the
// plain ones ('.' and none), else of `*buffer`. Strict, because a separator read the wrong way
// changes a value by powers of ten without any other sign: a thousands separator must sit
// between groups of exactly three digits, before the decimal separator, and a '.' is an error
// when it is neither separator (a German export's "1.5" with only decimal ',' configured).
// What follows the sign is not otherwise checked here: the number parsers do that.
Result<std::string_view> PlainNumber(std::string_view text, char decimal_separator,
                                     std::string_view thousands_separator, std::string* buffer);
Result<bool> ParseBool(std::string_view text);

// OK when every % in a strptime `format` starts a directive glibc's strptime reads (%Y, %d,
// %H, %z, %%, the E and O forms, ...); otherwise Invalid naming it. Checked when a mapping is
// compiled: strptime fails on an unknown directive, which would reject every record.
Status CheckStrptimeFormat(const std::string& format);

// Invalid unless a strptime `format` reads a year, a month and a day; checked with
// CheckStrptimeFormat when a mapping is compiled.
Status CheckFormatGivesADate(const std::string& format);

// Whether a strptime format has the %s directive (seconds since the epoch), which must then be
// the whole format: an instant, read without the host's or the rule's time zone.
bool HasEpochSeconds(const std::string& format);

// `format` is a strptime format; empty means "%Y-%m-%d". Checks that the date exists.
Result<CivilDate> ParseDate(std::string_view text, const std::string& format);

// `format` empty or "iso8601": YYYY-MM-DD[T ]HH:MM[:SS[.fffffffff]][Z|±HH[:MM]]. Otherwise a
// strptime format (glibc: %z accepts Z, ±HH, ±HHMM, ±HH:MM). Without an offset in the text,
// `time_zone` applies: "UTC" (also when empty), a fixed "±HH:MM", or an IANA zone name
// ("Europe/London", with the offset in force at that local time; see OffsetOfLocalTime).
Result<UtcTimestamp> ParseTimestamp(std::string_view text, const std::string& format,
                                    const std::string& time_zone);

// OK for "", UTC, a fixed offset or a known IANA zone name (the system's tz database), but not
// "localtime", the host's own zone.
Status ValidateTimeZone(const std::string& time_zone);

// The UTC offset in force in `time_zone` at a local wall-clock time (seconds since 1970-01-01
// 00:00 local). In the repeated hour when clocks go back, the earlier instant (summer time) is
// taken; a local time that does not exist (clocks go forward) is an error.
Result<int32_t> OffsetOfLocalTime(const std::string& time_zone, int64_t local_seconds);

// "+05:30" → 19800 seconds. Accepts Z, UTC, ±HH, ±HHMM, ±HH:MM.
Result<int32_t> ParseUtcOffset(std::string_view text);
std::string FormatUtcOffset(int32_t seconds);

}  // namespace tradeflow::transform
