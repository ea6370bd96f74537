#include "model/proto_batch_builder.h"

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <gtest/gtest.h>

#include "model/proto_schema.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using namespace tradeflow::trade::v1;

TradeEvent SampleTrade() {
  TradeEvent t;
  t.set_trade_uid("ENDUR:1001");
  t.set_source_system("ENDUR");
  t.set_source_trade_id("1001");
  t.set_source_version(3);
  t.set_action(ACTION_CORRECT);
  t.set_action_raw("AMENDED");
  t.mutable_trade_date()->set_year(2026);
  t.mutable_trade_date()->set_month(3);
  t.mutable_trade_date()->set_day(14);
  t.mutable_execution_time()->set_seconds(1773482400);  // 2026-03-14T10:00:00Z
  t.mutable_execution_time()->set_nanos(123456000);
  t.mutable_parties()->set_book("CRUDE-LDN");
  Leg* leg = t.add_legs();
  leg->set_leg_number(1);
  leg->mutable_quantity()->mutable_value()->set_value("1000.5");
  leg->mutable_fixed()->mutable_price()->mutable_value()->set_value("72.1234567891");
  (*t.mutable_source_attributes())["desk"] = "Crude";
  (*t.mutable_source_attributes())["comment"] = "";
  return t;
}

TEST(ProtoBatchBuilderTest, ConvertsEveryKindOfField) {
  auto derived = DeriveArrowSchema(TradeEvent::descriptor());
  ASSERT_TRUE(derived.ok());
  auto builder = ProtoBatchBuilder::Make(TradeEvent::descriptor(), derived->schema);
  ASSERT_TRUE(builder.ok()) << builder.status().ToString();
  ASSERT_TRUE((*builder)->Append(SampleTrade()).ok());
  ASSERT_TRUE((*builder)->Append(TradeEvent()).ok());
  auto batch = (*builder)->Finish();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const auto& b = **batch;
  ASSERT_EQ(b.num_rows(), 2);
  ASSERT_TRUE(b.ValidateFull().ok());

  EXPECT_EQ(b.GetColumnByName("source_version")->GetScalar(0).ValueOrDie()->ToString(), "3");
  EXPECT_EQ(b.GetColumnByName("action")->GetScalar(0).ValueOrDie()->ToString(), "CORRECT");
  EXPECT_FALSE(b.GetColumnByName("action")->IsValid(1));                  // UNSPECIFIED → null
  EXPECT_FALSE(b.GetColumnByName("source_trade_id_scheme")->IsValid(0));  // "" → null
  EXPECT_EQ(b.GetColumnByName("trade_date")->GetScalar(0).ValueOrDie()->ToString(), "2026-03-14");
  auto ts = std::static_pointer_cast<arrow::TimestampArray>(b.GetColumnByName("execution_time"));
  EXPECT_EQ(ts->Value(0), 1773482400123456LL);
  EXPECT_FALSE(b.GetColumnByName("parties")->IsValid(1));

  auto legs = std::static_pointer_cast<arrow::ListArray>(b.GetColumnByName("legs"));
  ASSERT_EQ(legs->value_length(0), 1);
  EXPECT_EQ(legs->value_length(1), 0);
  auto leg = std::static_pointer_cast<arrow::StructArray>(legs->values());
  auto qty = std::static_pointer_cast<arrow::StructArray>(leg->GetFieldByName("quantity"));
  EXPECT_EQ(qty->GetFieldByName("value")->GetScalar(0).ValueOrDie()->ToString(), "1000.500000");
  auto fixed = std::static_pointer_cast<arrow::StructArray>(leg->GetFieldByName("fixed"));
  auto price = std::static_pointer_cast<arrow::StructArray>(fixed->GetFieldByName("price"));
  EXPECT_EQ(price->GetFieldByName("value")->GetScalar(0).ValueOrDie()->ToString(), "72.1234567891");
  EXPECT_FALSE(leg->GetFieldByName("option")->IsValid(0));  // other oneof branches are null

  auto attrs = std::static_pointer_cast<arrow::MapArray>(b.GetColumnByName("source_attributes"));
  ASSERT_EQ(attrs->value_length(0), 2);
  auto keys = std::static_pointer_cast<arrow::StringArray>(attrs->keys());
  EXPECT_EQ(keys->GetString(0), "comment");  // sorted
  EXPECT_EQ(keys->GetString(1), "desk");
}

TEST(ProtoBatchBuilderTest, RejectsADecimalThatWouldBeRounded) {
  auto derived = DeriveArrowSchema(TradeEvent::descriptor());
  auto builder = ProtoBatchBuilder::Make(TradeEvent::descriptor(), derived->schema);
  TradeEvent t = SampleTrade();
  t.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("1.1234567");  // scale 6
  Status st = (*builder)->Append(t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("value: '1.1234567' has 7 decimal places"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace tradeflow::model
