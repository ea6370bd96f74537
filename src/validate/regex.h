// A compiled regular expression for `pattern` rules: PCRE2 (Perl syntax, as Python's `re`),
// matched against the whole value.
//
// Not std::regex: libstdc++'s matcher recurses once per character and crashed the run on a value
// of some 50,000 characters. Not RE2: the Arrow libraries tradeflow links carry a copy of RE2 of
// their own, whose exported symbols a second RE2 would clash with. PCRE2 backtracks on the heap,
// within limits: a match that exceeds them is an error, not a crash or a hang.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct pcre2_real_code_8;

namespace tradeflow::validate {

class Regex {
 public:
  // The pattern as written, or an error naming the position of what is wrong.
  static Result<Regex> Compile(const std::string& pattern);

  // Whether `text` (UTF-8) matches the whole pattern; an error when PCRE2 gave up on it (its
  // match or memory limit) or the text is not UTF-8. Safe to call from several threads.
  Result<bool> FullMatch(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::shared_ptr<pcre2_real_code_8> code_;  // immutable once compiled: shared by copies
};

}  // namespace tradeflow::validate
