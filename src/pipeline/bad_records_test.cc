#include "pipeline/bad_records.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

using tradeflow::quarantine::v1::STAGE_PARSE;
using tradeflow::quarantine::v1::STAGE_VALIDATE;

sources::InputFile Input(const std::string& path = "etrm.csv") {
  sources::InputFile input;
  input.path = path;
  input.sha256 = "sha-" + path;
  return input;
}

sources::SourceRecord Line(int64_t line) {
  sources::SourceRecord record;
  record.line = line;
  record.location = "line " + std::to_string(line);
  return record;
}

RecordOutcome Rejected(std::vector<RecordFailure> failures,
                       tradeflow::quarantine::v1::Stage stage = STAGE_VALIDATE) {
  RecordOutcome out;
  out.stage = stage;
  out.failures = std::move(failures);
  return out;
}

std::set<std::string_view> RulesOf(const RecordOutcome& out) {
  std::set<std::string_view> rules;
  for (const auto& f : out.failures) rules.insert(f.rule);
  return rules;
}

BadRecordLimit Count(int64_t n) {
  BadRecordLimit limit;
  limit.count = n;
  limit.text = std::to_string(n);
  return limit;
}

BadRecordLimit Percent(int64_t p) {
  BadRecordLimit limit;
  limit.percent_units = p;
  limit.text = std::to_string(p) + "%";
  return limit;
}

TEST(BadRecordCounterTest, ACountIsFailedAsSoonAsItIsPassed) {
  BadRecordCounter counter(Count(1));
  auto bad = Rejected({{"known_book", "book", "unknown book 'X'"},
                       {"known_counterparty", "parties.counterparty.id", "unknown 'CP9'"}});
  ASSERT_TRUE(counter.Count(Input(), Line(2), bad, RulesOf(bad), 1).ok());
  Status passed = counter.Count(Input(), Line(5), bad, RulesOf(bad), 4);
  ASSERT_FALSE(passed.ok());
  EXPECT_EQ(passed.message(),
            "etrm.csv: 2 of 4 records read so far are bad, more than max_bad_records allows (1); "
            "the run stopped and committed nothing. Bad records by rule: known_book 2, "
            "known_counterparty 2. The first: known_book: etrm.csv:2: book: unknown book 'X' "
            "(and 1 more failures). A file this far off usually has a changed format or needs "
            "another mapping; fix that, or raise max_bad_records to quarantine its records one "
            "by one");
}

TEST(BadRecordCounterTest, WithOnBadFileSkipTheErrorSaysTheFileWasLeftOut) {
  BadRecordCounter counter(Percent(10), BadFilePolicy::kSkip);
  auto bad =
      Rejected({{"parse_error", "", "etrm.csv:2: expected 47 fields, found 48"}}, STAGE_PARSE);
  ASSERT_TRUE(counter.Count(Input(), Line(2), bad, RulesOf(bad), 1).ok());
  Status failed = counter.CheckFile(Input(), 1);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("more than max_bad_records allows (10%); the file is left out "
                                  "and the run goes on without it (on_bad_file: skip). Bad "
                                  "records by rule: parse_error 1."),
            std::string::npos)
      << failed.message();
}

TEST(BadRecordCounterTest, APercentageIsCheckedAtTheEndOfEachFile) {
  BadRecordCounter counter(Percent(10));
  auto bad = Rejected({{"parse_error", "", "b.csv:3: expected 47 fields, found 48"}}, STAGE_PARSE);
  for (int line = 2; line < 5; ++line) {
    ASSERT_TRUE(counter.Count(Input("b.csv"), Line(line), bad, RulesOf(bad), line - 1).ok());
  }
  EXPECT_TRUE(counter.CheckFile(Input("b.csv"), 30).ok());  // 3 of 30: exactly 10%
  Status past = counter.CheckFile(Input("b.csv"), 29);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.message().find("b.csv: 3 of 29 records are bad, more than max_bad_records "
                                "allows (10%)"),
            std::string::npos)
      << past.message();
  // A parse error names its file and line itself.
  EXPECT_NE(past.message().find("The first: parse_error: b.csv:3: expected 47 fields"),
            std::string::npos)
      << past.message();
  EXPECT_TRUE(counter.CheckFile(Input("other.csv"), 29).ok());  // counted per file
}

// A stray quote that swallows 51 lines into one malformed record: half the file is not ingested,
// which the limit must see though it is one record of 50.
TEST(BadRecordCounterTest, ARecordThatCouldNotBeParsedCountsOncePerLine) {
  BadRecordCounter counter(Percent(5));
  auto bad = Rejected({{"parse_error", "", "s.csv:11: unexpected text after the closing quote"}},
                      STAGE_PARSE);
  sources::SourceRecord swallowed = Line(11);
  swallowed.swallowed_lines = 50;  // lines 11 to 61, as the CSV reader says
  ASSERT_TRUE(counter.Count(Input("s.csv"), swallowed, bad, RulesOf(bad), 10).ok());
  Status past = counter.CheckFile(Input("s.csv"), 50);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.message().find("s.csv: 51 of 100 records are bad (a record a stray quote "
                                "ran over several lines counts once per line), more than "
                                "max_bad_records allows"),
            std::string::npos)
      << past.message();
  // A record that swallowed nothing (a valid multi-line field with a bad byte) counts once.
  BadRecordCounter one(Percent(5));
  ASSERT_TRUE(one.Count(Input("s.csv"), Line(3), bad, RulesOf(bad), 2).ok());
  EXPECT_TRUE(one.CheckFile(Input("s.csv"), 20).ok());
}

TEST(BadRecordCounterTest, RepeatedVersionsAreNotBadRecords) {
  BadRecordCounter counter(Count(0));
  auto repeat = Rejected({{"unique_version", "source_version", "a duplicate"}});
  EXPECT_TRUE(counter.Count(Input(), Line(2), repeat, RulesOf(repeat), 1).ok());
  EXPECT_TRUE(counter.CheckFile(Input(), 1).ok());
  // A repeat that also fails another rule is a bad record, listed under that rule only.
  auto both = Rejected({{"unique_version", "source_version", "a duplicate"},
                        {"known_book", "book", "unknown book 'X'"}});
  Status status = counter.Count(Input(), Line(3), both, RulesOf(both), 2);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("Bad records by rule: known_book 1. The first: unique_version"),
            std::string::npos)
      << status.message();
}

TEST(BadRecordCounterTest, ListsTheThreeMostFrequentRules) {
  BadRecordCounter counter(Percent(0));
  int line = 2;
  for (const auto& [rule, times] : std::vector<std::pair<std::string, int>>{
           {"a_rule", 1}, {"b_rule", 3}, {"c_rule", 2}, {"d_rule", 2}}) {
    for (int i = 0; i < times; ++i) {
      auto bad = Rejected({{rule, "", "bad"}});
      ASSERT_TRUE(counter.Count(Input(), Line(line), bad, RulesOf(bad), line - 1).ok());
      ++line;
    }
  }
  Status status = counter.CheckFile(Input(), 100);
  EXPECT_NE(status.message().find("by rule: b_rule 3, c_rule 2, d_rule 2, .... The first"),
            std::string::npos)
      << status.message();
}

TEST(BadRecordCounterTest, WithoutALimitNothingFails) {
  BadRecordCounter counter(std::nullopt);
  auto bad = Rejected({{"known_book", "book", "unknown"}});
  EXPECT_TRUE(counter.Count(Input(), Line(2), bad, RulesOf(bad), 1).ok());
  EXPECT_TRUE(counter.CheckFile(Input(), 1).ok());
}

}  // namespace
}  // namespace tradeflow::pipeline
