// Avro binary encoding (Avro 1.11 spec, "Binary Encoding"), append-only into a std::string.
//
// The encoder knows nothing about schemas: callers write values in schema order. It exists
// because the Iceberg manifests need a hand-written Avro writer (see container.h for why).
//
//   int, long      zigzag, then base-128 varint, low group first
//   float, double  IEEE 754, little-endian
//   bytes, string  long length, then the raw bytes
//   fixed          the raw bytes, no length
//   union          long branch index, then the branch's value
//   array, map     blocks: long item count, the items (map: string key then value); a 0 count
//                  ends the value
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tradeflow::lake::avro {

// Zigzag maps signed to unsigned so that small magnitudes get short varints: 0,-1,1,-2 -> 0,1,2,3.
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

class Encoder {
 public:
  Encoder() = default;

  void WriteNull() {}  // null is zero bytes; kept so call sites mirror the schema
  void WriteBoolean(bool v) { buf_.push_back(v ? '\x01' : '\x00'); }
  void WriteInt(int32_t v) { WriteLong(v); }  // ints and longs share the encoding
  void WriteLong(int64_t v);
  void WriteFloat(float v);
  void WriteDouble(double v);
  void WriteBytes(std::string_view v);
  void WriteString(std::string_view v) { WriteBytes(v); }
  // REQUIRES: v.size() equals the fixed type's size.
  void WriteFixed(std::string_view v) { buf_.append(v); }
  // Selects a union branch by its 0-based position in the union's schema.
  void WriteUnionBranch(int64_t index) { WriteLong(index); }
  // Starts a block of `count` array items or map entries. Writing the items is up to the caller;
  // an empty array or map is just WriteBlockEnd().
  // REQUIRES: count > 0.
  void WriteBlockCount(int64_t count) { WriteLong(count); }
  void WriteBlockEnd() { buf_.push_back('\x00'); }

  const std::string& buffer() const { return buf_; }
  size_t size() const { return buf_.size(); }
  // Hands the bytes over and leaves the encoder empty.
  std::string Release() { return std::move(buf_); }
  void Clear() { buf_.clear(); }

 private:
  std::string buf_;  // everything written so far
};

}  // namespace tradeflow::lake::avro
