#include "sources/fixml_source.h"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "common/quote.h"
#include "sources/source_offsets.h"
#include "sources/utf8.h"
#include "sources/xml_encoding.h"

namespace tradeflow::sources {
namespace {

// Outside a report only this much of the input is kept, for the raw text of an XML error.
constexpr int64_t kKeepOutsideReports = 1024;

struct Field {
  std::string path;
  std::string value;
};

// A field of the report being parsed: its path is an id in the PathTable.
struct ReportField {
  int path;
  std::string value;
};

// The path table is cleared between reports when it grows past this, so that a file of ever new
// element names cannot grow memory without bound.
constexpr size_t kMaxPaths = 10000;

// A key attribute's value as a path step holds it ("Pty[R=17]"): the characters that build
// paths are percent-encoded, so that R="17]/Sub[Typ=5" cannot name another element's path.
std::string EscapeKeyValue(std::string_view value) {
  if (value.find_first_of("%[]/@") == std::string_view::npos) return std::string(value);
  std::string out;
  for (char c : value) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '[':
        out += "%5B";
        break;
      case ']':
        out += "%5D";
        break;
      case '/':
        out += "%2F";
        break;
      case '@':
        out += "%40";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A path in the message header: Hdr@SID, Hdr/Sndr@ID.
bool IsHeaderPath(std::string_view path) {
  return path.starts_with("Hdr@") || path.starts_with("Hdr/") || path.starts_with("Hdr[");
}

// Elements told apart by a key attribute rather than by position.
const char* KeyAttribute(std::string_view element) {
  static constexpr std::pair<std::string_view, const char*> kKeys[] = {
      {"Pty", "R"},        {"Sub", "Typ"},      {"TrdRegTS", "Typ"},
      {"MiscFees", "Typ"}, {"RegTrdID", "Typ"}, {"Stip", "Typ"}};
  for (const auto& [name, key] : kKeys) {
    if (name == element) return key;
  }
  return nullptr;
}

std::string_view LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon != nullptr ? colon + 1 : name;
}

bool IsNamespaceDeclaration(const char* attr) {
  return std::strcmp(attr, "xmlns") == 0 || std::strncmp(attr, "xmlns:", 6) == 0;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

using Bound = std::unordered_map<std::string, std::vector<size_t>>;

// Values found by name: a scan while there are few (the usual handful of an element's children
// or attributes, where a hash map would cost an allocation each), indexed by a hash map past
// kScanned, so that an element with thousands of distinct children (Vendor[1] to Vendor[100000])
// does not make each of them scan its siblings: a report's parse time would grow as the square
// of its size.
template <typename V>
class NamedValues {
 public:
  V* Find(std::string_view name) {
    if (index_.empty()) {
      for (auto& [s, v] : items_) {
        if (s == name) return &v;
      }
      return nullptr;
    }
    auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }

  // `name` must not be there yet.
  V& Add(std::string_view name, V value) {
    if (!index_.empty() || items_.size() == kScanned) {
      for (size_t i = index_.size(); i < items_.size(); ++i) index_.emplace(items_[i].first, i);
      index_.emplace(std::string(name), items_.size());
    }
    return items_.emplace_back(std::string(name), std::move(value)).second;
  }

 private:
  static constexpr size_t kScanned = 16;
  std::vector<std::pair<std::string, V>> items_;
  std::unordered_map<std::string, size_t> index_;
};

// The paths of a report's elements and attributes, each built once and then found by a short
// scan of its parent's children or attributes: reports repeat the same few dozen paths, and
// building a string per attribute and hashing it for the bound fields was most of the parsing
// time outside expat. Ids are valid until Clear(), which BeginReport calls past kMaxPaths.
class PathTable {
 public:
  struct Path {
    std::string text;                  // "RptSide/Pty[R=17]", "RptSide/Pty[R=17]@ID"
    std::string child_base;            // what its children's paths start with
    const std::vector<size_t>* bound;  // the bound fields it fills, or null
    NamedValues<int> children;         // step → path id
    NamedValues<int> attributes;       // attribute name → path id
  };

  explicit PathTable(const Bound& bound) : bound_(bound) {}

  const Path& operator[](int id) const { return paths_[id]; }
  size_t size() const { return paths_.size(); }
  void Clear() {
    paths_.clear();
    tops_.clear();
  }

  // After the bound fields changed: ids stay valid (a report may be half parsed).
  void Rebind() {
    for (Path& path : paths_) path.bound = Find(path.text);
  }

  // A report or leg element: its children's paths start afresh ("Instrmt", not "TrdLeg/...").
  int Top(std::string_view name) {
    for (size_t i = 0; i < tops_.size(); ++i) {
      if (paths_[tops_[i]].text == name) return tops_[i];
    }
    tops_.push_back(Add(std::string(name), ""));
    return tops_.back();
  }

  int Child(int parent, std::string_view step) {
    if (const int* id = paths_[parent].children.Find(step)) return *id;
    std::string text = paths_[parent].child_base + std::string(step);
    int id = Add(text, text + "/");
    paths_[parent].children.Add(step, id);
    return id;
  }

  int Attribute(int element, const char* name) {
    if (const int* id = paths_[element].attributes.Find(name)) return *id;
    int id = Add(paths_[element].text + "@" + name, "");
    paths_[element].attributes.Add(name, id);
    return id;
  }

 private:
  int Add(std::string text, std::string child_base) {
    const std::vector<size_t>* bound = Find(text);
    paths_.push_back({std::move(text), std::move(child_base), bound, {}, {}});
    return static_cast<int>(paths_.size()) - 1;
  }

  const std::vector<size_t>* Find(const std::string& text) const {
    auto it = bound_.find(text);
    return it == bound_.end() ? nullptr : &it->second;
  }

  const Bound& bound_;
  std::vector<Path> paths_;
  std::vector<int> tops_;
};

}  // namespace

struct FixmlSource::Impl {
  // One open element inside a report.
  struct Frame {
    int path;  // of the element ("TrdCaptRpt", "Instrmt", "RptSide/Pty[R=17]") in `paths`
    NamedValues<int> child_counts;  // how often each step occurred under this element
    int leg;                        // index into legs, -1 at report level
    std::string text;
  };
  // A field from outside the reports (FIXML@v, Batch@..., Hdr@SID), kept while its scope is open.
  struct ContextField {
    int depth;
    bool header;  // from a batch-level Hdr: lives until the Hdr's parent closes
    Field field;
  };
  struct Pending {
    SourceRecord record;
    Status error;
  };

  Impl(std::unique_ptr<InputStream> s, std::string n, bool force_utf8, size_t chunk_size)
      : stream(std::move(s)),
        name(std::move(n)),
        force_utf8(force_utf8),
        chunk(std::max<size_t>(chunk_size, 1)),
        base_chunk_size(chunk.size()) {
    parser = XML_ParserCreate(force_utf8 ? "UTF-8" : nullptr);
    if (parser != nullptr) {
      XML_SetUserData(parser, this);
      XML_SetElementHandler(parser, &Impl::OnStart, &Impl::OnEnd);
      XML_SetCharacterDataHandler(parser, &Impl::OnText);
      XML_SetStartDoctypeDeclHandler(parser, &Impl::OnDoctype);
      XML_SetCdataSectionHandler(parser, &Impl::OnCdataStart, &Impl::OnCdataEnd);
    }
  }
  ~Impl() {
    if (parser != nullptr) XML_ParserFree(parser);
  }

  static void OnStart(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<Impl*>(self)->Start(name, atts);
  }
  static void OnEnd(void* self, const XML_Char*) { static_cast<Impl*>(self)->End(); }
  static void OnText(void* self, const XML_Char* s, int len) {
    auto* impl = static_cast<Impl*>(self);
    if (impl->in_report) impl->frames.back().text.append(s, static_cast<size_t>(len));
  }

  // FIXML has no DTD. One in the file could change values without a trace: expat applies its
  // attribute defaults, and with an external subset it cannot read, it drops references to
  // entities it does not know ("21&x;97.2" reads 2197.2). A bare <!DOCTYPE FIXML> is harmless.
  static void OnDoctype(void* self, const XML_Char* name, const XML_Char* sysid,
                        const XML_Char* pubid, int has_internal_subset) {
    if (sysid == nullptr && pubid == nullptr && has_internal_subset == 0) return;
    static_cast<Impl*>(self)->Abort(
        std::string("the document declares a DTD (<!DOCTYPE ") + name +
        " ...>), which tradeflow does not read: its entities and attribute defaults would change "
        "values without a trace; remove the DOCTYPE declaration");
  }
  // Where an open CDATA section starts: one never closed runs to the end of the file, and the
  // reports inside it are lost with it.
  static void OnCdataStart(void* self) {
    auto* impl = static_cast<Impl*>(self);
    impl->cdata_start = XML_GetCurrentByteIndex(impl->parser);
    impl->cdata_reports = 0;
    impl->cdata_counted_to = impl->cdata_start + 1;
  }
  static void OnCdataEnd(void* self) { static_cast<Impl*>(self)->cdata_start = -1; }

  // Stops the parse with `reason`, which the error then gives instead of expat's "parsing
  // aborted".
  void Abort(std::string reason) {
    if (!abort_reason.empty()) return;
    abort_reason = std::move(reason);
    XML_StopParser(parser, XML_FALSE);
  }

  void Start(const char* raw_name, const char** atts) {
    ++depth;
    // Each element's path holds its ancestors' steps: nesting without a bound costs memory as its
    // square (60000 levels took 8 GB). FIXML reports nest a few levels deep.
    if (depth > kMaxDepth) {
      Abort("elements are nested more than " + std::to_string(kMaxDepth) +
            " levels deep; a FIXML report nests a few");
    }
    std::string_view local = LocalName(raw_name);
    if (!in_report) {
      if (local == kReport) {
        BeginReport(atts);
      } else {
        StartContext(local, atts);
      }
      return;
    }
    // A report inside a report: the one before was left open (<TrdCaptRpt ...> for
    // <TrdCaptRpt .../>). Counted, as its content cannot come out as a report of its own.
    if (local == kReport) ++reports_inside_report;
    Frame& parent = frames.back();
    Frame f;
    if (local == "TrdLeg" && frames.size() == 1) {
      legs.emplace_back();
      // The start tag's bytes; an empty element's (<TrdLeg .../>) are all of it, and End()
      // moves the end past the end tag of one with content.
      const int64_t at = XML_GetCurrentByteIndex(parser);
      leg_spans.emplace_back(at, at + XML_GetCurrentByteCount(parser));
      f.path = paths.Top("TrdLeg");
      f.leg = static_cast<int>(legs.size()) - 1;
    } else {
      std::string step(local);
      if (const char* key = KeyAttribute(local)) {
        for (const char** a = atts; *a != nullptr; a += 2) {
          if (std::strcmp(a[0], key) == 0) {
            step += "[" + std::string(key) + "=" + EscapeKeyValue(a[1]) + "]";
            break;
          }
        }
      }
      int n = ++ChildCount(parent, step);
      if (n > 1) step += "[" + std::to_string(n) + "]";
      // A report has one message header and one instrument: with two, which one is meant
      // cannot be told (the mapping would take the first, the other only in source_attributes).
      if (n == 2 && frames.size() == 1 && (local == "Hdr" || local == "Instrmt") &&
          repeated_single.empty()) {
        repeated_single = std::string(local);
      }
      f.path = paths.Child(parent.path, step);
      f.leg = parent.leg;
    }
    AddAttributes(f, atts);
    frames.push_back(std::move(f));
  }

  void End() {
    if (!in_report) {
      EndContext();
      --depth;
      return;
    }
    Frame& f = frames.back();
    std::string text = Trim(f.text);
    if (!text.empty()) FieldsOf(f.leg).push_back({f.path, std::move(text)});
    if (frames.size() == 2 && f.leg >= 0 && XML_GetCurrentByteCount(parser) > 0) {
      leg_spans[f.leg].second = XML_GetCurrentByteIndex(parser) + XML_GetCurrentByteCount(parser);
    }
    if (depth == report_depth) {
      EndReport();
      in_report = false;
    }
    frames.pop_back();
    --depth;
  }

  std::vector<ReportField>& FieldsOf(int leg) { return leg < 0 ? report_fields : legs[leg]; }

  static int& ChildCount(Frame& parent, const std::string& step) {
    if (int* n = parent.child_counts.Find(step)) return *n;
    return parent.child_counts.Add(step, 0);
  }

  void AddAttributes(const Frame& f, const char** atts) {
    for (const char** a = atts; *a != nullptr; a += 2) {
      if (IsNamespaceDeclaration(a[0])) continue;
      FieldsOf(f.leg).push_back({paths.Attribute(f.path, a[0]), a[1]});
    }
  }

  void StartContext(std::string_view local, const char** atts) {
    bool in_header = header_depth > 0;
    if (!in_header && local == "Hdr") {
      header_depth = depth;
      in_header = true;
    }
    context_paths.resize(depth);
    std::string path = depth > header_depth && in_header && depth > 1
                           ? context_paths[depth - 2] + "/" + std::string(local)
                           : std::string(local);
    context_paths[depth - 1] = path;
    const int scope = in_header ? header_depth : depth;
    for (const char** a = atts; *a != nullptr; a += 2) {
      if (IsNamespaceDeclaration(a[0])) continue;
      std::string p = path + "@" + a[0];
      // A field of the same scope is replaced; one of an outer scope (the batch's Hdr, for a
      // nested batch's or another message's) is shadowed only while this scope is open, and
      // comes back when it closes: VisibleContext() leaves it out meanwhile.
      context.erase(std::remove_if(context.begin(), context.end(),
                                   [&](const ContextField& c) {
                                     return c.field.path == p && c.depth == scope;
                                   }),
                    context.end());
      context.push_back({scope, in_header, {p, a[1]}});
    }
  }

  // The context fields a report sees: each path's latest (an inner scope's shadows an outer's).
  std::vector<const ContextField*> VisibleContext() const {
    std::vector<const ContextField*> visible;
    for (size_t i = 0; i < context.size(); ++i) {
      const bool shadowed = std::any_of(
          context.begin() + static_cast<std::ptrdiff_t>(i) + 1, context.end(),
          [&](const ContextField& later) { return later.field.path == context[i].field.path; });
      if (!shadowed) visible.push_back(&context[i]);
    }
    return visible;
  }

  void EndContext() {
    if (header_depth > 0) {  // inside a Hdr, which lives on after it closes
      if (depth == header_depth) header_depth = 0;
      return;
    }
    const int d = depth;
    context.erase(std::remove_if(context.begin(), context.end(),
                                 [d](const ContextField& c) {
                                   return c.depth > d || (c.depth == d && !c.header);
                                 }),
                  context.end());
  }

  void BeginReport(const char** atts) {
    in_report = true;
    reports_inside_report = 0;
    report_depth = depth;
    ++report_number;
    report_start = XML_GetCurrentByteIndex(parser);
    report_line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser));
    report_fields.clear();
    legs.clear();
    leg_spans.clear();
    frames.clear();
    repeated_single.clear();
    if (paths.size() > kMaxPaths) paths.Clear();
    frames.push_back(Frame{paths.Top("TrdCaptRpt"), {}, -1, {}});
    AddAttributes(frames.back(), atts);
  }

  const std::string* Find(const std::string& path) const {
    for (const auto& f : report_fields) {
      if (paths[f.path].text == path) return &f.value;
    }
    return nullptr;
  }

  // The raw text of each leg of a report of `records` legs whose text is `raw`. Every leg keeps
  // the whole report, unless the copies would pass kLegCopiesBytes: then each keeps the report
  // without the other legs' elements (and the blanks between them), with a comment after its
  // own, so that a report of thousands of legs takes memory, and quarantine rows, in proportion
  // to its size rather than to its size times its legs.
  class LegTexts {
   public:
    LegTexts(const std::string& raw, const std::vector<std::pair<int64_t, int64_t>>& spans,
             int64_t report_start, size_t records)
        : raw_(raw) {
      constexpr size_t kLegCopiesBytes = 4 << 20;
      if (records < 2 || raw.size() * records <= kLegCopiesBytes || spans.size() != records) {
        return;
      }
      const std::string_view text(raw);
      size_t at = 0;  // in raw
      for (const auto& [from, to] : spans) {
        const size_t b = static_cast<size_t>(from - report_start);
        const size_t e = static_cast<size_t>(to - report_start);
        if (from < report_start || b < at || e < b || e > raw.size()) return;  // keep it all
        const std::string_view gap = text.substr(at, b - at);
        if (legs_.empty()) {
          head_ = gap;
        } else if (gap.find_first_not_of(" \t\r\n") != std::string_view::npos) {
          between_ += gap;
        }
        legs_.push_back(text.substr(b, e - b));
        at = e;
      }
      tail_ = text.substr(at);
      marker_ = "<!-- the report's other " + std::to_string(records - 1) +
                " TrdLeg elements are left out here: each is a record of its own -->";
    }

    std::string Of(size_t k) const {
      if (legs_.empty()) return raw_;
      std::string out;
      out.reserve(head_.size() + legs_[k].size() + marker_.size() + between_.size() + tail_.size());
      out.append(head_).append(legs_[k]).append(marker_).append(between_).append(tail_);
      return out;
    }

   private:
    const std::string& raw_;
    std::vector<std::string_view> legs_;  // empty: every leg keeps raw_
    std::string_view head_, tail_;
    std::string between_, marker_;
  };

  // The offset in the file on disk of `parsed`, an offset in the text expat parses (in the
  // window; SourceOffsets::FileOffset says which may be asked when): a Latin-1 or windows-1252 byte
  // is one byte there, though two in the UTF-8 text; a UTF-8 byte order mark counts. A UTF-16
  // document's offsets stay the UTF-8 text's: its characters' sizes are not kept.
  int64_t FileOffsetOf(int64_t parsed) {
    if (!offsets || !stream->transcodes_single_bytes()) return parsed + offset_shift;
    const int64_t pos =
        std::clamp<int64_t>(parsed - window_offset, 0, static_cast<int64_t>(window.size()));
    return offsets->FileOffset(window, window_offset, static_cast<size_t>(pos));
  }

  std::string Slice(int64_t from, int64_t to) const {
    from = std::max(from, window_offset);
    to = std::min(to, window_offset + static_cast<int64_t>(window.size()));
    if (to <= from) return "";
    return window.substr(static_cast<size_t>(from - window_offset), static_cast<size_t>(to - from));
  }

  void EndReport() {
    int64_t end = XML_GetCurrentByteIndex(parser) + XML_GetCurrentByteCount(parser);
    std::string raw = Slice(report_start, end);
    if (reports_inside_report > 0) {
      QueueNestedReports(raw);
      return;
    }
    std::string package_id;  // an empty PackageID="" is none: the TrdID then ties the legs
    if (const std::string* p = Find("TrdCaptRpt@PackageID"); p != nullptr && !p->empty()) {
      package_id = *p;
    } else if (const std::string* t = Find("TrdCaptRpt@TrdID")) {
      package_id = *t;
    }
    const size_t records = std::max<size_t>(1, legs.size());
    // The report's message header (its own, else the batch's), which a <Hdr> inside a TrdLeg
    // must not replace.
    const std::vector<const ContextField*> visible = VisibleContext();
    std::unordered_map<std::string_view, std::string_view> header;
    if (!legs.empty()) {
      for (const ContextField* c : visible) {
        if (IsHeaderPath(c->field.path)) header.emplace(c->field.path, c->field.value);
      }
      for (const auto& f : report_fields) {
        if (IsHeaderPath(paths[f.path].text)) header[paths[f.path].text] = f.value;
      }
    }
    const LegTexts leg_texts(raw, leg_spans, report_start, records);
    for (size_t k = 0; k < records; ++k) {
      Pending p;
      SourceRecord& rec = p.record;
      rec.values.assign(bound_count, "");
      rec.line = report_line;
      rec.byte_offset = FileOffsetOf(report_start);
      rec.location = "TrdCaptRpt " + std::to_string(report_number);
      if (!legs.empty()) rec.location += " leg " + std::to_string(k + 1);
      rec.group_size = static_cast<int32_t>(records);  // the legs of a package stand together
      rec.group_index = static_cast<int32_t>(k);
      rec.raw = leg_texts.Of(k);
      const std::vector<ReportField>* leg = legs.empty() ? nullptr : &legs[k];
      if (!repeated_single.empty()) {
        p.error = Status::Invalid(name + ":" + std::to_string(report_line) + ": " + rec.location +
                                  ": the report has two <" + repeated_single +
                                  "> elements; a TrdCaptRpt has one, and which is meant cannot "
                                  "be told");
        queue.push_back(std::move(p));
        continue;
      }
      if (leg != nullptr) {
        // A leg's fields are named without the TrdLeg/ prefix, and a leg's own Stip or Pty
        // rightly wins over the report's for that leg; but a <Hdr> inside a TrdLeg would give
        // one leg of a package another source system or sender than the report's.
        auto clash = std::find_if(leg->begin(), leg->end(), [&](const ReportField& f) {
          if (!IsHeaderPath(paths[f.path].text)) return false;
          auto it = header.find(paths[f.path].text);
          return it == header.end() || it->second != f.value;
        });
        if (clash != leg->end()) {
          auto it = header.find(paths[clash->path].text);
          p.error = Status::Invalid(
              name + ":" + std::to_string(report_line) + ": " + rec.location + ": " +
              paths[clash->path].text + " is " + QuoteValue(clash->value) +
              " inside its TrdLeg but " +
              (it == header.end() ? std::string("not set") : QuoteValue(it->second)) +
              " for the report: a leg cannot have a message header of its own");
          queue.push_back(std::move(p));
          continue;
        }
      }
      for (const ContextField* c : visible) {
        if (!Has(report_fields, c->field.path) && (leg == nullptr || !Has(*leg, c->field.path))) {
          Emit(c->field.path, c->field.value, &rec);
        }
      }
      for (const auto& f : report_fields) Emit(f, &rec);
      if (!legs.empty()) {
        for (const auto& f : legs[k]) Emit(f, &rec);
      }
      SetBound("package_id", package_id, &rec);
      std::string leg_index = legs.empty() ? "" : std::to_string(k + 1);
      if (!SetBound("leg_index", leg_index, &rec) && !leg_index.empty()) {
        rec.extras.emplace_back("leg_index", leg_index);
      }
      queue.push_back(std::move(p));
    }
  }

  // A report that holds the start tag of another (an end tag left out, or one report pasted into
  // another) is well-formed XML but no trade: the fields of both would mix. Each of them becomes
  // a malformed record with the outer one's text, rather than one record being read for all.
  void QueueNestedReports(const std::string& raw) {
    const std::string where = "TrdCaptRpt " + std::to_string(report_number);
    const std::string message =
        name + ":" + std::to_string(report_line) + ": " + where + " holds " +
        std::to_string(reports_inside_report) +
        " more TrdCaptRpt start tag(s) inside it: a report cannot hold another (an end tag left "
        "out, or one report pasted into another), so none of them is read";
    for (int64_t k = 0; k <= reports_inside_report; ++k) {
      Pending p;
      p.record.raw = raw;
      p.record.line = report_line;
      p.record.byte_offset = FileOffsetOf(report_start);
      p.record.location =
          k == 0 ? where : where + " (report " + std::to_string(k + 1) + " inside it)";
      p.error = Status::Invalid(message);
      queue.push_back(std::move(p));
    }
  }

  // A context has a few fields (FIXML@v, Hdr@SID): scanning the report's fields for each costs
  // less than a set of the report's paths would.
  bool Has(const std::vector<ReportField>& fields, const std::string& path) const {
    return std::any_of(fields.begin(), fields.end(),
                       [&](const ReportField& f) { return paths[f.path].text == path; });
  }

  bool SetBound(const std::string& path, const std::string& value, SourceRecord* rec) {
    auto it = bound.find(path);
    if (it == bound.end()) return false;
    for (size_t i : it->second) {
      rec->values[i] = value;
      present[i] = true;
    }
    return true;
  }

  void Emit(const std::string& path, const std::string& value, SourceRecord* rec) {
    if (!SetBound(path, value, rec) && !value.empty()) rec->extras.emplace_back(path, value);
  }

  void Emit(const ReportField& field, SourceRecord* rec) {
    const PathTable::Path& path = paths[field.path];
    if (path.bound != nullptr) {
      for (size_t i : *path.bound) {
        rec->values[i] = field.value;
        present[i] = true;
      }
    } else if (!field.value.empty()) {
      rec->extras.emplace_back(path.text, field.value);
    }
  }

  // Reads one chunk and parses it.
  Status Feed() {
    if (parser == nullptr) {
      finished = true;
      return Status::Internal("XML_ParserCreate failed");
    }
    if (!encoding_read && !force_utf8) {
      encoding_read = true;
      bool transcoded = false;
      size_t bom_bytes = 0;
      Status st = ReadXmlAsUtf8(&stream, name, &transcoded, &bom_bytes);
      // Offsets of a UTF-8 document are the file's, its byte order mark included.
      if (!transcoded) offset_shift = static_cast<int64_t>(bom_bytes);
      if (!st.ok()) {
        finished = true;
        return st;
      }
      if (transcoded) XML_SetEncoding(parser, "UTF-8");
    }
    if (!offsets) offsets.emplace(stream.get());  // the stream the text comes from, from now on
    auto got = stream->Read(chunk.data(), NextReadSize());
    if (!got.ok()) {
      finished = true;
      return got.status();
    }
    if (window_offset == 0 && window.empty()) {  // the first bytes of the document
      const std::string_view start(chunk.data(), *got);
      Status st = CheckNotCompressed(start, name);
      // A UTF-8 byte order mark read as Latin-1 is "ï»¿", which expat only calls an invalid token.
      if (st.ok() && force_utf8 && start.starts_with("\xC3\xAF\xC2\xBB\xC2\xBF")) {
        st = Status::IOError(name +
                             ": the file starts with a UTF-8 byte order mark but is read as "
                             "Latin-1 or windows-1252: set encoding: utf-8");
      }
      if (!st.ok()) {
        finished = true;
        return st;
      }
    }
    const bool last = *got == 0;
    window.append(chunk.data(), *got);
    blank = blank && std::all_of(chunk.data(), chunk.data() + *got, [](char c) {
              return c == ' ' || c == '\t' || c == '\r' || c == '\n';
            });
    if (XML_Parse(parser, chunk.data(), static_cast<int>(*got), last) == XML_STATUS_ERROR) {
      finished = true;
      if (blank) {
        // Nothing at all, as an export that failed writes: like a CSV file without its header,
        // the file's failure, not one malformed record (and on_bad_file: skip leaves it out).
        return Status::IOError(name +
                               ": empty file, expected a FIXML document: is the export "
                               "complete?");
      }
      // Reports after the error cannot be read: quarantining the one being parsed would drop
      // them without a trace, so unless it was the last, the error is the file's.
      // A report start tag at the error itself (cut short, say) is the report that is broken,
      // not one after it: counting starts past its '<'.
      // In a CDATA section never closed, the error is at the end of the file, and the reports
      // after the section's start are the ones lost.
      // A handler that stopped the parse leaves the position at the token after the one it
      // refused, which may be the next report's start tag.
      int64_t lost = 0;
      if (XML_GetErrorCode(parser) == XML_ERROR_UNCLOSED_CDATA_SECTION && cdata_start >= 0) {
        TF_ASSIGN_OR_RETURN(lost, CountReportsAfter(cdata_counted_to, last));
        lost += cdata_reports;
      } else {
        const bool aborted = XML_GetErrorCode(parser) == XML_ERROR_ABORTED;
        TF_ASSIGN_OR_RETURN(
            lost, CountReportsAfter(XML_GetCurrentByteIndex(parser) + (aborted ? 0 : 1), last));
      }
      if (in_report) lost += reports_inside_report;
      QueueXmlError(lost);
      return Status::OK();
    }
    if (last) {
      finished = true;
      return Status::OK();
    }
    // Keep only what a report still being parsed (or an error report) may need. Outside a report
    // that includes a tag expat may not have finished yet, which may be a long report start tag:
    // from the last '<' on (attribute values cannot hold a '<', but they can hold a '>', so a
    // '>' after it does not mean the tag is complete).
    int64_t end = window_offset + static_cast<int64_t>(window.size());
    int64_t keep_from = report_start;
    if (!in_report) {
      keep_from = end - kKeepOutsideReports;
      size_t open = window.rfind('<');
      if (open != std::string::npos) {
        keep_from = std::min(keep_from, window_offset + static_cast<int64_t>(open));
      }
    }
    if (keep_from > window_offset) {
      if (cdata_start >= 0) CountReportsInOpenCdata();
      offsets->Consume(window, window_offset, static_cast<size_t>(keep_from - window_offset));
      window.erase(0, static_cast<size_t>(keep_from - window_offset));
      window_offset = keep_from;
    }
    return Status::OK();
  }

  // Bytes to read and parse next: the chunk size, or as much as the window holds when that is
  // more. Expat before 2.6 parses a token that a chunk leaves unfinished again from its start
  // with each chunk, so a 40 MB attribute read 64 KB at a time cost 600 passes over it (11 s);
  // reading as much again as is pending makes the passes over any token add up to a few times
  // its size. The window holds the report being parsed, or the tag not finished outside one.
  size_t NextReadSize() {
    constexpr size_t kMaxRead = 64 << 20;
    const size_t want =
        std::clamp(window.size(), base_chunk_size, std::max(kMaxRead, base_chunk_size));
    if (chunk.size() < want || chunk.size() > 4 * want) {
      chunk.resize(want);
      chunk.shrink_to_fit();
    }
    return want;
  }

  // Outside a report, an open CDATA section's text leaves the window like any other: the report
  // start tags in it are counted first, as lost should the section never be closed. Counts the
  // names that start before the window's last few bytes (a name needs the character after it),
  // from where the last count stopped.
  void CountReportsInOpenCdata() {
    const int64_t end = window_offset + static_cast<int64_t>(window.size());
    const int64_t limit = end - static_cast<int64_t>(kReport.size());
    if (limit <= cdata_counted_to) return;
    const size_t from =
        static_cast<size_t>(std::max(cdata_counted_to, window_offset) - window_offset);
    for (size_t pos = window.find(kReport, from);
         pos != std::string::npos && static_cast<int64_t>(pos) + window_offset < limit;
         pos = window.find(kReport, pos + 1)) {
      if (IsReportStartTag(window, pos)) ++cdata_reports;
    }
    cdata_counted_to = limit;
  }

  static constexpr std::string_view kReport = "TrdCaptRpt";

  // Whether `text` holds a report's start tag (<TrdCaptRpt ...>, any namespace prefix) whose
  // name starts at `pos`; the name must be followed by a character that ends it.
  static bool IsReportStartTag(std::string_view text, size_t pos) {
    const size_t after = pos + kReport.size();
    if (after >= text.size() ||
        std::string_view(" \t\r\n>/").find(text[after]) == std::string_view::npos) {
      return false;
    }
    size_t i = pos;
    if (i > 0 && text[i - 1] == ':') {  // a prefix: walk back over it
      --i;
      // Name characters: ASCII ones, and any byte of a UTF-8 sequence (a prefix may be "é").
      while (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                       static_cast<unsigned char>(text[i - 1]) >= 0x80 || text[i - 1] == '_' ||
                       text[i - 1] == '-' || text[i - 1] == '.')) {
        --i;
      }
    }
    return i > 0 && text[i - 1] == '<';
  }

  // The report start tags after byte `from` of the input: the reports a well-formedness error
  // there makes unreadable. Reads the rest of the input (`at_end`: there is none) to count them.
  Result<int64_t> CountReportsAfter(int64_t from, bool at_end) {
    constexpr size_t kLookBehind = 256;  // enough for "<prefix:" before a name
    std::string text;
    if (from - window_offset < static_cast<int64_t>(window.size())) {
      text = window.substr(static_cast<size_t>(std::max<int64_t>(0, from - window_offset)));
    }
    int64_t count = 0;
    size_t counted_to = 0;  // names starting before this have been looked at
    for (bool more = !at_end;;) {
      // A name needs the character after it, so the last few bytes wait for the next read.
      const size_t limit =
          more ? (text.size() > kReport.size() ? text.size() - kReport.size() : 0) : text.size();
      for (size_t pos = text.find(kReport, counted_to); pos != std::string::npos && pos < limit;
           pos = text.find(kReport, pos + 1)) {
        if (IsReportStartTag(text, pos)) ++count;
      }
      counted_to = std::max(counted_to, limit);
      if (!more) return count;
      if (counted_to > kLookBehind) {
        text.erase(0, counted_to - kLookBehind);
        counted_to = kLookBehind;
      }
      auto got = stream->Read(chunk.data(), chunk.size());
      if (!got.ok()) return got.status();
      more = *got > 0;
      text.append(chunk.data(), *got);
    }
  }

  // `lost`: the reports after the error, which cannot be read.
  void QueueXmlError(int64_t lost) {
    XML_Error code = XML_GetErrorCode(parser);
    const int64_t line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser));
    const int64_t column = static_cast<int64_t>(XML_GetCurrentColumnNumber(parser)) + 1;
    const int64_t at = XML_GetCurrentByteIndex(parser);
    const int64_t window_end = window_offset + static_cast<int64_t>(window.size());
    // raw: the report up to the end of the error's line (or that line alone outside a report).
    int64_t line_end = window_end;
    if (at >= window_offset && at < window_end) {
      size_t nl = window.find('\n', static_cast<size_t>(at - window_offset));
      if (nl != std::string::npos) line_end = window_offset + static_cast<int64_t>(nl);
    }
    int64_t from = report_start;
    if (!in_report) {
      from = window_offset;
      if (at > window_offset && at <= window_end) {
        size_t nl = window.rfind('\n', static_cast<size_t>(at - window_offset - 1));
        if (nl != std::string::npos) from = window_offset + static_cast<int64_t>(nl) + 1;
      }
    }
    Pending p;
    p.record.raw = Slice(from, line_end);
    p.record.line = in_report ? report_line : line;
    p.record.byte_offset = FileOffsetOf(from);
    p.record.location =
        in_report ? "TrdCaptRpt " + std::to_string(report_number) : "line " + std::to_string(line);
    const bool aborted = code == XML_ERROR_ABORTED && !abort_reason.empty();
    std::string msg = name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                      (aborted ? ": XML not read" : ": malformed XML");
    if (in_report) msg += " in TrdCaptRpt " + std::to_string(report_number);
    msg += ": ";
    msg += aborted ? abort_reason : XML_ErrorString(code);
    if (code == XML_ERROR_INVALID_TOKEN && !force_utf8 &&
        FindInvalidUtf8(p.record.raw) != std::string::npos) {
      msg += " (invalid UTF-8; is the file Windows-1252 or Latin-1? set encoding: windows-1252)";
    }
    if (code == XML_ERROR_UNKNOWN_ENCODING) {
      // Read: UTF-8 and US-ASCII by expat, UTF-16, ISO-8859-1 and windows-1252 transcoded to
      // UTF-8 first (sources/xml_encoding.h).
      msg +=
          ": the XML declaration names an encoding tradeflow does not read (it reads UTF-8, "
          "UTF-16, US-ASCII, ISO-8859-1 and windows-1252); convert the file to UTF-8";
    }
    if (code == XML_ERROR_NO_ELEMENTS && !in_report && lost == 0) {
      // The end of the file before the document's root closed, between reports: no record is
      // broken, the file is (cut short, as a truncated .gz is), so it is the file's error.
      p.error = Status::IOError(name + ":" + std::to_string(line) +
                                ": the file ends before its root element closes (no </FIXML> or "
                                "</Batch>): is the export complete?");
      queue.push_back(std::move(p));
      return;
    }
    if (lost > 0) {
      // Not a bad record: the file cannot be read to its end, so it stops the run (as a
      // truncated .gz does), or with on_bad_file: skip is left out.
      msg += "; an XML document cannot be read past such an error, and " + std::to_string(lost) +
             (lost == 1 ? " more report follows" : " more reports follow") +
             " it: the file cannot be read to its end";
      p.error = Status::IOError(msg);
    } else {
      msg += "; an XML document cannot be read past such an error (no report follows it)";
      p.error = Status::Invalid(msg);
    }
    queue.push_back(std::move(p));
  }

  std::unique_ptr<InputStream> stream;
  std::string name;
  bool force_utf8;
  bool encoding_read = false;            // ReadXmlAsUtf8 has looked at the start of the document
  std::optional<SourceOffsets> offsets;  // once the document's encoding is known
  int64_t offset_shift = 0;  // file offset - parsed offset: a UTF-8 byte order mark dropped
  std::vector<char> chunk;
  size_t base_chunk_size;
  XML_Parser parser = nullptr;
  std::string window;  // input bytes from window_offset on
  int64_t window_offset = 0;
  bool finished = false;
  bool blank = true;  // only white space read so far
  std::deque<Pending> queue;

  size_t bound_count = 0;
  Bound bound;
  std::vector<std::string> bound_names;  // by value index
  std::vector<bool> present;             // by value index: some report had the field
  PathTable paths{bound};                // rebound whenever the bound fields change

  static constexpr int kMaxDepth = 1000;
  std::string abort_reason;  // why a handler stopped the parse
  int64_t cdata_start = -1;  // byte index of the open CDATA section's start, or -1
  // Report start tags in the open CDATA section, counted as its text left the window, before
  // byte cdata_counted_to.
  int64_t cdata_reports = 0;
  int64_t cdata_counted_to = 0;

  int depth = 0;  // of the element being parsed; the root is 1
  int header_depth = 0;
  std::vector<std::string> context_paths;
  std::vector<ContextField> context;

  bool in_report = false;
  std::string repeated_single;  // "Hdr" or "Instrmt" when the report has two: malformed
  int report_depth = 0;
  int64_t report_number = 0;
  int64_t reports_inside_report = 0;  // start tags of reports inside the open one
  int64_t report_start = 0;
  int64_t report_line = 0;
  std::vector<Frame> frames;
  std::vector<ReportField> report_fields;
  std::vector<std::vector<ReportField>> legs;
  std::vector<std::pair<int64_t, int64_t>> leg_spans;  // each leg's element, as input offsets
};

Result<std::unique_ptr<FixmlSource>> FixmlSource::Open(const std::string& path,
                                                       const InputOptions& input) {
  InputOptions options = input;
  options.keep_utf8_bom = true;  // ReadXmlAsUtf8 checks it against the XML declaration
  TF_ASSIGN_OR_RETURN(auto stream, OpenInput(path, options));
  return std::make_unique<FixmlSource>(std::move(stream), path, input.encoding != Encoding::kUtf8);
}

FixmlSource::FixmlSource(std::unique_ptr<InputStream> stream, std::string name, bool force_utf8,
                         size_t chunk_size)
    : impl_(std::make_unique<Impl>(std::move(stream), std::move(name), force_utf8, chunk_size)) {}

FixmlSource::~FixmlSource() = default;

int64_t FixmlSource::bytes_read() const { return impl_->stream->file_bytes_read(); }

Status FixmlSource::Bind(const std::vector<FieldRef>& fields) {
  impl_->bound.clear();
  impl_->bound_count = fields.size();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name.empty()) {
      std::string msg = "an empty FIXML path cannot be read from " + impl_->name;
      return Status::Invalid(fields[i].where.empty() ? msg : fields[i].where + ": " + msg);
    }
    impl_->bound[fields[i].name].push_back(i);
  }
  impl_->bound_names.clear();
  for (const auto& f : fields) impl_->bound_names.push_back(f.name);
  impl_->present.assign(fields.size(), false);
  impl_->paths.Rebind();
  return Status::OK();
}

std::vector<std::string> FixmlSource::FieldsNeverPresent() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < impl_->present.size(); ++i) {
    if (!impl_->present[i]) out.push_back(impl_->bound_names[i]);
  }
  return out;
}

Result<bool> FixmlSource::Next(SourceRecord* out) {
  out->Clear();
  for (;;) {
    if (!impl_->queue.empty()) {
      Impl::Pending p = std::move(impl_->queue.front());
      impl_->queue.pop_front();
      *out = std::move(p.record);
      if (!p.error.ok()) return p.error;
      return true;
    }
    if (impl_->finished) return false;
    TF_RETURN_IF_ERROR(impl_->Feed());
  }
}

}  // namespace tradeflow::sources
