#include "lake/avro/decoder.h"

#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "lake/avro/encoder.h"

namespace tradeflow::lake::avro {

namespace {

// Values nested deeper than this (only possible with recursive schemas) are rejected, so a
// crafted file cannot overflow the stack.
constexpr int kMaxValueDepth = 200;

// Items of zero-byte types (null, empty records) cannot be bounded by the input size; cap them.
constexpr int64_t kMaxZeroSizeItems = 1 << 20;

template <typename T>
T FromLittleEndian(const char* p) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
  }
  T v;
  std::memcpy(&v, bytes, sizeof(T));
  return v;
}

}  // namespace

Status Decoder::Error(std::string_view what) const {
  return Status::Invalid("at byte " + std::to_string(pos_) + ": " + std::string(what));
}

Result<int64_t> Decoder::ReadLong() {
  uint64_t n = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return Error("truncated varint");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    n |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return ZigZagDecode(n);
  }
  return Error("varint longer than 10 bytes");
}

Result<int32_t> Decoder::ReadInt() {
  TF_ASSIGN_OR_RETURN(int64_t v, ReadLong());
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return Error("int out of range: " + std::to_string(v));
  }
  return static_cast<int32_t>(v);
}

Result<bool> Decoder::ReadBoolean() {
  if (pos_ >= data_.size()) return Error("truncated boolean");
  char b = data_[pos_++];
  if (b != 0 && b != 1) return Error("boolean byte is neither 0 nor 1");
  return b == 1;
}

Result<float> Decoder::ReadFloat() {
  if (remaining() < 4) return Error("truncated float");
  float v = FromLittleEndian<float>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

Result<double> Decoder::ReadDouble() {
  if (remaining() < 8) return Error("truncated double");
  double v = FromLittleEndian<double>(data_.data() + pos_);
  pos_ += 8;
  return v;
}

Result<std::string_view> Decoder::ReadBytes() {
  TF_ASSIGN_OR_RETURN(int64_t len, ReadLong());
  if (len < 0) return Error("negative length " + std::to_string(len));
  if (static_cast<uint64_t>(len) > remaining()) {
    return Error("length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) +
                 " bytes left");
  }
  return ReadFixed(static_cast<size_t>(len));
}

Result<std::string_view> Decoder::ReadFixed(size_t size) {
  if (size > remaining()) return Error("truncated: need " + std::to_string(size) + " bytes");
  std::string_view out = data_.substr(pos_, size);
  pos_ += size;
  return out;
}

Result<int64_t> Decoder::ReadBlockCount() {
  TF_ASSIGN_OR_RETURN(int64_t count, ReadLong());
  if (count < 0) {
    if (count == std::numeric_limits<int64_t>::min()) return Error("bad block count");
    count = -count;
    TF_ASSIGN_OR_RETURN(int64_t byte_size, ReadLong());
    if (byte_size < 0) return Error("negative block byte size");
  }
  return count;
}

// The recursive worker behind DecodeValue; a friend of Value.
Status DecodeInto(Decoder& d, const Node& schema, Value* out, int depth) {
  if (depth > kMaxValueDepth) return Status::Invalid("values nest deeper than 200 levels");
  out->schema_ = &schema;
  switch (schema.type) {
    case Type::kNull:
      return Status::OK();
    case Type::kBoolean: {
      TF_ASSIGN_OR_RETURN(out->bool_, d.ReadBoolean());
      return Status::OK();
    }
    case Type::kInt: {
      TF_ASSIGN_OR_RETURN(out->long_, d.ReadInt());
      return Status::OK();
    }
    case Type::kLong: {
      TF_ASSIGN_OR_RETURN(out->long_, d.ReadLong());
      return Status::OK();
    }
    case Type::kFloat: {
      TF_ASSIGN_OR_RETURN(out->double_, d.ReadFloat());
      return Status::OK();
    }
    case Type::kDouble: {
      TF_ASSIGN_OR_RETURN(out->double_, d.ReadDouble());
      return Status::OK();
    }
    case Type::kBytes:
    case Type::kString: {
      TF_ASSIGN_OR_RETURN(std::string_view v, d.ReadBytes());
      out->bytes_.assign(v);
      return Status::OK();
    }
    case Type::kFixed: {
      TF_ASSIGN_OR_RETURN(std::string_view v, d.ReadFixed(schema.fixed_size));
      out->bytes_.assign(v);
      return Status::OK();
    }
    case Type::kEnum: {
      TF_ASSIGN_OR_RETURN(int32_t index, d.ReadInt());
      if (index < 0 || static_cast<size_t>(index) >= schema.symbols.size()) {
        return Status::Invalid("at byte " + std::to_string(d.position()) + ": enum index " +
                               std::to_string(index) + " out of range for '" + schema.full_name +
                               "'");
      }
      out->long_ = index;
      out->bytes_ = schema.symbols[static_cast<size_t>(index)];
      return Status::OK();
    }
    case Type::kUnion: {
      TF_ASSIGN_OR_RETURN(int64_t branch, d.ReadLong());
      if (branch < 0 || static_cast<uint64_t>(branch) >= schema.branches.size()) {
        return Status::Invalid("at byte " + std::to_string(d.position()) + ": union branch " +
                               std::to_string(branch) + " out of range (" +
                               std::to_string(schema.branches.size()) + " branches)");
      }
      TF_RETURN_IF_ERROR(
          DecodeInto(d, *schema.branches[static_cast<size_t>(branch)], out, depth + 1));
      out->union_branch_ = static_cast<int>(branch);
      return Status::OK();
    }
    case Type::kRecord: {
      out->children_.resize(schema.fields.size());
      for (size_t i = 0; i < schema.fields.size(); ++i) {
        Status st = DecodeInto(d, *schema.fields[i].type, &out->children_[i], depth + 1);
        if (!st.ok()) return st.WithContext("field '" + schema.fields[i].name + "'");
      }
      return Status::OK();
    }
    case Type::kArray:
    case Type::kMap: {
      const bool is_map = schema.type == Type::kMap;
      const Node& item = is_map ? *schema.values : *schema.items;
      // A map entry also carries its string key, at least one byte.
      const size_t item_min = item.min_encoded_size + (is_map ? 1 : 0);
      int64_t total = 0;
      for (;;) {
        TF_ASSIGN_OR_RETURN(int64_t count, d.ReadBlockCount());
        if (count == 0) break;
        const bool fits = item_min == 0 ? total + count <= kMaxZeroSizeItems
                                        : static_cast<uint64_t>(count) <= d.remaining() / item_min;
        if (!fits) {
          return Status::Invalid("at byte " + std::to_string(d.position()) + ": block of " +
                                 std::to_string(count) + " items cannot fit the " +
                                 std::to_string(d.remaining()) + " bytes left");
        }
        total += count;
        for (int64_t i = 0; i < count; ++i) {
          if (is_map) {
            TF_ASSIGN_OR_RETURN(std::string_view key, d.ReadBytes());
            out->keys_.emplace_back(key);
          }
          out->children_.emplace_back();
          TF_RETURN_IF_ERROR(DecodeInto(d, item, &out->children_.back(), depth + 1));
        }
      }
      return Status::OK();
    }
  }
  return Status::Internal("unknown Avro type");
}

Status DecodeValue(Decoder& decoder, const Node& schema, Value* out) {
  *out = Value();
  return DecodeInto(decoder, schema, out, 0);
}

}  // namespace tradeflow::lake::avro
