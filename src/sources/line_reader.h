// Splits an InputStream into lines, for line-oriented formats (JSON Lines).
//
// Reads in chunks; memory is bounded by the chunk size and the longest line. LF ends a line, and
// a CR before it is dropped; the last line needs no LF. Lines are numbered from 1.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sources/input_stream.h"
#include "sources/source_offsets.h"

namespace tradeflow::sources {

struct Line {
  std::string_view text;    // without the line break; valid until the next call
  int64_t number = 0;       // 1-based
  int64_t byte_offset = 0;  // in the (decompressed) file
};

class LineReader {
 public:
  explicit LineReader(std::unique_ptr<InputStream> stream, size_t chunk_size = 1 << 20)
      : stream_(std::move(stream)), offsets_(stream_.get()), chunk_size_(chunk_size) {}

  // False at the end of the input. Stream errors are returned as they are.
  Result<bool> Next(Line* out);
  int64_t file_bytes_read() const { return stream_->file_bytes_read(); }

 private:
  std::unique_ptr<InputStream> stream_;
  SourceOffsets offsets_;  // byte_offset in the file, not in the transcoded text
  size_t chunk_size_;
  std::string buffer_;
  size_t pos_ = 0;             // start of the next line in buffer_
  size_t scanned_ = 0;         // bytes from pos_ already known to hold no LF
  int64_t buffer_offset_ = 0;  // input offset of buffer_[0]
  int64_t line_ = 0;
  bool eof_ = false;
};

}  // namespace tradeflow::sources
