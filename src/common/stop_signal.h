// A request to stop, from SIGTERM (a scheduler cancelling a run: Dagster, systemd, Kubernetes)
// or SIGINT (Ctrl-C). Long work polls StopRequested() at points where it can stop cleanly, and
// returns a kCancelled status from there, which takes the usual failure path: nothing is
// committed and the files written so far are removed. A commit that has begun is finished
// first, so a stop never leaves a half-written table. A signal more than two seconds after the
// first ends the process at once, as the signal's default action would have (what was written
// is then left to orphan cleanup); one sooner is the same request delivered twice (GNU timeout
// signals the process, then its process group).
#pragma once

#include <string>

namespace tradeflow {

// Installs the handlers for SIGTERM and SIGINT. Call once, from main, before any thread starts.
void InstallStopHandlers();

// The signal that asked to stop (SIGTERM, SIGINT), or 0 when none did.
int StopRequested();

// "SIGTERM", "SIGINT" or "signal N".
std::string SignalName(int signal);

// For tests: as if `signal` had been received (0 clears the request).
void RequestStopForTesting(int signal);

}  // namespace tradeflow
