// What a run checks just before each commit attempt (lake::AppendOptions::check), so that two
// runs reading the same new input at once (an overlapping schedule, a retry) do not both store
// it. Like Iceberg's validateNoConflictingAppends, they look at what other writers committed
// since this run's plan. Each fails with StatusCode::kConflict, naming the input or trade version,
// when another run has committed some of this run's work; any other error is an I/O failure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/table.h"
#include "pipeline/ingest_state.h"
#include "validate/duplicate_index.h"

namespace tradeflow::pipeline {

// An input file this run read, as the checks name it.
struct PlannedInput {
  std::string path;
  std::string sha256;
};

// Fails when `metadata`, of table `table`, records one of `inputs` as ingested. Inputs listed in
// `already_there` (those the table recorded at the plan, which this run does not add again) are
// left out.
Status NoInputCommittedIn(const lake::TableIdentifier& table, const lake::TableMetadata& metadata,
                          const std::vector<PlannedInput>& inputs,
                          const std::map<std::string, IngestedInput>& already_there = {});

// Fails when a snapshot of the quarantine table (`metadata`, table `table`) newer than sequence
// number `planned_sequence`, other than `own_snapshot`, stored rejects of one of `inputs`
// (kInputHashesKey or kLateInputHashesKey): another run reading the same input, whose rejects
// this run would store a second time, or may have accepted as trades (with other reference
// data, say).
Status NoRejectsCommittedSince(const lake::TableIdentifier& table,
                               const lake::TableMetadata& metadata, int64_t planned_sequence,
                               const std::vector<PlannedInput>& inputs,
                               std::optional<int64_t> own_snapshot = std::nullopt);

struct VersionCheck {
  std::optional<int64_t> planned_snapshot;  // the trade table's current snapshot at the plan
  // The trade versions the table held at the plan and those this run accepted, with where.
  const validate::DuplicateIndex* seen = nullptr;
  // The run's input when it has only one: `seen` then gives locations without the file's name.
  std::optional<std::string> single_input;
  bool rejects_repeats = true;  // unique_version is an error (else a warning), for the message
};

// Fails when a row another writer added to the trade table since the plan holds a trade version
// this run accepted. `current` is the table's metadata as the commit sees it. Reads only the key
// columns of the files added since, and nothing when the snapshot is still the planned one.
Status NoVersionCommittedMeanwhile(const lake::Table& table, const lake::TableMetadata& current,
                                   const VersionCheck& check);

}  // namespace tradeflow::pipeline
