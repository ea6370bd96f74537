// Every built-in rule, passing and failing, through the Validator with the default spec.
#include "validate/builtin_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "validate/test_util.h"
#include "validate/validator.h"

namespace tradeflow::validate {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using namespace testing;  // NOLINT: the test helpers

class BuiltinRulesTest : public ::testing::Test {
 protected:
  void SetUp() override { Use(ValidationSpec{}); }

  void Use(const ValidationSpec& spec) {
    auto v = Validator::Make(spec, &lookup_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    validator_ = std::move(*v);
  }

  std::vector<RuleFailure> Check(const pb::TradeEvent& e,
                                 const std::vector<std::string>& issues = {}) {
    return validator_->Check(e, issues, kNow);
  }

  // Checks that `e` fails exactly `rule` on `field`, and returns the failure's message.
  std::string FailsOnly(const pb::TradeEvent& e, const std::string& rule,
                        const std::string& field) {
    auto failures = Check(e);
    EXPECT_THAT(Ids(failures), ElementsAre(rule + " " + field));
    return failures.empty() ? "" : failures[0].message;
  }

  FakeLookup lookup_ = FullLookup();
  std::unique_ptr<Validator> validator_;
};

TEST(BuiltinRuleListTest, InIdOrderWithUniqueNames) {
  std::set<std::string_view> names;
  int i = 0;
  for (const BuiltinRule& rule : BuiltinRules()) {
    EXPECT_EQ(static_cast<int>(rule.id), i++) << rule.name;
    EXPECT_TRUE(names.insert(rule.name).second) << rule.name;
    EXPECT_EQ(FindBuiltinRule(rule.name), &rule);
    EXPECT_FALSE(rule.summary.empty());
  }
  EXPECT_EQ(i, static_cast<int>(BuiltinId::kCount));
  EXPECT_EQ(FindBuiltinRule("no_such_rule"), nullptr);
  EXPECT_EQ(GetBuiltinRule(BuiltinId::kExecutionDateMatchesTradeDate).default_severity,
            Severity::kWarning);
}

TEST_F(BuiltinRulesTest, ValidTradesOfEveryShapePass) {
  for (const pb::TradeEvent& e : {Future(), FutureOption(), Swap(), PhysicalGas()}) {
    auto failures = Check(e);
    EXPECT_THAT(Ids(failures), IsEmpty()) << e.ShortDebugString();
  }
  EXPECT_THAT(validator_->notes(), IsEmpty());
}

TEST_F(BuiltinRulesTest, RequiredIdentity) {
  auto e = Future();
  e.clear_trade_uid();
  e.clear_source_trade_id();
  EXPECT_THAT(Ids(Check(e)),
              ElementsAre("required_identity trade_uid", "required_identity source_trade_id"));
  e = Future();
  e.clear_source_system();
  EXPECT_EQ(FailsOnly(e, "required_identity", "source_system"), "source_system is missing");
}

TEST_F(BuiltinRulesTest, RequiredTextOfOnlyUnicodeBlanksIsMissing) {
  auto e = Future();
  e.set_source_trade_id("\xC2\xA0");  // a lone no-break space
  EXPECT_EQ(FailsOnly(e, "required_identity", "source_trade_id"),
            "source_trade_id holds only blanks ('\xC2\xA0')");
  e.set_source_trade_id("\xE2\x80\x8B \xE3\x80\x80\xEF\xBB\xBF");  // zero-width, ideographic
  FailsOnly(e, "required_identity", "source_trade_id");
  for (const char* text : {"\xC2\xA0"
                           "D-1",
                           "\xFF", "\xC2", "\xC2 ",
                           "\xE2\x80\x8B"
                           "7"}) {
    e.set_source_trade_id(text);
    EXPECT_THAT(Check(e), IsEmpty()) << text;
  }
}

TEST_F(BuiltinRulesTest, PositiveSourceVersion) {
  auto e = Future();
  e.set_source_version(0);
  EXPECT_EQ(FailsOnly(e, "positive_source_version", "source_version"),
            "source_version is missing or 0; it must be > 0");
  e.set_source_version(-2);
  EXPECT_EQ(FailsOnly(e, "positive_source_version", "source_version"),
            "source_version must be > 0, is -2");
}

TEST_F(BuiltinRulesTest, RequiredActionMissingOrUnknown) {
  auto e = Future();
  e.clear_action();
  e.clear_action_raw();
  EXPECT_EQ(FailsOnly(e, "required_action", "action"), "action is missing");
  e.set_action_raw("PENDING");
  EXPECT_EQ(FailsOnly(e, "required_action", "action"),
            "action has no known value (source value 'PENDING')");
}

TEST_F(BuiltinRulesTest, RequiredTradeDate) {
  auto e = Future();
  e.clear_trade_date();
  FailsOnly(e, "required_trade_date", "trade_date");
}

TEST_F(BuiltinRulesTest, RequiredDirection) {
  auto e = Future();
  e.clear_direction();
  FailsOnly(e, "required_direction", "direction");
}

TEST_F(BuiltinRulesTest, RequiredBook) {
  auto e = Future();
  e.mutable_parties()->clear_book();
  FailsOnly(e, "required_book", "parties.book");  // and not known_book: nothing to look up
}

TEST_F(BuiltinRulesTest, RequiredCounterpartyForOtcExchangeForListed) {
  auto listed = Future();
  listed.mutable_parties()->mutable_counterparty()->clear_id();
  EXPECT_THAT(Check(listed), IsEmpty());  // a future needs no counterparty...
  listed.mutable_product()->clear_exchange();
  FailsOnly(listed, "required_counterparty_or_exchange", "product.exchange");  // ...an exchange

  auto otc = Swap();
  otc.mutable_parties()->mutable_counterparty()->clear_id();
  FailsOnly(otc, "required_counterparty_or_exchange", "parties.counterparty.id");
}

TEST_F(BuiltinRulesTest, RequiredCommodity) {
  auto e = Future();
  e.mutable_product()->clear_commodity();
  FailsOnly(e, "required_commodity", "product.commodity");
}

TEST_F(BuiltinRulesTest, RequiredInstrumentType) {
  auto e = Swap();
  e.mutable_product()->clear_instrument_type();
  e.mutable_product()->set_instrument_type_raw("Exotic");
  EXPECT_THAT(FailsOnly(e, "required_instrument_type", "product.instrument_type"),
              HasSubstr("'Exotic'"));
}

TEST_F(BuiltinRulesTest, RequiredQuantity) {
  auto e = Swap();
  e.mutable_legs(0)->mutable_quantity()->clear_unit();
  EXPECT_EQ(FailsOnly(e, "required_quantity", "legs"),
            "no leg has a quantity with both value and unit");
  e.clear_legs();
  EXPECT_THAT(Ids(Check(e)), ElementsAre("required_quantity legs", "required_price legs"));
}

// Every leg is priced as its terms say (trade-domain.md §3 rule 1: price unless index-priced):
// a swap's fixed leg needs its price, its floating leg an index.
TEST_F(BuiltinRulesTest, RequiredPriceOnEveryLeg) {
  auto e = Swap();
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->clear_value();
  EXPECT_EQ(FailsOnly(e, "required_price", "legs[0].fixed.price.value"),
            "legs[0].fixed.price.value is missing");
  e = Swap();
  e.mutable_legs(1)->mutable_floating()->clear_index_id();
  FailsOnly(e, "required_price", "legs[1].floating.index_id");
  e = Swap();
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->clear_currency();
  FailsOnly(e, "required_price", "legs[0].fixed.price.currency");
  // A physical leg priced by the index of a floating leg of the same trade.
  e = Swap();
  auto* delivery = e.mutable_legs(0)->mutable_physical()->mutable_delivery();  // no price
  *delivery = PhysicalGas().legs(0).physical().delivery();
  EXPECT_THAT(Check(e), IsEmpty());
  // No leg with terms at all.
  e = Swap();
  e.mutable_legs(0)->clear_terms();
  e.mutable_legs(1)->clear_terms();
  EXPECT_EQ(FailsOnly(e, "required_price", "legs"),
            "no leg has price terms: a fixed or physical price with value and currency, an "
            "option strike and premium, or a floating index_id");
}

// trade-domain.md §3 rule 1: the internal legal entity always; a physical leg's delivery
// period and place.
TEST_F(BuiltinRulesTest, RequiredInternalEntityAndDelivery) {
  auto e = Future();
  e.mutable_parties()->clear_internal_legal_entity();
  EXPECT_EQ(FailsOnly(e, "required_internal_entity", "parties.internal_legal_entity"),
            "parties.internal_legal_entity is missing");
  e.mutable_parties()->mutable_internal_legal_entity()->set_name("TRADEFLOW SA");
  EXPECT_THAT(Check(e), IsEmpty());  // a name is enough

  auto gas = PhysicalGas();
  EXPECT_THAT(Check(gas), IsEmpty());
  auto* delivery = gas.mutable_legs(0)->mutable_physical()->mutable_delivery();
  delivery->clear_start_date();
  delivery->mutable_location()->clear_code();
  EXPECT_THAT(Ids(Check(gas)), ElementsAre("required_delivery legs[0].physical.delivery.start_date",
                                           "required_delivery legs[0].physical.delivery.location"));
}

// A currency that is not ISO 4217's shape would be stored as written.
TEST_F(BuiltinRulesTest, CurrencyFormat) {
  for (const char* bad : {"US$", "usd", "EURO", "Eu"}) {
    auto e = Future();
    e.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency(bad);
    EXPECT_EQ(FailsOnly(e, "currency_format", "legs[0].fixed.price.currency"),
              "legs[0].fixed.price.currency '" + std::string(bad) +
                  "' is not a currency code: 3 upper-case letters (ISO 4217), or a minor-unit "
                  "code such as GBp or USc");
  }
  auto pence = Future();  // as left when normalisation's minor_currency step is off
  pence.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency("GBp");
  EXPECT_THAT(Check(pence), IsEmpty());
  auto fee = Future();
  auto* f = fee.add_fees();
  f->mutable_amount()->set_value("12.5");
  f->set_currency("usd");
  FailsOnly(fee, "currency_format", "fees[0].currency");
}

TEST_F(BuiltinRulesTest, PositiveQuantity) {
  auto e = Swap();
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("-5");
  EXPECT_EQ(FailsOnly(e, "positive_quantity", "legs[0].quantity.value"),
            "quantity must be > 0, is -5");
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("0");
  FailsOnly(e, "positive_quantity", "legs[0].quantity.value");
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("1e3");
  EXPECT_THAT(FailsOnly(e, "positive_quantity", "legs[0].quantity.value"),
              HasSubstr("not a decimal"));
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("0.000001");
  EXPECT_THAT(Check(e), IsEmpty());
  // A figure that converting rounded to 0 says what was reported.
  auto* q = e.mutable_legs(0)->mutable_quantity();
  q->mutable_value()->set_value("0.000000");
  q->mutable_reported_value()->set_value("0.000001");
  q->set_reported_unit("gal");
  EXPECT_EQ(FailsOnly(e, "positive_quantity", "legs[0].quantity.value"),
            "quantity must be > 0, is 0.000000 (reported as 0.000001 gal, converted and rounded)");
  q->clear_reported_value();
  q->clear_reported_unit();
  // Lots and contract size too: -9 lots of -1000 would agree with a quantity of 9000.
  auto f = Future();
  f.mutable_legs(0)->mutable_quantity()->mutable_lots()->set_value("-10");
  f.mutable_legs(0)->mutable_quantity()->mutable_contract_size()->set_value("-1000");
  EXPECT_THAT(Ids(Check(f)), ElementsAre("positive_quantity legs[0].quantity.lots",
                                         "positive_quantity legs[0].quantity.contract_size"));
}

TEST_F(BuiltinRulesTest, PositivePriceUnlessNegativeAllowed) {
  auto e = Future();
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("-0.01");
  EXPECT_EQ(FailsOnly(e, "positive_price", "legs[0].fixed.price.value"),
            "price must be > 0, is -0.01");
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("0");
  FailsOnly(e, "positive_price", "legs[0].fixed.price.value");

  auto gas = PhysicalGas();  // asset_subclass Gas: negative prices happen
  gas.mutable_legs(0)->mutable_physical()->mutable_price()->mutable_value()->set_value("-3.5");
  EXPECT_THAT(Check(gas), IsEmpty());
  auto power = Future();
  power.mutable_product()->set_asset_subclass("POWER");  // case does not matter
  power.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("-20");
  EXPECT_THAT(Check(power), IsEmpty());

  // The products table's subclass, where it gives one, over the source's label: Brent is Oil.
  lookup_.AddSubclass("BRENT", "Oil");
  Use({});
  FailsOnly(power, "positive_price", "legs[0].fixed.price.value");

  ValidationSpec spec;
  spec.negative_price_allowed_for = {"brent"};  // by commodity, too
  Use(spec);
  EXPECT_THAT(Check(e), IsEmpty());
  FailsOnly(gas, "positive_price", "legs[0].physical.price.value");
}

TEST_F(BuiltinRulesTest, PositiveStrikeAndPremium) {
  auto e = FutureOption();
  e.mutable_legs(0)->mutable_option()->mutable_strike()->mutable_value()->set_value("-1");
  FailsOnly(e, "positive_price", "legs[0].option.strike.value");
  e = FutureOption();
  e.mutable_legs(0)->mutable_option()->mutable_premium()->mutable_value()->set_value("0");
  EXPECT_EQ(FailsOnly(e, "positive_premium", "legs[0].option.premium.value"),
            "premium must be > 0, is 0");
}

TEST_F(BuiltinRulesTest, PriceMinorScale) {
  auto e = Future();
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency_minor_scale(100);
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency_minor_scale(0);
  EXPECT_THAT(Check(e), IsEmpty());        // not set
  for (int32_t allowed : {1, 10, 1000}) {  // the scales a quote convention may have
    e.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency_minor_scale(allowed);
    EXPECT_THAT(Check(e), IsEmpty()) << allowed;
  }
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->set_currency_minor_scale(50);
  EXPECT_THAT(FailsOnly(e, "price_minor_scale", "legs[0].fixed.price.currency_minor_scale"),
              HasSubstr("is 50"));
  e = FutureOption();
  e.mutable_legs(0)->mutable_option()->mutable_premium()->set_currency_minor_scale(10000);
  FailsOnly(e, "price_minor_scale", "legs[0].option.premium.currency_minor_scale");
}

TEST_F(BuiltinRulesTest, DeliveryDatesOrder) {
  auto e = PhysicalGas();
  auto* delivery = e.mutable_legs(0)->mutable_physical()->mutable_delivery();
  SetDate(delivery->mutable_start_date(), 2026, 5, 11);  // on the trade date: fine
  EXPECT_THAT(Check(e), IsEmpty());
  SetDate(delivery->mutable_start_date(), 2026, 5, 10);
  EXPECT_EQ(FailsOnly(e, "delivery_dates_order", "legs[0].physical.delivery.start_date"),
            "delivery starts 2026-05-10, before trade_date 2026-05-11");
  SetDate(delivery->mutable_start_date(), 2026, 9, 1);
  EXPECT_EQ(FailsOnly(e, "delivery_dates_order", "legs[0].physical.delivery.end_date"),
            "delivery ends 2026-08-31, before it starts 2026-09-01");
}

TEST_F(BuiltinRulesTest, PricingPeriodOrder) {
  auto e = Swap();
  SetDate(e.mutable_legs(1)->mutable_floating()->mutable_pricing_end(), 2026, 7, 31);
  FailsOnly(e, "pricing_period_order", "legs[1].floating.pricing_end");
}

TEST_F(BuiltinRulesTest, OptionExpiryAfterTradeDate) {
  auto e = FutureOption();
  SetDate(e.mutable_legs(0)->mutable_option()->mutable_expiry_date(), 2026, 5, 11);
  EXPECT_THAT(Check(e), IsEmpty());
  SetDate(e.mutable_legs(0)->mutable_option()->mutable_expiry_date(), 2026, 5, 1);
  EXPECT_EQ(FailsOnly(e, "option_expiry_after_trade_date", "legs[0].option.expiry_date"),
            "option expires 2026-05-01, before trade_date 2026-05-11");
}

TEST_F(BuiltinRulesTest, ExecutionTimeNotFuture) {
  auto e = Future();
  SetDate(e.mutable_trade_date(), 2026, 6, 1);
  e.set_execution_utc_offset("Z");
  e.mutable_execution_time()->set_seconds(kNow);
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_execution_time()->set_seconds(kNow + 90);
  EXPECT_EQ(FailsOnly(e, "execution_time_not_future", "execution_time"),
            "execution_time 2026-06-01T00:01:30Z is 90 s in the future");
}

TEST_F(BuiltinRulesTest, ExecutionDateMatchesTradeDateInItsOwnOffset) {
  auto e = Future();
  e.mutable_execution_time()->set_seconds(1778455800);  // 2026-05-10T23:30:00Z
  e.set_execution_utc_offset("+02:00");                 // = 2026-05-11 01:30 local
  EXPECT_THAT(Check(e), IsEmpty());
  e.set_execution_utc_offset("");  // UTC: the day before
  auto failures = Check(e);
  ASSERT_THAT(Ids(failures), ElementsAre("execution_date_matches_trade_date execution_time"));
  EXPECT_EQ(failures[0].severity, Severity::kWarning);  // flagged, not quarantined
  EXPECT_FALSE(HasErrors(failures));
  EXPECT_EQ(failures[0].message, "executed on 2026-05-10 (UTC), but trade_date is 2026-05-11");
  e.set_execution_utc_offset("-05:00");
  EXPECT_THAT(Check(e)[0].message, HasSubstr("2026-05-10 (UTC-05:00)"));
  e.set_execution_utc_offset("+25:00");
  FailsOnly(e, "execution_date_matches_trade_date", "execution_utc_offset");
}

TEST_F(BuiltinRulesTest, LotsTimesContractSizeIsExactToTheQuantitysScale) {
  auto e = Future();
  e.mutable_product()->set_product_code("T");  // a contract whose sizes the trade gives
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("10001");
  EXPECT_EQ(FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.value"),
            "lots 10 x contract_size 1000 bbl = 10000 bbl, but quantity.value is 10001 bbl");
  // 3 x 0.1 is 0.30000000000000004 in binary floating point; exactly 0.3 here.
  auto* q = e.mutable_legs(0)->mutable_quantity();
  q->mutable_lots()->set_value("3");
  q->mutable_contract_size()->set_value("0.1");
  q->mutable_value()->set_value("0.3");
  EXPECT_THAT(Check(e), IsEmpty());
  q->mutable_value()->set_value("0.300001");
  FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.value");
  // 0.333333 x 25.5 = 8.4999915: a quantity holds 6 decimals, so 8.499992 (half-even, as
  // normalisation rounds) and 8.499991 are within half a unit of the 6th decimal; 8.49999 is not.
  q->mutable_lots()->set_value("0.333333");
  q->mutable_contract_size()->set_value("25.5");
  for (const char* stored : {"8.499992", "8.499991"}) {
    q->mutable_value()->set_value(stored);
    EXPECT_THAT(Check(e), IsEmpty()) << stored;
  }
  q->mutable_value()->set_value("8.49999");
  FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.value");
  q->clear_contract_size();  // only checked when both are present
  EXPECT_THAT(Check(e), IsEmpty());
}

// 2 lots × 25000 lb of COMEX copper: normalisation stores the value in MT and keeps the 50000 lb
// as reported, which is what the rule compares.
TEST_F(BuiltinRulesTest, LotsTimesContractSizeComparesInTheContractUnit) {
  lookup_.AddCanonicalUnit("COPPER", "MT");
  Use(ValidationSpec{});
  auto e = Future();
  e.mutable_product()->set_product_code("T");  // a contract whose sizes the trade gives
  e.mutable_product()->set_commodity("COPPER");
  auto* q = e.mutable_legs(0)->mutable_quantity();
  q->mutable_lots()->set_value("2");
  q->mutable_contract_size()->set_value("25000");
  q->set_contract_size_unit("lb");
  q->mutable_value()->set_value("22.679618");
  q->set_unit("MT");
  q->mutable_reported_value()->set_value("50000");
  q->set_reported_unit("lb");
  EXPECT_THAT(Check(e), IsEmpty());
  q->mutable_reported_value()->set_value("50001");
  EXPECT_EQ(FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.reported_value"),
            "lots 2 x contract_size 25000 lb = 50000 lb, but quantity.reported_value is 50001 lb");
  q->set_reported_unit("lbs");  // as a source spells it: the same unit, so checked all the same
  FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.reported_value");
  q->set_reported_unit("lb");
  // A contract size without a unit is in the unit the source gave: 2 lots × 1000 = 2000 MT as
  // reported, 15160 bbl once converted (of Brent, whose canonical unit is bbl).
  e.mutable_product()->set_commodity("BRENT");
  q->clear_contract_size_unit();
  q->mutable_contract_size()->set_value("1000");
  q->mutable_value()->set_value("15160");
  q->set_unit("bbl");
  q->mutable_reported_value()->set_value("2000");
  q->set_reported_unit("MT");
  EXPECT_THAT(Check(e), IsEmpty());
  q->mutable_reported_value()->set_value("2001");
  EXPECT_EQ(FailsOnly(e, "lots_times_contract_size", "legs[0].quantity.reported_value"),
            "lots 2 x contract_size 1000 MT = 2000 MT, but quantity.reported_value is 2001 MT");
  q->set_contract_size_unit("lb");
  // No figure in the contract's unit: nothing exact to compare with.
  q->set_reported_unit("MT");
  q->mutable_reported_value()->set_value("22.679618");
  EXPECT_THAT(Check(e), IsEmpty());
}

TEST_F(BuiltinRulesTest, OptionTermsComplete) {
  auto e = FutureOption();
  auto* option = e.mutable_legs(0)->mutable_option();
  option->clear_put_call();
  option->clear_expiry_date();
  EXPECT_THAT(Ids(Check(e)), ElementsAre("option_terms_complete legs[0].option.put_call",
                                         "option_terms_complete legs[0].option.expiry_date"));
  e = FutureOption();
  e.mutable_legs(0)->mutable_option()->mutable_strike()->clear_value();
  EXPECT_THAT(Ids(Check(e)), ElementsAre("required_price legs[0].option.strike.value",
                                         "option_terms_complete legs[0].option.strike.value"));
}

TEST_F(BuiltinRulesTest, OptionLegMatchesInstrument) {
  auto no_option_leg = Future();
  no_option_leg.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_FUTURE_OPTION);
  EXPECT_EQ(
      FailsOnly(no_option_leg, "option_leg_matches_instrument", "legs"),
      "instrument type INSTRUMENT_TYPE_FUTURE_OPTION needs an option leg; the trade has none");
  auto swaption = Swap();
  swaption.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_SWAPTION);
  FailsOnly(swaption, "option_leg_matches_instrument", "legs");

  auto swap_with_option = Swap();
  *swap_with_option.mutable_legs(1) = FutureOption().legs(0);
  FailsOnly(swap_with_option, "option_leg_matches_instrument", "legs[1].option");

  auto otc_option = FutureOption();
  otc_option.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_OPTION_OTC);
  EXPECT_THAT(Check(otc_option), IsEmpty());
}

TEST_F(BuiltinRulesTest, KnownEnumValuesFromMappingIssues) {
  auto e = Future();
  auto failures =
      Check(e, {"legs[0].direction: value 'B' is not a known Side (kept as raw)", "no field here"});
  ASSERT_THAT(Ids(failures),
              ElementsAre("known_enum_values legs[0].direction", "known_enum_values "));
  EXPECT_EQ(failures[0].message, "value 'B' is not a known Side (kept as raw)");
  EXPECT_EQ(failures[0].severity, Severity::kError);
  EXPECT_EQ(failures[1].message, "no field here");
}

TEST_F(BuiltinRulesTest, KnownReferences) {
  auto e = Swap();
  e.mutable_parties()->mutable_counterparty()->set_id("CP9");
  EXPECT_EQ(FailsOnly(e, "known_counterparty", "parties.counterparty.id"),
            "'CP9' is not in reference table counterparties");
  e = Future();
  e.mutable_parties()->set_book("NOPE");
  FailsOnly(e, "known_book", "parties.book");
  // A message quotes a long value's start only: the record, in quarantine, has it whole.
  e.mutable_parties()->set_book(std::string(1 << 20, 'B'));
  EXPECT_EQ(FailsOnly(e, "known_book", "parties.book"),
            "'" + std::string(80, 'B') + "...' (1048576 bytes) is not in reference table books");
  e = Swap();  // no listed contract, whose commodity WTI would not be either
  e.mutable_product()->set_commodity("WTI");
  FailsOnly(e, "known_product", "product.commodity");
  e = Future();
  e.mutable_product()->set_product_code("G");
  EXPECT_EQ(FailsOnly(e, "known_listed_contract", "product.product_code"),
            "listed contract 'IFEU:G' (exchange:product_code) is not in reference table "
            "contracts");
  e = Swap();  // OTC: no listed contract to look up
  e.mutable_product()->set_exchange("IFEU");
  e.mutable_product()->set_product_code("G");
  EXPECT_THAT(Check(e), IsEmpty());
}

// What normalisation could not convert is still in the source's unit: summed with the others,
// 500 widgets would count as 500 bbl.
TEST_F(BuiltinRulesTest, QuantityInCanonicalUnit) {
  auto e = Swap();
  e.mutable_legs(0)->mutable_quantity()->set_unit("widgets");
  EXPECT_EQ(FailsOnly(e, "quantity_in_canonical_unit", "legs[0].quantity.unit"),
            "legs[0].quantity.unit is 'widgets', not bbl, the unit reference table products "
            "gives 'BRENT', and normalisation did not convert it (no conversion known): summed "
            "with the others, it would count as bbl");
  e.mutable_legs(0)->mutable_quantity()->set_unit("BBL");  // the same unit, spelt otherwise
  EXPECT_THAT(Check(e), IsEmpty());
  // Without a figure (one that could not be read is a mapping error) nothing is summed wrongly;
  // a total alone still is.
  e.mutable_legs(0)->mutable_quantity()->set_unit("L");
  e.mutable_legs(0)->mutable_quantity()->clear_value();
  e.mutable_legs(0)->mutable_quantity()->clear_total();
  EXPECT_THAT(
      Ids(Check(e)),
      ::testing::Not(::testing::Contains("quantity_in_canonical_unit legs[0].quantity.unit")));
  e.mutable_legs(0)->mutable_quantity()->mutable_total()->set_value("5000");
  EXPECT_THAT(Ids(Check(e)),
              ::testing::Contains("quantity_in_canonical_unit legs[0].quantity.unit"));
  auto gas = PhysicalGas();
  gas.mutable_legs(0)->mutable_quantity()->set_unit("MT");
  FailsOnly(gas, "quantity_in_canonical_unit", "legs[0].quantity.unit");
  // A commodity without a product is known_product's to report, once.
  gas.mutable_product()->set_commodity("UNOBTAINIUM");
  FailsOnly(gas, "known_product", "product.commodity");
}

// The contract's own terms win over what a trade repeats of them.
TEST_F(BuiltinRulesTest, ContractMatchesSpec) {
  auto e = Future();  // 10 lots of IFEU:B, whose lot is 1000 bbl
  e.mutable_legs(0)->mutable_quantity()->mutable_contract_size()->set_value("100");
  e.mutable_legs(0)->mutable_quantity()->mutable_value()->set_value("1000");
  EXPECT_EQ(FailsOnly(e, "contract_matches_spec", "legs[0].quantity.contract_size"),
            "legs[0].quantity.contract_size is 100 bbl, but a lot of contract 'IFEU:B' is 1000 "
            "bbl (reference table contracts)");
  // Equal as numbers, in the contract's unit spelt otherwise.
  e = Future();
  e.mutable_legs(0)->mutable_quantity()->mutable_contract_size()->set_value("1000.000");
  e.mutable_legs(0)->mutable_quantity()->set_contract_size_unit("BBL");
  EXPECT_THAT(Check(e), IsEmpty());
  // A size without a unit is in the quantity's unit as the source gave it.
  e.mutable_legs(0)->mutable_quantity()->clear_contract_size_unit();
  e.mutable_legs(0)->mutable_quantity()->set_reported_unit("MT");
  EXPECT_THAT(Ids(Check(e)), Not(Contains("contract_matches_spec legs[0].quantity.contract_size")));
  e.mutable_legs(0)->mutable_quantity()->set_reported_unit("bbl");
  e.mutable_legs(0)->mutable_quantity()->mutable_contract_size()->set_value("100");
  EXPECT_THAT(Ids(Check(e)), Contains("contract_matches_spec legs[0].quantity.contract_size"));
  // A size in another unit would need a conversion: not compared.
  e.mutable_legs(0)->mutable_quantity()->set_contract_size_unit("m3");
  e.mutable_legs(0)->mutable_quantity()->mutable_contract_size()->set_value("158.987295");
  EXPECT_THAT(Ids(Check(e)), Not(Contains("contract_matches_spec legs[0].quantity.contract_size")));
  lookup_.AddCanonicalUnit("WTI", "bbl");
  Use(ValidationSpec{});
  e = Future();
  e.mutable_product()->set_commodity("WTI");
  EXPECT_EQ(FailsOnly(e, "contract_matches_spec", "product.commodity"),
            "product.commodity 'WTI' is not 'BRENT', the commodity of contract 'IFEU:B' in "
            "reference table contracts");
  // A contract without a row is known_listed_contract's to report.
  e = Future();
  e.mutable_product()->set_product_code("G");
  FailsOnly(e, "known_listed_contract", "product.product_code");
}

// A counterparty or book marked inactive is flagged, not rejected: a cancel of an old trade may
// name one closed since.
TEST_F(BuiltinRulesTest, InactiveCounterpartyAndBookAreWarnings) {
  lookup_.AddInactive("counterparties", "CP0").AddInactive("books", "OLD-BOOK");
  Use(ValidationSpec{});
  auto e = Swap();
  e.mutable_parties()->mutable_counterparty()->set_id("CP0");
  e.mutable_parties()->set_book("OLD-BOOK");
  auto failures = Check(e);
  EXPECT_THAT(Ids(failures), ElementsAre("active_counterparty parties.counterparty.id",
                                         "active_book parties.book"));
  EXPECT_FALSE(HasErrors(failures));
  EXPECT_EQ(failures[0].message,
            "counterparty 'CP0' is marked inactive in reference table counterparties");
}

// A party named by id and by LEI: the reference row's LEI must be the trade's. A warning.
TEST_F(BuiltinRulesTest, PartyLeisMatchTheReferenceData) {
  lookup_.AddLei("counterparties", "CP7", "5493ZH9FHPJQ0M9UPC38")
      .AddLei("books", "OLD-LEI", "529900TFCOMMOD000132");
  Use(ValidationSpec{});
  auto e = Swap();
  e.mutable_parties()->mutable_counterparty()->set_id("CP7");
  e.mutable_parties()->mutable_counterparty()->set_lei("5493ZH9FHPJQ0M9UPC38");
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_parties()->mutable_counterparty()->set_lei("5493R66UPOXALKMXFU91");
  auto failures = Check(e);
  EXPECT_THAT(Ids(failures),
              ElementsAre("counterparty_lei_matches_reference parties.counterparty.lei"));
  EXPECT_FALSE(HasErrors(failures));
  EXPECT_EQ(failures[0].message,
            "'5493R66UPOXALKMXFU91' is not the LEI reference table counterparties gives "
            "counterparty 'CP7' ('5493ZH9FHPJQ0M9UPC38')");
  e = Swap();  // a reference row without an LEI, or a trade without one: nothing to compare
  e.mutable_parties()->mutable_counterparty()->set_lei("5493R66UPOXALKMXFU91");
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_parties()->set_book("OLD-LEI");
  e.mutable_parties()->mutable_internal_legal_entity()->set_lei("5493R66UPOXALKMXFU91");
  EXPECT_THAT(Ids(Check(e)),
              ElementsAre("legal_entity_matches_book parties.internal_legal_entity.lei"));
}

// The asset class partitions the table: a source's label that disagrees with the products
// table is flagged. A warning; a commodity the table does not know is known_product's.
TEST_F(BuiltinRulesTest, AssetClassMatchesTheProduct) {
  lookup_.AddAssetClass("TTF", pb::ASSET_CLASS_ENERGY).Add("products", "NEWGAS");
  Use(ValidationSpec{});
  auto e = PhysicalGas();
  ASSERT_EQ(e.product().commodity(), "TTF");
  e.mutable_product()->set_asset_class(pb::ASSET_CLASS_ENERGY);
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_product()->set_asset_class(pb::ASSET_CLASS_METALS);
  auto failures = Check(e);
  EXPECT_THAT(Ids(failures), ElementsAre("asset_class_matches_product product.asset_class"));
  EXPECT_FALSE(HasErrors(failures));
  EXPECT_EQ(failures[0].message,
            "product.asset_class is METALS, not ENERGY, the asset class reference table products "
            "gives 'TTF'");
  e.mutable_product()->set_asset_class(pb::ASSET_CLASS_UNSPECIFIED);  // unmapped: nothing to say
  EXPECT_THAT(Check(e), IsEmpty());
  e.mutable_product()->set_asset_class(pb::ASSET_CLASS_METALS);
  e.mutable_product()->set_commodity("NEWGAS");  // a product row without an asset class
  EXPECT_THAT(Check(e), IsEmpty());
}

TEST_F(BuiltinRulesTest, ReferenceRulesWithoutTheirTableAreSkippedWithANote) {
  FakeLookup books_only;
  books_only.Add("books", "OIL-LDN");
  auto v = Validator::Make({}, &books_only);
  ASSERT_TRUE(v.ok());
  EXPECT_THAT((*v)->notes(),
              ElementsAre("validation rules known_counterparty, active_counterparty, "
                          "counterparty_lei_matches_reference are skipped: reference table "
                          "'counterparties' is not loaded",
                          "validation rules known_product, quantity_in_canonical_unit, "
                          "asset_class_matches_product are skipped: reference table 'products' "
                          "is not loaded",
                          "validation rules known_listed_contract, contract_matches_spec are "
                          "skipped: reference table 'contracts' is not loaded"));
  auto e = Future();
  e.mutable_product()->set_commodity("WTI");
  e.mutable_product()->set_product_code("CL");
  EXPECT_THAT((*v)->Check(e, {}, kNow), IsEmpty());
  e.mutable_parties()->set_book("NOPE");
  EXPECT_THAT(Ids((*v)->Check(e, {}, kNow)), ElementsAre("known_book parties.book"));

  auto none = Validator::Make({}, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->notes().size(), 4u);
  EXPECT_THAT((*none)->Check(e, {}, kNow), IsEmpty());

  ValidationSpec off;  // a rule switched off needs no note
  off.builtin.push_back({"known_counterparty", false, Severity::kError, ""});
  auto quiet = Validator::Make(off, &books_only);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ((*quiet)->notes().size(), 3u);
  EXPECT_EQ((*quiet)->notes().back(),
            "validation rules active_counterparty, counterparty_lei_matches_reference are skipped: "
            "reference table 'counterparties' is not loaded");
}

TEST_F(BuiltinRulesTest, LeiFormatAndCheckDigitsOnEveryParty) {
  auto e = Future();
  e.mutable_parties()->mutable_broker()->set_lei("5493001KJTIIGC8Y1R12");
  e.mutable_parties()->mutable_clearing_broker()->set_lei("529900T8BM49AURSDO55");
  e.mutable_parties()->mutable_ccp()->set_lei("5493001KJTIIGC8Y1R12");
  EXPECT_THAT(Check(e), IsEmpty());

  e.mutable_parties()->mutable_counterparty()->set_lei("529900T8BM49AURSDO56");
  EXPECT_EQ(FailsOnly(e, "lei_check_digits", "parties.counterparty.lei"),
            "LEI '529900T8BM49AURSDO56' has wrong check digits (ISO 17442 MOD 97-10)");
  e.mutable_parties()->mutable_counterparty()->set_lei("529900T8BM49AURSDO5");
  EXPECT_EQ(FailsOnly(e, "lei_format", "parties.counterparty.lei"),
            "LEI '529900T8BM49AURSDO5' is 19 characters, not 20 (ISO 17442)");
  // Characters, not bytes: an É is one character, though not one an LEI may have.
  e.mutable_parties()->mutable_counterparty()->set_lei("5493NJ89S3QT8HI7OU8\xC3\x89");
  EXPECT_THAT(FailsOnly(e, "lei_format", "parties.counterparty.lei"),
              ::testing::HasSubstr("is not 18 characters [A-Z0-9] and two check digits"));
  e.mutable_parties()->mutable_counterparty()->set_lei("5493NJ89S3QT8HI7OU85\xC2\xA0");
  EXPECT_THAT(FailsOnly(e, "lei_format", "parties.counterparty.lei"),
              ::testing::HasSubstr("is 21 characters, not 20"));
  e = Future();
  e.mutable_parties()->mutable_internal_legal_entity()->set_lei("5493001kjtiigc8y1r12");
  EXPECT_EQ(FailsOnly(e, "lei_format", "parties.internal_legal_entity.lei"),
            "LEI '5493001kjtiigc8y1r12' has lower-case letters; an LEI is written in upper case "
            "(ISO 17442)");
  e = Future();
  e.mutable_parties()->mutable_broker()->set_lei("5493001KJTIIGC8Y1R13");
  FailsOnly(e, "lei_check_digits", "parties.broker.lei");
  e = Future();
  e.mutable_parties()->mutable_clearing_broker()->set_lei("5493001KJTIIGC9Y1R12");
  FailsOnly(e, "lei_check_digits", "parties.clearing_broker.lei");
  e = Future();
  e.mutable_parties()->mutable_ccp()->set_lei("5493001KJTIIGC8Y1R1X");
  FailsOnly(e, "lei_format", "parties.ccp.lei");
}

TEST_F(BuiltinRulesTest, AllFailuresNotJustTheFirst) {
  auto e = Future();
  e.clear_trade_uid();
  e.set_source_version(-1);
  e.mutable_legs(0)->mutable_fixed()->mutable_price()->mutable_value()->set_value("-1");
  e.mutable_parties()->mutable_counterparty()->set_lei("X");
  EXPECT_THAT(Ids(Check(e)),
              ElementsAre("required_identity trade_uid", "positive_source_version source_version",
                          "positive_price legs[0].fixed.price.value",
                          "lei_format parties.counterparty.lei"));
}

}  // namespace
}  // namespace tradeflow::validate
