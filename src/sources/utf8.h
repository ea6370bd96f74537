// UTF-8 validation for records read from text inputs.
//
// Parquet strings must be UTF-8, so a record whose bytes are not valid UTF-8 (typically a Latin-1
// file read as UTF-8) must not reach the table. Sources check each record's raw bytes and turn a
// bad one into a malformed record, which the run loop quarantines, with a hint to fix the config.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::sources {

// Offset of the first byte of `s` that is not part of a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed), or npos when all is valid.
size_t FindInvalidUtf8(std::string_view s);

// OK when `record` is valid UTF-8 without NUL bytes; otherwise Invalid "<where>: invalid UTF-8
// at byte N of the record; is the file Windows-1252 or Latin-1? set encoding: windows-1252" (or
// "NUL byte at byte N
// ..."), N counting from 1.
// `what` names the text in the message: "record", or "header row".
Status CheckRecordUtf8(std::string_view record, const std::string& where,
                       const char* what = "record");

// What the start of a text input (its first line, as read) shows of a whole file in a form the
// source does not read, named before it turns into a malformed record per line: compressed data
// under a name that does not say so (gzip, zstd: set `compression`), UTF-16 (a byte order
// mark, or NUL bytes between ASCII letters), and UTF-8 read as Latin-1 (its byte order mark,
// transcoded, reads "ï»¿"). An IOError naming `path` and the fix; `kind` is
// "CSV" or "JSON Lines".
Status CheckTextStart(std::string_view first_line, const std::string& path, const char* kind);

// The part of CheckTextStart every text format shares (FIXML too): an IOError when `start`, the
// first bytes of the file as read, is gzip or zstd data.
Status CheckNotCompressed(std::string_view start, const std::string& path);

}  // namespace tradeflow::sources
