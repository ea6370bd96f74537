#include "transform/value_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

namespace tradeflow::transform {
namespace {

TEST(ValueParsersTest, Integers) {
  EXPECT_EQ(*ParseInteger(" 42 "), 42);
  EXPECT_EQ(*ParseInteger("\xC2\xA0"
                          "42 \xC2\xA0"),
            42);  // no-break spaces pad it
  EXPECT_EQ(TrimBlanks("\xC2\xA0 a\xC2\xA0"
                       "b \xC2\xA0"),
            "a\xC2\xA0"
            "b");
  EXPECT_EQ(*ParseInteger("-7"), -7);
  EXPECT_FALSE(ParseInteger("4.2").ok());
  EXPECT_EQ(*ParseInteger("9223372036854775807"), INT64_MAX);
  EXPECT_THAT(ParseInteger("9223372036854775808").status().message(),
              ::testing::HasSubstr("is out of the range of a 64-bit integer"));
  EXPECT_EQ(*ParseInteger("2.0"), 2);  // pandas writes an integer column with a gap so
  EXPECT_EQ(*ParseInteger("-3.0"), -3);
  EXPECT_FALSE(ParseInteger("1.000").ok());  // one thousand, in a European export
  EXPECT_FALSE(ParseInteger("2.").ok());
  EXPECT_FALSE(ParseInteger(".0").ok());
  EXPECT_FALSE(ParseInteger("2.01").ok());
  EXPECT_FALSE(ParseInteger("").ok());
  EXPECT_FALSE(ParseInteger("99999999999999999999").ok());
}

// The separators of a source's numbers are read strictly: a wrong reading changes the value by
// a power of ten with no other sign.
TEST(ValueParsersTest, PlainNumberChecksThousandsGroups) {
  std::string buffer;
  auto plain = [&](std::string_view text, char decimal, char thousands) {
    auto r = PlainNumber(text, decimal, thousands ? std::string(1, thousands) : "", &buffer);
    return r.ok() ? std::string(*r) : "error: " + r.status().message();
  };
  EXPECT_EQ(plain("1.5", '.', '\0'), "1.5");  // plain: untouched
  EXPECT_EQ(plain("-1.234.567,25", ',', '.'), "-1234567.25");
  EXPECT_EQ(plain(" 12.500 ", ',', '.'), "12500");
  EXPECT_EQ(plain("999,5", ',', '.'), "999.5");
  EXPECT_EQ(plain("+1,234.5", '.', ','), "+1234.5");
  EXPECT_EQ(plain("1 234,5", ',', ' '), "1234.5");
  EXPECT_EQ(plain("72,10", ',', '\0'), "72.10");
  for (const char* bad : {"1234.5", "1.2345", ".234", "1..234", "1.234.", "12.34,5", "1.5"}) {
    EXPECT_NE(plain(bad, ',', '.').find("groups of three"), std::string::npos) << bad;
  }
  EXPECT_EQ(plain("1,2,3", ',', '.'),
            "error: '1,2,3' is not a number written with decimal "
            "separator ',' and thousands separator '.': a separator "
            "after the decimal separator");
  // Only a decimal comma configured: a German "1.234" is not read as 1.234.
  EXPECT_NE(plain("1.234", ',', '\0').find("'.' is not one of its separators"), std::string::npos);
  EXPECT_NE(plain("1,5.0", '.', ',').find("groups of three"), std::string::npos);
  // No number grouped in thousands starts with 0: "0.500" has a decimal point, not 500.
  for (const char* bad : {"0.500", "-0.250", "00.100", "0.000.001", "+0.999", "012.345"}) {
    EXPECT_NE(plain(bad, ',', '.').find("does not start with 0; is '.' its decimal separator?"),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(plain("0,125", '.', ',').find("does not start with 0"), std::string::npos);
  EXPECT_EQ(plain("0,5", ',', '.'), "0.5");
  EXPECT_EQ(plain("-0", ',', '.'), "-0");
  EXPECT_EQ(plain("10.000,5", ',', '.'), "10000.5");
  // A no-break space, as French exports group thousands: one character, two bytes.
  auto nbsp = PlainNumber("1\u00a0234\u00a0567,25", ',', "\u00a0", &buffer);
  ASSERT_TRUE(nbsp.ok()) << nbsp.status().message();
  EXPECT_EQ(*nbsp, "1234567.25");
  EXPECT_FALSE(PlainNumber("12\u00a034,5", ',', "\u00a0", &buffer).ok());
}

// glibc's %Y alone would read "26" as the year 26.
TEST(ValueParsersTest, PercentYNeedsFourDigits) {
  for (const char* format : {"", "%Y-%m-%d"}) {
    auto d = ParseDate("26-05-01", format);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find("%Y needs a four-digit year"), std::string::npos)
        << d.status().message();
  }
  EXPECT_FALSE(ParseDate("226-05-01", "%Y-%m-%d").ok());
  // Compact formats: the next directive's digits follow the year at once.
  auto compact = ParseDate("20260511", "%Y%m%d");
  ASSERT_TRUE(compact.ok()) << compact.status().message();
  EXPECT_EQ(compact->month, 5);
  EXPECT_EQ(compact->day, 11);
  EXPECT_FALSE(ParseDate("260511", "%Y%m%d").ok());
  // In a run of numbers, month and day are two digits each: "2026111" is no date.
  EXPECT_FALSE(ParseDate("2026111", "%Y%m%d").ok());
  EXPECT_FALSE(ParseDate("20261301", "%Y%m%d").ok());
  EXPECT_FALSE(ParseDate("2026110", "%Y%m%d").ok());
  EXPECT_FALSE(ParseTimestamp("2026050109112", "%Y%m%d%H%M%S", "UTC").ok());
  EXPECT_FALSE(ParseTimestamp("20260501241125", "%Y%m%d%H%M%S", "UTC").ok());
  auto day_first = ParseDate("11052026", "%d%m%Y");
  ASSERT_TRUE(day_first.ok()) << day_first.status().message();
  EXPECT_EQ(day_first->month, 5);
  // Between separators, or next to a month name, one digit is fine as before.
  EXPECT_EQ(ParseDate("1/5/2026", "%d/%m/%Y")->day, 1);
  EXPECT_EQ(ParseDate("1May2026", "%d%b%Y")->day, 1);
  auto compact_time = ParseTimestamp("20260501091125", "%Y%m%d%H%M%S", "UTC");
  ASSERT_TRUE(compact_time.ok()) << compact_time.status().message();
  EXPECT_EQ(compact_time->seconds, 1777626685);
  EXPECT_FALSE(ParseDate("01/05/26", "%d/%m/%Y").ok());
  EXPECT_FALSE(ParseDate("01/05/20261", "%d/%m/%Y").ok());
  auto d = ParseDate("01/05/2026", "%d/%m/%Y");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 5);
  d = ParseDate("2026 May 01", "%Y %b %d");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->month, 5);
  d = ParseDate("01/05/26", "%d/%m/%y");  // a two-digit year is read only when asked for
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year, 2026);
  EXPECT_FALSE(ParseTimestamp("01/05/26 11:11:25 +0200", "%d/%m/%Y %H:%M:%S %z", "").ok());
  auto t = ParseTimestamp("01/05/2026 11:11:25 +0200", "%d/%m/%Y %H:%M:%S %z", "");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->utc_offset, "+02:00");
  EXPECT_EQ(t->seconds, 1777626685);  // 2026-05-01T09:11:25Z
}

TEST(ValueParsersTest, Dates) {
  auto d = ParseDate("2026-03-14", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->day, 14);
  EXPECT_EQ(ParseDate("14-Mar-2026", "%d-%b-%Y")->month, 3);
  EXPECT_FALSE(ParseDate("2026-13-01", "").ok());
  EXPECT_FALSE(ParseDate("2026-02-29", "").ok());
  EXPECT_TRUE(ParseDate("2028-02-29", "").ok());
  EXPECT_FALSE(ParseDate("2026-03-14x", "").ok());
}

// Year 0 is proleptic Gregorian, but no trade date, and Python's datetime cannot read it back.
TEST(ValueParsersTest, DatesAndTimesAreInYears1To9999) {
  auto zero = ParseDate("0000-01-01", "");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "'0000-01-01' is outside the years 0001 to 9999");
  EXPECT_EQ(ParseDate("2026-02-30", "").status().message(),
            "'2026-02-30' is not a valid calendar date");
  EXPECT_TRUE(ParseDate("0001-01-01", "").ok());
  EXPECT_TRUE(ParseDate("9999-12-31", "").ok());
  EXPECT_FALSE(ParseTimestamp("0000-01-01T00:00:00Z", "", "").ok());
  EXPECT_FALSE(ParseTimestamp("0000-06-01 10:00", "%Y-%m-%d %H:%M", "UTC").ok());
  EXPECT_EQ(*ParseUtcOffset("GMT"), 0);
  EXPECT_TRUE(ParseTimestamp("0001-01-01T00:00:00Z", "", "").ok());
  EXPECT_TRUE(ParseTimestamp("9999-12-31T23:59:59Z", "", "").ok());
  // In range as written, out of it in UTC, which is what is stored.
  auto before = ParseTimestamp("0001-01-01T00:30:00+01:00", "", "");
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().message(),
            "'0001-01-01T00:30:00+01:00' is outside the years 0001 to 9999");
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:30:00-01:00", "", "").ok());
  EXPECT_FALSE(ParseTimestamp("9999-12-31 23:30 -0100", "%Y-%m-%d %H:%M %z", "").ok());
}

// The default format takes a shortcut past strptime; it must read every text as strptime does.
// "%Y-%m-%d%n" means the same to strptime (%n: optional blanks) but does not take the shortcut.
TEST(ValueParsersTest, DefaultDateFormatReadsLikeStrptime) {
  for (const char* text : {"2026-03-14",  " 2026-03-14 ", "0999-01-01", "0000-01-01", "2026-1-05",
                           "2026-01-5",   "2026-13-01",   "2026-00-10", "2026-02-30", "2026-04-31",
                           "2026-12-31",  "2026-05-00",   "2026-05-40", "2026-05-32", "12345-01-01",
                           "2026-03-14x", "+026-03-14",   "2026/03/14", "2026-03-1a", "",
                           "2024-02-29"}) {
    for (const std::string& format : {std::string(), std::string("%Y-%m-%d")}) {
      auto fast = ParseDate(text, format);
      auto slow = ParseDate(text, "%Y-%m-%d%n");
      ASSERT_EQ(fast.ok(), slow.ok()) << text;
      if (!fast.ok()) continue;
      EXPECT_EQ(fast->year, slow->year) << text;
      EXPECT_EQ(fast->month, slow->month) << text;
      EXPECT_EQ(fast->day, slow->day) << text;
    }
  }
  EXPECT_EQ(ParseDate("2026-13-01", "").status().message(),
            "cannot parse '2026-13-01' as a date with format '%Y-%m-%d'");
}

TEST(ValueParsersTest, Iso8601Timestamps) {
  auto t = ParseTimestamp("2026-03-14T10:00:00.123456789-05:00", "", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1773482400 + 5 * 3600);
  EXPECT_EQ(t->nanos, 123456789);
  EXPECT_EQ(t->utc_offset, "-05:00");
  auto local = ParseTimestamp("2026-03-14 10:00", "", "+01:00");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->seconds, 1773482400 - 3600);
  EXPECT_EQ(local->utc_offset, "+01:00");
  EXPECT_EQ(ParseTimestamp("2026-03-14T10:00:00Z", "", "")->utc_offset, "+00:00");
  EXPECT_FALSE(ParseTimestamp("2026-03-14T25:00:00Z", "", "").ok());
  EXPECT_FALSE(ParseTimestamp("14/03/2026", "", "").ok());
  EXPECT_FALSE(ParseTimestamp("2026-03-14T10:00:00", "", "Mars/Olympus").ok());
}

TEST(ValueParsersTest, NamedTimeZonesFollowDaylightSaving) {
  // Winter and summer in London: +00:00 then +01:00.
  auto winter = ParseTimestamp("2026-01-15 09:00:00", "", "Europe/London");
  ASSERT_TRUE(winter.ok()) << winter.status().ToString();
  EXPECT_EQ(winter->utc_offset, "+00:00");
  auto summer = ParseTimestamp("2026-07-15 09:00:00", "", "Europe/London");
  EXPECT_EQ(summer->utc_offset, "+01:00");
  EXPECT_EQ(summer->seconds - winter->seconds, (181 * 86400) - 3600);
  // 2026-03-29 01:30 does not exist in London; 2026-10-25 01:30 happens twice (earlier wins).
  auto gap = ParseTimestamp("2026-03-29 01:30:00", "", "Europe/London");
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.status().message().find("does not exist in Europe/London"), std::string::npos);
  EXPECT_EQ(ParseTimestamp("2026-10-25 01:30:00", "", "Europe/London")->utc_offset, "+01:00");
  // The host's own zone would give other instants on another host.
  EXPECT_THAT(ValidateTimeZone("localtime").message(),
              ::testing::HasSubstr("time zone 'localtime' is the host's own zone"));
  EXPECT_FALSE(ParseTimestamp("2026-01-15 09:00:00", "", "localtime").ok());
  EXPECT_EQ(ParseTimestamp("14/07/2026 09:00", "%d/%m/%Y %H:%M", "America/New_York")->utc_offset,
            "-04:00");
  EXPECT_TRUE(ValidateTimeZone("Asia/Singapore").ok());
  EXPECT_FALSE(ValidateTimeZone("Europe/Londres").ok());
}

TEST(ValueParsersTest, StrptimeTimestamps) {
  auto t = ParseTimestamp("14/03/2026 10:00:00 +0100", "%d/%m/%Y %H:%M:%S %z", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1773482400 - 3600);
  EXPECT_EQ(t->utc_offset, "+01:00");
}

// %s is an instant, whatever the host's TZ (glibc's strptime read it in local time) and the
// rule's time zone.
TEST(ValueParsersTest, EpochSecondsAreAnInstant) {
  const char* before = std::getenv("TZ");
  const std::string saved = before ? before : "";
  setenv("TZ", "Asia/Tokyo", 1);
  tzset();
  auto t = ParseTimestamp("1776707302", "%s", "America/New_York");
  auto d = ParseDate("1776707302", "%s");
  auto negative = ParseDate("-1", "%s");
  if (before) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1776707302);  // 2026-04-20T17:48:22Z
  EXPECT_EQ(t->utc_offset, "+00:00");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 4);
  EXPECT_EQ(d->day, 20);
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->year, 1969);
  EXPECT_EQ(negative->day, 31);
  EXPECT_EQ(ParseTimestamp("1776707302 UTC", "%s %Z", "").status().message(),
            "format '%s %Z': %s (seconds since the epoch) must be the whole format");
  EXPECT_EQ(ParseTimestamp("17767.5", "%s", "").status().message(),
            "cannot parse '17767.5' as seconds since the epoch (%s)");
  EXPECT_FALSE(HasEpochSeconds("%%s %Y"));  // a literal "%s" after the escaped '%'
  for (const char* ok : {"%Y-%m-%d", "%d/%m/%Y %H:%M:%S%z", "%s", "100%% %Y", "%EY %Od", ""}) {
    EXPECT_TRUE(CheckStrptimeFormat(ok).ok()) << ok;
  }
  EXPECT_EQ(CheckStrptimeFormat("%Q-%m-%d").message(),
            "format '%Q-%m-%d': %Q is not a strptime directive (write %% for a literal %)");
  EXPECT_EQ(CheckStrptimeFormat("%Y%").message(),
            "format '%Y%': it ends in a lone '%' (write %% for a literal %)");
  EXPECT_EQ(CheckStrptimeFormat("%Y %Ea").message(),
            "format '%Y %Ea': %Ea is not a strptime directive (write %% for a literal %)");
  // Read but not kept: refused rather than misreading or failing every value.
  EXPECT_EQ(CheckStrptimeFormat("%Y-%m-%d %H:%M:%S %Z").message(),
            "format '%Y-%m-%d %H:%M:%S %Z': %Z (a time zone name) is read but ignored by "
            "strptime: write the offset with %z (+01:00), or set time_zone to the zone the times "
            "are in");
  for (const char* week : {"%Y-%j", "%G-W%V-%u", "%Y %OW %a"}) {
    EXPECT_THAT(CheckStrptimeFormat(week).message(),
                ::testing::HasSubstr("(a day of the year or a week number) is not turned into a "
                                     "date by strptime"))
        << week;
  }
  EXPECT_TRUE(CheckStrptimeFormat("%a %d %b %Y").ok());
  for (const char* ok : {"%d/%m/%Y", "%a %e %b %y", "%F %T", "%D", "%EY%Om%Od", "%x", "%c"}) {
    EXPECT_TRUE(CheckFormatGivesADate(ok).ok()) << ok;
  }
  EXPECT_EQ(CheckFormatGivesADate("YYYY-MM-DD").message(),
            "format 'YYYY-MM-DD' gives no year (%Y), month (%m), day (%d), so no value could be "
            "read as a date; a strptime format writes them as %Y-%m-%d (and ISO 8601 text needs "
            "format: iso8601, or none)");
  EXPECT_THAT(CheckFormatGivesADate("%Y-%m").message(), ::testing::HasSubstr("gives no day (%d)"));
  EXPECT_THAT(CheckFormatGivesADate("%H:%M %d").message(),
              ::testing::HasSubstr("gives no year (%Y), month (%m),"));
  EXPECT_TRUE(HasEpochSeconds("%Y %s"));
  auto first = ParseDate(std::to_string(INT64_MIN), "%s");  // no overflow: out of range
  EXPECT_FALSE(first.ok());
}

TEST(ValueParsersTest, Offsets) {
  EXPECT_EQ(*ParseUtcOffset("+05:30"), 19800);
  EXPECT_EQ(*ParseUtcOffset("-0800"), -28800);
  EXPECT_EQ(*ParseUtcOffset("Z"), 0);
  EXPECT_EQ(FormatUtcOffset(-28800), "-08:00");
  EXPECT_EQ(FormatUtcOffset(0), "+00:00");
  EXPECT_EQ(FormatUtcOffset(19800), "+05:30");
  // Seconds only when the offset has some (a zone's local mean time before 1972, say).
  EXPECT_EQ(FormatUtcOffset(-(9 * 3600 + 30 * 60 + 59)), "-09:30:59");
  EXPECT_EQ(*ParseUtcOffset("+01:19:32"), 3600 + 19 * 60 + 32);
  EXPECT_FALSE(ParseUtcOffset("+0119:32").ok());
  EXPECT_FALSE(ParseUtcOffset("+01:19:60").ok());
  EXPECT_THAT(ParseUtcOffset("+19:00").status().message(), ::testing::HasSubstr("out of range"));
  EXPECT_FALSE(ParseUtcOffset("+18:30").ok());
  EXPECT_EQ(FormatUtcOffset(14 * 3600), "+14:00");
  EXPECT_EQ(FormatUtcOffset(123 * 3600), "+123:00");
  EXPECT_FALSE(ParseUtcOffset("CET").ok());
  EXPECT_EQ(*ParseUtcOffset("+05"), 18000);
  EXPECT_FALSE(ParseUtcOffset("+05:").ok());  // cut short
  EXPECT_FALSE(ParseUtcOffset("+05:3").ok());
  // glibc's %S reads 61; a minute has at most 60 (a leap second).
  EXPECT_FALSE(ParseTimestamp("2026-06-30 12:00:61", "%Y-%m-%d %H:%M:%S", "").ok());
  EXPECT_TRUE(ParseTimestamp("2016-12-31 23:59:60", "%Y-%m-%d %H:%M:%S", "").ok());
  EXPECT_FALSE(ParseTimestamp("2026-05-11 10:00:60", "%Y-%m-%d %H:%M:%S", "").ok());
  EXPECT_TRUE(ParseTimestamp("2016-12-31T05:29:60+05:30", "", "").ok());  // 23:59:60 UTC
  // ISO 8601: a leap second ends a minute; more than nine fraction digits would be cut.
  EXPECT_TRUE(ParseTimestamp("2016-12-31T23:59:60Z", "", "").ok());
  EXPECT_FALSE(ParseTimestamp("2026-05-11T10:00:60Z", "", "").ok());
  EXPECT_TRUE(ParseTimestamp("2026-05-11T10:00:00.123456789Z", "", "").ok());
  EXPECT_THAT(ParseTimestamp("2026-05-11T10:00:00.1234567891Z", "", "").status().message(),
              ::testing::HasSubstr("at most nine digits"));
  EXPECT_THAT(ParseTimestamp("2026-05-11T10:00:00+19:00", "", "").status().message(),
              ::testing::HasSubstr("the UTC offset +19:00 is out of range"));
}

// A leap second stays on the day the source gave: the table's timestamps have no 61st second,
// and as the next second it would be a trade executed the day after its trade date.
TEST(ValueParsersTest, ALeapSecondIsTheLastMicrosecondOfItsDay) {
  for (auto [text, format] :
       {std::pair{"2016-12-31T23:59:60Z", ""}, std::pair{"2016-12-31T23:59:60.5Z", ""},
        std::pair{"2016-12-31 23:59:60", "%Y-%m-%d %H:%M:%S"}}) {
    auto t = ParseTimestamp(text, format, "");
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    EXPECT_EQ(t->seconds, 1483228799) << text;  // 2016-12-31T23:59:59Z
    EXPECT_EQ(t->nanos, 999'999'000) << text;
  }
}

// strptime has no directive for a fraction of a second: one after %S (or %T) is read in any
// format, unless the format itself goes on with that character.
TEST(ValueParsersTest, AFractionOfASecondAfterSecondsInAnyFormat) {
  auto t = ParseTimestamp("01.07.2024 10:00:00.123", "%d.%m.%Y %H:%M:%S", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1719828000);
  EXPECT_EQ(t->nanos, 123'000'000);
  t = ParseTimestamp("2024-07-01 10:00:00,5+0200", "%Y-%m-%d %H:%M:%S%z", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1719820800);
  EXPECT_EQ(t->nanos, 500'000'000);
  t = ParseTimestamp("20240701100000.000000001", "%Y%m%d%H%M%S", "");  // two-digit seconds
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->nanos, 1);
  t = ParseTimestamp("2024-07-01 10:00:00.25", "%Y-%m-%d %T", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->nanos, 250'000'000);
  // The format's own '.' after %S: "10:00:00.7" is seconds, then a literal '.', then 7.
  EXPECT_TRUE(ParseTimestamp("2024-07-01 10:00:00.7", "%Y-%m-%d %H:%M:%S.7", "").ok());
  EXPECT_FALSE(ParseTimestamp("2024-07-01 10:00:00.1234567891", "%Y-%m-%d %H:%M:%S", "").ok());
  // A PM read after the seconds applies to the hour: the format is read in one strptime call.
  t = ParseTimestamp("07/01/2024 03:15:00.5 PM", "%m/%d/%Y %I:%M:%S %p", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1719846900);  // 15:15:00Z
  EXPECT_EQ(t->nanos, 500'000'000);
  t = ParseTimestamp("07/01/2024 03:15:00 PM", "%m/%d/%Y %I:%M:%S %p", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->seconds, 1719846900);
  EXPECT_FALSE(ParseTimestamp("2024-07-01 10:00:00.", "%Y-%m-%d %H:%M:%S", "").ok());
}

// glibc's %z reads any two digits of hours; the ISO path's range applies.
TEST(ValueParsersTest, AStrptimeOffsetOutOfRangeIsRefused) {
  auto t = ParseTimestamp("2024-07-01 10:00:00+9900", "%Y-%m-%d %H:%M:%S%z", "");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), ::testing::HasSubstr("the UTC offset +99:00 is out of range"));
  EXPECT_FALSE(ParseTimestamp("2024-07-01 10:00:00+1900", "%Y-%m-%d %H:%M:%S%z", "").ok());
  EXPECT_TRUE(ParseTimestamp("2024-07-01 10:00:00+1400", "%Y-%m-%d %H:%M:%S%z", "").ok());
}

// A zone's offset with seconds (Amsterdam's +00:19:32 before 1937) is kept whole, so that the
// UTC time and the offset give back the source's local time.
TEST(ValueParsersTest, AnOffsetWithSecondsIsKeptWhole) {
  auto t = ParseTimestamp("1937-06-01 00:00:10", "", "Europe/Amsterdam");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->utc_offset, "+01:19:32");
}

}  // namespace
}  // namespace tradeflow::transform
