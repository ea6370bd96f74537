#include "pipeline/row_keys.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "lake/iceberg_schema.h"
#include "model/proto_batch_builder.h"
#include "model/proto_schema.h"
#include "tradeflow/reference/v1/reference.pb.h"
#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::pipeline {
namespace {

using tradeflow::trade::v1::TradeEvent;

// Trades with the values partitioning and sorting look at, including the null cases: no trade
// date, no product, an empty trade id, no broker, equal keys.
std::vector<TradeEvent> Trades() {
  std::mt19937 random(7);
  const char* classes[] = {"ASSET_CLASS_ENERGY", "ASSET_CLASS_METALS", "ASSET_CLASS_AGRICULTURE"};
  std::vector<TradeEvent> trades;
  for (int i = 0; i < 300; ++i) {
    TradeEvent t;
    t.set_source_system("ENDUR");
    if (random() % 10 != 0) t.set_source_trade_id(std::to_string(100 + random() % 40));
    t.set_source_version(static_cast<int64_t>(random() % 3) - 1);
    if (random() % 12 != 0) {
      t.mutable_trade_date()->set_year(2025 + static_cast<int>(random() % 2));
      t.mutable_trade_date()->set_month(1 + static_cast<int>(random() % 12));
      t.mutable_trade_date()->set_day(1 + static_cast<int>(random() % 28));
    }
    if (random() % 8 != 0) {
      tradeflow::trade::v1::AssetClass ac = tradeflow::trade::v1::ASSET_CLASS_UNSPECIFIED;
      EXPECT_TRUE(tradeflow::trade::v1::AssetClass_Parse(classes[random() % 3], &ac));
      t.mutable_product()->set_asset_class(ac);
    }
    t.mutable_execution_time()->set_seconds(1770000000 + static_cast<int64_t>(random() % 100000));
    const char* brokers[] = {"Marex", "StoneX", "ADM"};
    if (random() % 3 != 0) t.mutable_parties()->mutable_broker()->set_name(brokers[random() % 3]);
    trades.push_back(std::move(t));
  }
  return trades;
}

struct Fixture {
  std::shared_ptr<arrow::Schema> schema;
  std::shared_ptr<arrow::RecordBatch> batch;
  lake::PartitionSpec spec;
};

Fixture Make(const std::vector<TradeEvent>& trades,
             const std::vector<lake::PartitionRequest>& partition) {
  Fixture f;
  f.schema = model::DeriveArrowSchema(TradeEvent::descriptor())->schema;
  auto builder = model::ProtoBatchBuilder::Make(TradeEvent::descriptor(), f.schema);
  for (const auto& t : trades) EXPECT_TRUE((*builder)->Append(t).ok());
  f.batch = *(*builder)->Finish();
  f.spec = *lake::ResolvePartitionSpec(*lake::IcebergSchemaFromArrow(*f.schema, 0), partition);
  return f;
}

TEST(RowKeysTest, PartitionsEveryRowLikeThePartitioner) {
  auto trades = Trades();
  for (const std::string transform : {"month", "year", "day"}) {
    Fixture f = Make(trades, {{"trade_date", transform, ""},
                              {"product.asset_class", "identity", ""},
                              {"execution_time", "hour", ""}});
    auto keys = RowKeys::Make(TradeEvent::descriptor(), *f.schema, f.spec, {});
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    auto partitioner = lake::Partitioner::Make(f.spec, *f.schema);
    for (size_t i = 0; i < trades.size(); ++i) {
      auto parts = partitioner->Split(f.batch->Slice(static_cast<int64_t>(i), 1));
      ASSERT_TRUE(parts.ok());
      std::vector<lake::PartitionValue> ours;
      std::string sort_key;
      ASSERT_TRUE(keys->Compute(trades[i], &ours, &sort_key).ok());
      EXPECT_EQ(ours, (*parts)[0].values) << transform << " row " << i;
    }
  }
}

// Iceberg's default null orders: first ascending, last descending (the sort orders say so).
TEST(RowKeysTest, SortsRowsLikeArrowWithIcebergNullOrders) {
  auto trades = Trades();
  Fixture f = Make(trades, {});
  const std::vector<lake::SortKey> sort = {{"trade_date", false},
                                           {"parties.broker.name", true},
                                           {"source_trade_id", true},
                                           {"source_version", false},
                                           {"execution_time", false}};
  auto keys = RowKeys::Make(TradeEvent::descriptor(), *f.schema, f.spec, sort);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  std::vector<std::string> encoded(trades.size());
  std::vector<lake::PartitionValue> partition;
  for (size_t i = 0; i < trades.size(); ++i) {
    ASSERT_TRUE(keys->Compute(trades[i], &partition, &encoded[i]).ok());
  }
  std::vector<int64_t> ours(trades.size());
  std::iota(ours.begin(), ours.end(), 0);
  std::stable_sort(ours.begin(), ours.end(),
                   [&](int64_t a, int64_t b) { return encoded[a] < encoded[b]; });

  ASSERT_TRUE(arrow::compute::Initialize().ok());
  std::vector<arrow::compute::SortKey> arrow_keys;
  for (const auto& k : sort) {
    arrow_keys.emplace_back(
        *arrow::FieldRef::FromDotPath("." + k.column),
        k.descending ? arrow::compute::SortOrder::Descending : arrow::compute::SortOrder::Ascending,
        k.descending ? arrow::compute::NullPlacement::AtEnd
                     : arrow::compute::NullPlacement::AtStart);
  }
  auto indices = arrow::compute::SortIndices(f.batch, arrow::compute::SortOptions(arrow_keys));
  ASSERT_TRUE(indices.ok()) << indices.status().ToString();
  auto& arrow_order = static_cast<const arrow::UInt64Array&>(**indices);
  for (size_t i = 0; i < trades.size(); ++i) {
    EXPECT_EQ(ours[i], static_cast<int64_t>(arrow_order.Value(static_cast<int64_t>(i))))
        << "position " << i;
  }
}

TEST(RowKeysTest, DecimalsSortByValueNotByText) {
  using tradeflow::reference::v1::FxRate;
  auto schema = model::DeriveArrowSchema(FxRate::descriptor())->schema;
  auto keys = RowKeys::Make(FxRate::descriptor(), *schema, {}, {{"rate", false}});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto key = [&](const char* rate) {
    FxRate r;
    if (rate != nullptr) r.mutable_rate()->set_value(rate);
    std::vector<lake::PartitionValue> partition;
    std::string k;
    EXPECT_TRUE(keys->Compute(r, &partition, &k).ok());
    return k;
  };
  EXPECT_LT(key(nullptr), key("-5"));
  EXPECT_LT(key("-5"), key("-0.5"));
  EXPECT_LT(key("-0.5"), key("0.25"));
  EXPECT_LT(key("0.25"), key("10"));
  EXPECT_LT(key("9.99"), key("10.0"));
}

TEST(RowKeysTest, RefusesColumnsItCannotOrder) {
  auto schema = model::DeriveArrowSchema(TradeEvent::descriptor())->schema;
  auto in_list = RowKeys::Make(TradeEvent::descriptor(), *schema, {}, {{"legs", false}});
  EXPECT_FALSE(in_list.ok());
  auto unknown = RowKeys::Make(TradeEvent::descriptor(), *schema, {}, {{"nope", false}});
  EXPECT_FALSE(unknown.ok());
  auto a_struct = RowKeys::Make(TradeEvent::descriptor(), *schema, {}, {{"parties", false}});
  EXPECT_FALSE(a_struct.ok());
}

}  // namespace
}  // namespace tradeflow::pipeline
