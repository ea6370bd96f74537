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

}  // namespace

std::unique_ptr<InputStream> OpenStringStream(std::string data) {
  return std::make_unique<StringStream>(std::move(data));
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
