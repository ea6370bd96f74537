// A value quoted in a message for people: whole when short, else its start and its length.
//
// Why: messages end up in logs, run summaries and quarantine rows, one line each. A value of
// megabytes (a runaway quoted CSV field, a FIXML attribute) would make each of them that long,
// while the record's raw text, kept whole in quarantine, already holds it.
#pragma once

#include <string>
#include <string_view>

namespace tradeflow {

// "'EUR'"; past `max_bytes`, "'<start>...' (1048576 bytes)", cut at a UTF-8 character boundary.
std::string QuoteValue(std::string_view value, size_t max_bytes = 80);

}  // namespace tradeflow
