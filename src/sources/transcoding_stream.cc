#include "sources/transcoding_stream.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "sources/utf8.h"

namespace tradeflow::sources {
namespace {

class BomSkippingStream : public InputStream {
 public:
  explicit BomSkippingStream(std::unique_ptr<InputStream> base) : base_(std::move(base)) {}

  Result<size_t> Read(char* buffer, size_t n) override {
    if (!checked_) {
      // Read up to three bytes (short reads are allowed) and drop them if they are the BOM.
      while (head_.size() < 3) {
        char tmp[3];
        auto got = base_->Read(tmp, 3 - head_.size());
        if (!got.ok()) return got.status();
        if (*got == 0) break;
        head_.append(tmp, *got);
      }
      if (head_ == "\xEF\xBB\xBF") {
        head_.clear();
        dropped_ = 3;
      }
      checked_ = true;
    }
    if (head_pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - head_pos_);
      std::memcpy(buffer, head_.data() + head_pos_, k);
      head_pos_ += k;
      return k;
    }
    return base_->Read(buffer, n);
  }
  int64_t file_bytes_read() const override { return base_->file_bytes_read(); }
  int64_t bytes_dropped_at_start() const override { return dropped_; }

 private:
  std::unique_ptr<InputStream> base_;
  int64_t dropped_ = 0;
  bool checked_ = false;
  std::string head_;
  size_t head_pos_ = 0;
};

// Windows-1252 0x80-0x9F; 0 marks the unassigned bytes, which stay C1 controls.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

class Latin1Stream : public InputStream {
 public:
  Latin1Stream(std::unique_ptr<InputStream> base, bool windows1252)
      : base_(std::move(base)), windows1252_(windows1252), in_(64 * 1024) {}

  Result<size_t> Read(char* buffer, size_t n) override {
    if (out_pos_ == out_.size()) {
      auto got = base_->Read(in_.data(), in_.size());
      if (!got.ok()) return got.status();
      out_.clear();
      out_pos_ = 0;
      for (size_t i = 0; i < *got; ++i) {
        auto b = static_cast<unsigned char>(in_[i]);
        char32_t cp = b;
        if (windows1252_ && b >= 0x80 && b <= 0x9F && kCp1252High[b - 0x80] != 0) {
          cp = kCp1252High[b - 0x80];
        }
        AppendUtf8(cp, &out_);
      }
    }
    size_t k = std::min(n, out_.size() - out_pos_);
    std::memcpy(buffer, out_.data() + out_pos_, k);
    out_pos_ += k;
    return k;
  }
  int64_t file_bytes_read() const override { return base_->file_bytes_read(); }
  bool transcodes_single_bytes() const override { return true; }

 private:
  std::unique_ptr<InputStream> base_;
  bool windows1252_;
  std::vector<char> in_;
  std::string out_;
  size_t out_pos_ = 0;
};

// Decoded with iconv (glibc's), which rejects lone surrogates; a character split across two
// reads of the file waits in in_ for the rest.
class Utf16Stream : public InputStream {
 public:
  Utf16Stream(std::unique_ptr<InputStream> base, bool big_endian, std::string name)
      : base_(std::move(base)),
        name_(std::move(name)),
        cd_(iconv_open("UTF-8", big_endian ? "UTF-16BE" : "UTF-16LE")) {}
  ~Utf16Stream() override {
    if (cd_ != kNoConversion) iconv_close(cd_);
  }

  Result<size_t> Read(char* buffer, size_t n) override {
    while (out_pos_ == out_.size()) {
      TF_ASSIGN_OR_RETURN(bool more, Convert());
      if (!more) return size_t{0};
    }
    const size_t k = std::min(n, out_.size() - out_pos_);
    std::memcpy(buffer, out_.data() + out_pos_, k);
    out_pos_ += k;
    return k;
  }
  int64_t file_bytes_read() const override { return base_->file_bytes_read(); }

 private:
  static inline const iconv_t kNoConversion = reinterpret_cast<iconv_t>(-1);

  // Reads from base_ and converts into out_ (which may stay empty when a read ends inside a
  // character: call again). False at the end of the input.
  Result<bool> Convert() {
    if (cd_ == kNoConversion) return Status::Internal("iconv cannot convert UTF-16 to UTF-8");
    char chunk[16 * 1024];
    TF_ASSIGN_OR_RETURN(size_t got, base_->Read(chunk, sizeof chunk));
    if (got == 0) {
      if (in_.empty()) return false;
      return Status::IOError(name_ + ": the file ends inside a UTF-16 character, at byte " +
                             std::to_string(offset_));
    }
    in_.append(chunk, got);
    // A UTF-16 unit gives at most 3 bytes of UTF-8, a surrogate pair 4: no output runs short.
    out_.resize(in_.size() / 2 * 3 + 4);
    out_pos_ = 0;
    char* in = in_.data();
    size_t in_left = in_.size();
    char* out = out_.data();
    size_t out_left = out_.size();
    const bool failed = iconv(cd_, &in, &in_left, &out, &out_left) == static_cast<size_t>(-1);
    const int error = failed ? errno : 0;
    offset_ += static_cast<int64_t>(in_.size() - in_left);
    in_.erase(0, in_.size() - in_left);
    out_.resize(out_.size() - out_left);
    if (error == EILSEQ) {
      return Status::IOError(name_ + ": not valid UTF-16 (a lone surrogate) at byte " +
                             std::to_string(offset_));
    }
    if (failed && error != EINVAL) {  // EINVAL: in_ holds the start of a character
      return Status::IOError(name_ + ": cannot decode UTF-16 at byte " + std::to_string(offset_));
    }
    return true;
  }

  std::unique_ptr<InputStream> base_;
  std::string name_;
  iconv_t cd_;
  std::string in_;   // bytes read and not converted yet: the start of a character
  std::string out_;  // converted, from out_pos_ on not returned yet
  size_t out_pos_ = 0;
  int64_t offset_ = 0;  // bytes converted so far
};

}  // namespace

std::unique_ptr<InputStream> SkipUtf8Bom(std::unique_ptr<InputStream> utf8) {
  return std::make_unique<BomSkippingStream>(std::move(utf8));
}

std::unique_ptr<InputStream> Latin1ToUtf8(std::unique_ptr<InputStream> latin1, bool windows1252) {
  return std::make_unique<Latin1Stream>(std::move(latin1), windows1252);
}

std::unique_ptr<InputStream> Utf16ToUtf8(std::unique_ptr<InputStream> utf16, bool big_endian,
                                         std::string name) {
  return std::make_unique<Utf16Stream>(std::move(utf16), big_endian, std::move(name));
}

}  // namespace tradeflow::sources
