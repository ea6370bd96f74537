// Offsets in the text a reader parses → offsets in the (decompressed) file, for the locations
// that errors and quarantine rows give.
//
// The two differ when the input stream dropped a UTF-8 byte order mark (3 bytes) and when it
// transcoded a single-byte encoding (Latin-1, windows-1252) to UTF-8: each file byte became one
// character of one to three bytes, whose continuation bytes (10xxxxxx) are not in the file. So
// a file offset is the text offset less the continuation bytes before it, plus the bytes
// dropped. The reader counts as it goes: it reports the text it is about to drop from its
// buffer (Consume) and asks about offsets in increasing order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "sources/input_stream.h"

namespace tradeflow::sources {

class SourceOffsets {
 public:
  explicit SourceOffsets(const InputStream* stream) : stream_(stream) {}

  // The file offset of text offset `buffer_offset + pos`, where `buffer` holds the text from
  // `buffer_offset` on. `buffer_offset + pos` must not be before an offset consumed before; one
  // before an offset asked before (an error's line, after the reports on it) is counted back.
  int64_t FileOffset(std::string_view buffer, int64_t buffer_offset, size_t pos) {
    const int64_t dropped = stream_->bytes_dropped_at_start();
    if (!stream_->transcodes_single_bytes()) return dropped + buffer_offset + pos;
    const int64_t at = buffer_offset + static_cast<int64_t>(pos);
    if (at < counted_to_) {
      int64_t later = 0;  // continuation bytes counted from `at` on
      const int64_t end =
          std::min<int64_t>(counted_to_ - buffer_offset, static_cast<int64_t>(buffer.size()));
      for (int64_t i = static_cast<int64_t>(pos); i < end; ++i) {
        later += (static_cast<unsigned char>(buffer[i]) & 0xC0) == 0x80;
      }
      return dropped + at - (continuation_bytes_ - later);
    }
    Count(buffer, buffer_offset, pos);
    return dropped + counted_to_ - continuation_bytes_;
  }

  // Call before dropping buffer[0, pos) (text from `buffer_offset` on).
  void Consume(std::string_view buffer, int64_t buffer_offset, size_t pos) {
    if (stream_->transcodes_single_bytes()) Count(buffer, buffer_offset, pos);
  }

 private:
  void Count(std::string_view buffer, int64_t buffer_offset, size_t pos) {
    for (int64_t i = std::max<int64_t>(0, counted_to_ - buffer_offset);
         i < static_cast<int64_t>(pos); ++i) {
      continuation_bytes_ += (static_cast<unsigned char>(buffer[i]) & 0xC0) == 0x80;
    }
    if (buffer_offset + static_cast<int64_t>(pos) > counted_to_) {
      counted_to_ = buffer_offset + static_cast<int64_t>(pos);
    }
  }

  const InputStream* stream_;
  int64_t counted_to_ = 0;          // text offset up to which continuation bytes are counted
  int64_t continuation_bytes_ = 0;  // before counted_to_
};

}  // namespace tradeflow::sources
