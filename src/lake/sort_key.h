// Sort keys as byte strings: memcmp order of two encoded keys is the order of their rows.
//
// A writer that holds rows in an encoded form (not Arrow) can then sort a file's rows by
// comparing one string per row instead of evaluating a comparator per column. The order is the
// one DataWriter gets from Arrow's sort: per column ascending or descending, nulls first or last
// (by default, Iceberg's: first ascending, last descending); strings by their UTF-8 bytes,
// numbers numerically.
//
// Encoding, per column: a marker byte (0 null first, 1 present, 2 null last), then the value:
//   integers (int, long, date days, timestamp micros) and decimals: big-endian two's complement
//     with the sign bit flipped (8 bytes; 16 for a decimal's unscaled value, at the column scale);
//   strings: the bytes with 0x00 written as 0x00 0xFF, terminated by 0x00 0x00, so a prefix sorts
//     first and the next column cannot bleed into the comparison;
//   booleans: one byte.
// For a descending column the value bytes (not the marker) are inverted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tradeflow::lake {

// `nulls_first` as the sort order says (SortKey::NullsFirst: by default, for ascending columns).
void AppendNullSortKey(bool nulls_first, std::string* key);
void AppendStringSortKey(std::string_view value, bool descending, std::string* key);
void AppendIntSortKey(int64_t value, bool descending, std::string* key);
void AppendBoolSortKey(bool value, bool descending, std::string* key);
// A decimal's unscaled 128-bit value as (high, low) words.
void AppendDecimalSortKey(int64_t high, uint64_t low, bool descending, std::string* key);

}  // namespace tradeflow::lake
