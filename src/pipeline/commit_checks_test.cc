#include "pipeline/commit_checks.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

lake::TableMetadata WithSnapshots(const std::vector<std::pair<int64_t, std::string>>& hashes) {
  lake::TableMetadata metadata;
  for (const auto& [id, list] : hashes) {
    lake::Snapshot snapshot;
    snapshot.snapshot_id = id;
    snapshot.summary[kInputHashesKey] = list;
    metadata.snapshots.push_back(snapshot);
  }
  return metadata;
}

const lake::TableIdentifier kTrades{"trading", "trade_events"};

TEST(CommitChecksTest, AnInputAnotherRunCommittedIsAConflictNamingItAndTheSnapshot) {
  auto metadata = WithSnapshots({{11, "aaa"}, {12, "bbb,ccc"}});
  Status status = NoInputCommittedIn(kTrades, metadata, {{"day1.csv", "ddd"}, {"day2.csv", "ccc"}});
  ASSERT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_NE(status.message().find("day2.csv was committed to trading.trade_events by another run "
                                  "(snapshot 12)"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("removed its uncommitted data files"), std::string::npos);
}

TEST(CommitChecksTest, InputsTheTableDidNotRecordOrRecordedAtThePlanPass) {
  auto metadata = WithSnapshots({{11, "aaa"}, {12, "bbb"}});
  EXPECT_TRUE(NoInputCommittedIn(kTrades, metadata, {{"new.csv", "zzz"}}).ok());
  EXPECT_TRUE(NoInputCommittedIn(kTrades, lake::TableMetadata{}, {{"new.csv", "aaa"}}).ok());
  // "bbb" was already in the table when the run planned (a killed run's quarantine): not a
  // conflict, the run does not add it again.
  std::map<std::string, IngestedInput> at_plan{{"bbb", {12, 0}}};
  EXPECT_TRUE(NoInputCommittedIn(kTrades, metadata, {{"resumed.csv", "bbb"}}, at_plan).ok());
}

TEST(CommitChecksTest, RejectsAnotherRunStoredSinceThePlanAreAConflict) {
  const lake::TableIdentifier quarantine{"trading", "quarantine"};
  lake::TableMetadata metadata;
  for (int64_t sequence : {1, 2, 3}) {
    lake::Snapshot snapshot;
    snapshot.snapshot_id = 100 + sequence;
    snapshot.sequence_number = sequence;
    if (sequence == 1) snapshot.summary[kInputHashesKey] = "aaa";      // the killed run's
    if (sequence >= 2) snapshot.summary[kLateInputHashesKey] = "aaa";  // recoveries'
    metadata.snapshots.push_back(snapshot);
  }
  // Planned after snapshot 2: snapshot 3 is another run's.
  Status status = NoRejectsCommittedSince(quarantine, metadata, 2, {{"day2.csv", "aaa"}});
  ASSERT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_NE(status.message().find("the rejects of day2.csv were stored in trading.quarantine by "
                                  "another run (snapshot 103)"),
            std::string::npos)
      << status.message();
  // Planned after snapshot 3: nothing since. Another input: not this run's business.
  EXPECT_TRUE(NoRejectsCommittedSince(quarantine, metadata, 3, {{"day2.csv", "aaa"}}).ok());
  EXPECT_TRUE(NoRejectsCommittedSince(quarantine, metadata, 0, {{"day3.csv", "bbb"}}).ok());
  // The first rejects of an input (kInputHashesKey) count too, and the run's own snapshot not.
  status = NoRejectsCommittedSince(quarantine, metadata, 0, {{"day2.csv", "aaa"}});
  EXPECT_NE(status.message().find("(snapshot 101)"), std::string::npos) << status.message();
  EXPECT_TRUE(NoRejectsCommittedSince(quarantine, metadata, 2, {{"day2.csv", "aaa"}}, 103).ok());
}

TEST(CommitChecksTest, HashListsSkipEmptyEntries) {
  EXPECT_EQ(CommaList("aaa,bbb"), (std::vector<std::string>{"aaa", "bbb"}));
  EXPECT_EQ(CommaList(",aaa,,"), (std::vector<std::string>{"aaa"}));
  EXPECT_TRUE(CommaList("").empty());
}

}  // namespace
}  // namespace tradeflow::pipeline
