#include "lake/column_metrics.h"

#include <arrow/array.h>
#include <arrow/util/decimal.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/statistics.h>

#include <cstring>
#include <optional>

#include "common/utf8.h"

namespace tradeflow::lake {
namespace {

int32_t IdOf(const arrow::Field& f) {
  if (!f.metadata()) return -1;
  auto v = f.metadata()->Get("PARQUET:field_id");
  return v.ok() ? std::stoi(*v) : -1;
}

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // x86-64 and aarch64 are little-endian
  return out;
}

std::string DecimalBytes(const arrow::Decimal128& d) {
  // Big-endian two's complement, then drop redundant leading sign bytes.
  uint8_t le[16];
  d.ToBytes(le);
  std::string be(16, '\0');
  for (int i = 0; i < 16; ++i) be[i] = static_cast<char>(le[15 - i]);
  size_t start = 0;
  while (start < 15) {
    uint8_t b = static_cast<uint8_t>(be[start]);
    uint8_t next = static_cast<uint8_t>(be[start + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return be.substr(start);
}

// Number of code points in a UTF-8 string and the byte length of its first `n` code points.
size_t Utf8PrefixBytes(std::string_view s, size_t n, size_t* code_points) {
  size_t count = 0, i = 0, prefix = s.size();
  for (; i < s.size(); ++i) {
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) {
      if (count == n) prefix = i;
      ++count;
    }
  }
  *code_points = count;
  return count > n ? prefix : s.size();
}

// An upper bound of `s` of at most `max_chars` code points, as Java Iceberg's
// UnicodeUtil.truncateStringMax makes it: `s` itself if it is that short, else its prefix with
// the last code point that can be incremented incremented (skipping the surrogates, which UTF-8
// cannot hold) and the rest dropped; none when no code point can be (all U+10FFFF).
std::optional<std::string> Utf8UpperBound(std::string_view s, size_t max_chars) {
  size_t code_points = 0;
  size_t end = Utf8PrefixBytes(s, max_chars, &code_points);
  if (code_points <= max_chars) return std::string(s);
  while (end > 0) {  // the prefix's code points, last first
    size_t start = end - 1;
    while (start > 0 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
    const size_t len = end - start;
    char32_t cp = static_cast<uint8_t>(s[start]) & (len == 1 ? 0x7F : 0xFFu >> (len + 1));
    for (size_t i = start + 1; i < end; ++i) cp = (cp << 6) | (static_cast<uint8_t>(s[i]) & 0x3F);
    const char32_t next = cp + 1 == 0xD800 ? 0xE000 : cp + 1;
    if (next <= 0x10FFFF) {
      std::string out(s.substr(0, start));
      AppendUtf8(next, &out);
      return out;
    }
    end = start;
  }
  return std::nullopt;
}

// The running min and max of one column, kept in its type, and their Iceberg binary form.
struct TypedBounds {
  std::optional<int32_t> i32_lo, i32_hi;
  std::optional<int64_t> i64_lo, i64_hi;
  std::optional<bool> bool_lo, bool_hi;
  std::optional<arrow::Decimal128> dec_lo, dec_hi;
  std::optional<std::string> str_lo, str_hi;

  template <typename T>
  static void Widen(T lo, T hi, std::optional<T>* min, std::optional<T>* max) {
    if (!*min || lo < **min) *min = std::move(lo);
    if (!*max || hi > **max) *max = std::move(hi);
  }

  // A string lower bound is truncated to max_chars code points (still a lower bound); an upper
  // bound longer than that is truncated and incremented (Utf8UpperBound).
  void Serialize(size_t max_chars, std::optional<std::string>* lower,
                 std::optional<std::string>* upper) const {
    auto set = [&](std::string lo, std::string hi) {
      *lower = std::move(lo);
      *upper = std::move(hi);
    };
    if (i32_lo) set(LittleEndian(*i32_lo), LittleEndian(*i32_hi));
    if (i64_lo) set(LittleEndian(*i64_lo), LittleEndian(*i64_hi));
    if (bool_lo) set(std::string(1, char(*bool_lo)), std::string(1, char(*bool_hi)));
    if (dec_lo) set(DecimalBytes(*dec_lo), DecimalBytes(*dec_hi));
    if (str_lo) {
      size_t code_points = 0;
      *lower = str_lo->substr(0, Utf8PrefixBytes(*str_lo, max_chars, &code_points));
      *upper = Utf8UpperBound(*str_hi, max_chars);
    }
  }
};

struct Accumulator {
  int64_t values = 0, nulls = 0;
  std::optional<std::string> lower, upper;
  bool bounds_ok = true;
};

// Folds one primitive leaf, skipping rows where any ancestor struct is null.
class LeafFolder {
 public:
  LeafFolder(const std::vector<const arrow::Array*>& ancestors, size_t max_chars)
      : ancestors_(ancestors), max_chars_(max_chars) {}

  // The type is dispatched once per array, not per value; strings are compared as views into
  // the batch and copied once at its end (this runs on every value of every file).
  void Fold(const arrow::Array& leaf, Accumulator* acc) {
    switch (leaf.type_id()) {
      case arrow::Type::INT32:
        return FoldNumbers(static_cast<const arrow::Int32Array&>(leaf), acc, &b_.i32_lo,
                           &b_.i32_hi);
      case arrow::Type::DATE32:
        return FoldNumbers(static_cast<const arrow::Date32Array&>(leaf), acc, &b_.i32_lo,
                           &b_.i32_hi);
      case arrow::Type::INT64:
        return FoldNumbers(static_cast<const arrow::Int64Array&>(leaf), acc, &b_.i64_lo,
                           &b_.i64_hi);
      case arrow::Type::TIMESTAMP:
        return FoldNumbers(static_cast<const arrow::TimestampArray&>(leaf), acc, &b_.i64_lo,
                           &b_.i64_hi);
      case arrow::Type::BOOL:
        return FoldNumbers(static_cast<const arrow::BooleanArray&>(leaf), acc, &b_.bool_lo,
                           &b_.bool_hi);
      case arrow::Type::DECIMAL128:
        return FoldDecimals(static_cast<const arrow::Decimal128Array&>(leaf), acc);
      case arrow::Type::STRING:
        return FoldStrings(static_cast<const arrow::StringArray&>(leaf), acc);
      default:
        acc->bounds_ok = false;  // binary, floats: no bounds
        return FoldNulls(leaf, acc);
    }
  }

 private:
  // Calls value(i) for each row whose value is present (neither it nor an enclosing struct is
  // null) and counts the others; rows without any null anywhere skip the checks.
  template <typename ValueFn>
  void ForEachValue(const arrow::Array& leaf, Accumulator* acc, ValueFn&& value) const {
    const int64_t n = leaf.length();
    acc->values += n;
    bool nulls = leaf.null_count() != 0;
    for (const auto* a : ancestors_) nulls |= a->null_count() != 0;
    if (!nulls) {
      for (int64_t i = 0; i < n; ++i) value(i);
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      bool null = leaf.IsNull(i);
      for (const auto* a : ancestors_) null |= a->IsNull(i);
      if (null) {
        ++acc->nulls;
      } else {
        value(i);
      }
    }
  }

  template <typename T>
  static void MinMax(T v, std::optional<T>* lo, std::optional<T>* hi) {
    if (!*lo || v < **lo) *lo = v;
    if (!*hi || v > **hi) *hi = v;
  }

  void FoldNulls(const arrow::Array& leaf, Accumulator* acc) const {
    ForEachValue(leaf, acc, [](int64_t) {});
  }

  template <typename ArrayT, typename T>
  void FoldNumbers(const ArrayT& leaf, Accumulator* acc, std::optional<T>* lo,
                   std::optional<T>* hi) const {
    ForEachValue(leaf, acc, [&](int64_t i) { MinMax(static_cast<T>(leaf.Value(i)), lo, hi); });
  }

  void FoldDecimals(const arrow::Decimal128Array& leaf, Accumulator* acc) {
    ForEachValue(leaf, acc, [&](int64_t i) {
      MinMax(arrow::Decimal128(leaf.GetValue(i)), &b_.dec_lo, &b_.dec_hi);
    });
  }

  // Iceberg orders strings by unsigned bytes, as std::string_view compares.
  void FoldStrings(const arrow::StringArray& leaf, Accumulator* acc) {
    std::optional<std::string_view> lo, hi;
    ForEachValue(leaf, acc, [&](int64_t i) { MinMax(leaf.GetView(i), &lo, &hi); });
    if (lo && (!b_.str_lo || *lo < *b_.str_lo)) b_.str_lo.emplace(*lo);
    if (hi && (!b_.str_hi || *hi > *b_.str_hi)) b_.str_hi.emplace(*hi);
  }

 public:
  void Finish(Accumulator* acc) const { b_.Serialize(max_chars_, &acc->lower, &acc->upper); }

 private:
  const std::vector<const arrow::Array*>& ancestors_;
  size_t max_chars_;
  TypedBounds b_;
};

}  // namespace

struct ColumnMetricsBuilder::Walker {
  size_t max_chars;
  std::map<int32_t, Accumulator> accs;
  std::map<int32_t, std::unique_ptr<LeafFolder>> folders;
  std::vector<const arrow::Array*> ancestors;

  void Walk(const arrow::Field& field, const arrow::Array& array) {
    if (array.type_id() == arrow::Type::STRUCT) {
      const auto& st = static_cast<const arrow::StructArray&>(array);
      ancestors.push_back(&array);
      for (int i = 0; i < st.num_fields(); ++i) Walk(*field.type()->field(i), *st.field(i));
      ancestors.pop_back();
      return;
    }
    if (array.type_id() == arrow::Type::LIST || array.type_id() == arrow::Type::MAP) return;
    int32_t id = IdOf(field);
    if (id < 0) return;
    // One folder per column across batches: it keeps the typed min/max. It reads `ancestors`,
    // which holds this batch's enclosing structs while Walk is inside them.
    auto& folder = folders[id];
    if (!folder) folder = std::make_unique<LeafFolder>(ancestors, max_chars);
    folder->Fold(array, &accs[id]);
  }
};

ColumnMetricsBuilder::ColumnMetricsBuilder(size_t max_string_bound_chars)
    : walker_(new Walker{max_string_bound_chars, {}, {}, {}}) {}

ColumnMetricsBuilder::~ColumnMetricsBuilder() = default;

void ColumnMetricsBuilder::Add(const arrow::RecordBatch& batch) {
  for (int c = 0; c < batch.num_columns(); ++c) {
    walker_->Walk(*batch.schema()->field(c), *batch.column(c));
  }
}

ColumnMetrics ColumnMetricsBuilder::Finish() {
  ColumnMetrics out;
  for (auto& [id, folder] : walker_->folders) folder->Finish(&walker_->accs[id]);
  for (const auto& [id, acc] : walker_->accs) {
    out.value_counts[id] = acc.values;
    out.null_value_counts[id] = acc.nulls;
    if (acc.bounds_ok && acc.lower) out.lower_bounds[id] = *acc.lower;
    if (acc.bounds_ok && acc.upper) out.upper_bounds[id] = *acc.upper;
  }
  return out;
}

namespace {

// Typed min and max of one column over its row groups' statistics, in Iceberg's binary form.
class FooterBounds {
 public:
  FooterBounds(const parquet::ColumnDescriptor& column, size_t max_chars)
      : column_(column), max_chars_(max_chars) {}

  void Add(const parquet::Statistics* stats) {
    if (stats == nullptr || !stats->HasMinMax()) {
      // A row group with values but no min/max leaves the file's bounds unknown.
      if (stats == nullptr || stats->num_values() > 0) ok_ = false;
      return;
    }
    switch (column_.physical_type()) {
      case parquet::Type::BOOLEAN:
        return Fold<parquet::BooleanType>(stats, &b_.bool_lo, &b_.bool_hi);
      case parquet::Type::INT32:
        if (!IsSignedInteger()) break;
        return Fold<parquet::Int32Type>(stats, &b_.i32_lo, &b_.i32_hi);
      case parquet::Type::INT64:
        if (!IsSignedInteger()) break;
        return Fold<parquet::Int64Type>(stats, &b_.i64_lo, &b_.i64_hi);
      case parquet::Type::BYTE_ARRAY: {
        if (!IsString()) break;
        auto typed = static_cast<const parquet::ByteArrayStatistics*>(stats);
        return Widen(std::string(parquet::ByteArrayToString(typed->min())),
                     std::string(parquet::ByteArrayToString(typed->max())), &b_.str_lo, &b_.str_hi);
      }
      case parquet::Type::FIXED_LEN_BYTE_ARRAY: {
        if (!IsDecimal()) break;
        auto typed = static_cast<const parquet::FLBAStatistics*>(stats);
        // Parquet stores a decimal as a big-endian two's complement of type_length bytes.
        auto lo = arrow::Decimal128::FromBigEndian(typed->min().ptr, column_.type_length());
        auto hi = arrow::Decimal128::FromBigEndian(typed->max().ptr, column_.type_length());
        if (!lo.ok() || !hi.ok()) break;
        return Widen(*lo, *hi, &b_.dec_lo, &b_.dec_hi);
      }
      default:
        break;
    }
    ok_ = false;  // floats, binary, unsigned and integer-stored decimals get no bounds
  }

  void Finish(int32_t id, ColumnMetrics* out) const {
    if (!ok_) return;
    std::optional<std::string> lower, upper;
    b_.Serialize(max_chars_, &lower, &upper);  // the rules of the Arrow metrics
    if (lower) out->lower_bounds[id] = std::move(*lower);
    if (upper) out->upper_bounds[id] = std::move(*upper);
  }

 private:
  // Plain signed integers, dates and timestamps: their bounds are the integers themselves.
  bool IsSignedInteger() const {
    const auto& logical = column_.logical_type();
    if (logical == nullptr || logical->is_none() || logical->is_date() || logical->is_timestamp()) {
      return true;
    }
    return logical->is_int() && static_cast<const parquet::IntLogicalType&>(*logical).is_signed();
  }
  bool IsString() const {
    const auto& logical = column_.logical_type();
    return logical != nullptr && logical->is_string();
  }
  bool IsDecimal() const {
    const auto& logical = column_.logical_type();
    return logical != nullptr && logical->is_decimal();
  }
  template <typename ParquetType, typename T>
  void Fold(const parquet::Statistics* stats, std::optional<T>* min, std::optional<T>* max) {
    auto typed = static_cast<const parquet::TypedStatistics<ParquetType>*>(stats);
    Widen(static_cast<T>(typed->min()), static_cast<T>(typed->max()), min, max);
  }
  // Before Arrow 18, HasMinMax() held when only one of the two was kept (Parquet drops a value
  // over 4 KiB) and the other read as empty: a pair out of order leaves the bounds unknown
  // rather than wrong.
  template <typename T>
  void Widen(T lo, T hi, std::optional<T>* min, std::optional<T>* max) {
    if (hi < lo) {
      ok_ = false;
      return;
    }
    TypedBounds::Widen(std::move(lo), std::move(hi), min, max);
  }

  const parquet::ColumnDescriptor& column_;
  size_t max_chars_;
  bool ok_ = true;
  TypedBounds b_;
};

}  // namespace

ColumnMetrics MetricsFromFooter(const parquet::FileMetaData& footer,
                                size_t max_string_bound_chars) {
  ColumnMetrics out;
  const parquet::SchemaDescriptor* schema = footer.schema();
  for (int c = 0; c < schema->num_columns(); ++c) {
    const parquet::ColumnDescriptor& column = *schema->Column(c);
    int32_t id = column.schema_node()->field_id();
    if (id < 0 || column.max_repetition_level() > 0) continue;
    int64_t values = 0, nulls = 0;
    bool nulls_known = true;
    FooterBounds bounds(column, max_string_bound_chars);
    for (int rg = 0; rg < footer.num_row_groups(); ++rg) {
      auto chunk = footer.RowGroup(rg)->ColumnChunk(c);
      values += chunk->num_values();
      std::shared_ptr<parquet::Statistics> stats =
          chunk->is_stats_set() ? chunk->statistics() : nullptr;
      if (stats != nullptr && stats->HasNullCount()) {
        nulls += stats->null_count();
      } else {
        nulls_known = false;
      }
      bounds.Add(stats.get());
    }
    out.value_counts[id] = values;
    if (nulls_known) out.null_value_counts[id] = nulls;
    bounds.Finish(id, &out);
  }
  return out;
}

ColumnMetrics ComputeColumnMetrics(const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
                                   size_t max_string_bound_chars) {
  ColumnMetricsBuilder builder(max_string_bound_chars);
  for (const auto& batch : batches) builder.Add(*batch);
  return builder.Finish();
}

}  // namespace tradeflow::lake
