#include "sources/input_set.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>

namespace tradeflow::sources {

Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& patterns) {
  std::vector<std::string> files;
  for (const auto& pattern : patterns) {
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
