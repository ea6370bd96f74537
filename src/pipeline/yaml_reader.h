// Reading the pipeline file's YAML strictly and with locations: the shared base of the section
// parsers (pipeline, source, reference, validation).
//
// Every error names "<file>:<line>", unknown keys are errors that list the allowed ones (a typo
// never silently falls back to a default), and values are checked for their shape.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "common/status.h"
#include "sources/open_input.h"
#include "transform/mapping_spec.h"

namespace tradeflow::pipeline {

// "<file>:<line>: <yaml-cpp's message>", with a hint at the usual cause when the parser's own
// words ("illegal map value", "end of map not found") do not say it. `text` is the file's text,
// to see whether the line is indented with a tab.
std::string DescribeYamlError(const YAML::Exception& error, const std::string& file,
                              const std::string& text);

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // "<file>:<line>" of a node.
  std::string Where(const YAML::Node& node) const;
  Status Error(const YAML::Node& node, const std::string& message) const;

  // `node` must be a mapping whose keys are all in `allowed`.
  Status CheckKeys(const YAML::Node& node, const std::string& what,
                   std::initializer_list<const char*> allowed) const;

  Result<std::string> Scalar(const YAML::Node& node, const std::string& what) const;
  // One character; "tab" or "\t" is a tab.
  Result<char> Char(const YAML::Node& node, const std::string& what) const;
  Result<bool> Bool(const YAML::Node& node, const std::string& what) const;
  Result<std::vector<std::string>> StringList(const YAML::Node& node,
                                              const std::string& what) const;
  // `encoding: utf-8 | latin-1 | windows-1252`.
  Result<sources::Encoding> Encoding(const YAML::Node& node) const;
  // `numbers: {decimal_separator: ",", thousands_separator: "."}` (`what` names the key).
  Result<transform::NumberFormat> Numbers(const YAML::Node& node, const std::string& what) const;

  // No mapping in `node` (at any depth) has a key twice. YAML forbids it, but the parser keeps
  // both, and which one a reader then sees differs from key to key: a second `warehouse:` or
  // `on_bad_record:` would be ignored, or win, without a word.
  Status CheckNoDuplicateKeys(const YAML::Node& node) const;

  // No key (at any depth) is left without a value ("path:" and nothing after it), except the
  // top-level keys in `may_be_empty`. The parser places such an empty value at the next key,
  // so the section parser's own error would name the wrong line, or one past the end.
  Status CheckNoMissingValues(const YAML::Node& node,
                              std::initializer_list<const char*> may_be_empty) const;

  // A path written in the file, relative to the file's folder unless absolute.
  std::string ResolvePath(const std::string& path) const;

 private:
  std::string file_;
};

}  // namespace tradeflow::pipeline
