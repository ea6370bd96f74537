// The identity of one input file: where it is and what it holds.
//
// A file is identified by the SHA-256 of its content, not by its name or time stamp: the same
// bytes under a new name are the same input, and a changed file is a new input.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace tradeflow::sources {

struct InputFile {
  std::string path;           // as given
  std::string absolute_path;  // canonical
  std::string uri;            // file:///...
  std::string sha256;         // lowercase hex of the content
  int64_t size = 0;
};

// Hashes the file (streaming). NotFound names the path.
Result<InputFile> DescribeInputFile(const std::string& path);

}  // namespace tradeflow::sources
