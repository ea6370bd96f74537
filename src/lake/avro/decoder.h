// Bounds-checked reading of Avro binary primitives (the inverse of encoder.h), and decoding of
// whole values driven by a writer schema.
//
// Input is untrusted: every length and count is checked against the bytes that remain before
// anything is allocated or read, varints longer than 10 bytes are rejected, and nesting depth is
// limited. Any violation is Status::Invalid naming the byte offset; nothing here crashes or
// loops on malformed input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "lake/avro/schema.h"
#include "lake/avro/value.h"

namespace tradeflow::lake::avro {

// Reads from a view it does not own.
// REQUIRES: the viewed bytes outlive the Decoder (and any string_view it returned).
class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  Result<int64_t> ReadLong();
  Result<int32_t> ReadInt();  // Invalid if the value does not fit 32 bits
  Result<bool> ReadBoolean();
  Result<float> ReadFloat();
  Result<double> ReadDouble();
  // Length-prefixed bytes or string; the view points into the input.
  Result<std::string_view> ReadBytes();
  Result<std::string_view> ReadFixed(size_t size);
  // The item count of the next array/map block (0 ends the value). A negative count on the wire
  // is followed by the block's byte size, which is read and skipped here.
  Result<int64_t> ReadBlockCount();

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }

 private:
  Status Error(std::string_view what) const;

  std::string_view data_;
  size_t pos_ = 0;  // next byte to read
};

// Decodes one value of type `schema` into *out.
Status DecodeValue(Decoder& decoder, const Node& schema, Value* out);

}  // namespace tradeflow::lake::avro
