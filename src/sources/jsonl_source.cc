#include "sources/jsonl_source.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <unordered_set>

#include "sources/utf8.h"

namespace tradeflow::sources {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

// Whether `s` is a JSON number (RFC 8259 §6): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// Written here because numbers are kept as text: simdjson checks a number only when converting
// it to binary, which this source never does (it would reject integers beyond 64 bits).
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A JSON number (IsJsonNumber) with an exponent, written out in plain digits, exactly: "3.1e2"
// is "310" and "1e-07" is "0.0000001" (Python's json writes small floats so), since the mapping
// reads decimals without exponents. Text without an exponent, or whose plain form would be
// longer than any decimal column's value could be (the mapping then says the text is no decimal;
// 0e-70 and 0.0…01e70 are written out), is returned as it is.
std::string_view PlainJsonNumber(std::string_view text, std::string* buffer) {
  const size_t e = text.find_first_of("eE");
  if (e == std::string_view::npos) return text;
  int exponent = 0;
  if (std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(),
                      exponent)
              .ec != std::errc() ||
      exponent > 100000 || exponent < -100000) {
    return text;
  }
  std::string_view mantissa = text.substr(0, e);
  const bool negative = !mantissa.empty() && mantissa[0] == '-';
  if (negative) mantissa.remove_prefix(1);
  const size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  if (dot != std::string_view::npos) digits.append(mantissa.substr(dot + 1));
  // The decimal point sits `point` digits into `digits`.
  const long point =
      static_cast<long>(dot == std::string_view::npos ? mantissa.size() : dot) + exponent;
  // 38 digits and a scale of up to 38 fit in far less (zeros on either side are read as such).
  constexpr long kLongest = 256;
  const long length = point <= 0 ? 2 - point + static_cast<long>(digits.size())
                                 : std::max(point, static_cast<long>(digits.size())) + 1;
  if (length > kLongest) return text;
  buffer->assign(negative ? "-" : "");
  if (point <= 0) {
    buffer->append("0.").append(static_cast<size_t>(-point), '0').append(digits);
  } else if (static_cast<size_t>(point) >= digits.size()) {
    buffer->append(digits).append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    buffer->append(digits, 0, static_cast<size_t>(point))
        .append(".")
        .append(digits, static_cast<size_t>(point));
  }
  return *buffer;
}

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Objects and arrays nested deeper than this make the line invalid: the walk below recurses once
// per level, and simdjson's On-Demand parser does not stop at its own maximum depth (1024, which
// its debug builds assert).
constexpr int kMaxDepth = 1000;

// A path for a message, its NUL characters written as \u0000.
std::string EscapedNul(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '\0') {
      out += "\\u0000";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Walks one record's values depth first into (path, text) leaves.
class LeafCollector {
 public:
  // `present` (by bound field index) is set for each bound key the record has, even empty.
  LeafCollector(const std::unordered_map<std::string, std::vector<size_t>>& bound,
                size_t bound_count, SourceRecord* out, std::vector<char>* present)
      : bound_(bound), out_(out), assigned_(bound_count, false), present_(present) {}

  // A key that appears twice in one object (RFC 8259 leaves what it means to the reader): the
  // path, when Members() failed for it.
  const std::string& duplicate() const { return duplicate_; }
  // A string or key whose escapes give a NUL (\u0000; a raw NUL byte fails the line's UTF-8
  // check): its path, when Members() failed for it. As in CSV, NUL is no character of a trade's
  // text.
  const std::string& nul() const { return nul_; }

  // After Members(): false (and duplicate() set) if two unbound leaves share a path, which
  // source_attributes could keep only one of.
  // Empty leaves are no extras, but a key given empty and then again is a key given twice.
  // Compared pairwise when there are few (most records: no allocation), else hashed, so that a
  // line with an array of 100,000 values is not quadratic.
  bool ExtrasUnique() {
    const auto& extras = out_->extras;
    const size_t total = extras.size() + empty_leaves_.size();
    auto path = [&](size_t i) -> const std::string& {
      return i < extras.size() ? extras[i].first : empty_leaves_[i - extras.size()];
    };
    constexpr size_t kPairwise = 64;
    if (total <= kPairwise) {
      for (size_t i = 1; i < total; ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (path(i) == path(j)) {
            duplicate_ = path(i);
            return false;
          }
        }
      }
      return true;
    }
    std::unordered_set<std::string_view> seen;
    seen.reserve(total);
    for (size_t i = 0; i < total; ++i) {
      if (!seen.insert(path(i)).second) {
        duplicate_ = path(i);
        return false;
      }
    }
    return true;
  }

  error_code Members(ondemand::object object) {
    // The keys of this object, to find one given twice: its leaves may differ ("price": {...}
    // then "price": null), so comparing leaf paths alone misses it. Views into the parser's
    // string buffer, valid for the whole line.
    std::vector<std::string_view> keys;
    std::unordered_set<std::string_view> many_keys;  // past kLinearKeys, looked up here
    constexpr size_t kLinearKeys = 32;
    for (auto member : object) {
      ondemand::field field;
      if (error_code e = std::move(member).get(field)) return e;
      std::string_view key;
      if (error_code e = field.unescaped_key().get(key)) return e;
      const size_t before = path_.size();
      // Below the line's object a key follows its parent's path with a '.', also when that
      // path is "" (an empty key), which must not make its children top-level paths.
      if (depth_ > 1) path_ += '.';
      path_ += key;
      bool seen;
      if (keys.size() < kLinearKeys) {
        seen = std::find(keys.begin(), keys.end(), key) != keys.end();
        keys.push_back(key);
        if (keys.size() == kLinearKeys) many_keys.insert(keys.begin(), keys.end());
      } else {
        seen = !many_keys.insert(key).second;
      }
      if (seen) {
        duplicate_ = path_;
        return simdjson::INCORRECT_TYPE;  // Parse reports duplicate() instead
      }
      if (key.find('\0') != std::string_view::npos) {  // a key becomes a source_attributes key
        nul_ = path_;
        return simdjson::INCORRECT_TYPE;
      }
      if (error_code e = Walk(field.value())) return e;
      path_.resize(before);
    }
    return simdjson::SUCCESS;
  }

 private:
  error_code Elements(ondemand::array array) {
    size_t index = 0;
    for (auto element : array) {
      ondemand::value value;
      if (error_code e = std::move(element).get(value)) return e;
      const size_t before = path_.size();
      path_ += '[';
      path_ += std::to_string(index++);
      path_ += ']';
      if (error_code e = Walk(value)) return e;
      path_.resize(before);
    }
    return simdjson::SUCCESS;
  }

  error_code Walk(ondemand::value value) {
    ondemand::json_type type;
    if (error_code e = value.type().get(type)) return e;
    switch (type) {
      case ondemand::json_type::object:
        return Nested(value.get_object(), [this](ondemand::object o) { return Members(o); });
      case ondemand::json_type::array:
        return Nested(value.get_array(), [this](ondemand::array a) { return Elements(a); });
      case ondemand::json_type::string: {
        std::string_view text;
        if (error_code e = value.get_string().get(text)) return e;
        if (text.find('\0') != std::string_view::npos) {
          nul_ = path_;
          return simdjson::INCORRECT_TYPE;  // Parse reports nul() instead
        }
        return Leaf(text);
      }
      case ondemand::json_type::number: {
        std::string_view text = TrimTrailingSpace(value.raw_json_token());
        if (!IsJsonNumber(text)) return simdjson::NUMBER_ERROR;
        return Leaf(PlainJsonNumber(text, &number_), /*number=*/true);
      }
      case ondemand::json_type::boolean: {
        bool b;
        if (error_code e = value.get_bool().get(b)) return e;
        return Leaf(b ? "true" : "false");
      }
      case ondemand::json_type::null: {
        bool is_null;
        if (error_code e = value.is_null().get(is_null)) return e;
        return is_null ? Leaf("") : simdjson::N_ATOM_ERROR;
      }
    }
    return simdjson::INCORRECT_TYPE;
  }

  // Walks an object or array one level deeper, within kMaxDepth.
  template <typename Container, typename WalkFn>
  error_code Nested(simdjson::simdjson_result<Container> container, WalkFn walk) {
    if (depth_ >= kMaxDepth) return simdjson::DEPTH_ERROR;
    Container c;
    if (error_code e = std::move(container).get(c)) return e;
    ++depth_;
    error_code e = walk(c);
    --depth_;
    return e;
  }

  error_code Leaf(std::string_view value, bool number = false) {
    auto it = bound_.find(path_);
    if (it != bound_.end()) {
      for (size_t i : it->second) {
        if (assigned_[i]) {
          duplicate_ = path_;
          return simdjson::INCORRECT_TYPE;  // Parse reports duplicate() instead
        }
        assigned_[i] = true;
        (*present_)[i] = 1;
        out_->values[i].assign(value);
        out_->plain_numbers[i] = number;
      }
    } else if (!value.empty()) {
      out_->extras.emplace_back(path_, value);
    } else {
      empty_leaves_.push_back(path_);
    }
    return simdjson::SUCCESS;
  }

  const std::unordered_map<std::string, std::vector<size_t>>& bound_;
  SourceRecord* out_;
  std::vector<bool> assigned_;  // per bound field: set by this record already
  std::vector<char>* present_;
  std::string duplicate_;
  std::vector<std::string> empty_leaves_;  // unbound leaves with no value (null, "")
  std::string nul_;
  std::string path_;
  std::string number_;  // a number written out without its exponent
  int depth_ = 1;       // of the object or array being walked; the line's object is 1
};

// "invalid JSON at column 18: <simdjson's message>", the column (1-based) being where parsing
// stopped; without it when simdjson rejected the line before parsing began (`doc` null: bad
// UTF-8, a control character in a string) or cannot say.
// Where the line's first object or array closes (the index after its bracket), outside strings;
// npos when it does not close.
size_t EndOfFirstValue(std::string_view line) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string InvalidJson(error_code code, ondemand::document* doc, std::string_view line) {
  // The file's own byte order mark is gone before this source (SkipUtf8Bom); one on a later
  // line starts a file that was appended to this one.
  if (line.starts_with("\xEF\xBB\xBF")) {
    return "invalid JSON: the line starts with a UTF-8 byte order mark, as where a file was "
           "appended to another; remove it";
  }
  // simdjson says "ended early" both for an object not closed and for text after a complete
  // one: tell them apart.
  if (code == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
    const size_t end = EndOfFirstValue(line);
    if (end == std::string_view::npos) {
      return "invalid JSON: an object or array is not closed where the line ends";
    }
    const size_t text = line.find_first_not_of(" \t\r", end);
    if (text != std::string_view::npos) {
      return "invalid JSON at column " + std::to_string(text + 1) + ": text after the object";
    }
  }
  const std::string what = simdjson::error_message(code);
  const char* at = nullptr;
  if (doc != nullptr && doc->current_location().get(at) == simdjson::SUCCESS && at >= line.data() &&
      at <= line.data() + line.size()) {
    return "invalid JSON at column " + std::to_string(at - line.data() + 1) + ": " + what;
  }
  return "invalid JSON: " + what;
}

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

// simdjson's parser, reused from line to line (it keeps its buffers), and a copy of the line
// with the padding simdjson reads past the end of its input.
struct JsonlSource::Parser {
  ondemand::parser parser;
  std::string padded;

  // Fills `out` from `line`; returns why the line is not a record, or "" when it is one.
  std::string Parse(std::string_view line,
                    const std::unordered_map<std::string, std::vector<size_t>>& bound,
                    SourceRecord* out, std::vector<char>* present) {
    padded.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    padded.assign(line);
    ondemand::document doc;
    error_code e =
        parser
            .iterate(simdjson::padded_string_view(padded.data(), padded.size(), padded.capacity()))
            .get(doc);
    if (e != simdjson::SUCCESS) return InvalidJson(e, nullptr, padded);
    ondemand::json_type type;
    if ((e = doc.type().get(type))) return InvalidJson(e, &doc, padded);
    if (type == ondemand::json_type::array) return "not a JSON object (the line is an array)";
    if (type != ondemand::json_type::object) {
      // A scalar that is not valid JSON is reported as such, not as a scalar.
      std::string_view token;
      if ((e = doc.raw_json_token().get(token))) return InvalidJson(e, &doc, padded);
      // The token runs to the next one, spaces included: the line ends with it or has more.
      const bool last = token.data() + token.size() == padded.data() + padded.size();
      if (!ScalarIsValid(doc, type, TrimTrailingSpace(token)) || !last) {
        return InvalidJson(simdjson::TAPE_ERROR, &doc, padded);
      }
      return "not a JSON object (the line is a scalar)";
    }
    ondemand::object object;
    if ((e = doc.get_object().get(object))) return InvalidJson(e, &doc, padded);
    LeafCollector collector(bound, out->values.size(), out, present);
    e = collector.Members(object);
    if (!collector.nul().empty()) {
      return "key '" + EscapedNul(collector.nul()) +
             "': the key or its string value holds a NUL character (\\u0000)";
    }
    if (!collector.duplicate().empty() || (!e && !collector.ExtrasUnique())) {
      return "key '" + collector.duplicate() + "' appears twice";
    }
    if (e) return InvalidJson(e, &doc, padded);
    if (!AtEnd(doc)) return InvalidJson(simdjson::TRAILING_CONTENT, &doc, padded);
    return "";
  }

  // Whether the document has no token left (simdjson 3.0's document has no at_end()).
  static bool AtEnd(ondemand::document& doc) {
    return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
  }

  static bool ScalarIsValid(ondemand::document& doc, ondemand::json_type type,
                            std::string_view token) {
    switch (type) {
      case ondemand::json_type::number:
        return IsJsonNumber(token);
      case ondemand::json_type::string: {
        std::string_view text;
        return doc.get_string().get(text) == simdjson::SUCCESS;
      }
      default:
        return token == "true" || token == "false" || token == "null";
    }
  }
};

JsonlSource::JsonlSource(std::unique_ptr<InputStream> stream, std::string name)
    : lines_(std::move(stream)), name_(std::move(name)), parser_(std::make_unique<Parser>()) {}

JsonlSource::~JsonlSource() = default;

Status JsonlSource::Bind(const std::vector<FieldRef>& fields) {
  bound_.clear();
  bound_count_ = fields.size();
  bound_names_.clear();
  for (const auto& f : fields) bound_names_.push_back(f.name);
  present_.assign(fields.size(), 0);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name.empty()) {
      std::string msg = "an empty JSON path cannot be read from " + name_;
      return Status::Invalid(fields[i].where.empty() ? msg : fields[i].where + ": " + msg);
    }
    bound_[fields[i].name].push_back(i);
  }
  return Status::OK();
}

std::vector<std::string> JsonlSource::FieldsNeverPresent() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < present_.size(); ++i) {
    if (!present_[i]) out.push_back(bound_names_[i]);
  }
  return out;
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
  if (!started_) {  // the first line tells a file in another form, which every line would fail
    started_ = true;
    TF_RETURN_IF_ERROR(CheckTextStart(line.text, name_, "JSON Lines"));
  }
  TF_RETURN_IF_ERROR(CheckRecordUtf8(line.text, where));
  out->values.assign(bound_count_, "");
  out->plain_numbers.assign(bound_count_, 0);
  std::string error = parser_->Parse(line.text, bound_, out, &present_);
  if (!error.empty()) {
    out->values.clear();
    out->plain_numbers.clear();
    out->extras.clear();
    return Status::Invalid(where + ": " + error);
  }
  return true;
}

}  // namespace tradeflow::sources
