// The identity of one input file: where it is and what it holds.
//
// A file is identified by the SHA-256 of its content, not by its name or time stamp: the same
// bytes under a new name are the same input, and a changed file is a new input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::sources {

// What the file system says of a file's current content: any write changes its size or its
// change time (ctime, which no user can set back), and a file replaced under its name has
// another inode.
struct FileStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

struct InputFile {
  std::string path;           // as given
  std::string absolute_path;  // canonical
  std::string uri;            // file:///..., percent-encoded (RFC 8089): always UTF-8 text
  std::string sha256;         // lowercase hex of the content
  int64_t size = 0;
  FileStamp stamp;  // when hashed
};

// "file://" and the absolute path, percent-encoded as Python's Path.as_uri() does (all but
// letters, digits, "-._~" and "/"): "/in/a b.csv" is "file:///in/a%20b.csv".
std::string FileUri(std::string_view absolute_path);

// Lowercase hex SHA-256 of `bytes`: a file's identity, and a mapping's
// (pipeline/pipeline_config.h).
std::string Sha256Hex(std::string_view bytes);

// Hashes the file (streaming). NotFound names the path; a file written to while it is hashed
// is an IOError.
Result<InputFile> DescribeInputFile(const std::string& path);

// OK when `input` is still as DescribeInputFile() found it; else an IOError saying what
// changed. A run hashes its inputs first and reads them later: a file rewritten or appended to
// in between would be read as other bytes than the hash the run records as ingested (and a
// later copy of the hashed bytes would then be skipped as ingested already).
Status CheckUnchanged(const InputFile& input);

}  // namespace tradeflow::sources
