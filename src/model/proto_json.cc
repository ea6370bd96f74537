#include "model/proto_json.h"

#include <google/protobuf/reflection.h>
#include <google/protobuf/timestamp.pb.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace tradeflow::model {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Length of the well-formed UTF-8 sequence at the start of `s` (overlongs, surrogates and
// code points above U+10FFFF are not well-formed), or 0.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char c = byte(0);
  if (c >= 0xC2 && c <= 0xDF) return continuation(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (c == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (c == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// A JSON string. Bytes that are not UTF-8 (a record rejected for its encoding) become U+FFFD, so
// the text stays valid in a string column; the quarantine row keeps the exact bytes elsewhere.
void AppendEscaped(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s.substr(i));
      if (n == 0) {
        *out += "\xEF\xBF\xBD";  // U+FFFD
      } else {
        out->append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->push_back('"');
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out->push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    *out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
  out->push_back('"');
}

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

template <typename T>
void AppendFloating(T value, std::string* out) {
  if (std::isnan(value)) {
    *out += "\"NaN\"";
  } else if (std::isinf(value)) {
    *out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    AppendNumber(value, out);
  }
}

// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf prints it.
void AppendTimestamp(const google::protobuf::Timestamp& ts, std::string* out) {
  using namespace std::chrono;
  sys_seconds secs{seconds{ts.seconds()}};
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss<seconds> time{secs - day};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "\"%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                        static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()));
  out->append(buf, n);
  int32_t nanos = ts.nanos();
  if (nanos != 0) {
    if (nanos % 1000000 == 0) {
      n = std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
    } else if (nanos % 1000 == 0) {
      n = std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
    } else {
      n = std::snprintf(buf, sizeof buf, ".%09d", nanos);
    }
    out->append(buf, n);
  }
  *out += "Z\"";
}

Status AppendMessage(const Message& m, std::string* out);

// One value of `f` (element `index` of a repeated field, or -1).
Status AppendValue(const Message& m, const FieldDescriptor* f, int index, std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      AppendNumber(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), out);
      return Status::OK();
    case FieldDescriptor::CPPTYPE_UINT32:
      AppendNumber(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), out);
      return Status::OK();
    case FieldDescriptor::CPPTYPE_INT64:
      out->push_back('"');
      AppendNumber(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), out);
      out->push_back('"');
      return Status::OK();
    case FieldDescriptor::CPPTYPE_UINT64:
      out->push_back('"');
      AppendNumber(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), out);
      out->push_back('"');
      return Status::OK();
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloating(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), out);
      return Status::OK();
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloating(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), out);
      return Status::OK();
    case FieldDescriptor::CPPTYPE_BOOL:
      *out += (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
      return Status::OK();
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        AppendNumber(number, out);
      } else {
        AppendEscaped(value->name(), out);
      }
      return Status::OK();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        AppendBase64(v, out);
      } else {
        AppendEscaped(v, out);
      }
      return Status::OK();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), out);
  }
  return Status::Internal("unknown field type of " + f->full_name());
}

// A map field as a JSON object: keys are always strings, in sorted order (a protobuf map's own
// order depends on how it was built, and the same record must give the same text).
Status AppendMap(const Message& m, const FieldDescriptor* f, std::string* out) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* key = f->message_type()->map_key();
  const FieldDescriptor* value = f->message_type()->map_value();
  std::vector<std::pair<std::string, std::string>> entries;  // JSON key, JSON value
  int n = r->FieldSize(m, f);
  for (int i = 0; i < n; ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    std::string key_text, value_text;
    TF_RETURN_IF_ERROR(AppendValue(entry, key, -1, &key_text));
    if (key_text.empty() || key_text.front() != '"') {
      std::string quoted;
      AppendEscaped(key_text, &quoted);
      key_text = std::move(quoted);
    }
    TF_RETURN_IF_ERROR(AppendValue(entry, value, -1, &value_text));
    entries.emplace_back(std::move(key_text), std::move(value_text));
  }
  // Stable, by key only: a key given twice (a map's wire form may repeat one) keeps its order,
  // so the last one still wins for a JSON reader, as protobuf's own printer has it.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += entries[i].first;
    out->push_back(':');
    *out += entries[i].second;
  }
  out->push_back('}');
  return Status::OK();
}

Status AppendMessage(const Message& m, std::string* out) {
  const auto* d = m.GetDescriptor();
  if (d->full_name() == "google.protobuf.Timestamp") {
    AppendTimestamp(static_cast<const google::protobuf::Timestamp&>(m), out);
    return Status::OK();
  }
  if (d->file()->package() == "google.protobuf") {
    return Status::Internal("JSON of " + d->full_name() + " is not supported");
  }
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);  // set fields, in field-number order
  out->push_back('{');
  bool first = true;
  for (const FieldDescriptor* f : fields) {
    if (!first) out->push_back(',');
    first = false;
    AppendEscaped(f->name(), out);
    out->push_back(':');
    if (f->is_map()) {
      TF_RETURN_IF_ERROR(AppendMap(m, f, out));
    } else if (f->is_repeated()) {
      out->push_back('[');
      int n = m.GetReflection()->FieldSize(m, f);
      for (int i = 0; i < n; ++i) {
        if (i > 0) out->push_back(',');
        TF_RETURN_IF_ERROR(AppendValue(m, f, i, out));
      }
      out->push_back(']');
    } else {
      TF_RETURN_IF_ERROR(AppendValue(m, f, -1, out));
    }
  }
  out->push_back('}');
  return Status::OK();
}

}  // namespace

Status AppendProtoJson(const Message& message, std::string* out) {
  return AppendMessage(message, out);
}

}  // namespace tradeflow::model
