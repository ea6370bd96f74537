// Named points where a test can make the process die as abruptly as a power cut, or wait.
//
// The crash-safety tests run tradeflow with TRADEFLOW_CRASH_AT=<point> and check that the tables
// are exactly at their last good snapshot afterwards and that the next run completes the work.
// SIGKILL cannot be caught, so nothing gets a chance to clean up: the real thing. When the
// variable is unset (production) a crash point costs one cached comparison.
#pragma once

#include <string_view>

namespace tradeflow {

// Kills the process with SIGKILL if TRADEFLOW_CRASH_AT names `point`. The points:
//   data-file-written            after each Parquet data file is durable
//   manifest-written             after a commit's manifest, before its manifest list
//   metadata-written             after the new metadata file, before the catalog swap
//   catalog-commit               inside the catalog transaction, before it commits
//   catalog-swapped[:<table>]    right after a (given table's) commit
void CrashPoint(std::string_view point);

// Holds the process at `point` while a test does something else at that exact moment (another
// run's commit, say). If TRADEFLOW_PAUSE_AT names `point`, creates the file named by
// TRADEFLOW_PAUSE_FILE and waits until the test deletes it (ten minutes at most); only the first
// time the process passes the point. The points:
//   inputs-hashed                a run has hashed its inputs and read none yet
//   data-file-written            a trade data file is durable (the run reads on meanwhile)
//   before-commit                a run's data files are all written, nothing is committed yet
//   before-trade-commit          its quarantine snapshot (if any) is committed, its trades not
//   before-catalog-swap:<table>  a commit to the table has checked what others committed and
//                                written its metadata file; the catalog swap comes next
void PausePoint(std::string_view point);

}  // namespace tradeflow
