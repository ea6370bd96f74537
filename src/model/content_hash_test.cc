#include "model/content_hash.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <gtest/gtest.h>

#include "tradeflow/trade/v1/trade_event.pb.h"

namespace tradeflow::model {
namespace {

using tradeflow::trade::v1::TradeEvent;

const std::vector<int> kNotContent = {TradeEvent::kProvenanceFieldNumber,
                                      TradeEvent::kSourceAttributesFieldNumber,
                                      TradeEvent::kQualityWarningsFieldNumber};

std::string Deterministic(const TradeEvent& event) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  event.SerializeToCodedStream(&coded);
  return out;
}

TradeEvent Trade() {
  TradeEvent event;
  event.set_source_system("ENDUR");
  event.set_source_trade_id("100001");
  event.set_source_version(2);
  event.mutable_parties()->set_book("LDN-GAS");
  event.add_legs()->mutable_quantity()->mutable_value()->set_value("1000");
  (*event.mutable_source_attributes())["desk"] = "gas";
  event.mutable_provenance()->set_source_location("line 2");
  event.mutable_provenance()->set_run_id("run-1");
  return event;
}

int64_t Hash(const TradeEvent& event) {
  auto hash = ContentHash(Deterministic(event), kNotContent);
  EXPECT_TRUE(hash.ok()) << hash.status().message();
  return hash.ok() ? *hash : 0;
}

TEST(ContentHashTest, LeavesOutTheExcludedFields) {
  TradeEvent a = Trade();
  TradeEvent b = Trade();
  b.mutable_provenance()->set_source_location("line 900");  // sent again, elsewhere
  b.mutable_provenance()->set_run_id("run-2");
  auto* w = b.add_quality_warnings();
  w->set_rule("lei_check_digits");
  (*b.mutable_source_attributes())["sent"] =
      "2026-11-27T10:00:00Z";  // excluded, between the others
  EXPECT_NE(Hash(a), 0);
  EXPECT_EQ(Hash(a), Hash(b));
  b.clear_provenance();
  EXPECT_EQ(Hash(a), Hash(b));
}

TEST(ContentHashTest, ChangesWithTheContent) {
  const int64_t original = Hash(Trade());
  TradeEvent changed = Trade();
  changed.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("1001");
  EXPECT_NE(Hash(changed), original);
  changed = Trade();
  changed.mutable_parties()->set_trader("jsmith");
  EXPECT_NE(Hash(changed), original);
  changed = Trade();
  changed.set_source_version(3);
  EXPECT_NE(Hash(changed), original);
}

// Known answer: XXH3-64 of "" with seed 0 is 2d06800538d394c2 (xxHash's own test vector).
TEST(ContentHashTest, IsTheXxh3OfTheKeptBytes) {
  auto empty = ContentHash("", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(static_cast<uint64_t>(*empty), 0x2d06800538d394c2ULL);
  TradeEvent only_provenance;
  only_provenance.mutable_provenance()->set_run_id("run-1");
  EXPECT_EQ(Hash(only_provenance), *empty);
}

TEST(ContentHashTest, RejectsMalformedBytes) {
  std::string bytes = Deterministic(Trade());
  auto truncated = ContentHash(bytes.substr(0, bytes.size() - 3), kNotContent);
  EXPECT_FALSE(truncated.ok());
  auto garbage = ContentHash(std::string("\xff\xff\xff\xff\xff\xff", 6), kNotContent);
  EXPECT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("malformed serialized message"), std::string::npos);
}

// Appending the field gives the bytes deterministic serialization gives with it set, because
// content_hash has the highest field number.
TEST(ContentHashTest, AppendedFieldIsWhatSerializationWrites) {
  const google::protobuf::Descriptor* d = TradeEvent::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    EXPECT_LE(d->field(i)->number(), TradeEvent::kContentHashFieldNumber) << d->field(i)->name();
  }
  TradeEvent event = Trade();
  event.add_quality_warnings()->set_rule("x");
  for (int64_t value : {int64_t{1}, int64_t{-1}, int64_t{0x7edcba9876543210}}) {
    std::string row = Deterministic(event);
    AppendSfixed64Field(TradeEvent::kContentHashFieldNumber, value, &row);
    TradeEvent with = event;
    with.set_content_hash(value);
    EXPECT_EQ(row, Deterministic(with));
    TradeEvent parsed;
    ASSERT_TRUE(parsed.ParseFromString(row));
    EXPECT_EQ(parsed.content_hash(), value);
  }
}

}  // namespace
}  // namespace tradeflow::model
