#include "lake/avro/container.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lake/avro/encoder.h"
#include "lake/avro/reader.h"

namespace tradeflow::lake::avro {
namespace {

// Every Avro type, named-type references (qualified and not), and a recursive record.
constexpr char kSchema[] = R"({"type":"record","name":"Rec","namespace":"t","fields":[
  {"name":"n","type":"null"},
  {"name":"b","type":"boolean"},
  {"name":"i","type":"int","field-id":7},
  {"name":"l","type":"long"},
  {"name":"f","type":"float"},
  {"name":"d","type":"double"},
  {"name":"by","type":"bytes"},
  {"name":"s","type":"string"},
  {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
  {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
  {"name":"a","type":{"type":"array","items":"long","element-id":9}},
  {"name":"m","type":{"type":"map","values":"string"}},
  {"name":"u","type":["null","string","Color"]},
  {"name":"fx2","type":"t.Four"},
  {"name":"dt","type":{"type":"int","logicalType":"date"}},
  {"name":"next","type":["null","Rec"]}]})";

void EncodeRecord(Encoder& e, int k, int depth = 0) {
  e.WriteNull();
  e.WriteBoolean(k % 2 == 0);
  e.WriteInt(k - 500);
  e.WriteLong(int64_t{k} * 1000000007);
  e.WriteFloat(static_cast<float>(k) / 4);
  e.WriteDouble(k * 0.5);
  e.WriteBytes(std::string(static_cast<size_t>(k % 5), '\x01'));
  e.WriteString("row-" + std::to_string(k));
  e.WriteInt(k % 2);  // enum index
  e.WriteFixed("abcd");
  // array: k % 3 items
  if (k % 3 != 0) {
    e.WriteBlockCount(k % 3);
    for (int j = 0; j < k % 3; ++j) e.WriteLong(j);
  }
  e.WriteBlockEnd();
  // map: one entry
  e.WriteBlockCount(1);
  e.WriteString("key");
  e.WriteString(std::to_string(k));
  e.WriteBlockEnd();
  // union: null, string or enum
  e.WriteUnionBranch(k % 3);
  if (k % 3 == 1) e.WriteString("u" + std::to_string(k));
  if (k % 3 == 2) e.WriteInt(1);
  e.WriteFixed("wxyz");
  e.WriteInt(19737);
  if (depth == 0 && k % 10 == 0) {
    e.WriteUnionBranch(1);
    EncodeRecord(e, k + 1, depth + 1);
  } else {
    e.WriteUnionBranch(0);
  }
}

void CheckRecord(const Value& v, int k, int depth = 0) {
  ASSERT_EQ(v.type(), Type::kRecord);
  EXPECT_TRUE(v.Field("n")->IsNull());
  EXPECT_EQ(*v.Field("b")->AsBool(), k % 2 == 0);
  EXPECT_EQ(*v.Field("i")->AsInt(), k - 500);
  EXPECT_EQ(v.FieldById(7), v.Field("i"));
  EXPECT_EQ(*v.Field("l")->AsLong(), int64_t{k} * 1000000007);
  EXPECT_EQ(*v.Field("f")->AsDouble(), static_cast<float>(k) / 4);
  EXPECT_EQ(*v.Field("d")->AsDouble(), k * 0.5);
  EXPECT_EQ(*v.Field("by")->AsBytes(), std::string(static_cast<size_t>(k % 5), '\x01'));
  EXPECT_EQ(*v.Field("s")->AsString(), "row-" + std::to_string(k));
  EXPECT_EQ(*v.Field("e")->EnumSymbol(), k % 2 ? "GREEN" : "RED");
  EXPECT_EQ(*v.Field("fx")->AsBytes(), "abcd");
  const Value* a = v.Field("a");
  ASSERT_EQ(a->size(), static_cast<size_t>(k % 3));
  ASSERT_EQ(a->schema()->element_id, 9);
  for (int j = 0; j < k % 3; ++j) EXPECT_EQ(*a->items()[static_cast<size_t>(j)].AsLong(), j);
  const Value* m = v.Field("m");
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ(m->map_keys()[0], "key");
  EXPECT_EQ(*m->items()[0].AsString(), std::to_string(k));
  const Value* u = v.Field("u");
  EXPECT_EQ(u->union_branch(), k % 3);
  if (k % 3 == 0) {
    EXPECT_TRUE(u->IsNull());
  } else if (k % 3 == 1) {
    EXPECT_EQ(*u->AsString(), "u" + std::to_string(k));
  } else {
    EXPECT_EQ(*u->EnumSymbol(), "GREEN");
  }
  EXPECT_EQ(*v.Field("fx2")->AsBytes(), "wxyz");
  EXPECT_EQ(v.Field("dt")->schema()->logical_type, "date");
  const Value* next = v.Field("next");
  if (depth == 0 && k % 10 == 0) {
    CheckRecord(*next, k + 1, depth + 1);
  } else {
    EXPECT_TRUE(next->IsNull());
  }
  EXPECT_EQ(v.Field("nope"), nullptr);
  EXPECT_FALSE(v.Field("s")->AsLong().ok());  // wrong type is an error, not a crash
}

std::string MakeFile(Codec codec, int records, size_t block_bytes = 64 * 1024) {
  ContainerOptions options;
  options.codec = codec;
  options.block_bytes = block_bytes;
  options.metadata = {{"format-version", "2"}, {"schema", "{\"x\":1}"}};
  ContainerWriter writer(kSchema, options);
  for (int k = 0; k < records; ++k) {
    Encoder e;
    EncodeRecord(e, k);
    writer.Append(e.buffer());
  }
  auto bytes = writer.Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::string();
}

class ContainerRoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(ContainerRoundTrip, EveryTypeSurvives) {
  // Small blocks, so the file has many of them.
  const std::string bytes = MakeFile(GetParam(), 500, 1024);
  ASSERT_EQ(bytes.substr(0, 4), std::string("Obj\x01", 4));
  auto file = ReadContainer(bytes, "roundtrip.avro");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->codec, GetParam());
  ASSERT_NE(file->FindMetadata("avro.schema"), nullptr);
  EXPECT_EQ(*file->FindMetadata("avro.schema"), kSchema);  // verbatim
  EXPECT_EQ(*file->FindMetadata("avro.codec"), CodecName(GetParam()));
  EXPECT_EQ(*file->FindMetadata("format-version"), "2");
  EXPECT_EQ(*file->FindMetadata("schema"), "{\"x\":1}");
  EXPECT_EQ(file->FindMetadata("absent"), nullptr);
  ASSERT_EQ(file->records.size(), 500u);
  for (int k = 0; k < 500; ++k) CheckRecord(file->records[static_cast<size_t>(k)], k);
}

TEST_P(ContainerRoundTrip, EmptyFileHasOnlyAHeader) {
  auto file = ReadContainer(MakeFile(GetParam(), 0), "empty.avro");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_TRUE(file->records.empty());
}

INSTANTIATE_TEST_SUITE_P(Codecs, ContainerRoundTrip,
                         ::testing::Values(Codec::kNull, Codec::kDeflate),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(ContainerTest, DeflateCompresses) {
  EXPECT_LT(MakeFile(Codec::kDeflate, 200).size(), MakeFile(Codec::kNull, 200).size() / 2);
}

TEST(ContainerTest, SyncMarkersAreRandomUnlessFixed) {
  std::string a = MakeFile(Codec::kNull, 1), b = MakeFile(Codec::kNull, 1);
  EXPECT_NE(a, b);
  ContainerOptions options;
  options.sync_marker = SyncMarker{};
  auto c = WriteContainer("\"long\"", {"\x02"}, options);
  auto d = WriteContainer("\"long\"", {"\x02"}, options);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_EQ(*c, *d);
}

TEST(ContainerTest, ReservedOrDuplicateMetadataKeysAreInvalid) {
  ContainerOptions options;
  options.metadata = {{"avro.codec", "null"}};
  EXPECT_EQ(WriteContainer("\"long\"", {}, options).status().code(), StatusCode::kInvalidArgument);
  options.metadata = {{"k", "1"}, {"k", "2"}};
  EXPECT_EQ(WriteContainer("\"long\"", {}, options).status().code(), StatusCode::kInvalidArgument);
}

class ContainerCorruption : public ::testing::TestWithParam<Codec> {};

TEST_P(ContainerCorruption, EveryTruncationIsInvalidAndNamesTheFile) {
  const std::string bytes = MakeFile(GetParam(), 30, 256);
  int accepted = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto file = ReadContainer(std::string_view(bytes).substr(0, len), "cut.avro");
    if (file.ok()) {
      // A cut exactly after a block's sync marker is a well-formed, shorter file; the format
      // cannot tell. (Manifest lists record each manifest's exact length for this reason.)
      EXPECT_LT(file->records.size(), 30u);
      ++accepted;
      continue;
    }
    EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(file.status().message().rfind("cut.avro: ", 0), 0u) << file.status().message();
  }
  EXPECT_LE(accepted, 30);  // at most one per block boundary
}

TEST_P(ContainerCorruption, FlippedBytesNeverCrash) {
  const std::string bytes = MakeFile(GetParam(), 20, 256);
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (char mask : {'\x01', '\x80', '\xff'}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      auto file = ReadContainer(bad, "flip.avro");
      if (!file.ok()) {
        ++rejected;
        EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ContainerCorruption,
                         ::testing::Values(Codec::kNull, Codec::kDeflate),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(ContainerTest, SpecificCorruptionsAreExplained) {
  const std::string good = MakeFile(Codec::kNull, 3);
  auto message = [](const std::string& bytes) {
    auto file = ReadContainer(bytes, "x.avro");
    EXPECT_FALSE(file.ok());
    return file.ok() ? std::string() : file.status().message();
  };
  std::string bad_magic = good;
  bad_magic[3] = '\x02';
  EXPECT_NE(message(bad_magic).find("bad magic"), std::string::npos);

  std::string bad_sync = good;
  bad_sync.back() = static_cast<char>(bad_sync.back() ^ 1);
  EXPECT_NE(message(bad_sync).find("sync marker mismatch"), std::string::npos);

  EXPECT_NE(message(good + "x").find("block 1"), std::string::npos);

  Encoder header;
  header.WriteFixed(kMagic);
  header.WriteBlockCount(1);
  header.WriteString("avro.codec");
  header.WriteBytes("snappy");
  header.WriteBlockEnd();
  header.WriteFixed(std::string(16, 's'));
  EXPECT_NE(message(header.buffer()).find("avro.schema"), std::string::npos);

  Encoder h2;
  h2.WriteFixed(kMagic);
  h2.WriteBlockCount(2);
  h2.WriteString("avro.schema");
  h2.WriteBytes("\"long\"");
  h2.WriteString("avro.codec");
  h2.WriteBytes("snappy");
  h2.WriteBlockEnd();
  h2.WriteFixed(std::string(16, 's'));
  EXPECT_NE(message(h2.buffer()).find("unsupported Avro codec 'snappy'"), std::string::npos);
}

TEST(ContainerTest, SchemaErrorsAreInvalid) {
  for (const char* bad :
       {"{", "{\"type\":\"record\",\"name\":\"R\"}", "\"Undefined\"", "[]", "[\"null\",[\"int\"]]",
        "{\"type\":\"fixed\",\"name\":\"F\"}", "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"R\"},"
        "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}}]}"}) {
    auto schema = Schema::Parse(bad);
    EXPECT_EQ(schema.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace tradeflow::lake::avro
