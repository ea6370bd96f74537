#include "transform/normalise.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

namespace tradeflow::transform {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using tradeflow::trade::v1::TradeEvent;

template <typename T>
T Parse(const std::string& text) {
  T out;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &out)) << text;
  return out;
}

ReferenceData Reference() {
  ReferenceTables t;
  for (const char* p : {
           R"(commodity: "BRENT" asset_class: ASSET_CLASS_ENERGY asset_subclass: "Oil"
              asset_detail: "Crude" canonical_unit: "bbl" quote_currency: "USD" quote_unit: "bbl")",
           R"(commodity: "FUELOIL" asset_class: ASSET_CLASS_ENERGY canonical_unit: "MT")",
           R"(commodity: "GASOIL" asset_class: ASSET_CLASS_ENERGY canonical_unit: "MT")",
           R"(commodity: "COPPER" asset_class: ASSET_CLASS_METALS asset_subclass: "Base"
              asset_detail: "Copper" canonical_unit: "MT" quote_currency: "USD" quote_unit: "MT")",
           R"(commodity: "NBP" asset_class: ASSET_CLASS_ENERGY canonical_unit: "therm"
              quote_currency: "GBP" quote_minor_scale: 100 quote_unit: "therm")",
           R"(commodity: "TTF" asset_class: ASSET_CLASS_ENERGY canonical_unit: "MWh")",
           R"(commodity: "UKPOWER" asset_class: ASSET_CLASS_ENERGY canonical_unit: "MWh")",
           R"(commodity: "ALUMINIUM" asset_class: ASSET_CLASS_METALS canonical_unit: "tonnes")",
           // A convention without a unit (quote_unit is optional).
           R"(commodity: "COFFEE" asset_class: ASSET_CLASS_AGRICULTURE canonical_unit: "lb"
              quote_currency: "USD" quote_minor_scale: 100)",
       }) {
    t.products.push_back(Parse<ref::Product>(p));
  }
  for (const char* c : {
           R"(exchange: "XLME" product_code: "CA" commodity: "COPPER" contract_size { value: "25" }
              contract_unit: "MT" price_currency: "USD" price_minor_scale: 1 price_unit: "MT")",
           R"(exchange: "XCEC" product_code: "HG" commodity: "COPPER"
              contract_size { value: "25000" } contract_unit: "lb" price_currency: "USD"
              price_minor_scale: 100 price_unit: "lb")",
           R"(exchange: "IFEU" product_code: "B" commodity: "BRENT" contract_size { value: "1000" }
              contract_unit: "bbl" price_currency: "USD" price_minor_scale: 1 price_unit: "bbl")",
       }) {
    t.contracts.push_back(Parse<ref::ContractSpec>(c));
  }
  // A contractual factor (ICE gasoil: 7.45 bbl per MT) and a direct one for fuel oil.
  t.unit_conversions.push_back(Parse<ref::UnitConversion>(
      R"(commodity: "GASOIL" from_unit: "MT" to_unit: "bbl" factor { value: "7.45" })"));
  t.unit_conversions.push_back(Parse<ref::UnitConversion>(
      R"(commodity: "FUELOIL" from_unit: "bbl" to_unit: "MT" factor { value: "0.1575" })"));
  auto data = ReferenceData::Build(t);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return std::move(*data);
}

struct Outcome {
  TradeEvent event;
  std::vector<std::string> notes;
};

Outcome NormaliseText(const std::string& text, NormaliseOptions options = {}) {
  static const ReferenceData kReference = Reference();
  Outcome out{Parse<TradeEvent>(text), {}};
  Status st = Normalise(kReference, options, &out.event, &out.notes);
  EXPECT_TRUE(st.ok()) << st.ToString();
  // Idempotent: a second run changes nothing and has nothing new to say.
  TradeEvent again = out.event;
  std::vector<std::string> notes;
  EXPECT_TRUE(Normalise(kReference, options, &again, &notes).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(again, out.event))
      << again.DebugString() << "\nvs\n"
      << out.event.DebugString();
  for (const auto& n : notes) {
    EXPECT_NE(std::find(out.notes.begin(), out.notes.end(), n), out.notes.end()) << n;
  }
  return out;
}

TEST(NormaliseTest, ConvertsQuantityToCanonicalUnitExactly) {
  Outcome o = NormaliseText(R"(product { commodity: "FUELOIL" }
                     legs { quantity { value { value: "1000" } unit: "bbl"
                                       total { value: "31000" } } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "157.5");
  EXPECT_EQ(q.total().value(), "4882.5");
  EXPECT_EQ(q.unit(), "MT");
  EXPECT_EQ(q.reported_value().value(), "1000");
  EXPECT_EQ(q.reported_unit(), "bbl");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, InverseFactorRoundsHalfEvenAndNotes) {
  Outcome o = NormaliseText(R"(product { commodity: "GASOIL" }
                     legs { quantity { value { value: "1000" } unit: "bbl" } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "134.228188");  // 1000 / 7.45 = 134.2281879...
  EXPECT_EQ(q.unit(), "MT");
  EXPECT_EQ(q.reported_value().value(), "1000");
  EXPECT_THAT(o.notes, ElementsAre("legs[0].quantity.value: 1000 bbl = 134.228188 MT via bbl → MT "
                                   "(GASOIL) (factor 20/149): rounded half-even to 6 decimals"));
}

TEST(NormaliseTest, ChainedExactConversionRoundsOnlyAtTheEnd) {
  // 50000 lb × 0.00045359237 = 22.6796185 MT: the tie rounds to the even 22.679618.
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" }
                     legs { quantity { value { value: "50000" } unit: "lbs" } })");
  EXPECT_EQ(o.event.legs(0).quantity().value().value(), "22.679618");
  EXPECT_EQ(o.event.legs(0).quantity().reported_unit(), "lbs");
  ASSERT_EQ(o.notes.size(), 1u);
  EXPECT_NE(o.notes[0].find("lb → kg → MT"), std::string::npos) << o.notes[0];
}

TEST(NormaliseTest, ApproximateFactorIsNotedEvenWhenExact) {
  Outcome o = NormaliseText(R"(product { commodity: "TTF" }
                     legs { quantity { value { value: "1000" } unit: "MMBtu" } })");
  EXPECT_EQ(o.event.legs(0).quantity().value().value(), "293.071");
  EXPECT_THAT(o.notes, ElementsAre("legs[0].quantity.value: 1000 MMBtu = 293.071 MWh via MMBtu → "
                                   "MWh (factor 293071/1000000): approximate factor"));
  NormaliseOptions quiet;
  quiet.note_approximate_factors = false;
  EXPECT_THAT(NormaliseText(R"(product { commodity: "TTF" }
                     legs { quantity { value { value: "1000" } unit: "MMBtu" } })",
                            quiet)
                  .notes,
              IsEmpty());
}

TEST(NormaliseTest, CanonicalUnitSpellingIsAdoptedWithoutConversion) {
  Outcome o = NormaliseText(R"(product { commodity: "BRENT" }
                     legs { quantity { value { value: "5000" } unit: "BBL" } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "5000");
  EXPECT_EQ(q.unit(), "bbl");
  EXPECT_EQ(q.reported_unit(), "BBL");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, LotsTimesContractSizeFromTheSpec) {
  Outcome o = NormaliseText(R"(product { exchange: "XLME" product_code: "CA" }
                     legs { quantity { lots { value: "3" } } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.contract_size().value(), "25");
  EXPECT_EQ(q.contract_size_unit(), "MT");
  EXPECT_EQ(q.value().value(), "75");
  EXPECT_EQ(q.unit(), "MT");
  EXPECT_EQ(q.reported_value().value(), "75");
  // The commodity comes from the spec, and the product's taxonomy with it.
  EXPECT_EQ(o.event.product().commodity(), "COPPER");
  EXPECT_EQ(o.event.product().asset_class(), tradeflow::trade::v1::ASSET_CLASS_METALS);
  EXPECT_EQ(o.event.product().asset_subclass(), "Base");
  EXPECT_EQ(o.event.product().asset_detail(), "Copper");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, LotsInTheContractUnitThenConvertedToCanonical) {
  // COMEX copper: 2 × 25000 lb, canonical MT.
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                     legs { quantity { lots { value: "2" } } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "22.679618");
  EXPECT_EQ(q.unit(), "MT");
  EXPECT_EQ(q.reported_value().value(), "50000");
  EXPECT_EQ(q.reported_unit(), "lb");
  EXPECT_EQ(q.contract_size().value(), "25000");
  EXPECT_EQ(q.contract_size_unit(), "lb");
}

TEST(NormaliseTest, LotsAndValueThatDisagreeAreLeftAndNoted) {
  Outcome agree =
      NormaliseText(R"(product { commodity: "COPPER" exchange: "XLME" product_code: "CA" }
                         legs { quantity { value { value: "75" } unit: "MT" lots { value: "3" } } })");
  EXPECT_THAT(agree.notes, IsEmpty());

  Outcome o = NormaliseText(R"(product { commodity: "COPPER" exchange: "XLME" product_code: "CA" }
                     legs { quantity { value { value: "80" } unit: "MT" lots { value: "3" } } })");
  EXPECT_EQ(o.event.legs(0).quantity().value().value(), "80");
  EXPECT_EQ(o.event.legs(0).quantity().lots().value(), "3");
  EXPECT_THAT(o.notes,
              ElementsAre("legs[0].quantity.value: 80 MT disagrees with 3 lots × 25 MT = 75 MT"));

  // In different units, compared after conversion: 50 MT vs 2 × 25000 lb = 22.679618 MT.
  Outcome lb = NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                      legs { quantity { value { value: "50" } unit: "MT" lots { value: "2" } } })");
  EXPECT_THAT(lb.notes, ElementsAre("legs[0].quantity.value: 50 MT disagrees with 2 lots × 25000 "
                                    "lb = 50000 lb (22.679618 MT)"));
}

TEST(NormaliseTest, UnitsTakeTheirCanonicalSpelling) {
  // The product names its unit "tonnes": trades store MT, as every other product's.
  Outcome o = NormaliseText(R"(product { commodity: "ALUMINIUM" }
                     legs { quantity { value { value: "50" } unit: "mt" lots { value: "2" }
                                       contract_size { value: "25" } contract_size_unit: "t" } })");
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.unit(), "MT");
  EXPECT_EQ(q.contract_size_unit(), "MT");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, ATradesContractSizeOtherThanItsContractsIsUsedAndNoted) {
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                     legs { quantity { lots { value: "2" } contract_size { value: "20000" }
                                       contract_size_unit: "lbs" } })");
  EXPECT_EQ(o.event.legs(0).quantity().reported_value().value(), "40000");
  EXPECT_THAT(o.notes, ElementsAre("legs[0].quantity.contract_size: 20000 lb is not XCEC:HG's "
                                   "25000 lb; the trade's is used",
                                   testing::_));  // and the conversion's rounding
  Outcome same =
      NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                        legs { quantity { lots { value: "2" } contract_size { value: "25000.00" }
                                          contract_size_unit: "lb" } })");
  for (const auto& note : same.notes) EXPECT_EQ(note.find("is not XCEC:HG"), std::string::npos);
}

TEST(NormaliseTest, ATradesContractSizeWithoutAUnitIsInItsQuantitysUnit) {
  // 2 lots × 11.33981 (no unit) = 22.67962 MT, the quantity's unit: not the spec's lb.
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                     legs { quantity { value { value: "22.67962" } unit: "MT" lots { value: "2" }
                                       contract_size { value: "11.33981" } } })");
  EXPECT_EQ(o.event.legs(0).quantity().contract_size_unit(), "MT");
  EXPECT_THAT(o.notes, IsEmpty());
  // The quantity's unit spelt otherwise: the size's unit is stored by its canonical spelling
  // (and a second pass, which NormaliseText runs, changes nothing).
  Outcome spelt =
      NormaliseText(R"(product { commodity: "COPPER" exchange: "XCEC" product_code: "HG" }
                     legs { quantity { value { value: "22.67962" } unit: "mt" lots { value: "2" }
                                       contract_size { value: "11.33981" } } })");
  EXPECT_EQ(spelt.event.legs(0).quantity().contract_size_unit(), "MT");
  EXPECT_EQ(spelt.event.legs(0).quantity().reported_unit(), "mt");  // as the source wrote it
}

TEST(NormaliseTest, MinorUnitCurrencyCodes) {
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" }
                     legs { fixed { price { value { value: "65.25" } currency: "USc"
                                            per_unit: "lb" } } }
                     legs { physical { price { value { value: "85.125" } currency: "GBp" } } }
                     legs { option { strike { value { value: "300" } currency: "USX" }
                                     premium { value { value: "4.5" } currency: "GBX" }
                                     premium_amount { value: "45000" } } }
                     legs { floating { spread { value: "-1.5" } spread_currency: "EUc" } }
                     fees { amount { value: "250" } currency: "GBp" })");
  const auto& price = o.event.legs(0).fixed().price();
  EXPECT_EQ(price.value().value(), "0.6525");
  EXPECT_EQ(price.currency(), "USD");
  EXPECT_EQ(price.currency_minor_scale(), 100);
  EXPECT_EQ(price.per_unit(), "lb");
  EXPECT_EQ(o.event.legs(1).physical().price().value().value(), "0.85125");
  EXPECT_EQ(o.event.legs(1).physical().price().currency(), "GBP");
  const auto& option = o.event.legs(2).option();
  EXPECT_EQ(option.strike().value().value(), "3");
  EXPECT_EQ(option.strike().currency(), "USD");
  EXPECT_EQ(option.premium().value().value(), "0.045");
  EXPECT_EQ(option.premium().currency_minor_scale(), 100);
  EXPECT_EQ(option.premium_amount().value(), "450");
  EXPECT_EQ(o.event.legs(3).floating().spread().value(), "-0.015");
  EXPECT_EQ(o.event.legs(3).floating().spread_currency(), "EUR");
  EXPECT_EQ(o.event.fees(0).amount().value(), "2.5");
  EXPECT_EQ(o.event.fees(0).currency(), "GBP");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, ListedContractQuotedInMinorUnits) {
  // COMEX HG is quoted in US cents per lb: a price in USD with no scale is taken as cents.
  Outcome o = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                     legs { fixed { price { value { value: "412.35" } currency: "USD" } } })");
  const auto& price = o.event.legs(0).fixed().price();
  EXPECT_EQ(price.value().value(), "4.1235");
  EXPECT_EQ(price.currency(), "USD");
  EXPECT_EQ(price.currency_minor_scale(), 100);
  EXPECT_EQ(price.per_unit(), "lb");  // filled from the spec

  // The same price booked explicitly in major units (scale 1) is left alone.
  Outcome major = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                         legs { fixed { price { value { value: "4.1235" } currency: "USD"
                                                currency_minor_scale: 1 } } })");
  EXPECT_EQ(major.event.legs(0).fixed().price().value().value(), "4.1235");
  EXPECT_EQ(major.event.legs(0).fixed().price().currency_minor_scale(), 1);

  // A price in another currency than the spec's is not the spec's quote: left alone.
  Outcome eur = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                       legs { fixed { price { value { value: "380" } currency: "EUR" } } })");
  EXPECT_EQ(eur.event.legs(0).fixed().price().value().value(), "380");
  EXPECT_EQ(eur.event.legs(0).fixed().price().currency_minor_scale(), 0);

  // Nor is a price per another unit: 10250 USD per MT is in dollars, not cents.
  Outcome per_mt = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                          legs { fixed { price { value { value: "10250" } currency: "USD"
                                                 per_unit: "MT" } } })");
  EXPECT_EQ(per_mt.event.legs(0).fixed().price().value().value(), "10250");
  EXPECT_EQ(per_mt.event.legs(0).fixed().price().currency_minor_scale(), 0);
  // ...while per the spec's unit, in any spelling, it is the spec's quote.
  Outcome per_lb = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                          legs { fixed { price { value { value: "412.35" } currency: "USD"
                                                 per_unit: "LBS" } } })");
  EXPECT_EQ(per_lb.event.legs(0).fixed().price().value().value(), "4.1235");
  Outcome per_pound = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                             legs { fixed { price { value { value: "412.35" } currency: "USD"
                                                    per_unit: "pound" } } })");
  EXPECT_EQ(per_pound.event.legs(0).fixed().price().value().value(), "4.1235");
  // A unit that converts to nothing the convention quotes in is said, not silently kept.
  Outcome per_bushel = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                              legs { fixed { price { value { value: "412.35" } currency: "USD"
                                                     per_unit: "bushel" } } })");
  EXPECT_EQ(per_bushel.event.legs(0).fixed().price().value().value(), "412.35");
  EXPECT_THAT(per_bushel.notes,
              ::testing::Contains(::testing::HasSubstr(
                  "legs[0].fixed.price.per_unit: per 'bushel', which does not convert to the "
                  "quote convention's lb: the price is taken as quoted in USD, not in its minor "
                  "unit (1/100)")));

  // A minor scale the source gives with no currency is in the spec's minor unit: converted.
  Outcome scale_only = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                              legs { fixed { price { value { value: "465.25" }
                                                     currency_minor_scale: 100 } } })");
  const auto& cents = scale_only.event.legs(0).fixed().price();
  EXPECT_EQ(cents.value().value(), "4.6525");
  EXPECT_EQ(cents.currency(), "USD");
  EXPECT_EQ(cents.currency_minor_scale(), 100);
  // Said in minor units, it is converted whatever the unit it is per.
  Outcome scale_per_mt = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                                legs { fixed { price { value { value: "10250" } per_unit: "MT"
                                                       currency_minor_scale: 100 } } })");
  EXPECT_EQ(scale_per_mt.event.legs(0).fixed().price().value().value(), "102.5");
  EXPECT_EQ(scale_per_mt.event.legs(0).fixed().price().currency(), "USD");
  // With a scale the spec does not quote in, it is left without a currency (required_price).
  Outcome other_scale = NormaliseText(R"(product { exchange: "IFEU" product_code: "B" }
                               legs { fixed { price { value { value: "7512" }
                                                      currency_minor_scale: 100 } } })");
  EXPECT_EQ(other_scale.event.legs(0).fixed().price().value().value(), "7512");
  EXPECT_EQ(other_scale.event.legs(0).fixed().price().currency(), "");
}

TEST(NormaliseTest, PremiumAmountAndSpreadFollowTheQuoteConvention) {
  // An option on HG (quoted in cents) with its premium in no currency: the premium is taken as
  // cents, and so is the premium amount, which is in the premium's currency.
  Outcome o = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                     legs { option { premium { value { value: "12.5" } }
                                     premium_amount { value: "312500" } } }
                     legs { floating { spread { value: "1.5" } } })");
  const auto& option = o.event.legs(0).option();
  EXPECT_EQ(option.premium().value().value(), "0.125");
  EXPECT_EQ(option.premium().currency(), "USD");
  EXPECT_EQ(option.premium_amount().value(), "3125");
  // A spread with no currency is quoted as the contract's prices are.
  EXPECT_EQ(o.event.legs(1).floating().spread().value(), "0.015");
  EXPECT_EQ(o.event.legs(1).floating().spread_currency(), "USD");
  // One in an ISO currency is in major units: a spread has no scale to say otherwise.
  Outcome usd = NormaliseText(R"(product { exchange: "XCEC" product_code: "HG" }
                       legs { floating { spread { value: "1.5" } spread_currency: "USD" } })");
  EXPECT_EQ(usd.event.legs(0).floating().spread().value(), "1.5");
}

// A source that writes GBP for a price in pence (NBP is quoted in GBp) writes it for the
// spread of the same trade too: both are taken as pence, whichever leg comes first.
TEST(NormaliseTest, ASpreadInTheCurrencyOfPricesTakenAsMinorUnitsIsToo) {
  for (const char* legs : {R"(legs { fixed { price { value { value: "85" } currency: "GBP" } } }
                             legs { floating { spread { value: "2" } spread_currency: "GBP" } })",
                           R"(legs { floating { spread { value: "2" } spread_currency: "GBP" } }
                             legs { fixed { price { value { value: "85" } currency: "GBP" } } })"}) {
    Outcome o = NormaliseText(std::string(R"(product { commodity: "NBP" } )") + legs);
    const TradeEvent& e = o.event;
    const int fixed = e.legs(0).has_fixed() ? 0 : 1;
    EXPECT_EQ(e.legs(fixed).fixed().price().value().value(), "0.85");
    EXPECT_EQ(e.legs(1 - fixed).floating().spread().value(), "0.02");
    EXPECT_EQ(e.legs(1 - fixed).floating().spread_currency(), "GBP");
  }
  // A price that says it is in major units leaves the spread in major units too.
  Outcome major = NormaliseText(R"(product { commodity: "NBP" }
      legs { fixed { price { value { value: "0.85" } currency: "GBP" currency_minor_scale: 1 } } }
      legs { floating { spread { value: "0.02" } spread_currency: "GBP" } })");
  EXPECT_EQ(major.event.legs(1).floating().spread().value(), "0.02");
}

TEST(NormaliseTest, OtcPriceFollowsTheProductQuoteConvention) {
  Outcome o = NormaliseText(R"(product { commodity: "NBP" }
                     legs { quantity { value { value: "1000" } unit: "thm" }
                            fixed { price { value { value: "85.5" } } } })");
  const auto& price = o.event.legs(0).fixed().price();
  EXPECT_EQ(price.value().value(), "0.855");
  EXPECT_EQ(price.currency(), "GBP");
  EXPECT_EQ(price.currency_minor_scale(), 100);
  EXPECT_EQ(price.per_unit(), "therm");
  EXPECT_EQ(o.event.legs(0).quantity().unit(), "therm");
}

TEST(NormaliseTest, AConventionWithoutAUnitTakesAPricePerAnyUnit) {
  Outcome o = NormaliseText(R"(product { commodity: "COFFEE" }
                     legs { fixed { price { value { value: "185.5" } currency: "USD"
                                            per_unit: "lb" } } })");
  EXPECT_EQ(o.event.legs(0).fixed().price().value().value(), "1.855");
  EXPECT_EQ(o.event.legs(0).fixed().price().currency_minor_scale(), 100);
}

TEST(NormaliseTest, WhatCannotBeDoneIsNoted) {
  Outcome unit = NormaliseText(R"(product { commodity: "COPPER" }
                        legs { quantity { value { value: "10" } unit: "bu" } })");
  EXPECT_EQ(unit.event.legs(0).quantity().value().value(), "10");
  EXPECT_EQ(unit.event.legs(0).quantity().unit(), "bu");
  EXPECT_THAT(unit.notes, ElementsAre("legs[0].quantity.unit: no conversion from 'bu' to 'MT' for "
                                      "COPPER; left in bu"));

  Outcome contract =
      NormaliseText(R"(product { commodity: "BRENT" exchange: "XNYM" product_code: "ZZ" }
                            legs { quantity { lots { value: "2" } } })");
  EXPECT_THAT(contract.notes,
              ElementsAre("product.product_code: no contract spec for XNYM:ZZ; contract size "
                          "and quote convention not applied",
                          "legs[0].quantity.contract_size: lots given without a contract size "
                          "and contract XNYM:ZZ has none"));

  Outcome otc_lots = NormaliseText(R"(product { commodity: "BRENT" }
                            legs { quantity { lots { value: "2" } } })");
  EXPECT_THAT(otc_lots.notes, ElementsAre("legs[0].quantity.contract_size: lots given without a "
                                          "contract size and the trade names no listed contract"));

  Outcome product = NormaliseText(R"(product { commodity: "UNOBTAINIUM" }
                           legs { quantity { value { value: "1" } unit: "MT" } })");
  EXPECT_THAT(product.notes, ElementsAre("product.commodity: 'UNOBTAINIUM' is not a reference "
                                         "product; quantities not converted"));
  EXPECT_EQ(product.event.legs(0).quantity().reported_value().value(), "1");

  Outcome no_unit = NormaliseText(R"(product { commodity: "BRENT" }
                           legs { quantity { value { value: "1" } } })");
  EXPECT_THAT(no_unit.notes,
              ElementsAre("legs[0].quantity.unit: empty; quantity not converted to a canonical "
                          "unit"));

  Outcome mismatch =
      NormaliseText(R"(product { commodity: "BRENT" exchange: "XLME" product_code: "CA" })");
  EXPECT_THAT(mismatch.notes,
              ElementsAre("product.commodity: 'BRENT' but contract XLME:CA is for 'COPPER'"));
}

TEST(NormaliseTest, ExistingFieldsAreNotOverwritten) {
  Outcome o = NormaliseText(R"(product { commodity: "COPPER" asset_class: ASSET_CLASS_ENERGY
                               asset_subclass: "Mine" }
                     legs { quantity { value { value: "2" } unit: "kt"
                                       reported_value { value: "2000" } reported_unit: "MT" } })");
  EXPECT_EQ(o.event.product().asset_class(), tradeflow::trade::v1::ASSET_CLASS_ENERGY);
  EXPECT_EQ(o.event.product().asset_subclass(), "Mine");
  EXPECT_EQ(o.event.product().asset_detail(), "Copper");
  EXPECT_EQ(o.event.legs(0).quantity().value().value(), "2000");
  EXPECT_EQ(o.event.legs(0).quantity().reported_value().value(), "2000");
  EXPECT_EQ(o.event.legs(0).quantity().reported_unit(), "MT");
}

TEST(NormaliseTest, OptionsSwitchStepsOff) {
  NormaliseOptions off;
  off.apply_contract_specs = off.convert_quantities = off.convert_minor_currency =
      off.fill_product = false;
  Outcome o = NormaliseText(R"(product { exchange: "XLME" product_code: "CA" }
                     legs { quantity { lots { value: "3" } }
                            fixed { price { value { value: "65.25" } currency: "USc" } } })",
                            off);
  EXPECT_FALSE(o.event.legs(0).quantity().has_value());
  EXPECT_EQ(o.event.legs(0).fixed().price().currency(), "USc");
  EXPECT_EQ(o.event.product().commodity(), "");
}

TEST(NormaliseTest, WithoutReferenceTablesNothingIsNoted) {
  ReferenceData empty;
  TradeEvent e = Parse<TradeEvent>(R"(product { commodity: "X" exchange: "A" product_code: "B" }
                                      legs { quantity { value { value: "1" } unit: "MT" } })");
  std::vector<std::string> notes;
  ASSERT_TRUE(Normalise(empty, {}, &e, &notes).ok());
  EXPECT_THAT(notes, IsEmpty());
  EXPECT_EQ(e.legs(0).quantity().reported_value().value(), "1");
  EXPECT_EQ(e.legs(0).quantity().value().value(), "1");
}

// ---- Per-period totals
// ---------------------------------------------------------------------------

// `field` { year month day } from "YYYY-MM-DD".
std::string DateText(const std::string& field, const std::string& iso) {
  return field + " { year: " + std::to_string(std::stoi(iso.substr(0, 4))) +
         " month: " + std::to_string(std::stoi(iso.substr(5, 2))) +
         " day: " + std::to_string(std::stoi(iso.substr(8, 2))) + " }";
}

// A physical trade in `commodity`, one leg: `quantity` (inside Quantity), delivered from `start`
// to `end` inclusive, with more Delivery fields in `delivery` (time_zone, load_type).
std::string PhysicalTrade(const std::string& commodity, const std::string& quantity,
                          const std::string& start, const std::string& end,
                          const std::string& delivery = "") {
  return "product { commodity: \"" + commodity + "\" } legs { quantity { " + quantity +
         " } physical { delivery { " + DateText("start_date", start) + " " +
         DateText("end_date", end) + " " + delivery + " } } }";
}

// `value` MWh of UK power per hour, base load in Europe/London, from `start` to `end`.
std::string HourlyPower(const std::string& start, const std::string& end,
                        const std::string& delivery = R"(time_zone: "Europe/London")") {
  return PhysicalTrade(
      "UKPOWER", R"(value { value: "10" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_HOUR)",
      start, end, delivery);
}

constexpr char kPerDay[] =
    R"(value { value: "310" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_DAY)";

std::string TotalOf(const Outcome& o, int leg = 0) {
  const auto& q = o.event.legs(leg).quantity();
  return q.has_total() ? q.total().value() : "<unset>";
}

TEST(NormaliseTest, PerDayTotalOverTheDeliveryMonth) {
  Outcome o = NormaliseText(PhysicalTrade("TTF", kPerDay, "2026-08-01", "2026-08-31"));
  EXPECT_EQ(TotalOf(o), "9610");  // 310 × 31 days
  EXPECT_EQ(o.event.legs(0).quantity().value().value(), "310");
  EXPECT_EQ(o.event.legs(0).quantity().unit(), "MWh");
  EXPECT_THAT(o.notes, IsEmpty());
  // Dates across a year end, and one day.
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", kPerDay, "2026-12-30", "2027-01-02"))),
            "1240");
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", kPerDay, "2026-08-05", "2026-08-05"))),
            "310");
}

// A pipeline without reference data runs the steps that need none: totals and minor-unit codes.
// Lots without a contract size or a quantity without a unit are not noted: nothing could act
// on them without a contract spec or a product.
TEST(NormaliseTest, WithoutReferenceDataTotalsAndMinorUnitsStillApply) {
  ReferenceData empty;
  TradeEvent e = Parse<TradeEvent>(PhysicalTrade("TTF", kPerDay, "2026-08-01", "2026-08-28"));
  auto* leg = e.add_legs();
  leg->mutable_quantity()->mutable_lots()->set_value("3");
  leg->mutable_fixed()->mutable_price()->mutable_value()->set_value("251.5");
  leg->mutable_fixed()->mutable_price()->set_currency("USc");
  std::vector<std::string> notes;
  ASSERT_TRUE(Normalise(empty, WithoutReferenceData({}), &e, &notes).ok());
  EXPECT_THAT(notes, IsEmpty());
  EXPECT_EQ(e.legs(0).quantity().total().value(), "8680");  // 310 × 28 days
  EXPECT_FALSE(e.legs(0).quantity().has_reported_value());  // no unit step
  EXPECT_EQ(e.legs(1).fixed().price().value().value(), "2.515");
  EXPECT_EQ(e.legs(1).fixed().price().currency(), "USD");
  EXPECT_EQ(e.legs(1).fixed().price().currency_minor_scale(), 100);
  const NormaliseOptions off = WithoutReferenceData({});
  EXPECT_FALSE(off.apply_contract_specs || off.convert_quantities || off.fill_product);
  EXPECT_TRUE(off.compute_totals && off.convert_minor_currency);
  EXPECT_FALSE(WithoutReferenceData({.compute_totals = false}).compute_totals);
}

TEST(NormaliseTest, PerHourBaseLoadCountsTheHoursOfDstDays) {
  // Clocks go back on 2026-10-25 in London (25 hours) and forward on 2026-03-29 (23 hours).
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-10-25", "2026-10-25"))), "250");
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-03-29", "2026-03-29"))), "230");
  Outcome week = NormaliseText(HourlyPower("2026-06-01", "2026-06-07"));
  EXPECT_EQ(TotalOf(week), "1680");  // 7 × 24
  EXPECT_THAT(week.notes, IsEmpty());
  // The whole of October 2026: 31 × 24 + 1.
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-10-01", "2026-10-31"))), "7450");
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-10-25", "2026-10-25",
                                              R"(time_zone: "Europe/London" load_type: "BASE")"))),
            "250");
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-10-25", "2026-10-25",
                                              R"(time_zone: "Europe/London" load_type: "base")"))),
            "250");  // in any case
  // A fixed offset has no clock changes.
  EXPECT_EQ(TotalOf(NormaliseText(HourlyPower("2026-10-25", "2026-10-25", R"(time_zone: "UTC")"))),
            "240");
}

TEST(NormaliseTest, PerHourWhereMidnightIsSkippedOrTheShiftIsHalfAnHour) {
  // Chile moves its clocks forward at midnight: 2026-09-06 starts at 01:00 and has 23 hours.
  EXPECT_EQ(TotalOf(NormaliseText(
                HourlyPower("2026-09-05", "2026-09-06", R"(time_zone: "America/Santiago")"))),
            "470");
  // Lord Howe Island goes back half an hour on 2026-04-05: 24.5 hours, and a value with six
  // decimals needs a seventh, rounded half-even and noted.
  Outcome o = NormaliseText(PhysicalTrade(
      "UKPOWER",
      R"(value { value: "1.000001" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_HOUR)",
      "2026-04-05", "2026-04-05", R"(time_zone: "Australia/Lord_Howe")"));
  EXPECT_EQ(TotalOf(o), "24.500024");  // 24.5000245
  EXPECT_THAT(o.notes, ElementsAre("legs[0].quantity.total: 1.000001 × 49/2 rounded half-even to 6 "
                                   "decimals: 24.500024"));
}

TEST(NormaliseTest, PerMonthOnlyOverWholeMonths) {
  const std::string per_month =
      R"(value { value: "100" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_MONTH)";
  Outcome quarter = NormaliseText(PhysicalTrade("TTF", per_month, "2026-07-01", "2026-09-30"));
  EXPECT_EQ(TotalOf(quarter), "300");
  EXPECT_THAT(quarter.notes, IsEmpty());
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", per_month, "2028-02-01", "2028-02-29"))),
            "100");
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", per_month, "2026-11-01", "2027-02-28"))),
            "400");

  Outcome partial = NormaliseText(PhysicalTrade("TTF", per_month, "2026-07-05", "2026-09-30"));
  EXPECT_EQ(TotalOf(partial), "<unset>");
  EXPECT_THAT(partial.notes,
              ElementsAre("legs[0].quantity.total: not computed: PER_MONTH is only counted over "
                          "whole calendar months; legs[0].physical.delivery runs 2026-07-05 to "
                          "2026-09-30"));
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", per_month, "2026-07-01", "2026-09-29"))),
            "<unset>");
}

TEST(NormaliseTest, TermTotalIsTheValueWithOrWithoutAPeriod) {
  Outcome future = NormaliseText(R"(product { exchange: "IFEU" product_code: "B" }
                     legs { quantity { lots { value: "3" } frequency: QUANTITY_FREQUENCY_TERM } })");
  EXPECT_EQ(future.event.legs(0).quantity().value().value(), "3000");
  EXPECT_EQ(TotalOf(future), "3000");
  EXPECT_THAT(future.notes, IsEmpty());
  Outcome physical = NormaliseText(PhysicalTrade(
      "TTF", R"(value { value: "5000.50" } unit: "MWh" frequency: QUANTITY_FREQUENCY_TERM)",
      "2026-08-01", "2026-08-31"));
  EXPECT_EQ(TotalOf(physical), "5000.5");
  // Converted with rounding: the value's rounding is noted once, not again for its total.
  Outcome converted = NormaliseText(PhysicalTrade(
      "GASOIL", R"(value { value: "1000" } unit: "bbl" frequency: QUANTITY_FREQUENCY_TERM)",
      "2026-08-01", "2026-08-31"));
  EXPECT_EQ(converted.event.legs(0).quantity().value().value(), "134.228188");
  EXPECT_EQ(TotalOf(converted), "134.228188");
  EXPECT_THAT(converted.notes, ElementsAre(::testing::StartsWith("legs[0].quantity.value: ")));
}

// A total the source gave in its unit agrees with value × periods once both are converted,
// though each was rounded on the way: 100 bbl a day for 28 days, 2800 bbl, in MT.
TEST(NormaliseTest, AGivenTotalAgreesAfterAConversionRoundedBoth) {
  Outcome o = NormaliseText(
      PhysicalTrade("GASOIL",
                    R"(value { value: "100" } unit: "bbl" frequency: QUANTITY_FREQUENCY_PER_DAY
         total { value: "2800" })",
                    "2026-02-01", "2026-02-28"));
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "13.422819");   // 100 / 7.45, rounded
  EXPECT_EQ(q.total().value(), "375.838926");  // 2800 / 7.45, rounded; 13.422819 × 28 = 375.838932
  for (const auto& note : o.notes) EXPECT_EQ(note.find("disagrees"), std::string::npos) << note;
}

// A total too large for its column is an error naming the total and how it was computed.
TEST(NormaliseTest, ATotalTooLargeNamesTheTotal) {
  TradeEvent event = Parse<TradeEvent>(
      PhysicalTrade("TTF",
                    R"(value { value: "90000000000000000000000000000000" } unit: "MWh"
         frequency: QUANTITY_FREQUENCY_PER_DAY)",
                    "2026-08-01", "2026-08-31"));
  std::vector<std::string> notes;
  Status st = Normalise(Reference(), {}, &event, &notes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("legs[0].quantity.total (90000000000000000000000000000000 × 31)"),
            std::string::npos)
      << st.message();
}

TEST(NormaliseTest, WhatCannotBeTotalledIsNoted) {
  auto notes_of = [](const std::string& text) {
    Outcome o = NormaliseText(text);
    EXPECT_EQ(TotalOf(o), "<unset>") << text;
    return o.notes;
  };
  EXPECT_THAT(notes_of(HourlyPower("2026-08-01", "2026-08-31",
                                   R"(time_zone: "Europe/London" load_type: "PEAK")")),
              ElementsAre("legs[0].quantity.total: not computed: PER_HOUR is only counted for "
                          "BASE load; load type PEAK needs the market's calendar of its hours"));
  EXPECT_THAT(notes_of(HourlyPower("2026-08-01", "2026-08-31", "")),
              ElementsAre("legs[0].quantity.total: not computed: PER_HOUR needs a time zone to "
                          "count hours (23 or 25 on the days the clocks change) and "
                          "legs[0].physical.delivery has none"));
  EXPECT_THAT(notes_of(HourlyPower("2026-08-01", "2026-08-31", R"(time_zone: "Europe/Nowhere")")),
              ElementsAre("legs[0].quantity.total: not computed: unknown time zone "
                          "'Europe/Nowhere': use an IANA name such as Europe/London, UTC or a "
                          "fixed offset like +01:00"));
  EXPECT_THAT(
      notes_of(HourlyPower("2026-08-01", "2026-08-31", R"(time_zone: "localtime")")),
      ElementsAre(::testing::HasSubstr("not computed: time zone 'localtime' is the host's own")));
  EXPECT_THAT(notes_of(PhysicalTrade("TTF", kPerDay, "2026-08-31", "2026-08-01")),
              ElementsAre("legs[0].quantity.total: not computed: "
                          "legs[0].physical.delivery.end_date 2026-08-01 is before start_date "
                          "2026-08-31"));
  EXPECT_THAT(notes_of(PhysicalTrade("TTF", kPerDay, "2026-02-01", "2026-02-30")),
              ElementsAre("legs[0].quantity.total: not computed: "
                          "legs[0].physical.delivery.end_date 2026-02-30 is not a valid date"));
  EXPECT_THAT(notes_of(R"(product { commodity: "TTF" } legs { quantity { )" + std::string(kPerDay) +
                       " } }"),
              ElementsAre("legs[0].quantity.total: not computed: PER_DAY needs a delivery or "
                          "pricing period; no leg has one"));
  EXPECT_THAT(notes_of(R"(product { commodity: "TTF" }
                          legs { quantity { value { value: "1" } unit: "MWh"
                                            frequency: QUANTITY_FREQUENCY_PER_DAY } }
                          legs { floating { pricing_start { year: 2026 month: 8 day: 1 } } })"),
              ElementsAre("legs[0].quantity.total: not computed: legs[1].floating.pricing_end is "
                          "not set"));
  EXPECT_THAT(
      notes_of(PhysicalTrade(
          "TTF",
          R"(value { value: "1" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_BUSINESS_DAY)",
          "2026-08-01", "2026-08-31")),
      ElementsAre("legs[0].quantity.total: not computed: PER_BUSINESS_DAY needs a holiday "
                  "calendar, which reference data does not have"));
  EXPECT_THAT(
      notes_of(PhysicalTrade(
          "TTF",
          R"(value { value: "1" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_CALC_PERIOD)",
          "2026-08-01", "2026-08-31")),
      ElementsAre("legs[0].quantity.total: not computed: PER_CALC_PERIOD needs the calculation "
                  "periods, which the trade does not give"));
  EXPECT_THAT(
      notes_of(PhysicalTrade(
          "UKPOWER",
          R"(value { value: "1" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_SETTLEMENT_PERIOD)",
          "2026-08-01", "2026-08-31", R"(time_zone: "Europe/London")")),
      ElementsAre("legs[0].quantity.total: not computed: PER_SETTLEMENT_PERIOD needs the "
                  "market's settlement period length, which reference data does not "
                  "have"));
  // No frequency: the value may be per anything; nothing to count and nothing to say.
  EXPECT_THAT(notes_of(PhysicalTrade("TTF", R"(value { value: "1" } unit: "MWh")", "2026-08-01",
                                     "2026-08-31")),
              IsEmpty());
}

// A given total is kept; one that disagrees with value × periods (beyond its own rounding) is
// noted: a per-day figure sent as the total would otherwise pass as one.
TEST(NormaliseTest, AGivenTotalIsKeptAndCheckedAgainstThePeriods) {
  auto with_total = [](const std::string& total) {
    return NormaliseText(
        PhysicalTrade("TTF",
                      R"(value { value: "310.4" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_DAY
                         total { value: ")" +
                          total + R"(" })",
                      "2026-08-01", "2026-08-31"));
  };
  Outcome o = with_total("9622.4");  // 310.4 × 31
  EXPECT_EQ(TotalOf(o), "9622.4");
  EXPECT_THAT(o.notes, IsEmpty());
  EXPECT_THAT(with_total("9622").notes, IsEmpty());  // written without decimals: agrees
  o = with_total("310.4");
  EXPECT_EQ(TotalOf(o), "310.4");
  EXPECT_THAT(o.notes, ElementsAre("legs[0].quantity.total: 310.4 MWh disagrees with 310.4 × 31 "
                                   "= 9622.4 MWh"));
}

TEST(NormaliseTest, TotalsAreIdempotent) {
  // NormaliseText runs twice and compares; here the second run is checked explicitly as well.
  static const ReferenceData kReference = Reference();
  for (const std::string& text : {PhysicalTrade("TTF", kPerDay, "2026-08-01", "2026-08-31"),
                                  HourlyPower("2026-08-01", "2026-08-31",
                                              R"(time_zone: "Europe/London" load_type: "PEAK")")}) {
    TradeEvent event = Parse<TradeEvent>(text);
    std::vector<std::string> first, second;
    ASSERT_TRUE(Normalise(kReference, {}, &event, &first).ok());
    TradeEvent once = event;
    ASSERT_TRUE(Normalise(kReference, {}, &event, &second).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(event, once)) << text;
    EXPECT_EQ(second, first) << text;  // the same notes again, nothing new
  }
}

TEST(NormaliseTest, SwapTotalOverTheFloatingLegPricingPeriod) {
  Outcome o = NormaliseText(R"(product { commodity: "TTF" instrument_type: INSTRUMENT_TYPE_SWAP }
      legs { quantity { value { value: "310" } unit: "MWh" frequency: QUANTITY_FREQUENCY_PER_DAY }
             fixed { price { value { value: "34.5" } currency: "EUR" } } }
      legs { floating { index_id: "TTF_DA" pricing_start { year: 2026 month: 8 day: 1 }
                        pricing_end { year: 2026 month: 8 day: 31 } } })");
  EXPECT_EQ(TotalOf(o), "9610");
  EXPECT_THAT(o.notes, IsEmpty());
}

TEST(NormaliseTest, TotalAfterUnitConversionIsInTheCanonicalUnit) {
  Outcome o = NormaliseText(PhysicalTrade(
      "TTF", R"(value { value: "310000" } unit: "kWh" frequency: QUANTITY_FREQUENCY_PER_DAY)",
      "2026-08-01", "2026-08-31"));
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "310");
  EXPECT_EQ(q.unit(), "MWh");
  EXPECT_EQ(q.total().value(), "9610");
  EXPECT_EQ(q.reported_value().value(), "310000");
  EXPECT_EQ(q.reported_unit(), "kWh");
  EXPECT_THAT(o.notes, IsEmpty());
}

// The total of a converted value is the reported figure × the periods, converted and rounded
// once; not the rounded value × the periods (13.422819 × 28 = 375.838932).
TEST(NormaliseTest, ATotalAfterAConversionIsRoundedOnce) {
  Outcome o = NormaliseText(PhysicalTrade(
      "GASOIL", R"(value { value: "100" } unit: "bbl" frequency: QUANTITY_FREQUENCY_PER_DAY)",
      "2026-02-01", "2026-02-28"));
  const auto& q = o.event.legs(0).quantity();
  EXPECT_EQ(q.value().value(), "13.422819");
  EXPECT_EQ(q.total().value(), "375.838926");  // 2800 bbl / 7.45
  EXPECT_THAT(o.notes, testing::Contains("legs[0].quantity.total: 100 bbl × 28 in MT rounded "
                                         "half-even to 6 decimals: 375.838926"));
}

TEST(NormaliseTest, ComputeTotalsCanBeSwitchedOff) {
  NormaliseOptions off;
  off.compute_totals = false;
  Outcome o = NormaliseText(
      HourlyPower("2026-08-01", "2026-08-31", R"(time_zone: "Europe/London" load_type: "PEAK")"),
      off);
  EXPECT_EQ(TotalOf(o), "<unset>");
  EXPECT_THAT(o.notes, IsEmpty());
  EXPECT_EQ(TotalOf(NormaliseText(PhysicalTrade("TTF", kPerDay, "2026-08-01", "2026-08-31"), off)),
            "<unset>");
}

}  // namespace
}  // namespace tradeflow::transform
