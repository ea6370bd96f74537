#include "lake/column_metrics.h"

#include <arrow/array.h>
#include <arrow/util/decimal.h>
#include <arrow/util/key_value_metadata.h>

#include <cstring>
#include <optional>

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

  void Fold(const arrow::Array& leaf, Accumulator* acc) {
    for (int64_t i = 0; i < leaf.length(); ++i) {
      ++acc->values;
      if (AncestorNull(i) || leaf.IsNull(i)) {
        ++acc->nulls;
        continue;
      }
      FoldValue(leaf, i, acc);
    }
  }

 private:
  bool AncestorNull(int64_t i) const {
    for (const auto* a : ancestors_) {
      if (a->IsNull(i)) return true;
    }
    return false;
  }

  template <typename T, typename Encode>
  static void MinMax(T v, std::optional<T>* lo, std::optional<T>* hi, Accumulator* acc,
                     Encode encode) {
    if (!*lo || v < **lo) {
      *lo = v;
      acc->lower = encode(v);
    }
    if (!*hi || v > **hi) {
      *hi = v;
      acc->upper = encode(v);
    }
  }

  void FoldValue(const arrow::Array& leaf, int64_t i, Accumulator* acc) {
    switch (leaf.type_id()) {
      case arrow::Type::INT32:
      case arrow::Type::DATE32: {
        int32_t v = leaf.type_id() == arrow::Type::INT32
                        ? static_cast<const arrow::Int32Array&>(leaf).Value(i)
                        : static_cast<const arrow::Date32Array&>(leaf).Value(i);
        MinMax(v, &i32_lo_, &i32_hi_, acc, LittleEndian<int32_t>);
        return;
      }
      case arrow::Type::INT64:
      case arrow::Type::TIMESTAMP: {
        int64_t v = leaf.type_id() == arrow::Type::INT64
                        ? static_cast<const arrow::Int64Array&>(leaf).Value(i)
                        : static_cast<const arrow::TimestampArray&>(leaf).Value(i);
        MinMax(v, &i64_lo_, &i64_hi_, acc, LittleEndian<int64_t>);
        return;
      }
      case arrow::Type::BOOL: {
        uint8_t v = static_cast<const arrow::BooleanArray&>(leaf).Value(i) ? 1 : 0;
        MinMax(v, &u8_lo_, &u8_hi_, acc, [](uint8_t b) { return std::string(1, char(b)); });
        return;
      }
      case arrow::Type::DECIMAL128: {
        arrow::Decimal128 v(static_cast<const arrow::Decimal128Array&>(leaf).GetValue(i));
        MinMax(v, &dec_lo_, &dec_hi_, acc, DecimalBytes);
        return;
      }
      case arrow::Type::STRING: {
        std::string_view v = static_cast<const arrow::StringArray&>(leaf).GetView(i);
        // Iceberg orders strings by unsigned bytes, as std::string_view compares.
        if (!str_lo_ || v < *str_lo_) str_lo_ = std::string(v);
        if (!str_hi_ || v > *str_hi_) str_hi_ = std::string(v);
        size_t cps = 0;
        size_t prefix = Utf8PrefixBytes(*str_lo_, max_chars_, &cps);
        acc->lower = str_lo_->substr(0, prefix);
        Utf8PrefixBytes(*str_hi_, max_chars_, &cps);
        if (cps > max_chars_) {
          acc->upper.reset();
          upper_too_long_ = true;
        } else if (!upper_too_long_) {
          acc->upper = *str_hi_;
        }
        // Once the max is too long to keep, no upper bound for this column in this file.
        if (upper_too_long_) acc->upper.reset();
        return;
      }
      default:
        acc->bounds_ok = false;  // binary, floats: no bounds
        return;
    }
  }

  const std::vector<const arrow::Array*>& ancestors_;
  size_t max_chars_;
  std::optional<int32_t> i32_lo_, i32_hi_;
  std::optional<int64_t> i64_lo_, i64_hi_;
  std::optional<uint8_t> u8_lo_, u8_hi_;
  std::optional<arrow::Decimal128> dec_lo_, dec_hi_;
  std::optional<std::string> str_lo_, str_hi_;
  bool upper_too_long_ = false;
};

struct Walker {
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

}  // namespace

ColumnMetrics ComputeColumnMetrics(const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
                                   size_t max_string_bound_chars) {
  Walker walker{max_string_bound_chars, {}, {}, {}};
  for (const auto& batch : batches) {
    for (int c = 0; c < batch->num_columns(); ++c) {
      walker.Walk(*batch->schema()->field(c), *batch->column(c));
    }
  }
  ColumnMetrics out;
  for (const auto& [id, acc] : walker.accs) {
    out.value_counts[id] = acc.values;
    out.null_value_counts[id] = acc.nulls;
    if (acc.bounds_ok && acc.lower) out.lower_bounds[id] = *acc.lower;
    if (acc.bounds_ok && acc.upper) out.upper_bounds[id] = *acc.upper;
  }
  return out;
}

}  // namespace tradeflow::lake
