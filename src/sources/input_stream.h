// A sequential byte stream over an input file. Sources read through it, so that compression
// (.gz, .zst) and transcoding (Latin-1 → UTF-8) are layers under every format alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace tradeflow::sources {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to `n` bytes; 0 means end of stream. A corrupt or truncated input is an error
  // naming the file and, where known, the offset.
  virtual Result<size_t> Read(char* buffer, size_t n) = 0;
  // Bytes consumed from the underlying file so far.
  virtual int64_t file_bytes_read() const = 0;
  // Bytes at the start of the (decompressed) file this stream did not pass on: a UTF-8 byte
  // order mark, 3. Known once the first Read has returned.
  virtual int64_t bytes_dropped_at_start() const { return 0; }
  // True when each byte of the file became one UTF-8 character of one to three bytes
  // (Latin-1, windows-1252): an offset in the text is then not one in the file.
  virtual bool transcodes_single_bytes() const { return false; }
};

// A plain file. NotFound names the path.
Result<std::unique_ptr<InputStream>> OpenFileStream(const std::string& path);

// Bytes held in memory (tests, and inputs that arrive whole).
std::unique_ptr<InputStream> OpenStringStream(std::string data);

// `head` first, then what is left of `rest`: for a reader that had to look at the first bytes of
// `rest` (`head`) to choose how to read it.
std::unique_ptr<InputStream> PrependBytes(std::string head, std::unique_ptr<InputStream> rest);

}  // namespace tradeflow::sources
