#include "validate/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>

namespace tradeflow::validate {
namespace {

std::string ErrorText(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return reinterpret_cast<const char*>(buffer);
}

// Each thread's JIT stack and the match context that names it: PCRE2's default JIT stack (32 KiB)
// holds a repeated group over some thousand characters only. This one grows on demand up to
// 64 MiB, about a million repetitions; past it a match is an error.
class JitStack {
 public:
  JitStack()
      : stack_(pcre2_jit_stack_create(32 << 10, 64 << 20, nullptr)),
        context_(pcre2_match_context_create(nullptr)) {
    if (stack_ != nullptr && context_ != nullptr) {
      pcre2_jit_stack_assign(context_, nullptr, stack_);
    }
  }
  ~JitStack() {
    pcre2_match_context_free(context_);
    pcre2_jit_stack_free(stack_);
  }
  JitStack(const JitStack&) = delete;
  JitStack& operator=(const JitStack&) = delete;

  pcre2_match_context* context() const { return context_; }

 private:
  pcre2_jit_stack* stack_;
  pcre2_match_context* context_;
};

// ECMAScript's and Python's \uHHHH, which PCRE2 refuses, as PCRE2's \x{HHHH}. (PCRE2_ALT_BSUX
// would read \u too, but then takes \x{...}, Perl's own escape, for an x repeated.) A
// backslash escaped by another is left alone.
std::string WithPerlUnicodeEscapes(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '\\' || i + 1 >= pattern.size()) {
      out.push_back(pattern[i]);
      continue;
    }
    const bool unicode =
        pattern[i + 1] == 'u' && i + 5 < pattern.size() &&
        std::all_of(pattern.begin() + static_cast<std::ptrdiff_t>(i) + 2,
                    pattern.begin() + static_cast<std::ptrdiff_t>(i) + 6,
                    [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (unicode) {
      out += "\\x{" + pattern.substr(i + 2, 4) + "}";
      i += 5;
    } else {
      out.push_back(pattern[i]);
      out.push_back(pattern[++i]);  // the escaped character, a backslash included
    }
  }
  return out;
}

}  // namespace

Result<Regex> Regex::Compile(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
  const std::string perl = WithPerlUnicodeEscapes(pattern);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(perl.data()), perl.size(), kOptions,
                                   &error, &offset, nullptr);
  if (code == nullptr) {
    return Status::Invalid(ErrorText(error) + " at offset " + std::to_string(offset));
  }
  // Best effort: without JIT (an unsupported machine) the interpreter matches the same.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  Regex out;
  out.pattern_ = pattern;
  out.code_ = std::shared_ptr<pcre2_code>(code, pcre2_code_free);
  return out;
}

Result<bool> Regex::FullMatch(std::string_view text) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code_.get(), nullptr), pcre2_match_data_free);
  if (data == nullptr) return Status::Internal("no memory to match a pattern");
  thread_local JitStack jit;
  const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                             0, data.get(), jit.context());
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  return Status::Invalid(ErrorText(rc));
}

}  // namespace tradeflow::validate
