// Shared by the validation tests: a fake reference-data lookup and valid trades of each shape,
// which a test breaks in exactly one way.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/reference_lookup.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "validate/rule.h"

namespace tradeflow::validate::testing {

namespace pb = tradeflow::trade::v1;

// 2026-05-11T06:02:23Z, i.e. 08:02:23 at +02:00 on the trade date.
constexpr int64_t kExecution = 1778479343;
// 2026-06-01T00:00:00Z, "now" for every test.
constexpr int64_t kNow = 1780272000;

class FakeLookup : public model::ReferenceLookup {
 public:
  FakeLookup& Add(const std::string& table, const std::string& key) {
    tables_[table].insert(key);
    return *this;
  }
  FakeLookup& AddTable(const std::string& table) {
    tables_[table];
    return *this;
  }
  FakeLookup& AddInactive(const std::string& table, const std::string& key) {
    inactive_[table].insert(key);
    return Add(table, key);
  }
  bool Exists(std::string_view table, std::string_view key) const override {
    auto it = tables_.find(std::string(table));
    return it != tables_.end() && it->second.count(std::string(key)) > 0;
  }
  FakeLookup& AddLei(const std::string& table, const std::string& key, const std::string& lei) {
    leis_[table][key] = lei;
    return Add(table, key);
  }
  std::string_view Lei(std::string_view table, std::string_view key) const override {
    auto t = leis_.find(std::string(table));
    if (t == leis_.end()) return {};
    auto k = t->second.find(std::string(key));
    return k == t->second.end() ? std::string_view() : std::string_view(k->second);
  }
  bool Active(std::string_view table, std::string_view key) const override {
    auto it = inactive_.find(std::string(table));
    return it == inactive_.end() || it->second.count(std::string(key)) == 0;
  }
  bool HasTable(std::string_view table) const override {
    return tables_.count(std::string(table)) > 0;
  }
  FakeLookup& AddSubclass(const std::string& commodity, const std::string& subclass) {
    subclasses_[commodity] = subclass;
    return Add("products", commodity);
  }
  std::string_view ProductSubclass(std::string_view commodity) const override {
    auto it = subclasses_.find(std::string(commodity));
    return it == subclasses_.end() ? std::string_view() : std::string_view(it->second);
  }
  FakeLookup& AddAssetClass(const std::string& commodity, pb::AssetClass asset_class) {
    asset_classes_[commodity] = asset_class;
    return Add("products", commodity);
  }
  int ProductAssetClass(std::string_view commodity) const override {
    auto it = asset_classes_.find(std::string(commodity));
    return it == asset_classes_.end() ? 0 : it->second;
  }
  FakeLookup& AddCanonicalUnit(const std::string& commodity, const std::string& unit) {
    canonical_units_[commodity] = unit;
    return Add("products", commodity);
  }
  std::string_view CanonicalUnit(std::string_view commodity) const override {
    auto it = canonical_units_.find(std::string(commodity));
    return it == canonical_units_.end() ? std::string_view() : std::string_view(it->second);
  }
  struct Contract {
    std::string commodity, size, unit;
  };
  FakeLookup& AddContract(const std::string& key, Contract terms) {
    contracts_[key] = std::move(terms);
    return Add("contracts", key);
  }
  std::optional<ContractTerms> Contract(std::string_view key) const override {
    auto it = contracts_.find(std::string(key));
    if (it == contracts_.end()) return std::nullopt;
    return ContractTerms{it->second.commodity, it->second.size, it->second.unit};
  }

 private:
  std::map<std::string, std::string> subclasses_;
  std::map<std::string, std::string> canonical_units_;
  std::map<std::string, int> asset_classes_;
  std::map<std::string, struct Contract> contracts_;
  std::map<std::string, std::set<std::string>> tables_;
  std::map<std::string, std::set<std::string>> inactive_;
  std::map<std::string, std::map<std::string, std::string>> leis_;
};

// Knows everything the trades below refer to.
inline FakeLookup FullLookup() {
  FakeLookup l;
  l.Add("counterparties", "CP1").Add("books", "OIL-LDN").Add("books", "GAS-EU");
  l.AddCanonicalUnit("BRENT", "bbl").AddCanonicalUnit("TTF", "MWh");
  l.AddContract("IFEU:B", {"BRENT", "1000", "bbl"});
  l.AddContract("IFEU:T", {"", "", ""});  // a row that gives no terms
  return l;
}

inline void SetDate(pb::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

inline void SetPrice(pb::Price* p, const std::string& value, const std::string& ccy) {
  p->mutable_value()->set_value(value);
  p->set_currency(ccy);
  p->set_currency_minor_scale(1);
  p->set_per_unit("bbl");
}

// A Brent future on ICE: 10 lots of 1000 bbl at 85.50 USD/bbl.
inline pb::TradeEvent Future() {
  pb::TradeEvent e;
  e.set_trade_uid("ENDUR:100001");
  e.set_source_system("ENDUR");
  e.set_source_trade_id("100001");
  e.set_source_version(1);
  e.set_action(pb::ACTION_NEW);
  e.set_action_raw("NEW");
  SetDate(e.mutable_trade_date(), 2026, 5, 11);
  e.mutable_execution_time()->set_seconds(kExecution);
  e.set_execution_utc_offset("+02:00");
  e.set_direction(pb::SIDE_BUY);
  e.set_direction_raw("Buy");
  auto* parties = e.mutable_parties();
  parties->mutable_internal_legal_entity()->set_lei("5493001KJTIIGC8Y1R12");
  parties->set_book("OIL-LDN");
  parties->mutable_counterparty()->set_id("CP1");
  parties->mutable_counterparty()->set_lei("529900T8BM49AURSDO55");
  auto* product = e.mutable_product();
  product->set_asset_class(pb::ASSET_CLASS_ENERGY);
  product->set_asset_subclass("Oil");
  product->set_commodity("BRENT");
  product->set_instrument_type(pb::INSTRUMENT_TYPE_FUTURE);
  product->set_exchange("IFEU");
  product->set_product_code("B");
  auto* leg = e.add_legs();
  leg->set_leg_number(1);
  leg->set_direction(pb::SIDE_BUY);
  leg->mutable_quantity()->mutable_value()->set_value("10000");
  leg->mutable_quantity()->set_unit("bbl");
  leg->mutable_quantity()->mutable_lots()->set_value("10");
  leg->mutable_quantity()->mutable_contract_size()->set_value("1000");
  SetPrice(leg->mutable_fixed()->mutable_price(), "85.5", "USD");
  return e;
}

// The future turned into an option on it: strike 90, premium 2.15, expiring 2026-06-25.
inline pb::TradeEvent FutureOption() {
  pb::TradeEvent e = Future();
  e.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_FUTURE_OPTION);
  auto* option = e.mutable_legs(0)->mutable_option();  // replaces the fixed terms
  option->set_put_call(pb::PUT_CALL_CALL);
  option->set_put_call_raw("Call");
  SetPrice(option->mutable_strike(), "90", "USD");
  SetPrice(option->mutable_premium(), "2.15", "USD");
  SetDate(option->mutable_expiry_date(), 2026, 6, 25);
  return e;
}

// An OTC swap: fixed leg and a floating leg priced over August 2026.
inline pb::TradeEvent Swap() {
  pb::TradeEvent e = Future();
  e.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_SWAP);
  e.mutable_product()->clear_exchange();
  e.mutable_product()->clear_product_code();
  e.mutable_legs(0)->mutable_quantity()->clear_lots();
  e.mutable_legs(0)->mutable_quantity()->clear_contract_size();
  auto* floating = e.add_legs()->mutable_floating();
  floating->set_index_id("PLATTS_DUBAI");
  SetDate(floating->mutable_pricing_start(), 2026, 8, 1);
  SetDate(floating->mutable_pricing_end(), 2026, 8, 31);
  return e;
}

// A physical TTF gas forward delivering in August 2026.
inline pb::TradeEvent PhysicalGas() {
  pb::TradeEvent e = Swap();
  e.mutable_parties()->set_book("GAS-EU");
  e.mutable_product()->set_asset_subclass("Gas");
  e.mutable_product()->set_commodity("TTF");
  e.mutable_product()->set_instrument_type(pb::INSTRUMENT_TYPE_PHYSICAL_FORWARD);
  e.mutable_legs()->RemoveLast();
  auto* leg = e.mutable_legs(0);
  leg->mutable_quantity()->mutable_value()->set_value("310");
  leg->mutable_quantity()->set_unit("MWh");
  auto* physical = leg->mutable_physical();
  SetPrice(physical->mutable_price(), "34.98", "EUR");
  SetDate(physical->mutable_delivery()->mutable_start_date(), 2026, 8, 1);
  SetDate(physical->mutable_delivery()->mutable_end_date(), 2026, 8, 31);
  physical->mutable_delivery()->mutable_location()->set_code("21Z000000000003C");
  return e;
}

// "rule field" for each failure, for compact expectations.
inline std::vector<std::string> Ids(const std::vector<RuleFailure>& failures) {
  std::vector<std::string> out;
  for (const auto& f : failures) out.push_back(f.rule + " " + f.field);
  return out;
}

}  // namespace tradeflow::validate::testing
