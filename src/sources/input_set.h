// The files a source reads: a file, a list of files, or glob patterns.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::sources {

// Expands each pattern with glob(3) (*, ?, [...]; a path without them names one file). The
// result is sorted and de-duplicated, so a run reads files in a stable order whatever the
// patterns. Directories that match are not inputs and are left out. A pattern that matches no
// file is NotFound naming it: a missing day's file must not pass as "nothing to do".
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& patterns);

}  // namespace tradeflow::sources
