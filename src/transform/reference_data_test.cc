#include "transform/reference_data.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <functional>

#include "transform/reference_data_units.h"

namespace tradeflow::transform {
namespace {

template <typename T>
T Parse(const std::string& text) {
  T out;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &out)) << text;
  return out;
}

ReferenceTables Tables() {
  ReferenceTables t;
  t.counterparties.push_back(Parse<ref::Counterparty>(
      R"(id: "CP1001" name: "Northsea Energy Trading Ltd" lei: "5493R66UPOXALKMXFU91"
         country: "GB" active: true)"));
  t.counterparties.push_back(Parse<ref::Counterparty>(
      R"(id: "CP1001-OLD" name: "Northsea, old account" lei: "5493R66UPOXALKMXFU91")"));
  t.books.push_back(Parse<ref::Book>(R"(book: "CRUDE-LDN" portfolio: "ENERGY-EU" active: true)"));
  t.products.push_back(Parse<ref::Product>(
      R"(commodity: "BRENT" asset_class: ASSET_CLASS_ENERGY canonical_unit: "bbl")"));
  t.products.push_back(Parse<ref::Product>(
      R"(commodity: "COPPER" asset_class: ASSET_CLASS_METALS canonical_unit: "MT")"));
  t.contracts.push_back(Parse<ref::ContractSpec>(
      R"(exchange: "IFEU" product_code: "B" commodity: "BRENT"
         contract_size { value: "1000" } contract_unit: "bbl")"));
  t.unit_conversions.push_back(
      Parse<ref::UnitConversion>(R"(from_unit: "bbl" to_unit: "MT" factor { value: "0.14" }
                                    approximate: true)"));
  t.unit_conversions.push_back(Parse<ref::UnitConversion>(
      R"(commodity: "BRENT" from_unit: "bbl" to_unit: "MT" factor { value: "0.1364" }
         approximate: true)"));
  t.fx_rates.push_back(Parse<ref::FxRate>(
      R"(date { year: 2026 month: 5 day: 11 } base_currency: "EUR" quote_currency: "USD"
         rate { value: "1.25" })"));
  return t;
}

ReferenceData Build() {
  auto data = ReferenceData::Build(Tables());
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return std::move(*data);
}

TEST(ReferenceDataTest, LooksUpRowsByKey) {
  ReferenceData data = Build();
  ASSERT_NE(data.FindCounterparty("CP1001"), nullptr);
  EXPECT_EQ(data.FindCounterparty("CP1001")->country(), "GB");
  EXPECT_EQ(data.FindCounterparty("CP9999"), nullptr);
  // Two ids share one LEI: the first in load order answers.
  ASSERT_NE(data.FindCounterpartyByLei("5493R66UPOXALKMXFU91"), nullptr);
  EXPECT_EQ(data.FindCounterpartyByLei("5493R66UPOXALKMXFU91")->id(), "CP1001");
  EXPECT_EQ(data.FindCounterpartyByLei("00000000000000000000"), nullptr);
  ASSERT_NE(data.FindBook("CRUDE-LDN"), nullptr);
  EXPECT_EQ(data.FindBook("CRUDE-LDN")->portfolio(), "ENERGY-EU");
  ASSERT_NE(data.FindProduct("COPPER"), nullptr);
  EXPECT_EQ(data.FindProduct("COPPER")->canonical_unit(), "MT");
  ASSERT_NE(data.FindContract("IFEU", "B"), nullptr);
  EXPECT_EQ(data.FindContract("IFEU", "B")->contract_size().value(), "1000");
  EXPECT_EQ(data.FindContract("XNYM", "B"), nullptr);
}

TEST(ReferenceDataTest, ImplementsReferenceLookup) {
  ReferenceData data = Build();
  const model::ReferenceLookup& lookup = data;
  EXPECT_TRUE(lookup.Exists("counterparties", "CP1001"));
  EXPECT_FALSE(lookup.Exists("counterparties", "CP1002"));
  EXPECT_TRUE(lookup.Exists("books", "CRUDE-LDN"));
  EXPECT_TRUE(lookup.Exists("products", "BRENT"));
  EXPECT_TRUE(lookup.Exists("contracts", "IFEU:B"));
  EXPECT_FALSE(lookup.Exists("contracts", "IFEU"));
  EXPECT_FALSE(lookup.Exists("traders", "x"));
  EXPECT_TRUE(lookup.HasTable("contracts"));
  EXPECT_FALSE(lookup.HasTable("fx_rates"));  // loaded, but not keyed by one value
  EXPECT_FALSE(lookup.HasTable("traders"));

  ReferenceData empty;
  EXPECT_FALSE(empty.HasTable("books"));
  empty.MarkLoaded("books");
  EXPECT_TRUE(empty.HasTable("books"));
  EXPECT_FALSE(empty.Exists("books", "CRUDE-LDN"));
}

TEST(ReferenceDataTest, DuplicateKeysNameTheKey) {
  struct Case {
    std::function<void(ReferenceTables*)> add;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](ReferenceTables* t) { t->counterparties.push_back(t->counterparties[0]); },
       "duplicate counterparty id 'CP1001'"},
      {[](ReferenceTables* t) { t->books.push_back(t->books[0]); }, "duplicate book 'CRUDE-LDN'"},
      {[](ReferenceTables* t) { t->products.push_back(t->products[1]); },
       "duplicate product commodity 'COPPER'"},
      {[](ReferenceTables* t) { t->contracts.push_back(t->contracts[0]); },
       "duplicate contract 'IFEU:B'"},
      {[](ReferenceTables* t) {
         auto c = t->unit_conversions[1];
         c.set_from_unit("BBL");  // the same unit in another spelling
         t->unit_conversions.push_back(c);
       },
       "duplicate unit conversion BRENT bbl → MT"},
      {[](ReferenceTables* t) { t->fx_rates.push_back(t->fx_rates[0]); },
       "duplicate FX rate 2026-05-11 EUR/USD"},
      {[](ReferenceTables* t) {  // EUR/USD 1.25 is USD/EUR 0.8, not 0.5
         t->fx_rates.push_back(Parse<ref::FxRate>(
             R"(date { year: 2026 month: 5 day: 11 } base_currency: "USD" quote_currency: "EUR"
                rate { value: "0.5" })"));
       },
       "FX rate 2026-05-11 USD/EUR (0.5) contradicts the rate given the other way (its inverse "
       "is more than 0.1% apart): give one direction, or make them agree"},
  };
  for (const auto& c : cases) {
    ReferenceTables t = Tables();
    c.add(&t);
    auto data = ReferenceData::Build(t);
    ASSERT_FALSE(data.ok()) << c.message;
    EXPECT_EQ(data.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(data.status().message(), c.message);
  }
}

// A pair given both ways must agree (within 0.01%, for a rounded inverse), or results would
// depend on the direction a conversion is looked up in.
TEST(ReferenceDataTest, APairGivenBothWaysMustAgree) {
  auto with_inverse = [](const char* factor, bool approximate = false) {
    ReferenceTables t;
    ref::UnitConversion there, back;
    there.set_commodity("GASOIL");
    there.set_from_unit("MT");
    there.set_to_unit("bbl");
    there.mutable_factor()->set_value("7.45");
    back.set_commodity("GASOIL");
    back.set_from_unit("bbl");
    back.set_to_unit("MT");
    back.mutable_factor()->set_value(factor);
    back.set_approximate(approximate);
    t.unit_conversions = {there, back};
    return ReferenceData::Build(t).status();
  };
  EXPECT_TRUE(with_inverse("0.134228").ok());  // 1 / 7.45 = 0.1342281879..., rounded
  EXPECT_TRUE(with_inverse("0.1342").ok());    // rounded to 4 decimals, as people write it
  EXPECT_FALSE(with_inverse("0.1341").ok());   // not a rounding of it
  // A rounding to few decimals, but far off: 1000 bbl would be 100 MT one way, 134 the other.
  EXPECT_FALSE(with_inverse("0.1").ok());
  EXPECT_FALSE(with_inverse("0.13").ok());
  EXPECT_TRUE(with_inverse("0.1335", true).ok());  // approximate: within 1%
  Status contradicts = with_inverse("0.2");
  ASSERT_FALSE(contradicts.ok());
  EXPECT_EQ(contradicts.message(),
            "unit conversion GASOIL bbl → MT (factor 0.2) contradicts the one given the other "
            "way (factor 7.45): one is not the other's inverse; give one direction (the other is "
            "derived) or make them agree");
}

ref::UnitConversion Conversion(const char* commodity, const char* from, const char* to,
                               const char* factor, bool approximate) {
  ref::UnitConversion c;
  c.set_commodity(commodity);
  c.set_from_unit(from);
  c.set_to_unit(to);
  c.mutable_factor()->set_value(factor);
  c.set_approximate(approximate);
  return c;
}

// Two routes between units must give the same factor, for every commodity, or a quantity would
// convert by whichever route the search takes.
TEST(ReferenceDataTest, RoutesBetweenUnitsMustAgree) {
  auto build = [](std::vector<std::tuple<const char*, const char*, const char*, const char*>> rows,
                  bool approximate = false) {
    ReferenceTables t;
    for (const auto& [commodity, from, to, factor] : rows) {
      t.unit_conversions.push_back(Conversion(commodity, from, to, factor, approximate));
    }
    return ReferenceData::Build(t).status();
  };
  // A short ton where the built-in units say a metric ton is 2204.62 lb.
  EXPECT_EQ(build({{"COPPER", "MT", "lb", "2000"}}).message(),
            "unit conversions for COPPER contradict each other: MT → lb is 2000 by a COPPER row "
            "but 2204.622622 by another route (10.23% apart), so a quantity would convert by "
            "whichever route is taken; fix the factors, or mark a density approximate: true (1% "
            "apart allowed)");
  // A loop of rows: b → a is 1/2 directly, 15 through c.
  EXPECT_THAT(build({{"X", "a", "b", "2"}, {"X", "b", "c", "3"}, {"X", "c", "a", "5"}}).message(),
              ::testing::HasSubstr("unit conversions for X contradict each other"));
  // A generic density against the commodity's own factor (300 gal = 7.14 bbl, not 7.45).
  EXPECT_THAT(build({{"GASOIL", "MT", "bbl", "7.45"}, {"", "MT", "gal", "300"}}).message(),
              ::testing::HasSubstr("for GASOIL contradict each other"));
  // Routes that agree, within 0.1% for factors and 1% for densities.
  EXPECT_TRUE(build({{"GASOIL", "MT", "bbl", "7.45"}, {"GASOIL", "MT", "gal", "312.9"}}).ok());
  EXPECT_TRUE(build({{"GASOIL", "MT", "bbl", "7.45"}, {"GASOIL", "MT", "gal", "311"}}, true).ok());
  EXPECT_FALSE(build({{"GASOIL", "MT", "bbl", "7.45"}, {"GASOIL", "MT", "gal", "311"}}).ok());
  EXPECT_TRUE(build({{"COPPER", "MT", "lb", "2204.62"}}).ok());
  // A row that redefines a built-in pair is held to it, also when no other route joins the two.
  // (Said in either direction: here as the row's inverse, kg → lb.)
  EXPECT_THAT(build({{"COPPER", "lb", "kg", "0.5"}}).message(),
              ::testing::HasSubstr("for COPPER contradict each other: kg → lb is 2 by a COPPER row "
                                   "but 2.204622622 by another route (10.23% apart)"));
  EXPECT_THAT(build({{"", "bbl", "gal", "42.5"}}).message(),
              ::testing::HasSubstr("for any commodity contradict each other: bbl → gal is 42.5"));
  EXPECT_FALSE(build({{"GOLD", "ozt", "g", "31.5"}}).ok());
  EXPECT_FALSE(build({{"COPPER", "MT", "kg", "1016"}}).ok());
  EXPECT_TRUE(build({{"", "bbl", "gal", "42"}, {"GOLD", "ozt", "g", "31.1035"}}).ok());
  // An approximate step elsewhere (the built-in MMBtu → MWh) does not loosen an exact check:
  // 3610 GJ a GWh is 0.28% off the exact 3600.
  EXPECT_THAT(build({{"X", "GWh", "GJ", "3610"}}).message(), ::testing::HasSubstr("for X"));
  // Nor does a density: kbbl → m3 159.5 is 0.32% off 158.987, whatever else the commodity has.
  auto mixed = [&](bool density_approximate) {
    ReferenceTables t;
    t.unit_conversions = {Conversion("CRUDE", "MT", "bbl", "7.33", density_approximate),
                          Conversion("CRUDE", "kbbl", "m3", "159.5", false)};
    return ReferenceData::Build(t).status();
  };
  EXPECT_FALSE(mixed(true).ok());
  EXPECT_FALSE(mixed(false).ok());
}

TEST(ReferenceDataTest, RejectsRowsWithoutKeysOrWithBadValues) {
  ReferenceData data;
  EXPECT_EQ(data.AddCounterparty(Parse<ref::Counterparty>(R"(name: "x")")).message(),
            "counterparty without an id");
  EXPECT_EQ(data.AddCounterparty(Parse<ref::Counterparty>(R"(id: "C" lei: "SHORT")")).message(),
            "counterparty 'C': lei 'SHORT' is not an LEI: 20 upper-case letters and digits, "
            "ending in two digits (ISO 17442)");
  // Held to the trades' own rules: lower case and wrong check digits are errors too.
  EXPECT_NE(data.AddCounterparty(Parse<ref::Counterparty>(R"(id: "C" lei: "5493r66upoxalkmxfu91")"))
                .message()
                .find("is not an LEI"),
            std::string::npos);
  EXPECT_EQ(data.AddCounterparty(Parse<ref::Counterparty>(R"(id: "C" lei: "5493R66UPOXALKMXFU92")"))
                .message(),
            "counterparty 'C': lei '5493R66UPOXALKMXFU92' has wrong check digits (ISO 17442)");
  EXPECT_EQ(data.AddCounterparty(Parse<ref::Counterparty>(R"(id: "C" country: "XX1")")).message(),
            "counterparty 'C': country 'XX1' is not 2 upper-case letters (ISO 3166 alpha-2)");
  EXPECT_EQ(
      data.AddBook(Parse<ref::Book>(R"(book: "B" legal_entity: "529900TFCOMMOD000133")")).message(),
      "book 'B': legal_entity '529900TFCOMMOD000133' has wrong check digits (ISO 17442)");
  EXPECT_EQ(
      data.AddFxRate(Parse<ref::FxRate>(
                         R"(date { year: 2026 month: 5 day: 11 } base_currency: "eur"
                                  quote_currency: "USD" rate { value: "1.08" })"))
          .message(),
      "FX rate 2026-05-11 eur/USD: base_currency 'eur' is not 3 upper-case letters (ISO 4217)");
  EXPECT_EQ(data.AddProduct(Parse<ref::Product>(R"(commodity: "X")")).message(),
            "product 'X': canonical_unit is missing");
  EXPECT_EQ(data.AddProduct(Parse<ref::Product>(
                                R"(commodity: "X" canonical_unit: "MT" quote_minor_scale: 7)"))
                .message(),
            "product 'X': quote_minor_scale 7 is not 1, 10, 100 or 1000");
  EXPECT_EQ(data.AddContract(Parse<ref::ContractSpec>(R"(exchange: "XNYM")")).message(),
            "contract spec needs both exchange and product_code");
  EXPECT_EQ(data.AddContract(Parse<ref::ContractSpec>(
                                 R"(exchange: "XNYM" product_code: "CL"
                                    contract_size { value: "0" } contract_unit: "bbl")"))
                .message(),
            "contract 'XNYM:CL': contract_size: factor '0' must be positive");
  EXPECT_EQ(data.AddUnitConversion(Parse<ref::UnitConversion>(
                                       R"(from_unit: "bbl" to_unit: "BBL" factor { value: "1" })"))
                .message(),
            "unit conversion any commodity bbl → bbl converts a unit to itself");
  EXPECT_EQ(data.AddUnitConversion(Parse<ref::UnitConversion>(R"(from_unit: "bbl" to_unit: "MT")"))
                .message(),
            "unit conversion any commodity bbl → MT: factor is missing");
  EXPECT_EQ(
      data.AddFxRate(Parse<ref::FxRate>(R"(base_currency: "EUR" quote_currency: "USD")")).message(),
      "FX rate without a date");
  EXPECT_FALSE(data.HasTable("products"));  // nothing was added
}

TEST(ReferenceDataTest, BuiltInConversionsAreExactFractions) {
  ReferenceData data;
  struct Case {
    const char* from;
    const char* to;
    const char* ratio;
    bool approximate;
  };
  for (const Case& c : std::vector<Case>{
           {"bbl", "gal", "42", false},
           {"gal", "bbl", "1/42", false},
           {"MT", "kg", "1000", false},
           {"lb", "MT", "45359237/100000000000", false},  // via kg
           {"therm", "MMBtu", "1/10", false},
           {"MMBtu", "therm", "10", false},
           {"MWh", "kWh", "1000", false},
           {"GWh", "MWh", "1000", false},
           {"ozt", "g", "1555173840/50000000", false},
           {"bbl", "m3", "1589872949280/10000000000000", false},
           {"MMBtu", "MWh", "293071/1000000", true},
           {"MWh", "MMBtu", "1000000/293071", true},
           {"therm", "MWh", "293071/10000000", true},  // ICE NBP: 1 therm = 29.3071 kWh
           {"BBL", "Gallons", "42", false},            // spellings are canonicalised
       }) {
    auto f = data.FindUnitConversion("", c.from, c.to);
    ASSERT_TRUE(f.ok()) << c.from << " → " << c.to << ": " << f.status().ToString();
    // Compare as values: the fraction is reduced, so render the expected one reduced too.
    auto expected = Ratio::FromDecimal("1");
    std::string want = c.ratio;
    if (auto slash = want.find('/'); slash != std::string::npos) {
      auto n = Ratio::FromDecimal(want.substr(0, slash));
      auto d = Ratio::FromDecimal(want.substr(slash + 1));
      expected = n->Times(d->Inverse());
    } else {
      expected = Ratio::FromDecimal(want);
    }
    EXPECT_EQ(f->ratio.ToString(), expected->ToString()) << c.from << " → " << c.to;
    EXPECT_EQ(f->approximate, c.approximate) << c.from << " → " << c.to;
  }
  auto same = data.FindUnitConversion("", "mt", "MT");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->ratio.IsOne());
}

TEST(ReferenceDataTest, CommodityRowsWinOverGenericRowsAndBuiltIns) {
  ReferenceData data = Build();
  auto brent = data.FindUnitConversion("BRENT", "bbl", "MT");
  ASSERT_TRUE(brent.ok());
  EXPECT_EQ(brent->ratio.ToString(), "341/2500");  // 0.1364
  EXPECT_TRUE(brent->approximate);
  EXPECT_EQ(brent->path, "bbl → MT (BRENT)");
  auto generic = data.FindUnitConversion("WTI", "bbl", "MT");
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ(generic->ratio.ToString(), "7/50");  // 0.14
  EXPECT_EQ(generic->path, "bbl → MT (reference)");
  // The inverse of a row, and a chain through a built-in step.
  auto inverse = data.FindUnitConversion("BRENT", "MT", "bbl");
  ASSERT_TRUE(inverse.ok());
  EXPECT_EQ(inverse->ratio.ToString(), "2500/341");
  auto chain = data.FindUnitConversion("BRENT", "gal", "MT");
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->ratio.ToString(), "341/105000");  // ÷ 42 × 0.1364
  EXPECT_EQ(chain->path, "gal → bbl → MT (BRENT)");

  // A reference row overrides a built-in definition for its pair.
  ReferenceData custom;
  ASSERT_TRUE(custom
                  .AddUnitConversion(Parse<ref::UnitConversion>(
                      R"(from_unit: "MMBtu" to_unit: "MWh" factor { value: "0.29307107" })"))
                  .ok());
  auto mwh = custom.FindUnitConversion("", "MMBtu", "MWh");
  ASSERT_TRUE(mwh.ok());
  EXPECT_EQ(mwh->ratio.ToString(), "29307107/100000000");
  EXPECT_FALSE(mwh->approximate);
}

TEST(ReferenceDataTest, UnknownUnitPairIsNotFound) {
  ReferenceData data = Build();
  auto f = data.FindUnitConversion("COPPER", "bu", "MT");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.status().message(), "no conversion from 'bu' to 'MT' for COPPER");
  // Mass and energy are not linked without a row that says how.
  EXPECT_FALSE(data.FindUnitConversion("", "MWh", "MT").ok());
}

TEST(ReferenceDataTest, FxRatesWithInverse) {
  ReferenceTables both = Tables();  // both ways, agreeing: fine
  both.fx_rates.push_back(Parse<ref::FxRate>(
      R"(date { year: 2026 month: 5 day: 11 } base_currency: "USD" quote_currency: "EUR"
         rate { value: "0.8001" })"));
  EXPECT_TRUE(ReferenceData::Build(both).ok());
  ReferenceData data = Build();
  tradeflow::trade::v1::Date d;
  d.set_year(2026);
  d.set_month(5);
  d.set_day(11);
  auto eurusd = data.FindFxRate(d, "EUR", "USD");
  ASSERT_TRUE(eurusd.ok());
  EXPECT_EQ(eurusd->ToString(), "5/4");
  auto usdeur = data.FindFxRate(d, "USD", "EUR");
  ASSERT_TRUE(usdeur.ok());
  bool exact = false;
  auto eur = ApplyToDecimalString(*usdeur, "100", 2, &exact);
  ASSERT_TRUE(eur.ok());
  EXPECT_EQ(*eur, "80");
  EXPECT_TRUE(exact);
  d.set_day(12);
  auto missing = data.FindFxRate(d, "EUR", "USD");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "no FX rate EUR/USD on 2026-05-12");
}

TEST(RatioTest, RoundsHalfEvenOnlyWhenTheExactResultNeedsIt) {
  auto one = Ratio::FromDecimal("1");
  ASSERT_TRUE(one.ok());
  struct Case {
    const char* value;
    int32_t scale;
    const char* want;
    bool exact;
  };
  for (const Case& c : std::vector<Case>{{"2.5", 0, "2", false},
                                         {"3.5", 0, "4", false},
                                         {"-2.5", 0, "-2", false},
                                         {"-3.5", 0, "-4", false},
                                         {"2.51", 0, "3", false},
                                         {"22.6796185", 6, "22.679618", false},
                                         {"22.6796175", 6, "22.679618", false},
                                         {"1.25", 6, "1.25", true}}) {
    bool exact = true;
    auto got = ApplyToDecimalString(*one, c.value, c.scale, &exact);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.value;
    EXPECT_EQ(exact, c.exact) << c.value;
  }
  auto third = Ratio::FromIntegers(1, 3);
  bool exact = true;
  EXPECT_EQ(*ApplyToDecimalString(*third, "1", 6, &exact), "0.333333");
  EXPECT_FALSE(exact);
  // Zero and tiny results are plain text, not "0E-10" (a 0 spread quoted in USc).
  auto hundredth = Ratio::FromIntegers(1, 100);
  EXPECT_EQ(*ApplyToDecimalString(*hundredth, "0", 10, &exact), "0");
  EXPECT_EQ(*ApplyToDecimalString(*hundredth, "-0.00000001", 10, &exact), "-0.0000000001");
  EXPECT_FALSE(Ratio::FromDecimal("0").ok());
  EXPECT_FALSE(Ratio::FromDecimal("-1").ok());
  EXPECT_FALSE(Ratio::FromDecimal("1e3").ok());
}

TEST(RatioTest, RefusesResultsBeyond38Digits) {
  auto big = Ratio::FromDecimal("10000000000000000000");  // 1e19
  ASSERT_TRUE(big.ok());
  bool exact = true;
  auto r = ApplyToDecimalString(*big, "100000000000000000000", 6, &exact);  // 1e20 × 1e19
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "result too large for 38 decimal digits");
  EXPECT_FALSE(big->Times(*big).ok());  // 1e38 needs 39 digits
  // A product past 38 digits whose result fits is computed (in 256 bits), not refused: 1e21 m3
  // in bbl (the factor is 1000000000000/158987294928), and a 38-digit kbbl figure in bbl.
  auto m3_in_bbl = Ratio::FromIntegers(1000000000000, 158987294928);
  ASSERT_TRUE(m3_in_bbl.ok());
  auto bbl = ApplyToDecimalString(*m3_in_bbl, "1000000000000000000000", 6, &exact);
  ASSERT_TRUE(bbl.ok()) << bbl.status().ToString();
  EXPECT_EQ(*bbl, "6289810770432105128092.855276");
  EXPECT_FALSE(exact);
  auto thousand = Ratio::FromIntegers(1000, 1);
  auto kbbl = ApplyToDecimalString(*thousand, "99999999999999999999999999999.999999", 6, &exact);
  ASSERT_TRUE(kbbl.ok()) << kbbl.status().ToString();
  EXPECT_EQ(*kbbl, "99999999999999999999999999999999.999");
  EXPECT_TRUE(exact);
  // Past 76 digits the product would wrap in 256 bits too: refused, not wrapped.
  auto near_one = Ratio::FromDecimal("1.0000000000000000000000000000000000001");
  ASSERT_TRUE(near_one.ok());
  auto wide = ApplyToDecimalString(*near_one, "94752749214618475102765261975162917803", 6, &exact);
  ASSERT_FALSE(wide.ok()) << *wide;
  EXPECT_EQ(wide.status().message(), "result too large for 38 decimal digits");
  EXPECT_EQ(*ApplyToDecimalString(*m3_in_bbl, "-1000000000000000000000", 6, &exact),
            "-6289810770432105128092.855276");
  // Inputs past 128 bits are refused, not wrapped around (2^128 + 310 is not 310).
  const std::string two_to_128_plus_310 = "340282366920938463463374607431768211766";
  EXPECT_FALSE(Ratio::FromDecimal(two_to_128_plus_310).ok());
  // Zeros before the first significant digit are not digits: 38 decimal places fit.
  EXPECT_TRUE(Ratio::FromDecimal("0." + std::string(37, '0') + "1").ok());
  auto one = Ratio::FromDecimal("1");
  ASSERT_TRUE(one.ok());
  auto wrapped = ApplyToDecimalString(*one, two_to_128_plus_310, 0, &exact);
  ASSERT_FALSE(wrapped.ok()) << *wrapped;
  EXPECT_NE(wrapped.status().message().find("more than 38 digits"), std::string::npos);
}

TEST(ReferenceDataTest, KindsAndRowsForWritingTables) {
  ReferenceTables t = Tables();
  ASSERT_EQ(ReferenceKinds().size(), 6u);
  for (std::string_view kind : ReferenceKinds()) {
    ASSERT_NE(ReferenceDescriptor(kind), nullptr) << kind;
    for (const auto* row : ReferenceRows(t, kind)) {
      EXPECT_EQ(row->GetDescriptor(), ReferenceDescriptor(kind));
    }
  }
  EXPECT_EQ(ReferenceRows(t, "counterparties").size(), 2u);
  EXPECT_EQ(ReferenceDescriptor("traders"), nullptr);
}

}  // namespace
}  // namespace tradeflow::transform
