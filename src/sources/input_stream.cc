#include "sources/input_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tradeflow::sources {
namespace {

class FileStream : public InputStream {
 public:
  FileStream(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  ~FileStream() override { std::fclose(file_); }

  Result<size_t> Read(char* buffer, size_t n) override {
    size_t got = std::fread(buffer, 1, n, file_);
    if (got < n && std::ferror(file_)) {
      return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
    }
    bytes_ += static_cast<int64_t>(got);
    return got;
  }
  int64_t file_bytes_read() const override { return bytes_; }

 private:
  std::string path_;
  std::FILE* file_;
  int64_t bytes_ = 0;
};

class StringStream : public InputStream {
 public:
  explicit StringStream(std::string data) : data_(std::move(data)) {}

  Result<size_t> Read(char* buffer, size_t n) override {
    size_t got = std::min(n, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, got);
    pos_ += got;
    return got;
  }
  int64_t file_bytes_read() const override { return static_cast<int64_t>(pos_); }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class PrependedStream : public InputStream {
 public:
  PrependedStream(std::string head, std::unique_ptr<InputStream> rest)
      : head_(std::move(head)), rest_(std::move(rest)) {}

  Result<size_t> Read(char* buffer, size_t n) override {
    if (pos_ == head_.size()) return rest_->Read(buffer, n);
    size_t got = std::min(n, head_.size() - pos_);
    std::memcpy(buffer, head_.data() + pos_, got);
    pos_ += got;
    return got;
  }
  int64_t file_bytes_read() const override { return rest_->file_bytes_read(); }
  int64_t bytes_dropped_at_start() const override { return rest_->bytes_dropped_at_start(); }
  bool transcodes_single_bytes() const override { return rest_->transcodes_single_bytes(); }

 private:
  std::string head_;
  size_t pos_ = 0;
  std::unique_ptr<InputStream> rest_;
};

}  // namespace

std::unique_ptr<InputStream> OpenStringStream(std::string data) {
  return std::make_unique<StringStream>(std::move(data));
}

std::unique_ptr<InputStream> PrependBytes(std::string head, std::unique_ptr<InputStream> rest) {
  return std::make_unique<PrependedStream>(std::move(head), std::move(rest));
}

Result<std::unique_ptr<InputStream>> OpenFileStream(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  return std::unique_ptr<InputStream>(new FileStream(path, f));
}

}  // namespace tradeflow::sources
