#include "transform/value_parsers.h"

#include <date/tz.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>

#include "common/quote.h"

namespace tradeflow::transform {
namespace {

// std::isdigit in the "C" locale (tradeflow never sets another), inline: it runs on every
// field of every record.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ValidCivil(int32_t y, int32_t m, int32_t d) {
  return m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
         std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{unsigned(m)},
                                     std::chrono::day{unsigned(d)}}
             .ok();
}

int64_t DaysFromCivil(int32_t y, int32_t m, int32_t d) {
  return std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{y},
                                                           std::chrono::month{unsigned(m)},
                                                           std::chrono::day{unsigned(d)}}}
      .time_since_epoch()
      .count();
}

// Years 1 to 9999 only: year 0 is a valid proleptic Gregorian year, but no trade has one, and
// readers with calendar types of their own (Python's datetime, so pyiceberg's to_pandas) cannot
// represent it. Checked on dates as written and on timestamps once in UTC.
constexpr int64_t kFirstDay = -719162;  // 0001-01-01, in days since 1970-01-01
constexpr int64_t kLastDay = 2932896;   // 9999-12-31
bool InYearRange(int32_t year) { return year >= 1 && year <= 9999; }
Status OutOfYearRange(std::string_view raw) {
  return Status::Invalid(QuoteValue(raw) + " is outside the years 0001 to 9999");
}
// Reads exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, size_t n, int32_t* out) {
  if (*i + n > s.size()) return false;
  int32_t v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

// A 60th second is a leap second, which only ends a UTC day (23:59:60): read as the next
// second, it is then UTC midnight. 10:00:60, or 23:59:60 in a zone where that is not UTC's
// last minute, is no time.
Status CheckLeapSecond(int second, int64_t utc_seconds, std::string_view raw) {
  if (second != 60 || ((utc_seconds % 86400) + 86400) % 86400 == 0) return Status::OK();
  return Status::Invalid(QuoteValue(raw) +
                         " is not a valid date and time: a 60th second (a leap second) only ends "
                         "a UTC day, 23:59:60Z");
}

// The instant of a valid time whose seconds are `second` and whose local time read as seconds
// is `local`. A leap second (and any fraction of it) is stored as 23:59:59.999999, the last
// instant of the day the source gave that the table's timestamps (microseconds, no 61st
// second) can hold: read as the next second it would fall on the next day, and a trade
// executed at 23:59:60 would be one executed the day after its trade date.
void SetInstant(int second, int64_t local, int32_t offset, UtcTimestamp* out) {
  out->seconds = local - offset;
  out->utc_offset = FormatUtcOffset(offset);
  if (second != 60) return;
  out->seconds -= 1;
  out->nanos = 999'999'000;
}

constexpr std::string_view kOffsetRange =
    " is out of range (at most 18 hours, minutes and seconds 00-59)";

Status OffsetOutOfRange(std::string_view raw, std::string_view offset) {
  return Status::Invalid(QuoteValue(raw) + ": the UTC offset " + std::string(offset) +
                         std::string(kOffsetRange));
}

// "+01", "+0100", "+01:00" or "+01:19:32" (a zone's offset before 1972, say) as seconds, with
// hours, minutes and seconds not yet checked against their ranges (*in_range says whether they
// are). False when `s` is not of that shape.
bool ReadOffset(std::string_view s, int32_t* seconds, bool* in_range) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  size_t i = 1;
  int32_t h = 0, m = 0, sec = 0;
  if (!Digits(s, &i, 2, &h)) return false;
  const bool colon = i < s.size() && s[i] == ':';
  if (colon && ++i == s.size()) return false;  // "+05:" is cut short
  if (i < s.size() && !Digits(s, &i, 2, &m)) return false;
  if (colon && i < s.size() && s[i] == ':') {
    ++i;
    if (!Digits(s, &i, 2, &sec)) return false;
  }
  if (i != s.size()) return false;
  *in_range = h <= 18 && m <= 59 && sec <= 59 && (h < 18 || m + sec == 0);
  const int32_t total = h * 3600 + m * 60 + sec;
  *seconds = s[0] == '-' ? -total : total;
  return true;
}

// ReadOffset, or Z, UTC or GMT; blanks around it are dropped.
bool ReadZoneDesignator(std::string_view s, int32_t* seconds, bool* in_range) {
  s = TrimBlanks(s);
  if (s == "Z" || s == "z" || s == "UTC" || s == "GMT") {
    *seconds = 0;
    *in_range = true;
    return true;
  }
  return ReadOffset(s, seconds, in_range);
}

Result<UtcTimestamp> InYearRange(UtcTimestamp ts, std::string_view raw) {
  const int64_t day = ts.seconds >= 0 ? ts.seconds / 86400 : (ts.seconds - 86399) / 86400;
  if (day < kFirstDay || day > kLastDay) return OutOfYearRange(raw);
  return ts;
}

Result<UtcTimestamp> ParseIso8601(std::string_view s, const std::string& time_zone) {
  auto bad = [&] {
    return Status::Invalid("cannot parse " + QuoteValue(s) +
                           " as an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM])");
  };
  size_t i = 0;
  int32_t y, mo, d, h, mi, sec = 0;
  if (!Digits(s, &i, 4, &y) || i >= s.size() || s[i++] != '-' || !Digits(s, &i, 2, &mo) ||
      i >= s.size() || s[i++] != '-' || !Digits(s, &i, 2, &d)) {
    return bad();
  }
  if (i >= s.size() || (s[i] != 'T' && s[i] != ' ')) return bad();
  ++i;
  if (!Digits(s, &i, 2, &h) || i >= s.size() || s[i++] != ':' || !Digits(s, &i, 2, &mi)) {
    return bad();
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!Digits(s, &i, 2, &sec)) return bad();
  }
  int32_t nanos = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (digits < 9) nanos = nanos * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    if (digits > 9) {  // nanoseconds at most: nothing cut silently
      return Status::Invalid("cannot parse " + QuoteValue(s) +
                             ": a fraction of a second has at most nine digits");
    }
    for (size_t k = digits; k < 9; ++k) nanos *= 10;
  }
  if (!ValidCivil(y, mo, d) || h > 23 || mi > 59 || sec > 60) {
    return Status::Invalid(QuoteValue(s) + " is not a valid date and time");
  }
  std::string_view rest = s.substr(i);
  int32_t offset = 0;
  const int64_t local = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  if (rest.empty()) {
    TF_ASSIGN_OR_RETURN(offset, OffsetOfLocalTime(time_zone, local));
  } else {
    bool in_range = false;
    if (!ReadZoneDesignator(rest, &offset, &in_range)) return bad();
    if (!in_range) return OffsetOutOfRange(s, TrimBlanks(rest));
  }
  UtcTimestamp out;
  TF_RETURN_IF_ERROR(CheckLeapSecond(sec, local - offset, s));
  out.nanos = nanos;
  SetInstant(sec, local, offset, &out);
  return InYearRange(std::move(out), s);
}

const std::string kIsoDate = "%Y-%m-%d";

bool IsNumericDirective(char d) {
  return std::string_view("YmdHMSy").find(d) != std::string_view::npos;
}

// One of %m %d %H %M %S as exactly two digits, in its range.
bool ReadTwoDigits(const char*& p, char directive, std::tm* tm) {
  if (!std::isdigit(static_cast<unsigned char>(p[0])) ||
      !std::isdigit(static_cast<unsigned char>(p[1]))) {
    return false;
  }
  const int v = (p[0] - '0') * 10 + (p[1] - '0');
  p += 2;
  switch (directive) {
    case 'm':
      tm->tm_mon = v - 1;
      return v >= 1 && v <= 12;
    case 'd':
      tm->tm_mday = v;
      return v >= 1 && v <= 31;
    case 'H':
      tm->tm_hour = v;
      return v <= 23;
    case 'M':
      tm->tm_min = v;
      return v <= 59;
    default:  // 'S'
      tm->tm_sec = v;
      return v <= 60;
  }
}

// strptime with `%Y` read as exactly four digits. glibc's %Y takes one to four, so "26-05-01"
// with "%Y-%m-%d" would be the year 26: a plausible-looking date in the wrong millennium, and
// a partition of its own. Likewise %m %d %H %M %S next to another number's directive ("%Y%m%d")
// are read as exactly two digits: glibc takes one or two, so "2026111" would be 2026-11-01. The
// format is split at those directives; strptime reads the parts between. (Never at %p: glibc
// applies a PM it reads to the hour of the same call only.)
const char* StrictStrptime(const char* text, const std::string& format, std::tm* tm) {
  const char* p = text;
  size_t from = 0;                         // start of the format part not yet read
  size_t numeric_end = std::string::npos;  // where the last numeric directive ended
  for (size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    const char d = format[i + 1];
    const bool after_number = numeric_end == i;
    const bool before_number =
        i + 3 < format.size() && format[i + 2] == '%' && IsNumericDirective(format[i + 3]);
    numeric_end = IsNumericDirective(d) ? i + 2 : std::string::npos;
    const bool two_digits = std::string_view("mdHMS").find(d) != std::string_view::npos &&
                            (after_number || before_number);
    if (d != 'Y' && !two_digits) {
      ++i;  // "%%" and other directives: strptime's
      continue;
    }
    if (i > from) {
      p = strptime(p, format.substr(from, i - from).c_str(), tm);
      if (p == nullptr) return nullptr;
    }
    if (two_digits) {
      if (!ReadTwoDigits(p, d, tm)) return nullptr;
      from = ++i + 1;
      continue;
    }
    while (std::isspace(static_cast<unsigned char>(*p))) ++p;  // as strptime's %Y
    int year = 0;
    for (int k = 0; k < 4; ++k, ++p) {
      if (!std::isdigit(static_cast<unsigned char>(*p))) return nullptr;
      year = year * 10 + (*p - '0');
    }
    // A fifth digit makes a longer year, unless another directive follows at once ("%Y%m%d":
    // the month's digits come next).
    const bool directive_next = i + 2 < format.size() && format[i + 2] == '%';
    if (!directive_next && std::isdigit(static_cast<unsigned char>(*p))) return nullptr;
    tm->tm_year = year - 1900;
    from = ++i + 1;
  }
  return from < format.size() ? strptime(p, format.substr(from).c_str(), tm) : p;
}

// Takes a fraction of a second out of `text`, which `format` reads: '.' or ',' and one to nine
// digits right after what %S or %T read, unless the format itself goes on with that character.
// strptime has no directive for it, and exports write 10:00:00.123 whatever their date layout.
// Where it is is found by reading the text with the format up to %S (or %T); the whole format
// then reads the text without it, in one strptime call as before (a PM a later %p reads
// applies only to the hour its own call read). Invalid for more than nine digits: nanoseconds
// at most, nothing is cut silently. A text the format does not read is left for that call to
// refuse.
Status CutFraction(const std::string& format, std::string* text, int32_t* nanos) {
  if (text->find_first_of(".,") == std::string::npos) return Status::OK();
  size_t at = std::string::npos;
  for (size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (format[i + 1] == 'S' || format[i + 1] == 'T') {
      at = i + 2;
      break;
    }
    ++i;  // "%%" and other directives
  }
  if (at == std::string::npos) return Status::OK();
  std::tm probe{};
  const char* p = StrictStrptime(text->c_str(), format.substr(0, at), &probe);
  if (p == nullptr || (*p != '.' && *p != ',') || !std::isdigit(static_cast<unsigned char>(p[1])) ||
      (at < format.size() && format[at] == *p)) {
    return Status::OK();
  }
  const size_t from = static_cast<size_t>(p - text->c_str());
  size_t to = from + 1;
  int32_t value = 0;
  int digits = 0;
  for (; to < text->size() && std::isdigit(static_cast<unsigned char>((*text)[to])); ++to) {
    if (digits++ < 9) value = value * 10 + ((*text)[to] - '0');
  }
  if (digits > 9) return Status::Invalid("a fraction of a second has at most nine digits");
  for (int k = digits; k < 9; ++k) value *= 10;
  *nanos = value;
  text->erase(from, to - from);
  return Status::OK();
}

// A date or time that strptime reads but StrictStrptime does not has a short year.
std::string ShortYearHint(const std::string& text, const std::string& format) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), format.c_str(), &tm);
  return end != nullptr && *end == '\0' ? ": %Y needs a four-digit year" : "";
}

// strptime is slow (locale-aware, and it needs a NUL-terminated copy); the usual date format and
// text take this shortcut. It accepts only what strptime("%Y-%m-%d") reads the same way: exactly
// YYYY-MM-DD with a month 1-12 and a day 1-31. Anything else goes to strptime, which also words
// the errors.
bool ParseIsoDate(std::string_view s, const std::string& format, CivilDate* out) {
  if (!format.empty() && format != kIsoDate) return false;
  size_t i = 0;
  int32_t y, m, d;
  if (s.size() != 10 || !Digits(s, &i, 4, &y) || s[i++] != '-' || !Digits(s, &i, 2, &m) ||
      s[i++] != '-' || !Digits(s, &i, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  *out = {y, m, d};
  return true;
}

}  // namespace

Result<std::string_view> PlainNumber(std::string_view text, char decimal_separator,
                                     std::string_view thousands_separator, std::string* buffer) {
  if (decimal_separator == '.' && thousands_separator.empty()) return text;
  auto wrong = [&](const std::string& why) {
    std::string written = "decimal separator '" + std::string(1, decimal_separator) + "'";
    if (!thousands_separator.empty()) {
      written += " and thousands separator '" + std::string(thousands_separator) + "'";
    }
    return Status::Invalid(QuoteValue(text) + " is not a number written with " + written + ": " +
                           why);
  };
  const std::string_view s = TrimBlanks(text);
  buffer->clear();
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) buffer->push_back(s[i++]);
  // Integer part: digits, in groups of three after the first when a thousands separator is used.
  int group = 0;  // digits since the last thousands separator (or the start)
  bool grouped = false;
  auto thousands_at = [&](size_t at) {
    return !thousands_separator.empty() && s.substr(at).starts_with(thousands_separator);
  };
  for (; i < s.size() && s[i] != decimal_separator; ++i) {
    const char c = s[i];
    if (thousands_at(i)) {
      i += thousands_separator.size() - 1;
      if (group == 0 || group > 3 || (grouped && group != 3)) {
        return wrong("digits between thousands separators must come in groups of three");
      }
      // "0.500", "00.100": no number grouped in thousands starts with 0, so the separator is
      // most likely the other one, a decimal point (read as thousands it would be 500).
      if (!grouped && (*buffer)[buffer->size() - static_cast<size_t>(group)] == '0') {
        return wrong("a number grouped in thousands does not start with 0; is '" +
                     std::string(thousands_separator) + "' its decimal separator?");
      }
      grouped = true;
      group = 0;
      continue;
    }
    if (c == '.') return wrong("'.' is not one of its separators");
    if (c >= '0' && c <= '9') ++group;
    buffer->push_back(c);
  }
  if (grouped && group != 3) {
    return wrong("digits between thousands separators must come in groups of three");
  }
  if (i < s.size()) {  // the decimal separator, then the fraction
    buffer->push_back('.');
    for (++i; i < s.size(); ++i) {
      const char c = s[i];
      if (thousands_at(i) || c == decimal_separator || c == '.') {
        return wrong("a separator after the decimal separator");
      }
      buffer->push_back(c);
    }
  }
  return std::string_view(*buffer);
}

Result<int64_t> ParseInteger(std::string_view raw) {
  std::string_view s = TrimBlanks(raw);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  // A whole number written with one zero decimal ("2.0", as pandas and JSON writers print an
  // integer held as a float) is that number. Not "2.000": in a European export that is 2000.
  if (s.size() > 2 && s.ends_with(".0")) s.remove_suffix(2);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range && p == s.data() + s.size()) {
    return Status::Invalid(QuoteValue(raw) +
                           " is out of the range of a 64-bit integer (-9223372036854775808 to "
                           "9223372036854775807)");
  }
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::Invalid("cannot parse " + QuoteValue(raw) + " as an integer");
  }
  return v;
}

Result<bool> ParseBool(std::string_view raw) {
  std::string s(TrimBlanks(raw));
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1") return true;
  if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0") return false;
  return Status::Invalid("cannot parse " + QuoteValue(raw) +
                         " as a boolean (true/false, Y/N, 1/0)");
}

namespace {

// Directives glibc's strptime reads without the date or time it gives ending up in what is
// kept (the year, month, day and time of day): a value would be misread, or every value fail.
Status CheckDirectiveIsKept(const std::string& format, char directive) {
  const std::string prefix = "format '" + format + "': %" + std::string(1, directive);
  if (directive == 'Z') {
    // "EST", "CEST": glibc matches a zone name and drops it, so the time would be read as UTC
    // (or in time_zone) whatever it said.
    return Status::Invalid(
        prefix +
        " (a time zone name) is read but ignored by strptime: write the "
        "offset with %z (+01:00), or set time_zone to the zone the times are in");
  }
  if (std::string_view("jUWVGg").find(directive) != std::string_view::npos) {
    return Status::Invalid(prefix +
                           " (a day of the year or a week number) is not turned into a date by "
                           "strptime: give the month and day (%m, %d, or %b)");
  }
  return Status::OK();
}

}  // namespace

Status CheckStrptimeFormat(const std::string& format) {
  // glibc's strptime (time/strptime_l.c): its conversions, and those taking E or O.
  constexpr std::string_view kDirectives = "aAbBcCdDeFgGhHIjmMnprRsStTuUVwWxXyYzZ%";
  constexpr std::string_view kWithE = "cCxXyY";
  constexpr std::string_view kWithO = "deHImMSUVwWy";
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    const size_t at = i;
    std::string_view allowed = kDirectives;
    if (i + 1 < format.size() && (format[i + 1] == 'E' || format[i + 1] == 'O')) {
      allowed = format[i + 1] == 'E' ? kWithE : kWithO;
      ++i;
    }
    if (i + 1 >= format.size() || allowed.find(format[i + 1]) == std::string_view::npos) {
      const std::string directive = format.substr(at, i + 2 - at);
      return Status::Invalid("format '" + format + "': " +
                             (i + 1 >= format.size() ? "it ends in a lone '" + directive + "'"
                                                     : directive + " is not a strptime directive") +
                             " (write %% for a literal %)");
    }
    TF_RETURN_IF_ERROR(CheckDirectiveIsKept(format, format[i + 1]));
    ++i;
  }
  return Status::OK();
}

// A format that cannot give a whole date ("YYYY-MM-DD" written as it looks, "%Y-%m") would fail
// every value: said at start rather than in every quarantine row.
Status CheckFormatGivesADate(const std::string& format) {
  bool year = false, month = false, day = false;
  for (size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    char c = format[++i];
    if ((c == 'E' || c == 'O') && i + 1 < format.size()) c = format[++i];
    switch (c) {
      case 'Y':
      case 'y':
        year = true;
        break;
      case 'm':
      case 'b':
      case 'B':
      case 'h':
        month = true;
        break;
      case 'd':
      case 'e':
        day = true;
        break;
      case 'D':
      case 'F':
      case 'x':
      case 'c':
        year = month = day = true;
        break;
      default:
        break;
    }
  }
  if (year && month && day) return Status::OK();
  std::string missing;
  for (const auto& [given, name] :
       {std::pair{year, "year (%Y)"}, std::pair{month, "month (%m)"}, std::pair{day, "day (%d)"}}) {
    if (!given) missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  return Status::Invalid("format '" + format + "' gives no " + missing +
                         ", so no value could be read as a date; a strptime format writes them "
                         "as %Y-%m-%d (and ISO 8601 text needs format: iso8601, or none)");
}

// Seconds since the epoch (format "%s"). Read here rather than by strptime, whose %s converts
// through the process's local time zone (TZ), so the same text gave other instants on other
// hosts. An instant, so the time zone of the rule does not apply.
bool HasEpochSeconds(const std::string& format) {
  for (size_t i = 0; i + 1 < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (format[i + 1] == 's') return true;
    ++i;  // "%%" and other directives
  }
  return false;
}

Result<int64_t> ParseEpochSeconds(std::string_view raw, const std::string& format) {
  if (format != "%s") {
    return Status::Invalid("format '" + format +
                           "': %s (seconds since the epoch) must be the whole format");
  }
  auto seconds = ParseInteger(raw);
  if (!seconds.ok()) {
    return Status::Invalid("cannot parse " + QuoteValue(raw) + " as seconds since the epoch (%s)");
  }
  return *seconds;
}

Result<CivilDate> ParseDate(std::string_view raw, const std::string& format) {
  std::string_view trimmed = TrimBlanks(raw);
  CivilDate d;
  if (HasEpochSeconds(format)) {
    TF_ASSIGN_OR_RETURN(int64_t seconds, ParseEpochSeconds(trimmed, format));
    const int64_t days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);  // the UTC date
    if (days < kFirstDay || days > kLastDay) return OutOfYearRange(trimmed);
    const std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{static_cast<int32_t>(days)}}};
    d = {static_cast<int32_t>(ymd.year()), static_cast<int32_t>(unsigned(ymd.month())),
         static_cast<int32_t>(unsigned(ymd.day()))};
  } else if (!ParseIsoDate(trimmed, format, &d)) {
    std::string text(trimmed);
    const std::string& fmt = format.empty() ? kIsoDate : format;
    std::tm tm{};
    const char* end = StrictStrptime(text.c_str(), fmt, &tm);
    if (end == nullptr || *end != '\0') {
      return Status::Invalid("cannot parse " + QuoteValue(raw) + " as a date with format '" + fmt +
                             "'" + ShortYearHint(text, fmt));
    }
    d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
  }
  if (!ValidCivil(d.year, d.month, d.day)) {
    return Status::Invalid(QuoteValue(raw) + " is not a valid calendar date");
  }
  if (!InYearRange(d.year)) return OutOfYearRange(TrimBlanks(raw));
  return d;
}

Result<UtcTimestamp> ParseTimestamp(std::string_view raw, const std::string& format,
                                    const std::string& time_zone) {
  std::string_view text = TrimBlanks(raw);
  if (format.empty() || format == "iso8601") return ParseIso8601(text, time_zone);
  if (HasEpochSeconds(format)) {
    UtcTimestamp out;
    TF_ASSIGN_OR_RETURN(out.seconds, ParseEpochSeconds(text, format));
    out.utc_offset = FormatUtcOffset(0);
    return InYearRange(std::move(out), text);
  }
  std::string owned(text);
  int32_t nanos = 0;
  TF_RETURN_IF_ERROR(
      CutFraction(format, &owned, &nanos).WithContext("cannot parse " + QuoteValue(raw)));
  std::tm tm{};
  const char* end = StrictStrptime(owned.c_str(), format, &tm);
  if (end == nullptr || *end != '\0') {
    return Status::Invalid("cannot parse " + QuoteValue(raw) + " as a timestamp with format '" +
                           format + "'" + ShortYearHint(owned, format));
  }
  // glibc's %S reads up to 61 (a double leap second C89 once allowed); 60 is a leap second.
  if (!ValidCivil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) || tm.tm_sec > 60) {
    return Status::Invalid(QuoteValue(raw) + " is not a valid date and time");
  }
  const int64_t local = DaysFromCivil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  int32_t offset = 0;
  if (format.find("%z") != std::string::npos) {
    // glibc's %z reads any two digits of hours (+9900): the ISO path's range applies.
    offset = static_cast<int32_t>(tm.tm_gmtoff);
    if (offset > 18 * 3600 || offset < -18 * 3600) {
      return OffsetOutOfRange(raw, FormatUtcOffset(offset));
    }
  } else {
    TF_ASSIGN_OR_RETURN(offset, OffsetOfLocalTime(time_zone, local));
  }
  UtcTimestamp out;
  TF_RETURN_IF_ERROR(CheckLeapSecond(tm.tm_sec, local - offset, raw));
  out.nanos = nanos;
  SetInstant(tm.tm_sec, local, offset, &out);
  return InYearRange(std::move(out), text);
}

Status ValidateTimeZone(const std::string& time_zone) {
  if (time_zone.empty() || ParseUtcOffset(time_zone).ok()) return Status::OK();
  // The tz database's directory also holds "localtime", the host's own zone (/etc/localtime):
  // times read in it would be other instants on another host.
  if (time_zone == "localtime") {
    return Status::Invalid(
        "time zone 'localtime' is the host's own zone, which another host "
        "may not share: name the zone (Europe/London) or an offset (+01:00)");
  }
  try {
    (void)date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return Status::Invalid("unknown time zone '" + time_zone +
                           "': use an IANA name such as Europe/London, UTC or a fixed offset "
                           "like +01:00");
  }
  return Status::OK();
}

Result<int32_t> OffsetOfLocalTime(const std::string& time_zone, int64_t local_seconds) {
  if (time_zone.empty()) return 0;
  if (auto fixed = ParseUtcOffset(time_zone); fixed.ok()) return *fixed;
  TF_RETURN_IF_ERROR(ValidateTimeZone(time_zone));
  const date::time_zone* zone = date::locate_zone(time_zone);
  date::local_seconds local{std::chrono::seconds(local_seconds)};
  date::local_info info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the repeated hour when clocks go back: the earlier one
      return static_cast<int32_t>(info.first.offset.count());
    case date::local_info::nonexistent:
    default:
      return Status::Invalid(date::format("%F %T", local) + " does not exist in " + time_zone +
                             " (the clocks go forward then)");
  }
}

Result<int32_t> ParseUtcOffset(std::string_view raw) {
  int32_t seconds = 0;
  bool in_range = false;
  if (!ReadZoneDesignator(raw, &seconds, &in_range)) {
    return Status::Invalid("unsupported time zone or offset " + QuoteValue(raw) +
                           ": use UTC or a fixed offset like +01:00");
  }
  if (!in_range) {
    return Status::Invalid("UTC offset " + QuoteValue(raw) + std::string(kOffsetRange));
  }
  return seconds;
}

std::string FormatUtcOffset(int32_t seconds) {
  // "%c%02d:%02d" by hand: snprintf costs more than the rest of a timestamp's parsing.
  const int32_t a = seconds < 0 ? -seconds : seconds;
  const int32_t hours = a / 3600, minutes = (a / 60) % 60, rest = a % 60;
  char buf[24];
  char* p = buf;
  *p++ = seconds < 0 ? '-' : '+';
  if (hours < 10) *p++ = '0';
  p = std::to_chars(p, buf + sizeof buf, hours).ptr;
  auto two_digits = [&p](int32_t v) {
    *p++ = ':';
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  two_digits(minutes);
  if (rest != 0) two_digits(rest);  // only when the offset has seconds (before 1972, say)
  return std::string(buf, p);
}

}  // namespace tradeflow::transform
