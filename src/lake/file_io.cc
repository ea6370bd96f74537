#include "lake/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>

namespace tradeflow::lake {

namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg(what);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IOError(std::move(msg));
}

// Closes the descriptor on scope exit unless released; keeps the error paths short.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now and reports the error, because close() can report a failed delayed write.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status FsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return ErrnoStatus("cannot fsync directory", dir, errno);
  return Status::OK();
}

std::string TempSuffix() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> dist;
  char buf[32];
  std::snprintf(buf, sizeof(buf), ".tmp-%d-%08x", static_cast<int>(::getpid()), dist(rd));
  return buf;
}

Status WriteTempFile(const std::string& tmp, std::string_view bytes) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  FdCloser closer(fd);
  TF_RETURN_IF_ERROR(WriteAll(fd, bytes, tmp));
  if (::fsync(fd) != 0) return ErrnoStatus("cannot fsync", tmp, errno);
  if (closer.Close() != 0) return ErrnoStatus("cannot close", tmp, errno);
  return Status::OK();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (!target.has_filename()) return Status::Invalid("not a file path: '" + path + "'");
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create directory " + dir.string() + ": " + ec.message());

  const std::string tmp = path + TempSuffix();
  Status st = WriteTempFile(tmp, bytes);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoStatus("cannot rename " + tmp + " to", path, errno);
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  // The rename is durable only once the directory entry is on disk.
  return FsyncDirectory(dir.string());
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) return Status::IOError("cannot read " + path + ": is a directory");
  std::string out;
  if (st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string ToFileUri(const std::string& absolute_path) { return "file://" + absolute_path; }

Result<std::string> LocalPathFromUri(std::string_view uri) {
  std::string_view path;
  if (uri.starts_with("file:///")) {
    path = uri.substr(7);  // keep the leading '/'
  } else if (uri.starts_with("file:/") && !uri.starts_with("file://")) {
    path = uri.substr(5);  // Java's Hadoop-style "file:/abs/path"
  } else if (uri.starts_with("/")) {
    path = uri;
  } else {
    return Status::Invalid("not a local file URI or absolute path: '" + std::string(uri) + "'");
  }
  return std::string(path);
}

Status RemoveFileIfExists(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cannot remove", path, errno);
  }
  return Status::OK();
}

}  // namespace tradeflow::lake
