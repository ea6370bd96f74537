// The tradeflow command line: a thin layer that parses arguments, calls the pipeline module and
// prints results. Exit codes: 0 success, 1 the command failed (the message says why and where),
// 2 wrong usage.
#pragma once

namespace tradeflow::cli {

int Main(int argc, char** argv);

}  // namespace tradeflow::cli
