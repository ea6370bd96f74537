#include "lake/avro/encoder.h"

#include <bit>
#include <cstring>
#include <utility>

namespace tradeflow::lake::avro {

namespace {

template <typename T>
void AppendLittleEndian(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little ||
                std::endian::native == std::endian::big);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
  }
  out.append(bytes, sizeof(T));
}

}  // namespace

void Encoder::WriteLong(int64_t v) {
  uint64_t n = ZigZagEncode(v);
  while (n >= 0x80) {
    buf_.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  buf_.push_back(static_cast<char>(n));
}

void Encoder::WriteFloat(float v) { AppendLittleEndian(buf_, v); }

void Encoder::WriteDouble(double v) { AppendLittleEndian(buf_, v); }

void Encoder::WriteBytes(std::string_view v) {
  WriteLong(static_cast<int64_t>(v.size()));
  buf_.append(v);
}

}  // namespace tradeflow::lake::avro
