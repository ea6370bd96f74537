#include "pipeline/run_summary.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

RunSummary Committed() {
  RunSummary s;
  s.run_id = "run-1";
  s.table = "trading.trade_events";
  s.quarantine_table = "trading.quarantine";
  s.catalog_path = "/w/lake/catalog.db";
  s.catalog_name = "tradeflow";
  s.warehouse = "file:///w/lake";
  s.metadata_location = "file:///w/lake/trading/trade_events/metadata/00001.metadata.json";
  s.snapshot_id = 42;
  FileSummary f;
  f.path = "day.csv";
  f.sha256 = "0123456789abcdef";
  f.records_read = 10;
  f.records_accepted = 9;
  f.records_replayed = 4;
  f.records_quarantined = 1;
  f.quarantined_by_rule["known_book"] = 1;
  s.files.push_back(f);
  s.records_read = 10;
  s.records_accepted = 9;
  s.records_replayed = 4;
  s.records_quarantined = 1;
  return s;
}

TEST(RunSummaryTest, LinesABrokenQuoteRanOverAreSaid) {
  RunSummary s = Committed();
  s.files[0].lines_swallowed = 1;
  EXPECT_TRUE(Has(FormatRunSummary(s),
                  "quarantined by known_book: 1\n      of the quarantined, "
                  "records with broken quoting ran over 1 more line (a quote "
                  "never closed?)"));
  EXPECT_FALSE(Has(FormatRunSummary(Committed()), "broken quoting"));
}

TEST(RunSummaryTest, ListsEachFileWithTheInvariantAndTheReplays) {
  const std::string text = FormatRunSummary(Committed());
  EXPECT_TRUE(Has(text,
                  "  day.csv (sha256 0123456789ab)\n"
                  "      read 10 = accepted 9 + quarantined 1  (0.00s)\n"
                  "      of the accepted, 4 were versions already stored with the same "
                  "content (replays, not stored again)\n"
                  "      quarantined by known_book: 1\n"))
      << text;
  EXPECT_TRUE(Has(text, "  total: read 10 = accepted 9 + quarantined 1\n")) << text;
  EXPECT_TRUE(Has(text, "committed snapshot 42 to trading.trade_events\n")) << text;
  EXPECT_TRUE(Has(text, "tradeflow show trading.trade_events")) << text;
}

// The pyiceberg lines work pasted as they are: SQLAlchemy decodes %XX in the catalog's URI.
TEST(RunSummaryTest, TheCatalogUriIsWrittenAsSqlAlchemyReadsIt) {
  RunSummary s = Committed();
  s.catalog_path = "/w/sp ace/d%41 ta/q?\"/catalog.db";
  EXPECT_TRUE(Has(FormatRunSummary(s), "uri=\"sqlite:////w/sp ace/d%2541 ta/q%3F\\\"/catalog.db\""))
      << FormatRunSummary(s);
}

TEST(RunSummaryTest, OneReplayIsSingular) {
  RunSummary s = Committed();
  s.files[0].records_replayed = 1;
  EXPECT_TRUE(Has(FormatRunSummary(s), "of the accepted, 1 was a version already stored"));
}

TEST(RunSummaryTest, AFileLeftOutAndNoTableYet) {
  RunSummary s = Committed();
  s.snapshot_id.reset();
  s.metadata_location.clear();
  s.files[0] = FileSummary{};
  s.files[0].path = "bad.csv";
  s.files[0].sha256 = "fedcba9876543210";
  s.files[0].skipped = "left out, not ingested: bad.csv: 3 of 3 records are bad";
  s.left_out = {"bad.csv: 3 of 3 records are bad"};
  s.records_read = s.records_accepted = s.records_replayed = s.records_quarantined = 0;
  const std::string text = FormatRunSummary(s);
  EXPECT_TRUE(Has(text, "      skipped: left out, not ingested: bad.csv: 3 of 3 records are bad\n"))
      << text;
  EXPECT_TRUE(Has(text,
                  "no snapshot committed to trading.trade_events: every input was left "
                  "out or already ingested\n"))
      << text;
  EXPECT_TRUE(Has(text, "trading.trade_events does not exist yet")) << text;
  EXPECT_FALSE(Has(text, "pyiceberg")) << text;
}

// Nothing new to ingest, but a reference file changed: its table was replaced, and says so.
TEST(RunSummaryTest, NothingNewButAReferenceTableReplaced) {
  RunSummary s = Committed();
  s.snapshot_id.reset();
  s.files[0] = FileSummary{};
  s.files[0].path = "etrm.csv";
  s.files[0].skipped = "already ingested in snapshot 7";
  s.records_read = s.records_accepted = s.records_replayed = s.records_quarantined = 0;
  s.reference_tables_replaced = {"trading.ref_books"};
  const std::string text = FormatRunSummary(s);
  EXPECT_TRUE(Has(text,
                  "wrote reference table trading.ref_books (its rows are new or changed)\n"
                  "nothing new: every input was already ingested; no snapshot committed to "
                  "trading.trade_events (after a fix to the mapping or reference data, run "
                  "--reread FILE to read a file again; a changed mapping needs a new "
                  "mapping.version)\n"))
      << text;
}

// The commits in their order: reference tables, quarantine, trades.
TEST(RunSummaryTest, CommitsAreListedInTheirOrder) {
  RunSummary s = Committed();
  s.quarantine_snapshot_id = 5;
  s.reference_tables_replaced = {"trading.ref_books"};
  const std::string text = FormatRunSummary(s);
  const size_t reference = text.find("wrote reference table trading.ref_books");
  const size_t quarantine = text.find("committed snapshot 5 to trading.quarantine");
  const size_t trades = text.find("committed snapshot " + std::to_string(*s.snapshot_id));
  ASSERT_NE(trades, std::string::npos) << text;
  EXPECT_LT(reference, quarantine) << text;
  EXPECT_LT(quarantine, trades) << text;
}

// A folder that keeps its old files: past five, the inputs ingested before are counted, not
// listed; the new ones are listed as ever.
TEST(RunSummaryTest, ManyInputsIngestedBeforeAreCounted) {
  RunSummary s = Committed();
  auto with_skipped = [&](int n) {
    RunSummary r = s;
    for (int i = 0; i < n; ++i) {
      FileSummary f;
      f.path = "day" + std::to_string(i) + ".csv";
      f.skipped = std::string(kAlreadyIngested) + " in snapshot 7";
      r.files.push_back(f);
    }
    return FormatRunSummary(r);
  };
  const std::string five = with_skipped(5);
  EXPECT_TRUE(Has(five, "day4.csv")) << five;
  EXPECT_FALSE(Has(five, "inputs skipped")) << five;
  const std::string six = with_skipped(6);
  EXPECT_FALSE(Has(six, "day0.csv")) << six;
  EXPECT_TRUE(Has(six, "  6 inputs skipped: already ingested (each in an earlier snapshot)\n"))
      << six;
  EXPECT_TRUE(Has(six, s.files[0].path)) << six;
}

}  // namespace
}  // namespace tradeflow::pipeline
