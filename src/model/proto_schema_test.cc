#include "model/proto_schema.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

#include <set>

#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;
using tradeflow::trade::v1::TradeEvent;

void CollectIds(const arrow::Field& f, std::set<int32_t>* ids) {
  int32_t id = FieldIdOf(f);
  EXPECT_GT(id, 0) << f.name() << " has no field id";
  EXPECT_TRUE(ids->insert(id).second) << "duplicate id " << id << " at " << f.name();
  auto type = f.type();
  // A map's key_value group is structure, not a column: Iceberg ids its key and value only.
  if (type->id() == arrow::Type::MAP) type = type->field(0)->type();
  for (const auto& child : type->fields()) CollectIds(*child, ids);
}

TEST(ProtoSchemaTest, EveryColumnHasAUniqueFieldId) {
  auto derived = DeriveArrowSchema(TradeEvent::descriptor());
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  std::set<int32_t> ids;
  for (const auto& f : derived->schema->fields()) CollectIds(*f, &ids);
  EXPECT_EQ(static_cast<int32_t>(ids.size()), derived->ids.last_column_id);
  EXPECT_EQ(*ids.rbegin(), derived->ids.last_column_id);
  // Top-level fields are numbered first, in declaration order.
  EXPECT_EQ(FieldIdOf(*derived->schema->field(0)), 1);
  EXPECT_EQ(derived->schema->field(0)->name(), "trade_uid");
}

TEST(ProtoSchemaTest, MapsTypesAsDocumented) {
  auto derived = DeriveArrowSchema(TradeEvent::descriptor());
  ASSERT_TRUE(derived.ok());
  const auto& s = *derived->schema;
  EXPECT_TRUE(s.GetFieldByName("source_version")->type()->Equals(arrow::int64()));
  EXPECT_TRUE(s.GetFieldByName("action")->type()->Equals(arrow::utf8()));
  EXPECT_TRUE(s.GetFieldByName("trade_date")->type()->Equals(arrow::date32()));
  EXPECT_TRUE(s.GetFieldByName("execution_time")
                  ->type()
                  ->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  auto legs = s.GetFieldByName("legs")->type();
  ASSERT_EQ(legs->id(), arrow::Type::LIST);
  auto child = [](const std::shared_ptr<arrow::DataType>& t, const std::string& name) {
    return static_cast<const arrow::StructType&>(*t).GetFieldByName(name)->type();
  };
  auto leg = legs->field(0)->type();
  EXPECT_TRUE(child(child(leg, "quantity"), "value")->Equals(arrow::decimal128(38, 6)));
  auto price = child(child(leg, "fixed"), "price");
  EXPECT_TRUE(child(price, "value")->Equals(arrow::decimal128(38, 10)));
  auto attrs = s.GetFieldByName("source_attributes")->type();
  ASSERT_EQ(attrs->id(), arrow::Type::MAP);
  EXPECT_FALSE(attrs->field(0)->type()->field(0)->nullable());  // map keys are required
}

TEST(ProtoSchemaTest, EnumLabelsDropThePrefix) {
  const auto* action = tradeflow::trade::v1::Action_descriptor();
  EXPECT_EQ(EnumValueLabel(action->FindValueByName("ACTION_CORRECT")), "CORRECT");
  const auto* it = tradeflow::trade::v1::InstrumentType_descriptor();
  EXPECT_EQ(EnumValueLabel(it->FindValueByName("INSTRUMENT_TYPE_PHYSICAL_FORWARD")),
            "PHYSICAL_FORWARD");
}

// The evolution rule: adding fields to the proto keeps every existing id and numbers the new
// columns after last-column-id, wherever in the tree they are added.
TEST(ProtoSchemaTest, AddingFieldsKeepsExistingIds) {
  auto before = DeriveArrowSchema(TradeEvent::descriptor());
  ASSERT_TRUE(before.ok());

  // Rebuild trade_event.proto with two extra fields, as a developer editing it would.
  DescriptorPool pool;
  for (const auto* file : {google::protobuf::FileDescriptorProto::descriptor()->file(),
                           google::protobuf::Timestamp::descriptor()->file(),
                           tradeflow::trade::v1::Decimal::descriptor()->file()}) {
    FileDescriptorProto proto;
    file->CopyTo(&proto);
    ASSERT_NE(pool.BuildFile(proto), nullptr);
  }
  FileDescriptorProto trade_file;
  TradeEvent::descriptor()->file()->CopyTo(&trade_file);
  for (auto& message : *trade_file.mutable_message_type()) {
    if (message.name() == "TradeEvent") {
      auto* f = message.add_field();
      f->set_name("desk_comment");
      f->set_number(70);
      f->set_type(FieldDescriptorProto::TYPE_STRING);
      f->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
    }
    if (message.name() == "Quantity") {
      auto* f = message.add_field();
      f->set_name("tolerance_pct");
      f->set_number(20);
      f->set_type(FieldDescriptorProto::TYPE_MESSAGE);
      f->set_type_name(".tradeflow.trade.v1.Decimal");
      f->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
    }
  }
  const auto* evolved_file = pool.BuildFile(trade_file);
  ASSERT_NE(evolved_file, nullptr);
  auto after = DeriveArrowSchema(evolved_file->FindMessageTypeByName("TradeEvent"), before->ids);
  ASSERT_TRUE(after.ok()) << after.status().ToString();

  for (const auto& [path, id] : before->ids.by_path) {
    ASSERT_EQ(after->ids.by_path.count(path), 1u) << path;
    EXPECT_EQ(after->ids.by_path.at(path), id) << path;
  }
  int32_t last = before->ids.last_column_id;
  EXPECT_EQ(after->ids.last_column_id, last + 2);
  std::set<int32_t> fresh = {after->ids.by_path.at("desk_comment"),
                             after->ids.by_path.at("legs.element.quantity.tolerance_pct")};
  EXPECT_EQ(fresh, (std::set<int32_t>{last + 1, last + 2}));
  EXPECT_EQ(FieldIdOf(*after->schema->GetFieldByName("desk_comment")),
            after->ids.by_path.at("desk_comment"));
}

}  // namespace
}  // namespace tradeflow::model
