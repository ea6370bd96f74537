#include "model/field_path.h"

#include <gtest/gtest.h>

#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using tradeflow::trade::v1::TradeEvent;

TEST(FieldPathTest, ResolvesNestedFieldsAndListIndexes) {
  auto steps = ResolveFieldPath(TradeEvent::descriptor(), "legs[1].fixed.price.value");
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].field->name(), "legs");
  EXPECT_EQ((*steps)[0].index, 1);
  EXPECT_EQ((*steps)[3].field->name(), "value");
  EXPECT_EQ((*steps)[3].index, -1);
}

TEST(FieldPathTest, ErrorsNameThePartAtFault) {
  auto message = [](const std::string& path) {
    return ResolveFieldPath(TradeEvent::descriptor(), path).status().message();
  };
  EXPECT_EQ(message("parties.bok"), "'parties.bok': Parties has no field 'bok'");
  EXPECT_EQ(message("legs.quantity"), "'legs.quantity': legs is a list; write legs[0]");
  EXPECT_EQ(message("parties[0].book"), "'parties[0].book': parties is not a list");
  EXPECT_EQ(message("source_attributes"), "'source_attributes': map fields cannot be named");
  EXPECT_EQ(message("trade_uid.x"), "'trade_uid.x': trade_uid has no fields");
  EXPECT_EQ(message("legs[x].leg_number"),
            "'legs[x].leg_number': the index in legs[x] must be a number >= 0");
  EXPECT_EQ(message("legs[00].leg_number"),
            "'legs[00].leg_number': the index in legs[00] has a leading zero; write it as 0");
  EXPECT_EQ(message("legs[-0].leg_number"),
            "'legs[-0].leg_number': the index in legs[-0] has a leading zero; write it as 0");
  EXPECT_EQ(message("legs[0].quantity.value.value"),
            "'legs[0].quantity.value.value': value is a Decimal value and has no fields to "
            "address");
}

}  // namespace
}  // namespace tradeflow::model
