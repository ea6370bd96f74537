#include "pipeline/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "sources/utf8.h"

namespace tradeflow::pipeline {

std::string YamlReader::Where(const YAML::Node& node) const {
  return file_ + ":" + std::to_string(node.Mark().line + 1);
}

Status YamlReader::Error(const YAML::Node& node, const std::string& message) const {
  return Status::Invalid(Where(node) + ": " + message);
}

Status YamlReader::CheckKeys(const YAML::Node& node, const std::string& what,
                             std::initializer_list<const char*> allowed) const {
  if (!node.IsMap()) return Error(node, what + " must be a mapping");
  std::set<std::string> ok(allowed.begin(), allowed.end());
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (!ok.count(key)) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Error(kv.first, "unknown key '" + key + "' in " + what + " (allowed: " + list + ")");
    }
  }
  return Status::OK();
}

namespace {

// The line (0-based) of `text`, without its end.
std::string_view LineOf(std::string_view text, int line) {
  size_t begin = 0;
  for (int i = 0; i < line && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos || begin > text.size()) return {};
  return text.substr(begin, text.find('\n', begin) - begin);
}

std::string HintFor(const std::string& message, std::string_view line) {
  const std::string_view indent = line.substr(0, line.find_first_not_of(" \t"));
  if (indent.find('\t') != std::string_view::npos) {
    return "this line is indented with a tab: YAML allows only spaces";
  }
  if (message.rfind("unknown escape character", 0) == 0) {
    return "in double quotes a backslash starts an escape: write a pattern with backslashes in "
           "single quotes ('\\d+')";
  }
  if (message == "end of map flow not found") return "a '{' is not closed by '}'";
  if (message == "end of sequence flow not found") return "a '[' is not closed by ']'";
  if (message == "illegal map value") {
    return "a second ': ' on one line, or a key indented deeper than the one before it; quote "
           "a value that holds ': '";
  }
  if (message == "end of map not found" || message == "end of sequence not found") {
    return "a line is indented differently from the keys or list items around it";
  }
  return "";
}

}  // namespace

std::string DescribeYamlError(const YAML::Exception& error, const std::string& file,
                              const std::string& text) {
  std::string out = file + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg;
  const std::string hint = HintFor(error.msg, LineOf(text, error.mark.line));
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

Result<std::string> YamlReader::Scalar(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) return Error(node, what + " must be a single value");
  return node.as<std::string>();
}

Result<char> YamlReader::Char(const YAML::Node& node, const std::string& what) const {
  TF_ASSIGN_OR_RETURN(std::string s, Scalar(node, what));
  if (s == "\\t" || s == "tab") return '\t';
  if (s.size() != 1) return Error(node, what + " must be one character");
  return s[0];
}

Result<bool> YamlReader::Bool(const YAML::Node& node, const std::string& what) const {
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    // yaml-cpp reads booleans as YAML 1.1 does (and PyYAML, so Dagster's own config): also
    // yes/no and on/off, but no numbers.
    std::string got = node.IsScalar() ? " (not '" + node.Scalar() + "')" : "";
    return Error(node, what + " must be true or false" + got);
  }
}

Result<std::vector<std::string>> YamlReader::StringList(const YAML::Node& node,
                                                        const std::string& what) const {
  if (!node.IsSequence()) return Error(node, what + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    TF_ASSIGN_OR_RETURN(std::string s, Scalar(item, what + " entry"));
    out.push_back(std::move(s));
  }
  return out;
}

Result<sources::Encoding> YamlReader::Encoding(const YAML::Node& node) const {
  TF_ASSIGN_OR_RETURN(std::string name, Scalar(node, "encoding"));
  auto encoding = sources::ParseEncoding(name);
  if (!encoding.ok()) return Error(node, encoding.status().message());
  return *encoding;
}

Result<transform::NumberFormat> YamlReader::Numbers(const YAML::Node& n,
                                                    const std::string& what) const {
  TF_RETURN_IF_ERROR(CheckKeys(n, what, {"decimal_separator", "thousands_separator"}));
  transform::NumberFormat out;
  out.setting = what;
  if (n["decimal_separator"]) {
    TF_ASSIGN_OR_RETURN(out.decimal_separator, Char(n["decimal_separator"], "decimal_separator"));
    if (out.decimal_separator != '.' && out.decimal_separator != ',') {
      return Error(n["decimal_separator"], "decimal_separator must be '.' or ','");
    }
  }
  if (n["thousands_separator"]) {
    TF_ASSIGN_OR_RETURN(out.thousands_separator,
                        Scalar(n["thousands_separator"], "thousands_separator"));
    // One character, which may take several bytes (a no-break space, U+00A0), and none that is
    // part of a number.
    const std::string& t = out.thousands_separator;
    const auto starts = std::count_if(t.begin(), t.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
    });
    if (starts != 1 || sources::FindInvalidUtf8(t) != std::string_view::npos) {
      return Error(n["thousands_separator"], "thousands_separator must be one character");
    }
    if (t.size() == 1 && (std::isalnum(static_cast<unsigned char>(t[0])) || t == "+" || t == "-")) {
      return Error(n["thousands_separator"], "thousands_separator '" + t +
                                                 "' is part of a number; use '.', ',', ' ', \"'\" "
                                                 "or a no-break space");
    }
  }
  if (out.thousands_separator == std::string(1, out.decimal_separator)) {
    return Error(n, "decimal and thousands separators must differ");
  }
  return out;
}

std::string YamlReader::ResolvePath(const std::string& p) const {
  std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  return (std::filesystem::path(file_).parent_path() / path).lexically_normal().string();
}

namespace {

// An empty value the file leaves implicit (`key:` then a line break), rather than writing `~` or
// `null` on the key's line.
bool IsMissingValue(const YAML::Node& key, const YAML::Node& value) {
  return value.IsNull() && value.Mark().line != key.Mark().line;
}

Status CheckValues(const YamlReader& reader, const YAML::Node& node,
                   std::initializer_list<const char*> may_be_empty) {
  if (node.IsSequence()) {
    for (const auto& item : node) TF_RETURN_IF_ERROR(CheckValues(reader, item, {}));
  } else if (node.IsMap()) {
    for (const auto& pair : node) {
      const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : "";
      const bool allowed = std::any_of(may_be_empty.begin(), may_be_empty.end(),
                                       [&](const char* k) { return key == k; });
      if (!allowed && IsMissingValue(pair.first, pair.second)) {
        return reader.Error(pair.first, "key '" + key + "' has no value");
      }
      TF_RETURN_IF_ERROR(CheckValues(reader, pair.second, {}));
    }
  }
  return Status::OK();
}

}  // namespace

Status YamlReader::CheckNoMissingValues(const YAML::Node& node,
                                        std::initializer_list<const char*> may_be_empty) const {
  return CheckValues(*this, node, may_be_empty);
}

Status YamlReader::CheckNoDuplicateKeys(const YAML::Node& node) const {
  if (node.IsSequence()) {
    for (const auto& item : node) TF_RETURN_IF_ERROR(CheckNoDuplicateKeys(item));
  } else if (node.IsMap()) {
    std::map<std::string, int> seen;  // key → its line
    for (const auto& pair : node) {
      if (pair.first.IsScalar()) {
        const std::string key = pair.first.Scalar();
        const int line = pair.first.Mark().line + 1;
        auto [it, inserted] = seen.emplace(key, line);
        if (!inserted) {
          return Error(pair.first, "key '" + key +
                                       "' appears twice in this mapping (first at line " +
                                       std::to_string(it->second) + ")");
        }
      }
      TF_RETURN_IF_ERROR(CheckNoDuplicateKeys(pair.second));
    }
  }
  return Status::OK();
}

}  // namespace tradeflow::pipeline
