#include "model/proto_json.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tradeflow/quarantine/v1/quarantine.pb.h"
#include "tradeflow/reference/v1/reference.pb.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Sets a random selection of fields of `m` to random values, recursively.
class Filler {
 public:
  explicit Filler(uint32_t seed) : random_(seed) {}

  void Fill(Message* m, int depth = 0) {
    const auto* d = m->GetDescriptor();
    const auto* r = m->GetReflection();
    if (d->full_name() == "google.protobuf.Timestamp") {
      auto* ts = static_cast<google::protobuf::Timestamp*>(m);
      ts->set_seconds(static_cast<int64_t>(random_() % 4000000000ULL) - 100000000);
      const int32_t nanos[] = {0, 123000000, 123456000, 123456789};
      ts->set_nanos(nanos[random_() % 4]);
      return;
    }
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (random_() % 3 == 0) continue;
      if (f->is_repeated()) {
        int n = static_cast<int>(random_() % 3);
        for (int k = 0; k < n; ++k) Add(m, r, f, depth);
      } else {
        Set(m, r, f, depth);
      }
    }
  }

 private:
  std::string Text() {
    const char* texts[] = {"",
                           "ENDUR",
                           "line \"17\"",
                           "a\\b",
                           "tab\there",
                           "caf\xC3\xA9",
                           "<tag> & more",
                           "new\nline",
                           "\x01 control"};
    return texts[random_() % 9];
  }

  void Set(Message* m, const google::protobuf::Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->SetInt32(m, f, static_cast<int32_t>(random_() % 2000) - 1000);
      case FieldDescriptor::CPPTYPE_INT64:
        return r->SetInt64(m, f, static_cast<int64_t>(random_()) * 1000003 - 7);
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->SetUInt32(m, f, static_cast<uint32_t>(random_()));
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->SetUInt64(m, f, static_cast<uint64_t>(random_()) << 20);
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->SetBool(m, f, random_() % 2);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->SetDouble(m, f, static_cast<double>(random_() % 1000) / 8);
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->SetFloat(m, f, static_cast<float>(random_() % 1000) / 4);
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = f->enum_type();
        return r->SetEnumValue(m, f,
                               e->value(static_cast<int>(random_() % e->value_count()))->number());
      }
      case FieldDescriptor::CPPTYPE_STRING:
        return r->SetString(m, f, Text());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 6) Fill(r->MutableMessage(m, f), depth + 1);
        return;
    }
  }

  void Add(Message* m, const google::protobuf::Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return r->AddString(m, f, Text());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 6) Fill(r->AddMessage(m, f), depth + 1);
        return;
      case FieldDescriptor::CPPTYPE_INT32:
        return r->AddInt32(m, f, static_cast<int32_t>(random_() % 100));
      case FieldDescriptor::CPPTYPE_INT64:
        return r->AddInt64(m, f, static_cast<int64_t>(random_()));
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->AddEnumValue(m, f, f->enum_type()->value(0)->number());
      default:
        return;
    }
  }

  std::mt19937 random_;
};

nlohmann::json Reference(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &text, options).ok());
  return nlohmann::json::parse(text);
}

nlohmann::json Ours(const Message& m) {
  std::string text;
  Status st = AppendProtoJson(m, &text);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return nlohmann::json::parse(text);
}

template <typename T>
void ExpectSameAsProtobuf(int rounds) {
  Filler filler(42);
  for (int i = 0; i < rounds; ++i) {
    T message;
    filler.Fill(&message);
    ASSERT_EQ(Ours(message), Reference(message)) << message.DebugString();
  }
}

TEST(ProtoJsonTest, TradeEventsPrintAsProtobufPrintsThem) {
  ExpectSameAsProtobuf<tradeflow::trade::v1::TradeEvent>(300);
}

TEST(ProtoJsonTest, QuarantineAndReferenceRowsToo) {
  ExpectSameAsProtobuf<tradeflow::quarantine::v1::QuarantineRecord>(100);
  ExpectSameAsProtobuf<tradeflow::reference::v1::ContractSpec>(100);
  ExpectSameAsProtobuf<tradeflow::reference::v1::FxRate>(100);
}

TEST(ProtoJsonTest, EmptyMessageIsAnEmptyObject) {
  std::string text;
  ASSERT_TRUE(AppendProtoJson(tradeflow::trade::v1::TradeEvent(), &text).ok());
  EXPECT_EQ(text, "{}");
}

TEST(ProtoJsonTest, TimestampsAreRfc3339InUtc) {
  tradeflow::trade::v1::TradeEvent t;
  t.mutable_execution_time()->set_seconds(1778479343);  // 2026-05-11T06:02:23Z
  t.mutable_execution_time()->set_nanos(760000000);
  std::string text;
  ASSERT_TRUE(AppendProtoJson(t, &text).ok());
  EXPECT_EQ(text, R"({"execution_time":"2026-05-11T06:02:23.760Z"})");
}

TEST(ProtoJsonTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  tradeflow::trade::v1::TradeEvent t;
  t.set_source_trade_id(std::string("caf\xE9 \xC3\xA9 \xED\xA0\x80 \xF0\x9F\x98\x80"));
  std::string text;
  ASSERT_TRUE(AppendProtoJson(t, &text).ok());
  const std::string bad = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(text, "{\"source_trade_id\":\"caf" + bad + " \xC3\xA9 " + bad + bad + bad +
                      " \xF0\x9F\x98\x80\"}");
  EXPECT_NO_THROW(nlohmann::json::parse(text));
}

}  // namespace
}  // namespace tradeflow::model
