#include "pipeline/quarantine_record.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

using tradeflow::quarantine::v1::QuarantineRecord;

sources::InputFile Input() {
  sources::InputFile input;
  input.path = "etrm.csv";
  input.uri = "file:///data/etrm.csv";
  input.sha256 = "ab12";
  return input;
}

sources::SourceRecord Record(std::string raw) {
  sources::SourceRecord record;
  record.line = 17;
  record.byte_offset = 2048;
  record.location = "line 17";
  record.raw = std::move(raw);
  return record;
}

TEST(QuarantineRecordTest, KeepsWhereTheRecordCameFromAndEveryFailedRule) {
  RecordOutcome out;
  out.stage = tradeflow::quarantine::v1::STAGE_VALIDATE;
  out.failures = {{"positive_quantity", "legs[0].quantity.value", "must be > 0, is -5"},
                  {"known_book", "book", "unknown book 'X'"}};
  out.mapped = true;
  out.key = {"ENDUR", "D-1", 3};
  out.mapped_json = R"({"sourceTradeId":"D-1"})";
  QuarantineRecord q = MakeQuarantineRecord({"run-1", "etrm", "etrm-v3"}, Input(),
                                            Record("D-1,-5,X"), out, 1'700'000'000'123'456);
  EXPECT_EQ(q.run_id(), "run-1");
  EXPECT_EQ(q.pipeline(), "etrm");
  EXPECT_EQ(q.mapping_version(), "etrm-v3");
  EXPECT_EQ(q.stage(), tradeflow::quarantine::v1::STAGE_VALIDATE);
  EXPECT_EQ(q.input_uri(), "file:///data/etrm.csv");
  EXPECT_EQ(q.input_sha256(), "ab12");
  EXPECT_EQ(q.source_location(), "line 17");
  EXPECT_EQ(q.line(), 17);
  EXPECT_EQ(q.byte_offset(), 2048);
  EXPECT_EQ(q.raw_record(), "D-1,-5,X");
  EXPECT_TRUE(q.raw_bytes().empty());
  ASSERT_EQ(q.failures_size(), 2);
  EXPECT_EQ(q.failures(0).rule(), "positive_quantity");
  EXPECT_EQ(q.failures(0).severity(), "ERROR");
  EXPECT_EQ(q.failures(0).field(), "legs[0].quantity.value");
  EXPECT_EQ(q.failures(1).message(), "unknown book 'X'");
  EXPECT_EQ(q.source_system(), "ENDUR");
  EXPECT_EQ(q.source_trade_id(), "D-1");
  EXPECT_EQ(q.source_version(), 3);
  EXPECT_EQ(q.mapped_record_json(), out.mapped_json);
  EXPECT_EQ(q.quarantined_time().seconds(), 1'700'000'000);
  EXPECT_EQ(q.quarantined_time().nanos(), 123'456'000);
}

TEST(QuarantineRecordTest, ARecordThatWasNeverMappedHasNoTradeKey) {
  RecordOutcome out;
  out.stage = tradeflow::quarantine::v1::STAGE_PARSE;
  out.failures = {{"parse_error", "", "etrm.csv:17: unterminated quote"}};
  out.key = {"stale", "stale", 9};  // left from an earlier record; not mapped, so not used
  QuarantineRecord q =
      MakeQuarantineRecord({"run-1", "etrm", "etrm-v3"}, Input(), Record("\"D-1,5"), out, 0);
  EXPECT_EQ(q.stage(), tradeflow::quarantine::v1::STAGE_PARSE);
  EXPECT_TRUE(q.source_system().empty());
  EXPECT_TRUE(q.source_trade_id().empty());
  EXPECT_FALSE(q.has_source_version());  // stored as null, not as version 0
  EXPECT_TRUE(q.mapped_record_json().empty());
}

TEST(QuarantineRecordTest, InvalidUtf8IsEscapedInTheTextAndKeptExactlyInTheBytes) {
  QuarantineRecord q;
  const std::string raw = "caf\xE9,Z\xFFrich,ok";
  SetRawRecord(raw, &q);
  EXPECT_EQ(q.raw_record(), "caf\\xE9,Z\\xFFrich,ok");
  EXPECT_EQ(q.raw_bytes(), raw);

  QuarantineRecord valid;
  SetRawRecord("café,Zürich", &valid);
  EXPECT_EQ(valid.raw_record(), "café,Zürich");
  EXPECT_TRUE(valid.raw_bytes().empty());
}

}  // namespace
}  // namespace tradeflow::pipeline
