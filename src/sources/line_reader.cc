#include "sources/line_reader.h"

namespace tradeflow::sources {

Result<bool> LineReader::Next(Line* out) {
  for (;;) {
    size_t lf = buffer_.find('\n', pos_ + scanned_);
    if (lf != std::string::npos || (eof_ && pos_ < buffer_.size())) {
      size_t end = lf != std::string::npos ? lf : buffer_.size();
      out->text = std::string_view(buffer_).substr(pos_, end - pos_);
      if (!out->text.empty() && out->text.back() == '\r') out->text.remove_suffix(1);
      out->number = ++line_;
      out->byte_offset = offsets_.FileOffset(buffer_, buffer_offset_, pos_);
      pos_ = lf != std::string::npos ? lf + 1 : buffer_.size();
      scanned_ = 0;
      return true;
    }
    if (eof_) return false;
    // Drop the consumed lines, then append the next chunk.
    scanned_ = buffer_.size() - pos_;
    offsets_.Consume(buffer_, buffer_offset_, pos_);
    buffer_.erase(0, pos_);
    buffer_offset_ += static_cast<int64_t>(pos_);
    pos_ = 0;
    size_t old = buffer_.size();
    buffer_.resize(old + chunk_size_);
    auto got = stream_->Read(buffer_.data() + old, chunk_size_);
    if (!got.ok()) {
      buffer_.resize(old);
      return got.status();
    }
    buffer_.resize(old + *got);
    if (*got == 0) eof_ = true;
  }
}

}  // namespace tradeflow::sources
