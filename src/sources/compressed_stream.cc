#include "sources/compressed_stream.h"

#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace tradeflow::sources {
namespace {

constexpr size_t kInputChunk = 64 * 1024;

// What the two decompressors share: reading compressed input in chunks, the sticky error and the
// compressed offset. Subclasses implement Step(): decompress from in_[in_pos_, in_end_) into
// the caller's buffer.
class DecompressingStream : public InputStream {
 public:
  DecompressingStream(std::unique_ptr<InputStream> base, std::string name, const char* format)
      : base_(std::move(base)), name_(std::move(name)), format_(format), in_(kInputChunk) {}

  int64_t file_bytes_read() const override { return base_->file_bytes_read(); }

  Result<size_t> Read(char* buffer, size_t n) override {
    if (!error_.ok()) return error_;
    if (done_ || n == 0) return size_t{0};
    for (;;) {
      if (in_pos_ == in_end_ && !base_eof_) {
        auto got = base_->Read(in_.data(), in_.size());
        if (!got.ok()) return error_ = got.status();
        in_pos_ = 0;
        in_end_ = *got;
        if (*got == 0) base_eof_ = true;
      }
      step_start_ = in_pos_;
      size_t produced = 0;
      bool frame_open = false;
      Status st = Step(buffer, n, &produced, &frame_open);
      offset_ += static_cast<int64_t>(in_pos_ - step_start_);
      if (!st.ok()) return error_ = st;
      if (produced > 0) return produced;
      if (in_pos_ == in_end_ && base_eof_) {
        // No output and no input left: either a clean end, or the file stops mid-frame.
        if (frame_open && offset_ == 0) {
          return error_ = Status::IOError(name_ + ": empty file, expected " + format_ +
                                          " data: is the export complete?");
        }
        if (frame_open) {
          return error_ = Status::IOError(name_ + ": truncated " + format_ +
                                          " data: the file ends at compressed offset " +
                                          std::to_string(offset_) + " inside a " + unit());
        }
        done_ = true;
        return size_t{0};
      }
    }
  }

 protected:
  virtual Status Step(char* out, size_t n, size_t* produced, bool* frame_open) = 0;
  virtual const char* unit() const = 0;

  // Called from Step: the offset is where the decompressor stopped reading in this step (a
  // checksum error shows at the end of its member, where the checksum is).
  Status Corrupt(const std::string& what) const {
    const int64_t at = offset_ + static_cast<int64_t>(in_pos_ - step_start_);
    // At the very start: most likely not compressed this way at all.
    const std::string hint = at < 8 ? std::string("; the file does not start as ") + format_ +
                                          " data: is it compressed? (the name's extension, or "
                                          "the source's compression setting, says it is)"
                                    : "";
    return Status::IOError(name_ + ": corrupt " + format_ + " data near compressed offset " +
                           std::to_string(at) + ": " + what + hint);
  }

  std::unique_ptr<InputStream> base_;
  std::string name_;
  const char* format_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_end_ = 0;
  bool base_eof_ = false;
  bool done_ = false;
  int64_t offset_ = 0;     // compressed bytes handed to the decompressor before this step
  size_t step_start_ = 0;  // in_pos_ when this step began
  Status error_;
};

class GzipStream : public DecompressingStream {
 public:
  GzipStream(std::unique_ptr<InputStream> base, std::string name)
      : DecompressingStream(std::move(base), std::move(name), "gzip") {
    zs_ = {};
    // 16 + MAX_WBITS: expect a gzip header and check the trailer's CRC-32 and length.
    init_rc_ = inflateInit2(&zs_, 16 + MAX_WBITS);
  }
  ~GzipStream() override { inflateEnd(&zs_); }

 protected:
  const char* unit() const override { return "member"; }

  Status Step(char* out, size_t n, size_t* produced, bool* frame_open) override {
    if (init_rc_ != Z_OK) return Status::Internal("inflateInit2 failed");
    if (member_done_) {
      if (in_pos_ == in_end_) return Status::OK();  // wait for more input, or a clean end
      // Zero bytes after the last member are padding (tar and tape blocks), which gzip itself
      // ignores with a warning; anything after them is not.
      if (padding_ || in_[in_pos_] == '\0') {
        padding_ = true;
        for (; in_pos_ < in_end_; ++in_pos_) {
          if (in_[in_pos_] != '\0') return Corrupt("data after the zero bytes that pad the file");
        }
        return Status::OK();
      }
      inflateReset(&zs_);  // another member follows
      member_done_ = false;
    }
    zs_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
    zs_.avail_in = static_cast<uInt>(in_end_ - in_pos_);
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(n);
    int rc = inflate(&zs_, Z_NO_FLUSH);
    in_pos_ = in_end_ - zs_.avail_in;
    *produced = n - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt(zs_.msg != nullptr ? zs_.msg : "inflate error " + std::to_string(rc));
    }
    *frame_open = !member_done_;
    return Status::OK();
  }

 private:
  z_stream zs_;
  int init_rc_;
  bool member_done_ = false;
  bool padding_ = false;  // only zero bytes since the last member
};

class ZstdStream : public DecompressingStream {
 public:
  ZstdStream(std::unique_ptr<InputStream> base, std::string name)
      : DecompressingStream(std::move(base), std::move(name), "zstd"), ds_(ZSTD_createDStream()) {}
  ~ZstdStream() override { ZSTD_freeDStream(ds_); }

 protected:
  const char* unit() const override { return "frame"; }

  Status Step(char* out, size_t n, size_t* produced, bool* frame_open) override {
    if (ds_ == nullptr) return Status::Internal("ZSTD_createDStream failed");
    const size_t before = in_pos_;
    ZSTD_inBuffer in{in_.data(), in_end_, in_pos_};
    ZSTD_outBuffer o{out, n, 0};
    size_t rc = ZSTD_decompressStream(ds_, &o, &in);
    in_pos_ = in.pos;
    *produced = o.pos;
    if (ZSTD_isError(rc)) return Corrupt(ZSTD_getErrorName(rc));
    // 0: a frame is complete and flushed; anything else: more to decode or to flush. A call that
    // neither consumed nor produced anything (at the end, after a complete frame) says nothing.
    if (in.pos != before || o.pos > 0) frame_open_ = rc != 0;
    *frame_open = frame_open_;
    return Status::OK();
  }

 private:
  ZSTD_DStream* ds_;
  bool frame_open_ = true;  // an empty file is a truncated frame too
};

}  // namespace

std::unique_ptr<InputStream> NewGzipStream(std::unique_ptr<InputStream> compressed,
                                           std::string name) {
  return std::make_unique<GzipStream>(std::move(compressed), std::move(name));
}

std::unique_ptr<InputStream> NewZstdStream(std::unique_ptr<InputStream> compressed,
                                           std::string name) {
  return std::make_unique<ZstdStream>(std::move(compressed), std::move(name));
}

}  // namespace tradeflow::sources
