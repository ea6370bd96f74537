// UTF-8 encoding of one code point, for every module that builds text from code points: the
// transcoding of inputs (sources) and the truncated upper bounds of string columns (lake).
#pragma once

#include <string>

namespace tradeflow {

// Appends the UTF-8 encoding of code point `cp` (< 0x110000, not a surrogate) to `out`.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace tradeflow
