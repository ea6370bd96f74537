#include "lake/avro/encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "lake/avro/decoder.h"

namespace tradeflow::lake::avro {
namespace {

std::string Long(int64_t v) {
  Encoder e;
  e.WriteLong(v);
  return e.Release();
}

// The examples table in the Avro spec, "Binary Encoding" > "Primitive Types".
TEST(EncoderTest, ZigZagVarintSpecVectors) {
  EXPECT_EQ(Long(0), std::string("\x00", 1));
  EXPECT_EQ(Long(-1), "\x01");
  EXPECT_EQ(Long(1), "\x02");
  EXPECT_EQ(Long(-2), "\x03");
  EXPECT_EQ(Long(2), "\x04");
  EXPECT_EQ(Long(-64), "\x7f");
  EXPECT_EQ(Long(64), "\x80\x01");
}

TEST(EncoderTest, IntUsesTheLongEncoding) {
  Encoder e;
  e.WriteInt(-64);
  e.WriteInt(64);
  EXPECT_EQ(e.buffer(), "\x7f\x80\x01");
}

TEST(EncoderTest, ExtremeLongsTakeTenBytesAndRoundTrip) {
  for (int64_t v : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    std::string bytes = Long(v);
    EXPECT_EQ(bytes.size(), 10u);
    Decoder d(bytes);
    auto back = d.ReadLong();
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, v);
    EXPECT_TRUE(d.AtEnd());
  }
}

TEST(EncoderTest, LongsRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-65}, int64_t{1} << 31,
                    -(int64_t{1} << 40), int64_t{123456789012345}}) {
    std::string bytes = Long(v);
    Decoder d(bytes);
    auto back = d.ReadLong();
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
  }
}

TEST(EncoderTest, StringsAreLengthPrefixed) {
  Encoder e;
  e.WriteString("foo");  // the spec's example: 06 66 6f 6f
  EXPECT_EQ(e.buffer(),
            "\x06"
            "foo");
  e.Clear();
  e.WriteString("");
  EXPECT_EQ(e.buffer(), std::string("\x00", 1));
  e.Clear();
  e.WriteBytes(std::string(64, 'x'));
  EXPECT_EQ(e.buffer().substr(0, 2), "\x80\x01");
  EXPECT_EQ(e.size(), 66u);
}

TEST(EncoderTest, BooleanFloatDoubleFixedUnion) {
  Encoder e;
  e.WriteBoolean(true);
  e.WriteBoolean(false);
  e.WriteNull();
  e.WriteFloat(1.5f);   // 0x3fc00000, little-endian
  e.WriteDouble(-2.0);  // 0xc000000000000000, little-endian
  e.WriteFixed("ab");
  e.WriteUnionBranch(1);
  EXPECT_EQ(e.buffer(), std::string("\x01\x00"
                                    "\x00\x00\xc0\x3f"
                                    "\x00\x00\x00\x00\x00\x00\x00\xc0"
                                    "ab"
                                    "\x02",
                                    17));
  Decoder d(e.buffer());
  EXPECT_EQ(*d.ReadBoolean(), true);
  EXPECT_EQ(*d.ReadBoolean(), false);
  EXPECT_EQ(*d.ReadFloat(), 1.5f);
  EXPECT_EQ(*d.ReadDouble(), -2.0);
  EXPECT_EQ(*d.ReadFixed(2), "ab");
  EXPECT_EQ(*d.ReadLong(), 1);
  EXPECT_TRUE(d.AtEnd());
}

TEST(EncoderTest, ArrayBlocks) {
  // The spec's example: array of longs [3, 27] is 04 06 36 00.
  Encoder e;
  e.WriteBlockCount(2);
  e.WriteLong(3);
  e.WriteLong(27);
  e.WriteBlockEnd();
  EXPECT_EQ(e.buffer(), std::string("\x04\x06\x36\x00", 4));
}

TEST(DecoderTest, RejectsMalformedPrimitives) {
  {
    Decoder d("\x80\x80");  // continuation bits with nothing after
    EXPECT_EQ(d.ReadLong().status().code(), StatusCode::kInvalidArgument);
  }
  {
    std::string eleven(11, '\xff');
    Decoder d(eleven);
    auto r = d.ReadLong();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("varint longer than 10 bytes"), std::string::npos);
  }
  {
    const std::string big = Long(int64_t{1} << 40);
    Decoder d(big);
    EXPECT_FALSE(d.ReadInt().ok());  // does not fit an int
  }
  {
    std::string bytes = Long(100) + "short";
    Decoder d(bytes);
    auto r = d.ReadBytes();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("exceeds"), std::string::npos);
  }
  {
    const std::string negative = Long(-5);
    Decoder d(negative);
    EXPECT_FALSE(d.ReadBytes().ok());  // negative length
  }
  {
    Decoder d("\x02");
    EXPECT_FALSE(d.ReadBoolean().ok());  // neither 0 nor 1
  }
  {
    Decoder d("\x01\x02\x03");
    EXPECT_FALSE(d.ReadFloat().ok());
    EXPECT_FALSE(d.ReadDouble().ok());
  }
}

TEST(DecoderTest, NegativeBlockCountCarriesAByteSize) {
  Encoder e;
  e.WriteLong(-2);  // two items follow, preceded by their byte size
  e.WriteLong(2);
  e.WriteLong(3);
  e.WriteLong(27);
  e.WriteBlockEnd();
  auto schema = Schema::Parse(R"({"type":"array","items":"long"})");
  ASSERT_TRUE(schema.ok());
  Decoder d(e.buffer());
  Value v;
  ASSERT_TRUE(DecodeValue(d, (*schema)->root(), &v).ok());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(*v.items()[0].AsLong(), 3);
  EXPECT_EQ(*v.items()[1].AsLong(), 27);
  EXPECT_TRUE(d.AtEnd());
}

TEST(DecoderTest, HugeBlockCountIsRejectedBeforeAllocating) {
  auto schema = Schema::Parse(R"({"type":"array","items":"null"})");
  ASSERT_TRUE(schema.ok());
  std::string bytes = Long(int64_t{1} << 50);
  Decoder d(bytes);
  Value v;
  Status st = DecodeValue(d, (*schema)->root(), &v);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);

  auto longs = Schema::Parse(R"({"type":"array","items":"long"})");
  Decoder d2(bytes);
  EXPECT_EQ(DecodeValue(d2, (*longs)->root(), &v).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tradeflow::lake::avro
