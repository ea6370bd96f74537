#include "sources/input_file.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace tradeflow::sources {

Result<InputFile> DescribeInputFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) {
    return Status::Invalid(path + ": is a directory, expected a file");
  }
  InputFile out;
  out.path = path;
  out.absolute_path = std::filesystem::canonical(path, ec).string();
  if (ec) return Status::IOError(path + ": " + ec.message());
  out.uri = "file://" + out.absolute_path;

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("cannot initialise SHA-256");
  }
  std::vector<unsigned char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file.get())) > 0) {
    EVP_DigestUpdate(ctx.get(), buf.data(), n);
    out.size += static_cast<int64_t>(n);
  }
  if (std::ferror(file.get())) return Status::IOError(path + ": read failed");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* kHex = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out.sha256.push_back(kHex[digest[i] >> 4]);
    out.sha256.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace tradeflow::sources
