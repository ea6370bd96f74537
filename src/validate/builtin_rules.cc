#include "validate/builtin_rules.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/quote.h"
#include "model/decimal.h"
#include "model/lei.h"
#include "model/unit_names.h"
#include "validate/civil_time.h"
#include "validate/field_reader.h"

namespace tradeflow::validate {
namespace {

namespace pb = tradeflow::trade::v1;
using B = BuiltinId;

constexpr Severity kE = Severity::kError;
constexpr Severity kW = Severity::kWarning;

// In BuiltinId order (BuiltinRulesTest.InIdOrder checks it).
constexpr std::array<BuiltinRule, static_cast<size_t>(B::kCount)> kRules = {{
    {B::kRequiredIdentity, "required_identity", kE,
     "trade_uid, source_system and source_trade_id are set", ""},
    {B::kPositiveSourceVersion, "positive_source_version", kE, "source_version > 0", ""},
    {B::kRequiredAction, "required_action", kE, "action is set (NEW, CORRECT, CANCEL)", ""},
    {B::kRequiredTradeDate, "required_trade_date", kE, "trade_date is set", ""},
    {B::kRequiredDirection, "required_direction", kE, "direction is set (BUY, SELL)", ""},
    {B::kRequiredBook, "required_book", kE, "parties.book is set", ""},
    {B::kRequiredInternalEntity, "required_internal_entity", kE,
     "parties.internal_legal_entity has an id, LEI or name", ""},
    {B::kRequiredCounterpartyOrExchange, "required_counterparty_or_exchange", kE,
     "listed (FUTURE, FUTURE_OPTION): product.exchange is set; otherwise (OTC): "
     "parties.counterparty.id is set",
     ""},
    {B::kRequiredCommodity, "required_commodity", kE, "product.commodity is set", ""},
    {B::kRequiredInstrumentType, "required_instrument_type", kE, "product.instrument_type is set",
     ""},
    {B::kRequiredQuantity, "required_quantity", kE,
     "at least one leg has quantity.value and quantity.unit", ""},
    {B::kRequiredPrice, "required_price", kE,
     "every leg is priced as its terms say: fixed or physical price value and currency, option "
     "strike and premium values, or a floating index_id (a physical leg may leave it to a "
     "floating leg)",
     ""},
    {B::kRequiredDelivery, "required_delivery", kE,
     "physical legs: delivery.start_date, end_date and location (code or name) are set", ""},
    {B::kPositiveQuantity, "positive_quantity", kE,
     "every leg's quantity.value > 0, and its lots and contract_size when given", ""},
    {B::kPositivePrice, "positive_price", kE,
     "fixed and physical price values and option strikes > 0, unless the product is in "
     "negative_price_allowed_for",
     ""},
    {B::kPositivePremium, "positive_premium", kE, "option premium.value > 0", ""},
    {B::kPriceMinorScale, "price_minor_scale", kE,
     "every price's currency_minor_scale is 1, 10, 100 or 1000 when set", ""},
    {B::kCurrencyFormat, "currency_format", kE,
     "every currency (prices, strikes, premiums, spreads, fees) is 3 upper-case letters, as ISO "
     "4217 writes them, once normalisation has turned minor-unit codes (GBp) into theirs",
     ""},
    {B::kDeliveryDatesOrder, "delivery_dates_order", kE,
     "physical legs: trade_date <= delivery.start_date <= delivery.end_date", ""},
    {B::kPricingPeriodOrder, "pricing_period_order", kE,
     "floating legs: pricing_start <= pricing_end", ""},
    {B::kOptionExpiryAfterTradeDate, "option_expiry_after_trade_date", kE,
     "option legs: expiry_date >= trade_date", ""},
    {B::kExecutionTimeNotFuture, "execution_time_not_future", kE,
     "execution_time is not after the validation's 'now'", ""},
    {B::kExecutionDateMatchesTradeDate, "execution_date_matches_trade_date", kW,
     "the date of execution_time in its own execution_utc_offset equals trade_date", ""},
    {B::kLotsTimesContractSize, "lots_times_contract_size", kE,
     "quantity.lots x quantity.contract_size = quantity.value when lots and contract_size are set",
     ""},
    {B::kOptionTermsComplete, "option_terms_complete", kE,
     "option legs have put_call, strike.value and expiry_date", ""},
    {B::kOptionLegMatchesInstrument, "option_leg_matches_instrument", kE,
     "FUTURE_OPTION, OPTION_OTC and SWAPTION have an option leg; other instrument types have none",
     ""},
    {B::kKnownEnumValues, "known_enum_values", kE,
     "no value the mapping could not place (an enum value no rule maps; the raw value is kept)",
     ""},
    {B::kKnownCounterparty, "known_counterparty", kE,
     "parties.counterparty.id is in reference table counterparties", "counterparties"},
    {B::kKnownBook, "known_book", kE, "parties.book is in reference table books", "books"},
    {B::kKnownProduct, "known_product", kE, "product.commodity is in reference table products",
     "products"},
    {B::kKnownListedContract, "known_listed_contract", kE,
     "FUTURE and FUTURE_OPTION: \"<product.exchange>:<product.product_code>\" is in reference "
     "table contracts",
     "contracts"},
    {B::kQuantityInCanonicalUnit, "quantity_in_canonical_unit", kE,
     "every leg's quantity.unit is the canonical_unit reference table products gives "
     "product.commodity, once normalisation has converted what it can (no conversion known: "
     "widgets, or MT for power)",
     "products"},
    {B::kContractMatchesSpec, "contract_matches_spec", kE,
     "a trade naming a contract in reference table contracts (product.exchange and "
     "product.product_code): product.commodity is the contract's commodity, and every "
     "quantity.contract_size in the contract's unit is its contract size",
     "contracts"},
    {B::kActiveCounterparty, "active_counterparty", kW,
     "parties.counterparty.id is not marked inactive in reference table counterparties",
     "counterparties"},
    {B::kActiveBook, "active_book", kW,
     "parties.book is not marked inactive in reference table books", "books"},
    {B::kCounterpartyLeiMatchesReference, "counterparty_lei_matches_reference", kW,
     "parties.counterparty.lei, when set, is the lei of parties.counterparty.id in reference "
     "table counterparties (when it gives one)",
     "counterparties"},
    {B::kLegalEntityMatchesBook, "legal_entity_matches_book", kW,
     "parties.internal_legal_entity.lei, when set, is the legal_entity of parties.book in "
     "reference table books (when it gives one)",
     "books"},
    {B::kAssetClassMatchesProduct, "asset_class_matches_product", kW,
     "product.asset_class, when set, is the asset_class of product.commodity in reference table "
     "products (when it gives one)",
     "products"},
    {B::kLeiFormat, "lei_format", kE,
     "every LEI present (internal entity, counterparty, broker, clearing broker, ccp) is 20 "
     "characters [A-Z0-9] ending in two digits",
     ""},
    {B::kLeiCheckDigits, "lei_check_digits", kE,
     "every well-formed LEI has valid ISO 17442 (MOD 97-10) check digits", ""},
    {B::kUniqueVersion, "unique_version", kE,
     "(source_system, source_trade_id, source_version) is not already in this run or the table "
     "with other content (the same content again is a replay, stored once)",
     ""},
}};

bool IsListed(pb::InstrumentType t) {
  return t == pb::INSTRUMENT_TYPE_FUTURE || t == pb::INSTRUMENT_TYPE_FUTURE_OPTION;
}

bool IsOptionInstrument(pb::InstrumentType t) {
  return t == pb::INSTRUMENT_TYPE_FUTURE_OPTION || t == pb::INSTRUMENT_TYPE_OPTION_OTC ||
         t == pb::INSTRUMENT_TYPE_SWAPTION;
}

// yyyymmdd, or 0 when the date is unset: orders like the date and needs no calendar arithmetic.
int64_t DateKey(bool has, const pb::Date& d) {
  return has ? int64_t{d.year()} * 10000 + d.month() * 100 + d.day() : 0;
}

std::string LegPath(int leg, std::string_view rest) {
  return "legs[" + std::to_string(leg) + "]." + std::string(rest);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != lower_b[i]) return false;
  }
  return true;
}

// Collects failures for the enabled rules.
class Checker {
 public:
  Checker(const BuiltinConfig& config, const pb::TradeEvent& event, std::vector<RuleFailure>* out)
      : config_(config), ev_(event), out_(out) {}

  bool On(B id) const { return config_.on(id); }

  void Fail(B id, std::string field, std::string message) {
    out_->push_back({std::string(GetBuiltinRule(id).name), config_.severity[static_cast<int>(id)],
                     std::move(field), std::move(message)});
  }

  void Run(const std::vector<std::string>& mapping_issues, int64_t now) {
    trade_date_ = DateKey(ev_.has_trade_date(), ev_.trade_date());
    Mandatory();
    Legs();
    Currencies();
    Options();
    Execution(now);
    if (On(B::kKnownEnumValues)) MappingIssues(mapping_issues);
    References();
    Leis();
  }

 private:
  void Required(B id, bool present, const char* field) {
    if (!present && On(id)) Fail(id, field, std::string(field) + " is missing");
  }

  // A required text: missing when empty, and also when it holds only blanks (a lone no-break
  // space is not a trade id), which the mapping's trimming of ASCII blanks leaves in place.
  void RequiredText(B id, const std::string& value, const char* field) {
    if (HasText(value) || !On(id)) return;
    Fail(id, field,
         std::string(field) +
             (value.empty() ? " is missing" : " holds only blanks (" + QuoteValue(value) + ")"));
  }

  // A required enum: unset, or set to a value the mapping could not place.
  void RequiredEnum(B id, int value, const std::string& raw, const char* field) {
    if (value != 0 || !On(id)) return;
    if (raw.empty()) {
      Fail(id, field, std::string(field) + " is missing");
    } else {
      Fail(id, field,
           std::string(field) + " has no known value (source value " + QuoteValue(raw) + ")");
    }
  }

  void Mandatory() {
    RequiredText(B::kRequiredIdentity, ev_.trade_uid(), "trade_uid");
    RequiredText(B::kRequiredIdentity, ev_.source_system(), "source_system");
    RequiredText(B::kRequiredIdentity, ev_.source_trade_id(), "source_trade_id");
    if (ev_.source_version() <= 0 && On(B::kPositiveSourceVersion)) {
      // 0 is also what an empty or unmapped version reads as (proto3 has no "unset" integer).
      Fail(B::kPositiveSourceVersion, "source_version",
           ev_.source_version() == 0
               ? std::string("source_version is missing or 0; it must be > 0")
               : "source_version must be > 0, is " + std::to_string(ev_.source_version()));
    }
    RequiredEnum(B::kRequiredAction, ev_.action(), ev_.action_raw(), "action");
    Required(B::kRequiredTradeDate, trade_date_ != 0, "trade_date");
    RequiredEnum(B::kRequiredDirection, ev_.direction(), ev_.direction_raw(), "direction");
    RequiredText(B::kRequiredBook, ev_.parties().book(), "parties.book");
    const pb::Party& entity = ev_.parties().internal_legal_entity();
    Required(B::kRequiredInternalEntity,
             HasText(entity.id()) || HasText(entity.lei()) || HasText(entity.name()),
             "parties.internal_legal_entity");
    const pb::InstrumentType type = ev_.product().instrument_type();
    if (IsListed(type)) {
      RequiredText(B::kRequiredCounterpartyOrExchange, ev_.product().exchange(),
                   "product.exchange");
    } else {
      RequiredText(B::kRequiredCounterpartyOrExchange, ev_.parties().counterparty().id(),
                   "parties.counterparty.id");
    }
    RequiredText(B::kRequiredCommodity, ev_.product().commodity(), "product.commodity");
    RequiredEnum(B::kRequiredInstrumentType, type, ev_.product().instrument_type_raw(),
                 "product.instrument_type");

    if (On(B::kRequiredQuantity)) {
      bool any = std::any_of(ev_.legs().begin(), ev_.legs().end(), [](const pb::Leg& leg) {
        return !leg.quantity().value().value().empty() && !leg.quantity().unit().empty();
      });
      if (!any) {
        Fail(B::kRequiredQuantity, "legs",
             ev_.legs_size() == 0 ? "the trade has no legs"
                                  : "no leg has a quantity with both value and unit");
      }
    }
    if (On(B::kRequiredPrice)) RequiredPrices();
  }

  // Every leg with terms is priced as its terms say: a swap's fixed leg without a price is not
  // saved by its floating leg's index. A physical leg may leave its price to a floating leg of
  // the same trade (index-priced delivery: the terms of one leg are one of the kinds).
  void RequiredPrices() {
    const bool index_priced = std::any_of(ev_.legs().begin(), ev_.legs().end(), [](const auto& l) {
      return l.terms_case() == pb::Leg::kFloating;
    });
    bool any_terms = false;
    for (int i = 0; i < ev_.legs_size(); ++i) {
      const pb::Leg& leg = ev_.legs(i);
      any_terms |= leg.terms_case() != pb::Leg::TERMS_NOT_SET;
      const char* missing = MissingPrice(leg, index_priced);
      if (missing != nullptr)
        Fail(B::kRequiredPrice, LegPath(i, missing), LegPath(i, missing) + " is missing");
    }
    if (!any_terms) {
      Fail(B::kRequiredPrice, "legs",
           "no leg has price terms: a fixed or physical price with value and currency, an option "
           "strike and premium, or a floating index_id");
    }
  }

  // The first price field `leg` lacks, or null.
  static const char* MissingPrice(const pb::Leg& leg, bool index_priced) {
    auto price = [](const pb::Price& p, const char* value, const char* currency) -> const char* {
      return p.value().value().empty() ? value : p.currency().empty() ? currency : nullptr;
    };
    switch (leg.terms_case()) {
      case pb::Leg::kFixed:
        return price(leg.fixed().price(), "fixed.price.value", "fixed.price.currency");
      case pb::Leg::kPhysical:
        if (index_priced && !leg.physical().price().has_value()) return nullptr;
        return price(leg.physical().price(), "physical.price.value", "physical.price.currency");
      case pb::Leg::kOption:
        if (leg.option().strike().value().value().empty()) return "option.strike.value";
        return leg.option().premium().value().value().empty() ? "option.premium.value" : nullptr;
      case pb::Leg::kFloating:
        return leg.floating().index_id().empty() ? "floating.index_id" : nullptr;
      default:
        return nullptr;
    }
  }

  // By the product's subclass in reference data when it has one: a source's own label ("Power"
  // on a Brent trade) must not exempt a price from the sign check.
  bool NegativePriceAllowed() {
    if (negative_allowed_ < 0) {
      negative_allowed_ = 0;
      std::string_view subclass = config_.lookup != nullptr
                                      ? config_.lookup->ProductSubclass(ev_.product().commodity())
                                      : std::string_view();
      if (subclass.empty()) subclass = ev_.product().asset_subclass();
      for (const std::string& name : config_.negative_price_allowed_for) {
        if (EqualsIgnoreCase(subclass, name) || EqualsIgnoreCase(ev_.product().commodity(), name)) {
          negative_allowed_ = 1;
        }
      }
    }
    return negative_allowed_ == 1;
  }

  // Fails `id` unless `d` (at `scale`) is > 0; skipped when `d` is empty.
  // `reported`: the figure as the source gave it, when normalisation converted it (a tiny
  // quantity can round to 0 in the canonical unit, which the message must not hide).
  void Positive(B id, const pb::Decimal& d, int32_t scale, int leg, const char* rest,
                const char* what, const std::string& reported = "") {
    if (d.value().empty()) return;
    auto value = model::ParseDecimal(d.value(), {38, scale});
    if (!value.ok()) {
      Fail(id, LegPath(leg, rest), value.status().message());
    } else if (*value <= arrow::Decimal128(0)) {
      Fail(id, LegPath(leg, rest),
           std::string(what) + " must be > 0, is " + d.value() +
               (reported.empty() ? "" : " (reported as " + reported + ", converted and rounded)"));
    }
  }

  void MinorScale(const pb::Price& p, int leg, const char* rest) {
    int32_t s = p.currency_minor_scale();
    // The scales reference data allows a quote convention (transform/reference_data.cc).
    if (s != 0 && s != 1 && s != 10 && s != 100 && s != 1000) {
      Fail(B::kPriceMinorScale, LegPath(leg, rest),
           "currency_minor_scale must be 1 (major units), 10, 100 (cents, pence) or 1000, is " +
               std::to_string(s));
    }
  }

  void Price(const pb::Price& p, int leg, const char* value_path, const char* scale_path,
             const char* what) {
    if (On(B::kPositivePrice) && !NegativePriceAllowed()) {
      Positive(B::kPositivePrice, p.value(), 10, leg, value_path, what);
    }
    if (On(B::kPriceMinorScale)) MinorScale(p, leg, scale_path);
  }

  // "US$", "usd" or "Euro" would be stored as written and split every sum by currency. The
  // field's path is built only for a failure: this runs for every currency of every record.
  void Currency(const std::string& code, const char* list, int index, const char* rest) {
    if (code.empty()) return;
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    // A minor-unit code (GBp, USc) stays when normalisation's minor_currency step is off.
    if (code.size() == 3 && upper(code[0]) && upper(code[1]) &&
        (upper(code[2]) || code[2] == 'p' || code[2] == 'c')) {
      return;
    }
    const std::string field =
        std::string(list) + "[" + std::to_string(index) + "]." + std::string(rest);
    Fail(B::kCurrencyFormat, field,
         field + " " + QuoteValue(code) +
             " is not a currency code: 3 upper-case letters (ISO 4217), or a minor-unit code "
             "such as GBp or USc");
  }

  void Currencies() {
    if (!On(B::kCurrencyFormat)) return;
    for (int i = 0; i < ev_.legs_size(); ++i) {
      const pb::Leg& leg = ev_.legs(i);
      Currency(leg.fixed().price().currency(), "legs", i, "fixed.price.currency");
      Currency(leg.physical().price().currency(), "legs", i, "physical.price.currency");
      Currency(leg.option().strike().currency(), "legs", i, "option.strike.currency");
      Currency(leg.option().premium().currency(), "legs", i, "option.premium.currency");
      Currency(leg.floating().spread_currency(), "legs", i, "floating.spread_currency");
    }
    for (int i = 0; i < ev_.fees_size(); ++i)
      Currency(ev_.fees(i).currency(), "fees", i, "currency");
  }

  // A physical leg delivers somewhere, over a period (trade-domain.md §3 rule 1). An incoterm
  // is not required: pipeline gas and power have none.
  void Delivery(const pb::Leg& leg, int i) {
    if (!On(B::kRequiredDelivery)) return;
    const pb::Delivery& d = leg.physical().delivery();
    if (!d.has_start_date() || d.start_date().year() == 0) {
      Fail(B::kRequiredDelivery, LegPath(i, "physical.delivery.start_date"),
           LegPath(i, "physical.delivery.start_date") + " is missing");
    }
    if (!d.has_end_date() || d.end_date().year() == 0) {
      Fail(B::kRequiredDelivery, LegPath(i, "physical.delivery.end_date"),
           LegPath(i, "physical.delivery.end_date") + " is missing");
    }
    if (d.location().code().empty() && d.location().name().empty()) {
      Fail(B::kRequiredDelivery, LegPath(i, "physical.delivery.location"),
           LegPath(i, "physical.delivery.location") + " is missing (a code or a name)");
    }
  }

  // Compared in the contract size's unit: with the value when it is in that unit (or either
  // unit is not given), else with the figure as reported when that is (normalisation converts
  // the value of 2 lots × 25000 lb of copper to MT and keeps the 50000 lb as reported). A
  // contract size without a unit is in the unit the source gave the quantity in, as
  // normalisation reads it. With neither figure in the contract's unit there is no exact one to
  // compare with; normalisation has compared the converted figures and noted a disagreement.
  void LotsTimesContractSize(const pb::Quantity& q, int leg) {
    if (q.lots().value().empty() || q.contract_size().value().empty()) return;
    const std::string& size_unit = !q.contract_size_unit().empty() ? q.contract_size_unit()
                                   : !q.reported_unit().empty()    ? q.reported_unit()
                                                                   : q.unit();
    const pb::Decimal* figure = &q.value();
    const char* figure_name = "quantity.value";
    std::string figure_unit = q.unit();
    // Units compared by what they are, not how they are spelt ("lbs" as reported is lb).
    if (!size_unit.empty() && !q.unit().empty() && !model::SameUnit(size_unit, q.unit())) {
      if (!model::SameUnit(q.reported_unit(), size_unit) || q.reported_value().value().empty()) {
        return;
      }
      figure = &q.reported_value();
      figure_name = "quantity.reported_value";
      figure_unit = q.reported_unit();
    }
    if (figure->value().empty()) return;
    auto lots = model::ParseDecimal(q.lots().value(), {38, 6});
    auto size = model::ParseDecimal(q.contract_size().value(), {38, 6});
    auto value = model::ParseDecimal(figure->value(), {38, 6});
    if (!lots.ok() || !size.ok() || !value.ok()) {
      const Status& bad =
          !lots.ok() ? lots.status() : (!size.ok() ? size.status() : value.status());
      Fail(B::kLotsTimesContractSize, LegPath(leg, "quantity"), bad.message());
      return;
    }
    // Both factors below 10^19 (unscaled) keep the product below 10^38: no 128-bit overflow.
    if (!lots->FitsInPrecision(19) || !size->FitsInPrecision(19)) {
      Fail(B::kLotsTimesContractSize, LegPath(leg, "quantity"),
           "lots " + q.lots().value() + " and contract_size " + q.contract_size().value() +
               " are too large to check");
      return;
    }
    arrow::Decimal128 product = *lots * *size;                         // scale 12
    arrow::Decimal128 expected = *value * arrow::Decimal128(1000000);  // scale 6 → 12
    // A quantity holds 6 decimals: 0.333333 lots x 25.5 = 8.4999915 is 8.499992 once stored
    // (normalisation rounds half-even, and notes it; a source may round half up). So within
    // half a unit of the 6th decimal is equal.
    arrow::Decimal128 difference = product - expected;
    if (difference < arrow::Decimal128(0)) difference = -difference;
    if (difference > arrow::Decimal128(500000)) {
      // A contract size without a unit is in the quantity's.
      const std::string unit = figure_unit.empty() ? "" : " " + figure_unit;
      Fail(B::kLotsTimesContractSize, LegPath(leg, figure_name),
           "lots " + q.lots().value() + " x contract_size " + q.contract_size().value() + unit +
               " = " + model::PlainDecimalString(product, 12) + unit + ", but " + figure_name +
               " is " + figure->value() + unit);
    }
  }

  void Legs() {
    for (int i = 0; i < ev_.legs_size(); ++i) {
      const pb::Leg& leg = ev_.legs(i);
      if (On(B::kPositiveQuantity)) {
        const pb::Quantity& q = leg.quantity();
        const std::string& reported = q.reported_value().value();
        const bool converted =
            reported.find_first_of("123456789") != std::string::npos &&
            (reported != q.value().value() || !model::SameUnit(q.reported_unit(), q.unit()));
        Positive(B::kPositiveQuantity, q.value(), 6, i, "quantity.value", "quantity",
                 converted ? q.reported_value().value() + " " + q.reported_unit() : "");
        // -9 lots × -1000 would agree with 9000; the direction says which way a trade goes.
        Positive(B::kPositiveQuantity, leg.quantity().lots(), 6, i, "quantity.lots", "lots");
        Positive(B::kPositiveQuantity, leg.quantity().contract_size(), 6, i,
                 "quantity.contract_size", "contract_size");
      }
      if (On(B::kLotsTimesContractSize)) LotsTimesContractSize(leg.quantity(), i);
      switch (leg.terms_case()) {
        case pb::Leg::kFixed:
          Price(leg.fixed().price(), i, "fixed.price.value", "fixed.price.currency_minor_scale",
                "price");
          break;
        case pb::Leg::kPhysical: {
          Price(leg.physical().price(), i, "physical.price.value",
                "physical.price.currency_minor_scale", "price");
          Delivery(leg, i);
          const pb::Delivery& d = leg.physical().delivery();
          int64_t start = DateKey(d.has_start_date(), d.start_date());
          int64_t end = DateKey(d.has_end_date(), d.end_date());
          if (On(B::kDeliveryDatesOrder)) {
            if (start != 0 && trade_date_ != 0 && start < trade_date_) {
              Fail(B::kDeliveryDatesOrder, LegPath(i, "physical.delivery.start_date"),
                   "delivery starts " + FormatDateKey(start) + ", before trade_date " +
                       FormatDateKey(trade_date_));
            }
            if (start != 0 && end != 0 && end < start) {
              Fail(B::kDeliveryDatesOrder, LegPath(i, "physical.delivery.end_date"),
                   "delivery ends " + FormatDateKey(end) + ", before it starts " +
                       FormatDateKey(start));
            }
          }
          break;
        }
        case pb::Leg::kFloating: {
          const pb::FloatingPriceTerms& f = leg.floating();
          int64_t start = DateKey(f.has_pricing_start(), f.pricing_start());
          int64_t end = DateKey(f.has_pricing_end(), f.pricing_end());
          if (On(B::kPricingPeriodOrder) && start != 0 && end != 0 && end < start) {
            Fail(B::kPricingPeriodOrder, LegPath(i, "floating.pricing_end"),
                 "pricing ends " + FormatDateKey(end) + ", before it starts " +
                     FormatDateKey(start));
          }
          break;
        }
        case pb::Leg::kOption: {
          const pb::OptionTerms& o = leg.option();
          Price(o.strike(), i, "option.strike.value", "option.strike.currency_minor_scale",
                "strike");
          if (On(B::kPositivePremium)) {
            Positive(B::kPositivePremium, o.premium().value(), 10, i, "option.premium.value",
                     "premium");
          }
          if (On(B::kPriceMinorScale)) {
            MinorScale(o.premium(), i, "option.premium.currency_minor_scale");
          }
          int64_t expiry = DateKey(o.has_expiry_date(), o.expiry_date());
          if (On(B::kOptionExpiryAfterTradeDate) && expiry != 0 && trade_date_ != 0 &&
              expiry < trade_date_) {
            Fail(B::kOptionExpiryAfterTradeDate, LegPath(i, "option.expiry_date"),
                 "option expires " + FormatDateKey(expiry) + ", before trade_date " +
                     FormatDateKey(trade_date_));
          }
          if (On(B::kOptionTermsComplete)) {
            if (o.put_call() == pb::PUT_CALL_UNSPECIFIED) {
              Fail(B::kOptionTermsComplete, LegPath(i, "option.put_call"),
                   o.put_call_raw().empty()
                       ? "an option leg needs put_call"
                       : "an option leg needs put_call; " + QuoteValue(o.put_call_raw()) +
                             " is not a known value");
            }
            if (o.strike().value().value().empty()) {
              Fail(B::kOptionTermsComplete, LegPath(i, "option.strike.value"),
                   "an option leg needs a strike");
            }
            if (expiry == 0) {
              Fail(B::kOptionTermsComplete, LegPath(i, "option.expiry_date"),
                   "an option leg needs an expiry_date");
            }
          }
          break;
        }
        default:
          break;
      }
    }
  }

  void Options() {
    if (!On(B::kOptionLegMatchesInstrument)) return;
    const pb::InstrumentType type = ev_.product().instrument_type();
    if (type == pb::INSTRUMENT_TYPE_UNSPECIFIED) return;  // required_instrument_type says so
    int option_leg = -1;
    for (int i = 0; i < ev_.legs_size() && option_leg < 0; ++i) {
      if (ev_.legs(i).has_option()) option_leg = i;
    }
    const std::string& name = pb::InstrumentType_Name(type);
    if (IsOptionInstrument(type) && option_leg < 0) {
      Fail(B::kOptionLegMatchesInstrument, "legs",
           "instrument type " + name + " needs an option leg; the trade has none");
    } else if (!IsOptionInstrument(type) && option_leg >= 0) {
      Fail(B::kOptionLegMatchesInstrument, LegPath(option_leg, "option"),
           "instrument type " + name + " is not an option, but leg " + std::to_string(option_leg) +
               " has option terms");
    }
  }

  void Execution(int64_t now) {
    if (!ev_.has_execution_time()) return;
    const int64_t seconds = ev_.execution_time().seconds();
    if (On(B::kExecutionTimeNotFuture) && seconds > now) {
      Fail(B::kExecutionTimeNotFuture, "execution_time",
           "execution_time " + FormatUnixSeconds(seconds) + " is " + std::to_string(seconds - now) +
               " s in the future");
    }
    if (On(B::kExecutionDateMatchesTradeDate) && trade_date_ != 0) {
      std::optional<int64_t> offset = ParseUtcOffset(ev_.execution_utc_offset());
      if (!offset) {
        Fail(B::kExecutionDateMatchesTradeDate, "execution_utc_offset",
             "cannot read UTC offset " + QuoteValue(ev_.execution_utc_offset()));
        return;
      }
      int64_t local = LocalDateKey(seconds, *offset);
      if (local != trade_date_) {
        Fail(B::kExecutionDateMatchesTradeDate, "execution_time",
             "executed on " + FormatDateKey(local) + " (UTC" +
                 (ev_.execution_utc_offset().empty() ? std::string() : ev_.execution_utc_offset()) +
                 "), but trade_date is " + FormatDateKey(trade_date_));
      }
    }
  }

  void MappingIssues(const std::vector<std::string>& issues) {
    for (const std::string& issue : issues) {
      size_t colon = issue.find(": ");
      if (colon == std::string::npos) {
        Fail(B::kKnownEnumValues, "", issue);
      } else {
        Fail(B::kKnownEnumValues, issue.substr(0, colon), issue.substr(colon + 2));
      }
    }
  }

  void Known(B id, std::string_view key, const char* field) {
    if (key.empty() || !On(id)) return;  // the required_* rules report missing values
    const BuiltinRule& rule = GetBuiltinRule(id);
    if (!config_.lookup->Exists(rule.reference_table, key)) {
      Fail(id, field,
           QuoteValue(key) + " is not in reference table " + std::string(rule.reference_table));
    }
  }

  // A warning by default: a cancel or an amendment of an old trade may well name a counterparty
  // or book closed since; a new trade with one is worth a look.
  void Active(B id, std::string_view key, const char* field, const char* what) {
    if (key.empty() || !On(id)) return;
    const BuiltinRule& rule = GetBuiltinRule(id);
    if (!config_.lookup->Active(rule.reference_table, key)) {
      Fail(id, field,
           std::string(what) + " " + QuoteValue(key) + " is marked inactive in reference table " +
               std::string(rule.reference_table));
    }
  }

  // The trade names a party by id and by LEI: when the reference row gives an LEI too, the two
  // must be one party. A warning: the trade is right about what was traded, but its parties'
  // identifiers disagree, which a regulatory report would repeat.
  void SameLei(B id, std::string_view lei, std::string_view key, const char* field,
               const char* what) {
    if (lei.empty() || key.empty() || !On(id)) return;
    const BuiltinRule& rule = GetBuiltinRule(id);
    const std::string_view expected = config_.lookup->Lei(rule.reference_table, key);
    if (expected.empty() || expected == lei) return;
    Fail(id, field,
         QuoteValue(lei) + " is not the LEI reference table " + std::string(rule.reference_table) +
             " gives " + what + " " + QuoteValue(key) + " (" + QuoteValue(expected) + ")");
  }

  void References() {
    if (config_.lookup == nullptr) return;
    Known(B::kKnownCounterparty, ev_.parties().counterparty().id(), "parties.counterparty.id");
    Known(B::kKnownBook, ev_.parties().book(), "parties.book");
    Active(B::kActiveCounterparty, ev_.parties().counterparty().id(), "parties.counterparty.id",
           "counterparty");
    Active(B::kActiveBook, ev_.parties().book(), "parties.book", "book");
    SameLei(B::kCounterpartyLeiMatchesReference, ev_.parties().counterparty().lei(),
            ev_.parties().counterparty().id(), "parties.counterparty.lei", "counterparty");
    SameLei(B::kLegalEntityMatchesBook, ev_.parties().internal_legal_entity().lei(),
            ev_.parties().book(), "parties.internal_legal_entity.lei", "book");
    Known(B::kKnownProduct, ev_.product().commodity(), "product.commodity");
    SameAssetClass();
    if (On(B::kKnownListedContract) && IsListed(ev_.product().instrument_type()) &&
        !ev_.product().exchange().empty()) {
      const std::string key = ContractKey();
      if (!config_.lookup->Exists("contracts", key)) {
        Fail(B::kKnownListedContract, "product.product_code",
             "listed contract " + QuoteValue(key) +
                 " (exchange:product_code) is not in reference table contracts");
      }
    }
    CanonicalUnits();
    ContractMatchesSpec();
  }

  // The asset class partitions trade_events and groups every report by it: a source's own
  // label must not file a TTF trade under METALS. A warning, as for the parties' LEIs: what was
  // traded is right, its classification disagrees with reference data.
  void SameAssetClass() {
    const pb::AssetClass given = ev_.product().asset_class();
    if (given == pb::ASSET_CLASS_UNSPECIFIED || !On(B::kAssetClassMatchesProduct)) return;
    const int expected = config_.lookup->ProductAssetClass(ev_.product().commodity());
    if (expected == 0 || expected == given) return;
    Fail(B::kAssetClassMatchesProduct, "product.asset_class",
         "product.asset_class is " + AssetClassLabel(given) + ", not " + AssetClassLabel(expected) +
             ", the asset class reference table products gives " +
             QuoteValue(ev_.product().commodity()));
  }

  static std::string AssetClassLabel(int value) {
    const std::string& name = pb::AssetClass_Name(value);
    constexpr std::string_view kPrefix = "ASSET_CLASS_";
    return name.rfind(kPrefix, 0) == 0 ? name.substr(kPrefix.size())
           : name.empty()              ? std::to_string(value)
                                       : name;
  }

  // "<exchange>:<product code>", as reference table contracts is keyed.
  std::string ContractKey() const {
    return ev_.product().exchange() + ":" + ev_.product().product_code();
  }

  // Normalisation converts every quantity it can to its product's canonical unit; one it could
  // not (no conversion known) would be summed with the others as if it were in that unit.
  void CanonicalUnits() {
    if (!On(B::kQuantityInCanonicalUnit)) return;
    const std::string& commodity = ev_.product().commodity();
    const std::string_view canonical = config_.lookup->CanonicalUnit(commodity);
    if (canonical.empty()) return;  // known_product reports a commodity without a product
    for (int i = 0; i < ev_.legs_size(); ++i) {
      const pb::Quantity& q = ev_.legs(i).quantity();
      const std::string& unit = q.unit();
      if (unit.empty() || model::SameUnit(unit, canonical)) continue;
      // No figure at all (a value that could not be read is a mapping error already): nothing
      // would be summed in the wrong unit.
      if (q.value().value().empty() && q.total().value().empty()) continue;
      const std::string field = LegPath(i, "quantity.unit");
      Fail(B::kQuantityInCanonicalUnit, field,
           field + " is " + QuoteValue(unit) + ", not " + std::string(canonical) + ", the unit " +
               "reference table products gives " + QuoteValue(commodity) +
               ", and normalisation did not convert it (no conversion known): summed with the "
               "others, it would count as " +
               std::string(canonical));
    }
  }

  // The contract's own terms win over what a trade repeats of them: a trade that says 20000 lb
  // a lot on a contract of 25000 lb has its lots or its contract wrong, and normalisation kept
  // the trade's size. A size in another unit than the contract's is not compared (it would need
  // a conversion); neither is a contract without a size.
  void ContractMatchesSpec() {
    const pb::Product& product = ev_.product();
    if (!On(B::kContractMatchesSpec) || product.exchange().empty() ||
        product.product_code().empty()) {
      return;
    }
    const std::string key = ContractKey();
    const auto spec = config_.lookup->Contract(key);
    if (!spec) return;  // known_listed_contract reports a listed contract without a row
    if (!spec->commodity.empty() && !product.commodity().empty() &&
        product.commodity() != spec->commodity) {
      Fail(B::kContractMatchesSpec, "product.commodity",
           "product.commodity " + QuoteValue(product.commodity()) + " is not " +
               QuoteValue(spec->commodity) + ", the commodity of contract " + QuoteValue(key) +
               " in reference table contracts");
    }
    if (spec->contract_size.empty()) return;
    auto expected = model::ParseDecimal(spec->contract_size, {38, 6});
    if (!expected.ok()) return;  // the reference loader checked it
    for (int i = 0; i < ev_.legs_size(); ++i) {
      const pb::Quantity& q = ev_.legs(i).quantity();
      if (q.contract_size().value().empty()) continue;
      // A size without a unit is in the unit the source gave the quantity in, as normalisation
      // and lots_times_contract_size read it.
      const std::string& size_unit = !q.contract_size_unit().empty() ? q.contract_size_unit()
                                     : !q.reported_unit().empty()    ? q.reported_unit()
                                                                     : q.unit();
      if (!size_unit.empty() && !spec->contract_unit.empty() &&
          !model::SameUnit(size_unit, spec->contract_unit)) {
        continue;
      }
      auto size = model::ParseDecimal(q.contract_size().value(), {38, 6});
      // positive_quantity reports a size that is not a positive decimal.
      if (!size.ok() || *size <= arrow::Decimal128(0) || *size == *expected) continue;
      const std::string field = LegPath(i, "quantity.contract_size");
      const std::string unit =
          spec->contract_unit.empty() ? "" : " " + std::string(spec->contract_unit);
      Fail(B::kContractMatchesSpec, field,
           field + " is " + q.contract_size().value() + unit + ", but a lot of contract " +
               QuoteValue(key) + " is " + std::string(spec->contract_size) + unit +
               " (reference table contracts)");
    }
  }

  void Lei(const pb::Party& party, const char* field) {
    const std::string& lei = party.lei();
    if (lei.empty()) return;
    if (!model::IsLeiFormat(lei)) {
      if (On(B::kLeiFormat)) {
        // Say which part is wrong: a 20-character LEI in lower case is told it is not 20 long.
        const bool lower =
            std::any_of(lei.begin(), lei.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        // Characters, not bytes: "É" is one (a UTF-8 continuation byte starts none).
        const auto chars = std::count_if(lei.begin(), lei.end(), [](char c) {
          return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        });
        const std::string why = chars != 20
                                    ? "is " + std::to_string(chars) + " characters, not 20"
                                : lower ? "has lower-case letters; an LEI is written in upper case"
                                        : "is not 18 characters [A-Z0-9] and two check digits";
        Fail(B::kLeiFormat, field, "LEI " + QuoteValue(lei) + " " + why + " (ISO 17442)");
      }
    } else if (On(B::kLeiCheckDigits) && !model::HasValidLeiCheckDigits(lei)) {
      Fail(B::kLeiCheckDigits, field,
           "LEI " + QuoteValue(lei) + " has wrong check digits (ISO 17442 MOD 97-10)");
    }
  }

  void Leis() {
    if (!On(B::kLeiFormat) && !On(B::kLeiCheckDigits)) return;
    const pb::Parties& p = ev_.parties();
    Lei(p.internal_legal_entity(), "parties.internal_legal_entity.lei");
    Lei(p.counterparty(), "parties.counterparty.lei");
    Lei(p.broker(), "parties.broker.lei");
    Lei(p.clearing_broker(), "parties.clearing_broker.lei");
    Lei(p.ccp(), "parties.ccp.lei");
  }

  const BuiltinConfig& config_;
  const pb::TradeEvent& ev_;
  std::vector<RuleFailure>* out_;
  int64_t trade_date_ = 0;
  int negative_allowed_ = -1;  // -1: not looked up yet
};

}  // namespace

std::span<const BuiltinRule> BuiltinRules() { return kRules; }

const BuiltinRule& GetBuiltinRule(BuiltinId id) { return kRules[static_cast<size_t>(id)]; }

const BuiltinRule* FindBuiltinRule(std::string_view name) {
  for (const BuiltinRule& rule : kRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

BuiltinConfig::BuiltinConfig() {
  for (const BuiltinRule& rule : kRules) {
    enabled[static_cast<int>(rule.id)] = true;
    severity[static_cast<int>(rule.id)] = rule.default_severity;
  }
}

void CheckBuiltins(const BuiltinConfig& config, const pb::TradeEvent& event,
                   const std::vector<std::string>& mapping_issues, int64_t now_unix_seconds,
                   std::vector<RuleFailure>* out) {
  Checker(config, event, out).Run(mapping_issues, now_unix_seconds);
}

}  // namespace tradeflow::validate
