#include "sources/input_file.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace tradeflow::sources {
namespace {

FileStamp StampOf(const struct stat& st) {
  FileStamp s;
  s.device = static_cast<uint64_t>(st.st_dev);
  s.inode = static_cast<uint64_t>(st.st_ino);
  s.size = static_cast<int64_t>(st.st_size);
  s.modified_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.changed_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return s;
}

Result<FileStamp> StampOfOpenFile(std::FILE* file, const std::string& path) {
  struct stat st {};
  if (fstat(fileno(file), &st) != 0) {
    return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
  }
  return StampOf(st);
}

// What differs between two stamps of one path, for the error.
std::string Change(const FileStamp& then, const FileStamp& now) {
  if (then.device != now.device || then.inode != now.inode) return "replaced by another file";
  if (then.size != now.size) {
    return "its size went from " + std::to_string(then.size) + " to " + std::to_string(now.size) +
           " bytes";
  }
  return "it was written to";
}

std::string HexDigest(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace

// Every byte but letters, digits, "-._~" and "/" is percent-encoded, as Python's Path.as_uri()
// does (urllib's quote_from_bytes): a name in Latin-1 (or with a space or '#') is then still a
// URI, valid UTF-8 for the Parquet string columns that hold it, and joins with Python's.
std::string FileUri(std::string_view absolute_path) {
  static constexpr std::string_view kKept = "-._~/";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (char ch : absolute_path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || kKept.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

Result<InputFile> DescribeInputFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (std::filesystem::is_symlink(path, ec)) {
      return Status::NotFound(path + ": a symbolic link to " +
                              std::filesystem::read_symlink(path, ec).string() +
                              ", which does not exist");
    }
    return Status::NotFound(path + ": no such file");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Status::Invalid(path + ": is a directory, expected a file");
  }
  // A FIFO or a device would be read until it ends, which it may never do: the run would hang.
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::Invalid(path +
                           ": is not a regular file (a FIFO, socket or device), so its "
                           "content cannot be hashed and read again; copy it to a file");
  }
  InputFile out;
  out.path = path;
  out.absolute_path = std::filesystem::canonical(path, ec).string();
  if (ec) return Status::IOError(path + ": " + ec.message());
  out.uri = FileUri(out.absolute_path);

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("cannot initialise SHA-256");
  }
  TF_ASSIGN_OR_RETURN(out.stamp, StampOfOpenFile(file.get(), path));
  std::vector<unsigned char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file.get())) > 0) {
    EVP_DigestUpdate(ctx.get(), buf.data(), n);
    out.size += static_cast<int64_t>(n);
  }
  if (std::ferror(file.get())) return Status::IOError(path + ": read failed");
  TF_ASSIGN_OR_RETURN(FileStamp after, StampOfOpenFile(file.get(), path));
  if (after != out.stamp) {
    return Status::IOError(path + ": changed while it was hashed (" + Change(out.stamp, after) +
                           "): is it still being written? Run again once it is complete");
  }
  out.sha256 = HexDigest(ctx.get());
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Only an OpenSSL without SHA-256, a broken installation, fails here; DescribeInputFile would
  // have reported it already.
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) std::abort();
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return HexDigest(ctx.get());
}

Status CheckUnchanged(const InputFile& input) {
  struct stat st {};
  if (stat(input.path.c_str(), &st) != 0) {
    return Status::IOError(input.path + ": gone since the run began: " + std::strerror(errno));
  }
  const FileStamp now = StampOf(st);
  if (now == input.stamp) return Status::OK();
  return Status::IOError(input.path + ": changed since the run hashed it (" +
                         Change(input.stamp, now) +
                         "), so what was read may not be the content recorded as ingested; it is "
                         "not ingested. Is it still being written? Run again once it is complete");
}

}  // namespace tradeflow::sources
