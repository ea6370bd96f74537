#include "sources/jsonl_source.h"

#include <nlohmann/json.hpp>

#include "sources/utf8.h"

namespace tradeflow::sources {
namespace {

using json = nlohmann::json;

// Turns nlohmann's SAX events into (path, text) leaves. Numbers keep their text: floats arrive
// with the lexer's raw token; integers that fit 64 bits are printed back, which is exact.
class LeafCollector {
 public:
  LeafCollector(const std::unordered_map<std::string, std::vector<size_t>>& bound,
                SourceRecord* out)
      : bound_(bound), out_(out) {}

  const std::string& error() const { return error_; }

  bool null() { return Leaf(""); }
  bool boolean(bool v) { return Leaf(v ? "true" : "false"); }
  bool number_integer(json::number_integer_t v) { return Leaf(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Leaf(std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t& raw) { return Leaf(raw); }
  bool string(json::string_t& v) { return Leaf(v); }
  bool binary(json::binary_t&) { return Leaf(""); }  // not produced by the JSON text parser

  bool start_object(std::size_t) {
    if (!started_) {  // the line itself
      started_ = true;
      frames_.push_back({0, false, 0});
      return true;
    }
    return Open(false);
  }
  bool key(json::string_t& k) {
    key_ = k;
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) {
    if (!started_) return NotAnObject("an array");
    return Open(true);
  }
  bool end_array() { return Close(); }

  bool parse_error(std::size_t position, const std::string&, const json::exception& e) {
    // e.what(): "[json.exception.parse_error.101] parse error at line 1, column 5: <what>".
    std::string what = e.what();
    size_t colon = what.find(": ", what.find("column "));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    error_ = "invalid JSON at column " + std::to_string(position) + ": " + what;
    return false;
  }

 private:
  struct Frame {
    size_t restore_len;  // path_ length before this container's own step
    bool array;
    size_t next_index;
  };

  bool NotAnObject(const char* what) {
    error_ = std::string("not a JSON object (the line is ") + what + ")";
    return false;
  }

  // Appends the current member's step to path_ and returns the length before it.
  size_t PushStep() {
    size_t before = path_.size();
    Frame& f = frames_.back();
    if (f.array) {
      path_ += "[" + std::to_string(f.next_index++) + "]";
    } else {
      if (!path_.empty()) path_ += '.';
      path_ += key_;
    }
    return before;
  }

  bool Open(bool array) {
    size_t before = PushStep();
    frames_.push_back({before, array, 0});
    return true;
  }

  bool Close() {
    path_.resize(frames_.back().restore_len);
    frames_.pop_back();
    return true;
  }

  bool Leaf(const std::string& value) {
    if (!started_) return NotAnObject("a scalar");
    size_t before = PushStep();
    auto it = bound_.find(path_);
    if (it != bound_.end()) {
      for (size_t i : it->second) out_->values[i] = value;
    } else if (!value.empty()) {
      out_->extras.emplace_back(path_, value);
    }
    path_.resize(before);
    return true;
  }

  const std::unordered_map<std::string, std::vector<size_t>>& bound_;
  SourceRecord* out_;
  std::vector<Frame> frames_;
  std::string path_;
  std::string key_;
  std::string error_;
  bool started_ = false;
};

bool Blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<JsonlSource>> JsonlSource::Open(const std::string& path,
                                                       const InputOptions& input) {
  TF_ASSIGN_OR_RETURN(auto stream, OpenInput(path, input));
  return std::make_unique<JsonlSource>(std::move(stream), path);
}

JsonlSource::JsonlSource(std::unique_ptr<InputStream> stream, std::string name)
    : lines_(std::move(stream)), name_(std::move(name)) {}

Status JsonlSource::Bind(const std::vector<FieldRef>& fields) {
  bound_.clear();
  bound_count_ = fields.size();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name.empty()) {
      std::string msg = "an empty JSON path cannot be read from " + name_;
      return Status::Invalid(fields[i].where.empty() ? msg : fields[i].where + ": " + msg);
    }
    bound_[fields[i].name].push_back(i);
  }
  return Status::OK();
}

Result<bool> JsonlSource::Next(SourceRecord* out) {
  out->Clear();
  Line line;
  for (;;) {
    TF_ASSIGN_OR_RETURN(bool more, lines_.Next(&line));
    if (!more) return false;
    if (!Blank(line.text)) break;
  }
  out->line = line.number;
  out->byte_offset = line.byte_offset;
  out->location = "line " + std::to_string(line.number);
  out->raw.assign(line.text);
  const std::string where = name_ + ":" + std::to_string(line.number);
  TF_RETURN_IF_ERROR(CheckRecordUtf8(line.text, where));
  out->values.assign(bound_count_, "");
  LeafCollector collector(bound_, out);
  bool ok = false;
  try {
    ok = json::sax_parse(line.text.begin(), line.text.end(), &collector);
  } catch (const json::exception& e) {
    return Status::Invalid(where + ": invalid JSON: " + e.what());
  }
  if (!ok) {
    out->values.clear();
    out->extras.clear();
    return Status::Invalid(where + ": " + collector.error());
  }
  return true;
}

}  // namespace tradeflow::sources
