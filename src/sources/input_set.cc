#include "sources/input_set.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>

namespace tradeflow::sources {

Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& patterns) {
  std::vector<std::string> files;
  for (const auto& pattern : patterns) {
    struct stat literal_st;
    if (::stat(pattern.c_str(), &literal_st) == 0) {
      // A path that exists is that file, even when its name has glob characters
      // ("trades[1].csv"); a folder is not a file to read.
      if (S_ISDIR(literal_st.st_mode)) {
        return Status::Invalid(pattern + ": is a directory, expected a file or a pattern (" +
                               pattern + "/*.csv)");
      }
      files.push_back(pattern);
      continue;
    }
    glob_t g{};
    // No GLOB_ERR: a folder that does not exist simply matches nothing (NotFound below).
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == GLOB_NOSPACE) {
      globfree(&g);
      return Status::IOError("out of memory expanding '" + pattern + "'");
    }
    size_t found = 0;
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) {
      struct stat st;
      if (::stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode)) continue;
      files.emplace_back(g.gl_pathv[i]);
      ++found;
    }
    globfree(&g);
    if (found == 0) {
      bool literal = pattern.find_first_of("*?[") == std::string::npos;
      return Status::NotFound(literal ? pattern + ": no such file"
                                      : "no file matches '" + pattern + "'");
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace tradeflow::sources
