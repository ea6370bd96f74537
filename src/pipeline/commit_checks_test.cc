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

}  // namespace
}  // namespace tradeflow::pipeline
