#include "model/wire_shredder.h"

#include <arrow/array.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>
#include <arrow/scalar.h>
#include <arrow/table.h>
#include <arrow/util/base64.h>
#include <arrow/util/key_value_metadata.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/file_writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "common/arrow_status.h"
#include "model/proto_batch_builder.h"
#include "model/proto_schema.h"
#include "tradeflow/quarantine/v1/quarantine.pb.h"
#include "tradeflow/reference/v1/reference.pb.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorProto;
using google::protobuf::FieldDescriptor;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;
using google::protobuf::Reflection;
using tradeflow::trade::v1::TradeEvent;

// ---- Test-only message types ------------------------------------------------------------------
// The canonical protos use few wire types; these two files, built at run time, cover the rest:
// every scalar type, packed and unpacked repeated fields, maps of every value kind, oneofs, a
// field number too large for a dense table, and proto2 defaults, closed enums and groups.

FieldDescriptorProto* AddField(DescriptorProto* m, const std::string& name, int number,
                               FieldDescriptorProto::Type type, const std::string& type_name = "",
                               bool repeated = false) {
  FieldDescriptorProto* f = m->add_field();
  f->set_name(name);
  f->set_number(number);
  f->set_type(type);
  f->set_label(repeated ? FieldDescriptorProto::LABEL_REPEATED
                        : FieldDescriptorProto::LABEL_OPTIONAL);
  if (!type_name.empty()) f->set_type_name(type_name);
  return f;
}

// A map field `name` (one lowercase word, so its entry type is simply "<Name>Entry").
void AddMap(DescriptorProto* m, const std::string& name, int number,
            FieldDescriptorProto::Type key_type, FieldDescriptorProto::Type value_type,
            const std::string& value_type_name = "") {
  std::string entry_name =
      std::string(1, static_cast<char>(std::toupper(name[0]))) + name.substr(1) + "Entry";
  DescriptorProto* entry = m->add_nested_type();
  entry->set_name(entry_name);
  entry->mutable_options()->set_map_entry(true);
  AddField(entry, "key", 1, key_type);
  AddField(entry, "value", 2, value_type, value_type_name);
  AddField(m, name, number, FieldDescriptorProto::TYPE_MESSAGE, entry_name, true);
}

void AddEnum(FileDescriptorProto* file, const std::string& name,
             const std::vector<std::pair<std::string, int>>& values) {
  auto* e = file->add_enum_type();
  e->set_name(name);
  for (const auto& [value_name, number] : values) {
    auto* v = e->add_value();
    v->set_name(value_name);
    v->set_number(number);
  }
}

FileDescriptorProto AllKindsFile() {
  using T = FieldDescriptorProto;
  FileDescriptorProto file;
  file.set_name("wiretest/all_kinds.proto");
  file.set_package("tradeflow.wiretest");
  file.set_syntax("proto3");
  file.add_dependency("google/protobuf/timestamp.proto");
  file.add_dependency("tradeflow/trade/v1/types.proto");
  AddEnum(&file, "Color",
          {{"COLOR_UNSPECIFIED", 0},
           {"COLOR_RED", 1},
           {"COLOR_BLUE", 5},
           {"COLOR_BIG", 5000},
           {"COLOR_NEGATIVE", -3}});
  const std::string color = ".tradeflow.wiretest.Color";
  const std::string decimal = ".tradeflow.trade.v1.Decimal";
  const std::string date = ".tradeflow.trade.v1.Date";
  const std::string timestamp = ".google.protobuf.Timestamp";
  const std::string inner = ".tradeflow.wiretest.Inner";

  DescriptorProto* in = file.add_message_type();
  in->set_name("Inner");
  AddField(in, "s", 1, T::TYPE_STRING);
  AddField(in, "n", 2, T::TYPE_SINT64);
  AddField(in, "colors", 3, T::TYPE_ENUM, color, true);
  AddField(in, "raw", 4, T::TYPE_BYTES);
  AddField(in, "when", 5, T::TYPE_MESSAGE, timestamp);

  DescriptorProto* m = file.add_message_type();
  m->set_name("AllKinds");
  AddField(m, "s", 1, T::TYPE_STRING);
  AddField(m, "b", 2, T::TYPE_BYTES);
  AddField(m, "i32", 3, T::TYPE_INT32);
  AddField(m, "i64", 4, T::TYPE_INT64);
  AddField(m, "u32", 5, T::TYPE_UINT32);
  AddField(m, "s32", 6, T::TYPE_SINT32);
  AddField(m, "s64", 7, T::TYPE_SINT64);
  AddField(m, "f32", 8, T::TYPE_FIXED32);
  AddField(m, "sf32", 9, T::TYPE_SFIXED32);
  AddField(m, "sf64", 10, T::TYPE_SFIXED64);
  AddField(m, "flag", 11, T::TYPE_BOOL);
  AddField(m, "fl", 12, T::TYPE_FLOAT);
  AddField(m, "d", 13, T::TYPE_DOUBLE);
  AddField(m, "color", 14, T::TYPE_ENUM, color);
  auto* dec = AddField(m, "dec", 15, T::TYPE_MESSAGE, decimal);
  dec->mutable_options()->SetExtension(trade::v1::decimal_precision, 20);
  dec->mutable_options()->SetExtension(trade::v1::decimal_scale, 4);
  AddField(m, "date", 16, T::TYPE_MESSAGE, date);
  AddField(m, "ts", 17, T::TYPE_MESSAGE, timestamp);
  AddField(m, "inner", 18, T::TYPE_MESSAGE, inner);
  AddField(m, "rs", 20, T::TYPE_STRING, "", true);
  AddField(m, "rb", 21, T::TYPE_BYTES, "", true);
  AddField(m, "ri32", 22, T::TYPE_INT32, "", true);
  AddField(m, "rs64", 23, T::TYPE_SINT64, "", true);
  AddField(m, "rf32", 24, T::TYPE_FIXED32, "", true);
  AddField(m, "rd", 25, T::TYPE_DOUBLE, "", true);
  AddField(m, "rflag", 26, T::TYPE_BOOL, "", true);
  AddField(m, "rcolor", 27, T::TYPE_ENUM, color, true);
  AddField(m, "rdec", 28, T::TYPE_MESSAGE, decimal, true);
  AddField(m, "rdate", 29, T::TYPE_MESSAGE, date, true);
  AddField(m, "rts", 30, T::TYPE_MESSAGE, timestamp, true);
  AddField(m, "rinner", 31, T::TYPE_MESSAGE, inner, true);
  AddField(m, "rfl", 32, T::TYPE_FLOAT, "", true);
  AddField(m, "ru32", 33, T::TYPE_UINT32, "", true)->mutable_options()->set_packed(false);
  AddField(m, "rsf64", 34, T::TYPE_SFIXED64, "", true);
  AddMap(m, "sint", 40, T::TYPE_STRING, T::TYPE_INT32);
  AddMap(m, "smsg", 41, T::TYPE_STRING, T::TYPE_MESSAGE, inner);
  AddMap(m, "sdec", 42, T::TYPE_STRING, T::TYPE_MESSAGE, decimal);
  AddMap(m, "scolor", 43, T::TYPE_STRING, T::TYPE_ENUM, color);
  AddMap(m, "sbytes", 44, T::TYPE_STRING, T::TYPE_BYTES);
  AddMap(m, "sts", 45, T::TYPE_STRING, T::TYPE_MESSAGE, timestamp);
  AddMap(m, "sstr", 46, T::TYPE_STRING, T::TYPE_STRING);
  AddMap(m, "sdate", 47, T::TYPE_STRING, T::TYPE_MESSAGE, date);
  AddMap(m, "intkey", 48, T::TYPE_SINT64, T::TYPE_STRING);  // not filled randomly, see Filler
  m->add_oneof_decl()->set_name("choice");
  AddField(m, "o_s", 50, T::TYPE_STRING)->set_oneof_index(0);
  AddField(m, "o_inner", 51, T::TYPE_MESSAGE, inner)->set_oneof_index(0);
  AddField(m, "o_i", 52, T::TYPE_INT32)->set_oneof_index(0);
  m->add_oneof_decl()->set_name("_opt_i");
  auto* opt = AddField(m, "opt_i", 53, T::TYPE_INT32);
  opt->set_proto3_optional(true);
  opt->set_oneof_index(1);
  AddField(m, "far", 100000, T::TYPE_STRING);  // makes the field table sparse
  return file;
}

FileDescriptorProto LegacyFile() {
  using T = FieldDescriptorProto;
  FileDescriptorProto file;
  file.set_name("wiretest/legacy.proto");
  file.set_package("tradeflow.wiretest");
  file.set_syntax("proto2");
  // A map value needs an enum whose first value is 0; Tier's default is its first value, 1.
  AddEnum(&file, "Level",
          {{"LEVEL_ZERO", 0}, {"LEVEL_LOW", 1}, {"LEVEL_HIGH", 2}, {"LEVEL_MAX", 7}});
  AddEnum(&file, "Tier", {{"TIER_ONE", 1}, {"TIER_TWO", 2}});
  const std::string level = ".tradeflow.wiretest.Level";
  DescriptorProto* m = file.add_message_type();
  m->set_name("Legacy");
  AddField(m, "n", 1, T::TYPE_INT32)->set_default_value("42");
  AddField(m, "s", 2, T::TYPE_STRING)->set_default_value("dflt");
  AddField(m, "level", 3, T::TYPE_ENUM, level);
  AddField(m, "level2", 4, T::TYPE_ENUM, level)->set_default_value("LEVEL_MAX");
  AddField(m, "unpacked", 5, T::TYPE_INT32, "", true);
  AddField(m, "packed", 6, T::TYPE_SINT32, "", true)->mutable_options()->set_packed(true);
  AddField(m, "levels", 7, T::TYPE_ENUM, level, true);
  DescriptorProto* grp = m->add_nested_type();
  grp->set_name("Grp");
  AddField(grp, "g", 1, T::TYPE_INT32);
  AddField(grp, "gs", 2, T::TYPE_STRING);
  AddField(m, "grp", 8, T::TYPE_GROUP, ".tradeflow.wiretest.Legacy.Grp");
  DescriptorProto* items = m->add_nested_type();
  items->set_name("Items");
  AddField(items, "x", 1, T::TYPE_FIXED32);
  AddField(m, "items", 9, T::TYPE_GROUP, ".tradeflow.wiretest.Legacy.Items", true);
  AddField(m, "d", 10, T::TYPE_DOUBLE)->set_default_value("1.5");
  AddField(m, "b", 11, T::TYPE_BOOL)->set_default_value("true");
  AddField(m, "ss", 12, T::TYPE_SINT32)->set_default_value("-7");
  AddField(m, "f", 13, T::TYPE_FLOAT)->set_default_value("2.5");
  AddMap(m, "lvmap", 14, T::TYPE_STRING, T::TYPE_ENUM, level);
  AddField(m, "u", 15, T::TYPE_UINT32)->set_default_value("4000000000");
  AddField(m, "sf", 16, T::TYPE_SFIXED32)->set_default_value("-9");
  AddField(m, "s64", 17, T::TYPE_SINT64)->set_default_value("-1234567890123");
  AddField(m, "by", 18, T::TYPE_BYTES)->set_default_value("\\001x");
  AddField(m, "tier", 19, T::TYPE_ENUM, ".tradeflow.wiretest.Tier");
  return file;
}

class TestTypes {
 public:
  static TestTypes& Get() {
    static TestTypes* types = new TestTypes();
    return *types;
  }

  const Descriptor* Find(const std::string& name) const {
    const Descriptor* d = pool_.FindMessageTypeByName(name);
    EXPECT_NE(d, nullptr) << name;
    return d;
  }

  std::unique_ptr<Message> New(const Descriptor* d) {
    if (d->file()->pool() == google::protobuf::DescriptorPool::generated_pool()) {
      return std::unique_ptr<Message>(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
    }
    return std::unique_ptr<Message>(factory_.GetPrototype(d)->New());
  }

 private:
  TestTypes() : pool_(google::protobuf::DescriptorPool::generated_pool()), factory_(&pool_) {
    // Submessages of generated types (Timestamp, Decimal) stay generated, as ProtoBatchBuilder
    // expects of a Timestamp.
    factory_.SetDelegateToGeneratedFactory(true);
    google::protobuf::Timestamp::descriptor();
    trade::v1::Decimal::descriptor();
    EXPECT_NE(pool_.BuildFile(AllKindsFile()), nullptr);
    EXPECT_NE(pool_.BuildFile(LegacyFile()), nullptr);
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_;
};

// ---- Helpers ----------------------------------------------------------------------------------

std::string Serialize(const Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    EXPECT_TRUE(m.SerializeToCodedStream(&coded));
  }
  return out;
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Tag(uint32_t number, uint32_t wire_type) {
  return Varint((static_cast<uint64_t>(number) << 3) | wire_type);
}
std::string LengthDelimited(uint32_t number, std::string_view bytes) {
  return Tag(number, 2) + Varint(bytes.size()) + std::string(bytes);
}

std::shared_ptr<arrow::Schema> SchemaOf(const Descriptor* d) {
  auto derived = DeriveArrowSchema(d);
  EXPECT_TRUE(derived.ok()) << derived.status().ToString();
  return derived.ok() ? derived->schema : nullptr;
}

Result<std::shared_ptr<arrow::RecordBatch>> ProtoBatch(const Descriptor* d,
                                                       const std::vector<const Message*>& rows) {
  TF_ASSIGN_OR_RETURN(auto builder, ProtoBatchBuilder::Make(d, SchemaOf(d)));
  for (const Message* m : rows) TF_RETURN_IF_ERROR(builder->Append(*m));
  return builder->Finish();
}

Result<std::shared_ptr<parquet::SchemaDescriptor>> ParquetSchemaOf(const arrow::Schema& schema) {
  std::shared_ptr<parquet::SchemaDescriptor> out;
  TF_RETURN_IF_ARROW_ERROR(
      parquet::arrow::ToParquetSchema(&schema, *parquet::default_writer_properties(),
                                      *parquet::default_arrow_writer_properties(), &out));
  return out;
}

// Shreds the rows, writes them to a Parquet file in row groups of up to `group_rows` rows (the
// shredder cleared between them) and reads the file back. The file carries the Arrow schema, as
// Arrow's writer does, so that it reads back as is.
Result<std::shared_ptr<arrow::RecordBatch>> WireBatch(const Descriptor* d,
                                                      const std::vector<std::string>& rows,
                                                      size_t group_rows = 7) {
  auto schema = SchemaOf(d);
  TF_ASSIGN_OR_RETURN(auto parquet_schema, ParquetSchemaOf(*schema));
  TF_ASSIGN_OR_RETURN(auto shredder, WireShredder::Make(d, schema, *parquet_schema));
  TF_ASSIGN_OR_RETURN_ARROW(auto sink, arrow::io::BufferOutputStream::Create());
  TF_ASSIGN_OR_RETURN_ARROW(auto ipc, arrow::ipc::SerializeSchema(*schema));
  auto metadata = arrow::key_value_metadata(
      std::vector<std::string>{"ARROW:schema"},
      std::vector<std::string>{arrow::util::base64_encode(ipc->ToString())});
  auto root = std::static_pointer_cast<parquet::schema::GroupNode>(parquet_schema->schema_root());
  auto writer =
      parquet::ParquetFileWriter::Open(sink, root, parquet::default_writer_properties(), metadata);
  for (size_t start = 0; start < rows.size(); start += group_rows) {
    for (size_t i = start; i < std::min(rows.size(), start + group_rows); ++i) {
      TF_RETURN_IF_ERROR(shredder->Append(rows[i]));
    }
    if (shredder->num_rows() != static_cast<int64_t>(std::min(group_rows, rows.size() - start))) {
      return Status::Internal("num_rows is " + std::to_string(shredder->num_rows()));
    }
    auto* group = writer->AppendRowGroup();
    for (int c = 0; c < shredder->num_columns(); ++c) {
      TF_RETURN_IF_ERROR(shredder->WriteColumn(c, group->NextColumn()));
    }
    group->Close();
    shredder->Clear();
  }
  writer->Close();
  TF_ASSIGN_OR_RETURN_ARROW(auto buffer, sink->Finish());
  TF_ASSIGN_OR_RETURN_ARROW(
      auto reader, parquet::arrow::OpenFile(std::make_shared<arrow::io::BufferReader>(buffer),
                                            arrow::default_memory_pool()));
  TF_ASSIGN_OR_RETURN_ARROW(auto table, reader->ReadTable());
  TF_ASSIGN_OR_RETURN_ARROW(auto batch, table->CombineChunksToBatch());
  // The schema read back carries the Parquet field ids as metadata; compare the data.
  return arrow::RecordBatch::Make(schema, batch->num_rows(), batch->columns());
}

Status WireError(const Descriptor* d, std::string_view bytes) {
  auto schema = SchemaOf(d);
  TF_ASSIGN_OR_RETURN(auto parquet_schema, ParquetSchemaOf(*schema));
  TF_ASSIGN_OR_RETURN(auto shredder, WireShredder::Make(d, schema, *parquet_schema));
  return shredder->Append(bytes);
}

// Batches must be equal; on failure names the first differing column and row.
void ExpectSameBatch(const arrow::RecordBatch& want, const arrow::RecordBatch& got) {
  ASSERT_TRUE(got.ValidateFull().ok()) << got.ValidateFull().ToString();
  if (want.Equals(got)) return;
  ASSERT_TRUE(want.schema()->Equals(*got.schema())) << got.schema()->ToString();
  ASSERT_EQ(want.num_rows(), got.num_rows());
  for (int i = 0; i < want.num_columns(); ++i) {
    const auto& a = want.column(i);
    const auto& b = got.column(i);
    if (a->Equals(b)) continue;
    for (int64_t row = 0; row < want.num_rows(); ++row) {
      if (a->Slice(row, 1)->Equals(b->Slice(row, 1))) continue;
      FAIL() << "column " << want.schema()->field(i)->name() << " differs first at row " << row
             << "\nProtoBatchBuilder: " << a->Slice(row, 1)->ToString()
             << "\nWireShredder:      " << b->Slice(row, 1)->ToString();
    }
    FAIL() << "column " << want.schema()->field(i)->name() << " differs (not per row)";
  }
  FAIL() << "batches differ, columns do not";
}

// Builds the batch both ways: from the messages by reflection, from their bytes on the wire.
void ExpectSameAsProto(const std::vector<const Message*>& messages) {
  ASSERT_FALSE(messages.empty());
  const Descriptor* d = messages[0]->GetDescriptor();
  std::vector<std::string> bytes;
  for (const Message* m : messages) bytes.push_back(Serialize(*m));
  auto want = ProtoBatch(d, messages);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto got = WireBatch(d, bytes);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameBatch(**want, **got);
}

void ExpectSameAsProto(const Message& message) { ExpectSameAsProto({&message}); }

// Wire bytes that are not a serialized message (unknown fields, odd encodings): the batch must
// be what ProtoBatchBuilder gives for the message ParseFromString makes of them.
void ExpectSameAsParsed(const Descriptor* d, const std::string& bytes) {
  auto parsed = TestTypes::Get().New(d);
  ASSERT_TRUE(parsed->ParseFromString(bytes));
  auto want = ProtoBatch(d, {parsed.get()});
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto got = WireBatch(d, {bytes});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameBatch(**want, **got);
}

// ---- Random messages --------------------------------------------------------------------------

// Fills any message by reflection with random values of every kind, absent fields included.
class Filler {
 public:
  explicit Filler(uint32_t seed) : rng_(seed) {}

  void Fill(Message* m, int depth) {
    const Descriptor* d = m->GetDescriptor();
    for (int i = 0; i < d->oneof_decl_count(); ++i) {  // at most one member of each
      const auto* oneof = d->oneof_decl(i);
      int chosen = Uniform(-1, oneof->field_count() - 1);
      if (chosen >= 0) SetValue(m, oneof->field(chosen), depth, /*add=*/false);
    }
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->containing_oneof() != nullptr) continue;
      if (f->is_map()) {
        FillMap(m, f, depth);
      } else if (f->is_repeated()) {
        int n = Uniform(0, depth > 2 ? 1 : 3);
        for (int k = 0; k < n; ++k) SetValue(m, f, depth, /*add=*/true);
      } else if (Chance(f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth > 2 ? 0.2
                                                                                       : 0.7)) {
        SetValue(m, f, depth, /*add=*/false);
      }
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  template <typename T>
  T Integer() {
    if (Chance(0.2)) return 0;
    if (Chance(0.5)) return static_cast<T>(Uniform(-100, 1000));
    return static_cast<T>(rng_());  // full range, mixing in the high bits for 64-bit types
  }
  int64_t Int64() {
    if (Chance(0.5)) return Integer<int32_t>();
    return static_cast<int64_t>((static_cast<uint64_t>(rng_()) << 32) ^ rng_());
  }
  double Real() {
    switch (Uniform(0, 3)) {
      case 0:
        return 0;
      case 1:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      case 2:
        return -0.0;
      default:
        return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng_), Uniform(-60, 60));
    }
  }

  std::string Text() {
    static const char* kPieces[] = {"a", "b", "Z", "0", " ", "é", "_", "€", "desk"};
    std::string out;
    int n = Chance(0.2) ? 0 : Uniform(1, 5);
    for (int i = 0; i < n; ++i) out += kPieces[Uniform(0, 8)];
    return out;
  }
  std::string Binary() {
    std::string out(Chance(0.2) ? 0 : Uniform(1, 6), '\0');
    for (char& c : out) c = static_cast<char>(Uniform(0, 255));
    return out;
  }

  // Valid decimal text within the field's precision and scale, or "" (a null Decimal).
  std::string DecimalText(const FieldDescriptor* f) {
    if (Chance(0.1)) return "";
    DecimalType t = DecimalTypeOf(f);
    int int_digits = Uniform(1, std::min(15, std::max(1, t.precision - t.scale)));
    int frac_digits = Uniform(0, std::min(12, t.scale));
    std::string out = Chance(0.3) ? "-" : "";
    out += std::to_string(Uniform(int_digits == 1 ? 0 : 1, 9));
    for (int i = 1; i < int_digits; ++i) out += std::to_string(Uniform(0, 9));
    if (frac_digits > 0) out += ".";
    for (int i = 0; i < frac_digits; ++i) out += std::to_string(Uniform(0, 9));
    return out;
  }

  int EnumNumber(const FieldDescriptor* f) {
    const auto* e = f->enum_type();
    bool open = f->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
    if (open && Chance(0.15)) return Chance(0.5) ? 0 : 900 + Uniform(0, 50);  // 0 or unknown
    return e->value(Uniform(0, e->value_count() - 1))->number();
  }

  void FillSpecial(Message* m, const FieldDescriptor* field, int depth) {
    const Descriptor* d = m->GetDescriptor();
    const Reflection* r = m->GetReflection();
    if (IsDecimalMessage(d)) {
      r->SetString(m, d->field(0), DecimalText(field));
    } else if (IsDateMessage(d)) {
      if (Chance(0.1)) return;  // all zero: a null date
      r->SetInt32(m, d->field(0), Uniform(1, 9999));
      r->SetInt32(m, d->field(1), Uniform(1, 12));
      r->SetInt32(m, d->field(2), Uniform(1, 28));
    } else if (IsTimestampMessage(d)) {
      if (Chance(0.1)) return;  // present but empty: the epoch
      auto* ts = static_cast<google::protobuf::Timestamp*>(m);
      ts->set_seconds(std::uniform_int_distribution<int64_t>(-62135596800, 253402300799)(rng_));
      ts->set_nanos(Uniform(0, 999999999));
    } else {
      Fill(m, depth + 1);
    }
  }

  // Sets (or with `add`, appends) one random value of `f`.
  void SetValue(Message* m, const FieldDescriptor* f, int depth, bool add) {
    const Reflection* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v = Integer<int32_t>();
        add ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = Int64();
        add ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = Integer<uint32_t>();
        add ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v = Chance(0.5);
        add ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        float v = static_cast<float>(Real());
        add ? r->AddFloat(m, f, v) : r->SetFloat(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double v = Real();
        add ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        int v = EnumNumber(f);
        add ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = f->type() == FieldDescriptor::TYPE_BYTES ? Binary() : Text();
        add ? r->AddString(m, f, v) : r->SetString(m, f, v);
        return;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        FillSpecial(add ? r->AddMessage(m, f) : r->MutableMessage(m, f), f, depth);
        return;
      case FieldDescriptor::CPPTYPE_UINT64:
        return;
    }
  }

  // String keys only: ProtoBatchBuilder sorts those, other keys come in hash-map order.
  void FillMap(Message* m, const FieldDescriptor* f, int depth) {
    const Descriptor* entry = f->message_type();
    if (entry->map_key()->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return;
    std::vector<std::string> keys = {"", "a", "b", "desk", "é", "zz", "B"};
    std::shuffle(keys.begin(), keys.end(), rng_);
    int n = Uniform(0, 3);
    for (int i = 0; i < n; ++i) {
      Message* e = m->GetReflection()->AddMessage(m, f);
      e->GetReflection()->SetString(e, entry->map_key(), keys[i]);
      // Always set the value: serialization writes it anyway, and an entry built by reflection
      // without one reads as absent until the map is synced.
      SetValue(e, entry->map_value(), depth, /*add=*/false);
    }
  }

  std::mt19937 rng_;
};

void ExpectRandomMessagesMatch(const Descriptor* d, uint32_t seed, int count = 500) {
  Filler filler(seed);
  std::vector<std::unique_ptr<Message>> messages;
  std::vector<const Message*> rows;
  for (int i = 0; i < count; ++i) {
    messages.push_back(TestTypes::Get().New(d));
    if (i % 10 != 0) filler.Fill(messages.back().get(), 0);  // every tenth is empty
    rows.push_back(messages.back().get());
  }
  ExpectSameAsProto(rows);
}

TEST(WireShredderTest, RandomTradeEventsMatchProtoBatchBuilder) {
  ExpectRandomMessagesMatch(TradeEvent::descriptor(), 1);
}

TEST(WireShredderTest, RandomQuarantineRecordsMatchProtoBatchBuilder) {
  ExpectRandomMessagesMatch(quarantine::v1::QuarantineRecord::descriptor(), 2);
}

TEST(WireShredderTest, RandomReferenceRowsMatchProtoBatchBuilder) {
  namespace ref = reference::v1;
  uint32_t seed = 3;
  for (const Descriptor* d : {ref::Counterparty::descriptor(), ref::Book::descriptor(),
                              ref::Product::descriptor(), ref::ContractSpec::descriptor(),
                              ref::UnitConversion::descriptor(), ref::FxRate::descriptor()}) {
    SCOPED_TRACE(d->full_name());
    ExpectRandomMessagesMatch(d, seed++);
  }
}

TEST(WireShredderTest, RandomMessagesOfEveryFieldKindMatchProtoBatchBuilder) {
  ExpectRandomMessagesMatch(TestTypes::Get().Find("tradeflow.wiretest.AllKinds"), 4);
}

TEST(WireShredderTest, RandomProto2MessagesMatchProtoBatchBuilder) {
  ExpectRandomMessagesMatch(TestTypes::Get().Find("tradeflow.wiretest.Legacy"), 5);
}

// Clear() starts over: the rows come out the same in row groups of any size, and num_rows counts
// the rows since the last Clear() (checked by WireBatch).
// The trades shredded in row groups of each size read back as ProtoBatchBuilder builds them.
void ExpectSameInRowGroupsOf(const std::vector<TradeEvent>& trades,
                             std::initializer_list<size_t> sizes) {
  std::vector<const Message*> rows;
  std::vector<std::string> bytes;
  for (const auto& t : trades) {
    rows.push_back(&t);
    bytes.push_back(Serialize(t));
  }
  auto want = ProtoBatch(TradeEvent::descriptor(), rows);
  ASSERT_TRUE(want.ok());
  for (size_t group_rows : sizes) {
    SCOPED_TRACE("row groups of " + std::to_string(group_rows));
    auto got = WireBatch(TradeEvent::descriptor(), bytes, group_rows);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSameBatch(**want, **got);
  }
}

TEST(WireShredderTest, RowGroupsOfAnySizeMatchProtoBatchBuilder) {
  Filler filler(6);
  std::vector<TradeEvent> trades(20);
  for (auto& t : trades) filler.Fill(&t, 0);
  ExpectSameInRowGroupsOf(trades, {1, 3, 10, 20});
}

// An absent struct puts one entry in every column below it: runs of absent and present structs,
// nested, ending at every row-group boundary.
TEST(WireShredderTest, RunsOfAbsentStructsAcrossRowGroupsMatchProtoBatchBuilder) {
  Filler filler(7);
  std::vector<TradeEvent> trades(120);
  for (size_t i = 0; i < trades.size(); ++i) {
    // Runs of 1 to 7 rows alike: empty, only parties, or random (nested structs come and go).
    const size_t run = (i / 7) % 3;
    if (run == 1)
      trades[i].mutable_parties()->mutable_counterparty()->set_name("C" + std::to_string(i));
    if (run == 2) filler.Fill(&trades[i], 0);
  }
  ExpectSameInRowGroupsOf(trades, {1, 3, 8, 120});
}

// ---- Targeted cases ---------------------------------------------------------------------------

TEST(WireShredderTest, AbsentTimestampIsNullAndEmptyTimestampIsZero) {
  TradeEvent absent, empty;
  empty.mutable_execution_time();
  ExpectSameAsProto({&absent, &empty});
  auto got = WireBatch(TradeEvent::descriptor(), {Serialize(absent), Serialize(empty)});
  ASSERT_TRUE(got.ok());
  auto ts =
      std::static_pointer_cast<arrow::TimestampArray>((*got)->GetColumnByName("execution_time"));
  EXPECT_FALSE(ts->IsValid(0));
  ASSERT_TRUE(ts->IsValid(1));
  EXPECT_EQ(ts->Value(1), 0);
}

TEST(WireShredderTest, AbsentProto3OptionalScalarIsNullAndZeroIsZero) {
  quarantine::v1::QuarantineRecord absent, zero, three;
  zero.set_source_version(0);
  three.set_source_version(3);
  ExpectSameAsProto({&absent, &zero, &three});
  auto got = WireBatch(quarantine::v1::QuarantineRecord::descriptor(),
                       {Serialize(absent), Serialize(zero), Serialize(three)});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto version =
      std::static_pointer_cast<arrow::Int64Array>((*got)->GetColumnByName("source_version"));
  EXPECT_FALSE(version->IsValid(0));
  ASSERT_TRUE(version->IsValid(1));
  EXPECT_EQ(version->Value(1), 0);
  EXPECT_EQ(version->Value(2), 3);
  // Other proto3 scalars stay their default when absent.
  auto line = std::static_pointer_cast<arrow::Int64Array>((*got)->GetColumnByName("line"));
  ASSERT_TRUE(line->IsValid(0));
  EXPECT_EQ(line->Value(0), 0);
}

TEST(WireShredderTest, EnumZeroAndUnknownNumbersAreNull) {
  TradeEvent t;
  t.set_action(trade::v1::ACTION_UNSPECIFIED);
  t.set_event_type(static_cast<trade::v1::EventType>(77));  // open enum: kept, unknown
  t.set_direction(trade::v1::SIDE_SELL);
  ExpectSameAsProto(t);
  // An explicit 0 on the wire (proto3 never writes one) is null too.
  std::string bytes = Serialize(t) + Tag(10, 0) + Varint(0);
  ExpectSameAsParsed(TradeEvent::descriptor(), bytes);
  auto got = WireBatch(TradeEvent::descriptor(), {bytes});
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE((*got)->GetColumnByName("action")->IsValid(0));
  EXPECT_FALSE((*got)->GetColumnByName("event_type")->IsValid(0));
  EXPECT_EQ((*got)->GetColumnByName("direction")->GetScalar(0).ValueOrDie()->ToString(), "SELL");
}

TEST(WireShredderTest, EmptyRepeatedFieldIsAnEmptyList) {
  TradeEvent none, one_empty_leg;
  one_empty_leg.add_legs();
  ExpectSameAsProto({&none, &one_empty_leg});
  auto got = WireBatch(TradeEvent::descriptor(), {Serialize(none), Serialize(one_empty_leg)});
  ASSERT_TRUE(got.ok());
  auto legs = std::static_pointer_cast<arrow::ListArray>((*got)->GetColumnByName("legs"));
  EXPECT_TRUE(legs->IsValid(0));
  EXPECT_EQ(legs->value_length(0), 0);
  EXPECT_EQ(legs->value_length(1), 1);
  EXPECT_TRUE(legs->values()->IsValid(0));  // a present, empty leg is a struct, not null
}

TEST(WireShredderTest, MapKeyIsNeverNullAndEmptyValueIs) {
  TradeEvent t;
  (*t.mutable_source_attributes())[""] = "x";
  (*t.mutable_source_attributes())["a"] = "";
  ExpectSameAsProto(t);
  auto got = WireBatch(TradeEvent::descriptor(), {Serialize(t)});
  ASSERT_TRUE(got.ok());
  auto map =
      std::static_pointer_cast<arrow::MapArray>((*got)->GetColumnByName("source_attributes"));
  ASSERT_EQ(map->value_length(0), 2);
  EXPECT_TRUE(map->keys()->IsValid(0));
  EXPECT_EQ(std::static_pointer_cast<arrow::StringArray>(map->keys())->GetString(0), "");
  EXPECT_FALSE(map->items()->IsValid(1));
}

TEST(WireShredderTest, MapEntryWithoutKeyOrValueReadsAsDefaults) {
  const Descriptor* d = TestTypes::Get().Find("tradeflow.wiretest.AllKinds");
  // smsg (41) without a key, sdec (42) and sstr (46) without a value.
  std::string bytes = LengthDelimited(41, LengthDelimited(2, "")) +
                      LengthDelimited(42, LengthDelimited(1, "k")) +
                      LengthDelimited(46, LengthDelimited(1, "k"));
  ExpectSameAsParsed(d, bytes);
  // A missing message value: generated code stores an empty message, DynamicMessage none.
  Status st = WireError(d, LengthDelimited(41, LengthDelimited(1, "k")));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("smsg.value"), std::string::npos) << st.message();
}

TEST(WireShredderTest, NonStringMapKeysKeepWireOrder) {
  const Descriptor* d = TestTypes::Get().Find("tradeflow.wiretest.AllKinds");
  auto m = TestTypes::Get().New(d);
  const FieldDescriptor* f = d->FindFieldByName("intkey");
  for (int64_t key : {5, -2, 9}) {
    Message* e = m->GetReflection()->AddMessage(m.get(), f);
    e->GetReflection()->SetInt64(e, f->message_type()->map_key(), key);
    e->GetReflection()->SetString(e, f->message_type()->map_value(), "v");
  }
  auto got = WireBatch(d, {Serialize(*m)});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto map = std::static_pointer_cast<arrow::MapArray>((*got)->GetColumnByName("intkey"));
  auto keys = std::static_pointer_cast<arrow::Int64Array>(map->keys());
  ASSERT_EQ(keys->length(), 3);
  EXPECT_EQ(keys->Value(0), -2);  // deterministic serialization sorts them
  EXPECT_EQ(keys->Value(1), 5);
  EXPECT_EQ(keys->Value(2), 9);
}

TEST(WireShredderTest, UnknownFieldsAreSkipped) {
  TradeEvent t;
  t.set_trade_uid("X:1");
  t.add_legs()->set_leg_number(2);
  std::string group = Tag(997, 3) + Tag(1, 0) + Varint(300) + LengthDelimited(2, "in") + Tag(3, 3) +
                      Tag(3, 4) + Tag(997, 4);
  std::string unknown = Tag(999, 0) + Varint(1ull << 60) + Tag(998, 1) + std::string(8, 'x') +
                        LengthDelimited(996, "skipped") + group + Tag(995, 5) + "abcd";
  std::string parties = LengthDelimited(30, LengthDelimited(3, "BOOK") + unknown);
  std::string bytes = Serialize(t) + unknown + parties;
  ExpectSameAsParsed(TradeEvent::descriptor(), bytes);

  const Descriptor* all = TestTypes::Get().Find("tradeflow.wiretest.AllKinds");  // sparse table
  ExpectSameAsParsed(all, unknown + LengthDelimited(100000, "far") + unknown);
}

TEST(WireShredderTest, PackedAndUnpackedEncodingsAreBothRead) {
  const Descriptor* d = TestTypes::Get().Find("tradeflow.wiretest.AllKinds");
  // ri32 (22) is packed by default, ru32 (33) is not: write each the other way, and one in
  // two packed runs.
  std::string bytes = Tag(22, 0) + Varint(7) + Tag(22, 0) + Varint(static_cast<uint64_t>(-1)) +
                      LengthDelimited(33, Varint(1) + Varint(4000000000)) +
                      LengthDelimited(33, Varint(2));
  ExpectSameAsParsed(d, bytes);
}

TEST(WireShredderTest, Proto2ClosedEnumDropsUnknownNumbers) {
  const Descriptor* d = TestTypes::Get().Find("tradeflow.wiretest.Legacy");
  std::string bytes = Tag(3, 0) + Varint(99) +  // singular: reads as the default
                      LengthDelimited(6, Varint(3) + Varint(4)) + Tag(7, 0) + Varint(2) +
                      Tag(7, 0) + Varint(99) +  // element dropped
                      LengthDelimited(7, Varint(1) + Varint(98) + Varint(7)) +
                      LengthDelimited(14, LengthDelimited(1, "b") + Tag(2, 0) + Varint(1));
  ExpectSameAsParsed(d, bytes);
  // In a map value the parsers disagree (generated code drops the entry): rejected.
  Status st = WireError(d, LengthDelimited(14, LengthDelimited(1, "a") + Tag(2, 0) + Varint(99)));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("lvmap.value"), std::string::npos) << st.message();
}

TEST(WireShredderTest, TruncatedBytesAreInvalid) {
  Filler filler(7);
  TradeEvent t;
  filler.Fill(&t, 0);
  t.set_trade_uid("ENDUR:1001");
  std::string bytes = Serialize(t);
  google::protobuf::LogSilencer quiet;  // protobuf logs prefixes that cut a UTF-8 sequence
  // Every prefix: where protobuf parses it, the batches match; where it does not, Invalid.
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string prefix = bytes.substr(0, n);
    TradeEvent parsed;
    if (parsed.ParseFromString(prefix)) {
      ExpectSameAsParsed(TradeEvent::descriptor(), prefix);
    } else {
      Status st = WireError(TradeEvent::descriptor(), prefix);
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << n << ": " << st.ToString();
    }
  }
  TradeEvent one;
  one.set_source_trade_id("1001");
  std::string cut = Serialize(one);
  cut.pop_back();
  Status st = WireError(TradeEvent::descriptor(), cut);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("source_trade_id"), std::string::npos) << st.message();
}

TEST(WireShredderTest, SplitRepeatedFieldIsInvalid) {
  TradeEvent leg, uid;
  leg.add_legs()->set_leg_number(1);
  uid.set_trade_uid("X");
  Status st = WireError(TradeEvent::descriptor(), Serialize(leg) + Serialize(uid) + Serialize(leg));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("legs"), std::string::npos) << st.message();
  // Contiguous elements written as separate messages are fine.
  ExpectSameAsParsed(TradeEvent::descriptor(), Serialize(leg) + Serialize(leg) + Serialize(uid));
}

TEST(WireShredderTest, RepeatedSingularFieldOrOneofIsInvalid) {
  TradeEvent uid;
  uid.set_trade_uid("X");
  Status st = WireError(TradeEvent::descriptor(), Serialize(uid) + Serialize(uid));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("trade_uid"), std::string::npos) << st.message();

  trade::v1::Leg fixed, floating;
  fixed.mutable_fixed();
  floating.mutable_floating();
  st = WireError(TradeEvent::descriptor(),
                 LengthDelimited(41, Serialize(fixed) + Serialize(floating)));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("legs.floating"), std::string::npos) << st.message();
}

TEST(WireShredderTest, WrongWireTypeIsInvalid) {
  Status st = WireError(TradeEvent::descriptor(), Tag(5, 2) + Varint(1) + "x");  // source_version
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("source_version"), std::string::npos) << st.message();
}

TEST(WireShredderTest, UnsortedOrDuplicateMapKeysAreInvalid) {
  TradeEvent a, b;
  (*a.mutable_source_attributes())["a"] = "1";
  (*b.mutable_source_attributes())["b"] = "2";
  EXPECT_TRUE(WireError(TradeEvent::descriptor(), Serialize(a) + Serialize(b)).ok());
  for (const std::string& bytes : {Serialize(b) + Serialize(a), Serialize(a) + Serialize(a)}) {
    Status st = WireError(TradeEvent::descriptor(), bytes);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("source_attributes"), std::string::npos) << st.message();
  }
}

TEST(WireShredderTest, BadDecimalOrDateIsInvalid) {
  for (const char* text : {"abc", "1.1234567"}) {  // quantity has scale 6
    TradeEvent t;
    t.add_legs()->mutable_quantity()->mutable_value()->set_value(text);
    Status st = WireError(TradeEvent::descriptor(), Serialize(t));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(st.message().find("legs.quantity.value"), std::string::npos) << st.message();
    EXPECT_FALSE(ProtoBatch(TradeEvent::descriptor(), {&t}).ok());
  }
  TradeEvent t;
  t.mutable_trade_date()->set_year(2026);
  t.mutable_trade_date()->set_month(2);
  t.mutable_trade_date()->set_day(30);
  Status st = WireError(TradeEvent::descriptor(), Serialize(t));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("trade_date"), std::string::npos) << st.message();
  EXPECT_FALSE(ProtoBatch(TradeEvent::descriptor(), {&t}).ok());
}

}  // namespace
}  // namespace tradeflow::model
