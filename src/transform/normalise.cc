#include "transform/normalise.h"

#include <date/tz.h>

#include <cstdio>
#include <optional>

#include "model/decimal.h"
#include "model/proto_schema.h"
#include "transform/reference_data_units.h"
#include "transform/value_parsers.h"

namespace tradeflow::transform {
namespace {

using tradeflow::trade::v1::Date;
using tradeflow::trade::v1::Decimal;
using tradeflow::trade::v1::Delivery;
using tradeflow::trade::v1::Leg;
using tradeflow::trade::v1::Price;
using tradeflow::trade::v1::Quantity;
using tradeflow::trade::v1::QuantityFrequency;
using tradeflow::trade::v1::TradeEvent;

// Whether `computed` (a quantity at scale 6), rounded to as many decimals as `given` has, is
// `given`: a source that writes its total with fewer decimals agrees with it. `slack` (in
// millionths) widens that: the rounding a unit conversion put into both.
bool SameAsWritten(const std::string& given, const std::string& computed, int64_t slack = 0) {
  auto g = model::ParseDecimal(given, {38, 6});
  auto c = model::ParseDecimal(computed, {38, 6});
  if (!g.ok() || !c.ok()) return false;
  const size_t dot = given.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(given.size() - dot - 1);
  arrow::Decimal128 half_unit(0);  // half a unit of the given's last decimal, at scale 6
  if (decimals < 6) {
    half_unit = arrow::Decimal128(5);
    for (int i = decimals + 1; i < 6; ++i) half_unit *= 10;
  }
  const arrow::Decimal128 tolerance = std::max(half_unit, arrow::Decimal128(slack));
  return arrow::BasicDecimal128::Abs(*g - *c) <= tolerance;
}

int32_t ScaleOf(const google::protobuf::Descriptor* message, const char* field) {
  return model::DecimalTypeOf(message->FindFieldByName(field)).scale;
}

// Scales of the fields this file writes, from the proto options (quantities 6, prices 10).
int32_t QuantityScale() {
  static const int32_t kScale = ScaleOf(Quantity::descriptor(), "value");
  return kScale;
}
int32_t PriceScale() {
  static const int32_t kScale = ScaleOf(Price::descriptor(), "value");
  return kScale;
}

// ---- Per-period totals (step 3) ----------------------------------------------------------------

// Where a leg's delivery or pricing period is written: a physical delivery (which also has the
// time zone and load type) or a floating leg's pricing dates. A date not set is null.
struct PeriodSource {
  std::string path;  // "legs[1].floating", for notes
  const Date* start = nullptr;
  const Date* end = nullptr;
  std::string start_name, end_name;
  const Delivery* delivery = nullptr;
};

// An inclusive range of local dates.
struct Period {
  date::sys_days first, last;
};

std::string FormatDate(const Date& d) {
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return text;
}

// The leg's own period, if it sets either of its dates.
std::optional<PeriodSource> PeriodOfLeg(const Leg& leg, int index) {
  const std::string path = "legs[" + std::to_string(index) + "]";
  if (leg.has_physical()) {
    const Delivery& d = leg.physical().delivery();
    if (!d.has_start_date() && !d.has_end_date()) return std::nullopt;
    return PeriodSource{path + ".physical.delivery",
                        d.has_start_date() ? &d.start_date() : nullptr,
                        d.has_end_date() ? &d.end_date() : nullptr,
                        "start_date",
                        "end_date",
                        &d};
  }
  if (leg.has_floating()) {
    const auto& f = leg.floating();
    if (!f.has_pricing_start() && !f.has_pricing_end()) return std::nullopt;
    return PeriodSource{path + ".floating",
                        f.has_pricing_start() ? &f.pricing_start() : nullptr,
                        f.has_pricing_end() ? &f.pricing_end() : nullptr,
                        "pricing_start",
                        "pricing_end",
                        nullptr};
  }
  return std::nullopt;
}

// The leg's own period, else the first leg's that has one: a swap books its quantity on the fixed
// leg 0 and its pricing dates on the floating leg 1, and the legs of one trade share the period.
std::optional<PeriodSource> FindPeriod(const TradeEvent& event, int leg_index) {
  if (auto own = PeriodOfLeg(event.legs(leg_index), leg_index)) return own;
  for (int i = 0; i < event.legs_size(); ++i) {
    if (auto other = PeriodOfLeg(event.legs(i), i)) return other;
  }
  return std::nullopt;
}

Result<date::sys_days> DaysOf(const Date* d, const std::string& field) {
  if (d == nullptr) return Status::Invalid(field + " is not set");
  auto invalid = [&] {
    return Status::Invalid(field + " " + FormatDate(*d) + " is not a valid date");
  };
  if (d->year() < 1 || d->year() > 9999) return invalid();  // date::year would truncate it
  const date::year_month_day ymd{date::year{d->year()},
                                 date::month{static_cast<unsigned>(d->month())},
                                 date::day{static_cast<unsigned>(d->day())}};
  if (!ymd.ok()) return invalid();
  return date::sys_days{ymd};
}

Result<Period> ResolvePeriod(const PeriodSource& s) {
  TF_ASSIGN_OR_RETURN(date::sys_days first, DaysOf(s.start, s.path + "." + s.start_name));
  TF_ASSIGN_OR_RETURN(date::sys_days last, DaysOf(s.end, s.path + "." + s.end_name));
  if (last < first) {
    return Status::Invalid(s.path + "." + s.end_name + " " + FormatDate(*s.end) + " is before " +
                           s.start_name + " " + FormatDate(*s.start));
  }
  return Period{first, last};
}

int64_t DaysIn(const Period& p) { return (p.last - p.first).count() + 1; }

// Calendar months when the period runs from a 1st to a month's last day; 0 otherwise.
int64_t WholeMonthsIn(const Period& p) {
  const date::year_month_day first{p.first}, last{p.last};
  const date::year_month_day_last month_end = last.year() / last.month() / date::last;
  if (first.day() != date::day{1} || last.day() != month_end.day()) return 0;
  const date::year_month from = first.year() / first.month(), to = last.year() / last.month();
  return (to - from).count() + 1;
}

// The instant a local day begins: its midnight, or the end of the gap when the clocks jump over
// midnight (America/Santiago). When midnight happens twice (clocks back at 01:00), the first.
date::sys_seconds StartOfDay(const date::time_zone& zone, date::sys_days day) {
  const date::local_seconds midnight{day.time_since_epoch()};
  const date::local_info info = zone.get_info(midnight);
  if (info.result == date::local_info::nonexistent) return info.first.end;
  return date::sys_seconds{midnight.time_since_epoch()} - info.first.offset;
}

// Hours from the first day's start to the start of the day after the last, in the delivery's
// time zone: a day is 23 or 25 hours when the clocks change. A fraction (a 30-minute DST shift)
// stays exact in the ratio.
Result<Ratio> HoursIn(const Period& p, const std::string& time_zone) {
  int64_t seconds = DaysIn(p) * 86400;  // a fixed offset (UTC, +01:00) has no DST
  if (!ParseUtcOffset(time_zone).ok()) {
    TF_RETURN_IF_ERROR(ValidateTimeZone(time_zone));
    const date::time_zone* zone = nullptr;
    try {
      zone = date::locate_zone(time_zone);
    } catch (const std::exception&) {
      return Status::Invalid("unknown time zone '" + time_zone + "'");
    }
    seconds = (StartOfDay(*zone, p.last + date::days{1}) - StartOfDay(*zone, p.first)).count();
  }
  return Ratio::FromIntegers(seconds, 3600);
}

// Only base load is every hour of the period; peak and off-peak hours depend on the market's
// definition and holidays, which reference data does not have.
Result<Ratio> BaseLoadHours(const Period& p, const PeriodSource& s) {
  const std::string load = s.delivery != nullptr ? s.delivery->load_type() : "";
  if (!load.empty() && !EqualsIgnoringCase(load, "BASE")) {
    return Status::Invalid("PER_HOUR is only counted for BASE load; load type " + load +
                           " needs the market's calendar of its hours");
  }
  const std::string zone = s.delivery != nullptr ? s.delivery->time_zone() : "";
  if (zone.empty()) {
    return Status::Invalid(
        "PER_HOUR needs a time zone to count hours (23 or 25 on the days the "
        "clocks change) and " +
        s.path + " has none");
  }
  return HoursIn(p, zone);
}

// "QUANTITY_FREQUENCY_PER_DAY" → "PER_DAY", as the mapping's enum values spell it.
std::string FrequencyName(QuantityFrequency f) {
  const std::string& name = tradeflow::trade::v1::QuantityFrequency_Name(f);
  constexpr size_t kPrefix = sizeof("QUANTITY_FREQUENCY_") - 1;
  return name.size() > kPrefix ? name.substr(kPrefix) : std::to_string(static_cast<int>(f));
}

// OK for the frequencies counted over a period; otherwise why not.
Status Countable(QuantityFrequency f) {
  using enum QuantityFrequency;
  switch (f) {
    case QUANTITY_FREQUENCY_PER_DAY:
    case QUANTITY_FREQUENCY_PER_MONTH:
    case QUANTITY_FREQUENCY_PER_HOUR:
      return Status::OK();
    case QUANTITY_FREQUENCY_PER_BUSINESS_DAY:
      return Status::Invalid(
          "PER_BUSINESS_DAY needs a holiday calendar, which reference data "
          "does not have");
    case QUANTITY_FREQUENCY_PER_CALC_PERIOD:
      return Status::Invalid(
          "PER_CALC_PERIOD needs the calculation periods, which the trade "
          "does not give");
    case QUANTITY_FREQUENCY_PER_SETTLEMENT_PERIOD:
      return Status::Invalid(
          "PER_SETTLEMENT_PERIOD needs the market's settlement period "
          "length, which reference data does not have");
    default:
      return Status::Invalid("frequency " + FrequencyName(f) + " is not counted");
  }
}

// How many days, whole months or base-load hours the period holds.
Result<Ratio> CountIn(const Period& p, const PeriodSource& s, QuantityFrequency f) {
  if (f == tradeflow::trade::v1::QUANTITY_FREQUENCY_PER_HOUR) return BaseLoadHours(p, s);
  if (f == tradeflow::trade::v1::QUANTITY_FREQUENCY_PER_DAY) {
    return Ratio::FromIntegers(DaysIn(p), 1);
  }
  const int64_t months = WholeMonthsIn(p);
  if (months == 0) {
    return Status::Invalid("PER_MONTH is only counted over whole calendar months; " + s.path +
                           " runs " + FormatDate(*s.start) + " to " + FormatDate(*s.end));
  }
  return Ratio::FromIntegers(months, 1);
}

// How many times its value a quantity of `frequency` on leg `leg_index` totals over the trade's
// period; an error says why it cannot be counted.
Result<Ratio> PeriodsIn(const TradeEvent& event, int leg_index, QuantityFrequency frequency) {
  if (frequency == tradeflow::trade::v1::QUANTITY_FREQUENCY_TERM) return Ratio();
  TF_RETURN_IF_ERROR(Countable(frequency));
  const std::optional<PeriodSource> source = FindPeriod(event, leg_index);
  if (!source) {
    return Status::Invalid(FrequencyName(frequency) +
                           " needs a delivery or pricing period; no leg has one");
  }
  TF_ASSIGN_OR_RETURN(Period period, ResolvePeriod(*source));
  return CountIn(period, *source, frequency);
}

class Normaliser {
 public:
  Normaliser(const ReferenceData& ref, const NormaliseOptions& options,
             std::vector<std::string>* notes)
      : ref_(ref), options_(options), notes_(notes) {}

  Status Run(TradeEvent* event);

 private:
  void Note(const std::string& field, const std::string& message) {
    notes_->push_back(field + ": " + message);
  }

  void ResolveProduct(TradeEvent* event);
  Status Listed(const std::string& path, Quantity* q);
  void NoteSizeOtherThanSpec(const std::string& field, const Quantity& q);
  Status ConvertQuantity(const std::string& path, Quantity* q);
  Status ComputeTotal(const TradeEvent& event, int leg_index, const std::string& path, Quantity* q);
  // The quote convention of the trade's listed contract, else (OTC) of its product.
  struct Convention {  // views into the spec or product, which outlive the record
    std::string_view currency, unit;
    int32_t minor_scale = 0;
  };
  Convention QuoteConvention() const;
  // A price to major units; `*divided_by` is what its value was divided by (0 when not).
  Status NormalisePrice(const std::string& path, Price* price, int32_t* divided_by);
  // A floating leg's spread, quoted as the trade's prices are: a minor-unit code, or the
  // convention's minor unit when with no currency, or in the convention's currency when this
  // pass took the trade's prices in that currency as minor units (price_read_as_minor_).
  Status NormaliseSpread(const std::string& path, tradeflow::trade::v1::FloatingPriceTerms* f);
  // *value (a Decimal of `scale`) ÷ `divisor`; notes rounding under `field`.
  Status DivideMinor(const std::string& field, Decimal* value, int32_t divisor, int32_t scale);
  // `text` in unit `from` converted to `to` at quantity scale; NotFound if no conversion.
  Result<std::string> ConvertText(const std::string& field, const std::string& text,
                                  const std::string& from, const std::string& to, bool note);

  const ReferenceData& ref_;
  const NormaliseOptions& options_;
  std::vector<std::string>* notes_;
  std::string commodity_;
  const ref::Product* product_ = nullptr;
  const ref::ContractSpec* spec_ = nullptr;
  // The factor ConvertQuantity converted the leg's quantity by, and the unit it converted from,
  // for its total; empty when it did not convert.
  std::optional<Ratio> converted_by_;
  // A price in the convention's ISO currency was taken as quoted in its minor unit (pence for
  // GBP on a product quoted in GBp) by this pass: a spread in that currency is too.
  bool price_read_as_minor_ = false;
  std::string converted_from_;
  std::string contract_key_;
};

void Normaliser::ResolveProduct(TradeEvent* event) {
  auto* product = event->mutable_product();
  if (!product->exchange().empty() && !product->product_code().empty()) {
    contract_key_ = product->exchange() + ":" + product->product_code();
    spec_ = ref_.FindContract(product->exchange(), product->product_code());
    if (spec_ == nullptr && ref_.HasTable(kContracts)) {
      Note("product.product_code", "no contract spec for " + contract_key_ +
                                       "; contract size and quote convention not applied");
    }
  }
  commodity_ = product->commodity();
  if (spec_ != nullptr && !spec_->commodity().empty()) {
    if (commodity_.empty()) {
      commodity_ = spec_->commodity();
      if (options_.fill_product) product->set_commodity(commodity_);
    } else if (commodity_ != spec_->commodity()) {
      Note("product.commodity", "'" + commodity_ + "' but contract " + contract_key_ + " is for '" +
                                    spec_->commodity() + "'");
    }
  }
  if (!commodity_.empty()) product_ = ref_.FindProduct(commodity_);
  if (product_ == nullptr && ref_.HasTable(kProducts)) {
    Note("product.commodity",
         commodity_.empty()
             ? std::string("empty; quantities not converted to a canonical unit")
             : "'" + commodity_ + "' is not a reference product; quantities not converted");
  }
  if (product_ != nullptr && options_.fill_product) {
    if (product->asset_class() == tradeflow::trade::v1::ASSET_CLASS_UNSPECIFIED) {
      product->set_asset_class(product_->asset_class());
    }
    if (product->asset_subclass().empty()) product->set_asset_subclass(product_->asset_subclass());
    if (product->asset_detail().empty()) product->set_asset_detail(product_->asset_detail());
  }
}

Result<std::string> Normaliser::ConvertText(const std::string& field, const std::string& text,
                                            const std::string& from, const std::string& to,
                                            bool note) {
  TF_ASSIGN_OR_RETURN(UnitFactor factor, ref_.FindUnitConversion(commodity_, from, to));
  bool exact = true;
  auto converted = ApplyToDecimalString(factor.ratio, text, QuantityScale(), &exact);
  if (!converted.ok()) return converted.status().WithContext(field);
  if (note && (!exact || (factor.approximate && options_.note_approximate_factors))) {
    std::string why;
    if (factor.approximate) why = "approximate factor";
    if (!exact) {
      why += std::string(why.empty() ? "" : "; ") + "rounded half-even to " +
             std::to_string(QuantityScale()) + " decimals";
    }
    Note(field, text + " " + from + " = " + *converted + " " + to + " via " + factor.path +
                    " (factor " + factor.ratio.ToString() + "): " + why);
  }
  return converted;
}

// A trade's own contract size that is not its listed contract's (20000 lb on COMEX HG, whose
// lot is 25000 lb): the trade's is used, as it says, and the difference noted. Compared in the
// spec's unit; a size in another unit is not converted for this.
void Normaliser::NoteSizeOtherThanSpec(const std::string& field, const Quantity& q) {
  if (spec_ == nullptr || !spec_->has_contract_size()) return;
  if (q.contract_size().value() == spec_->contract_size().value()) return;
  if (!SameUnit(q.contract_size_unit(), spec_->contract_unit())) return;
  auto ours = model::CanonicalDecimalString(q.contract_size().value());
  auto theirs = model::CanonicalDecimalString(spec_->contract_size().value());
  if (!ours.ok() || !theirs.ok() || *ours == *theirs) return;
  Note(field, q.contract_size().value() + " " + q.contract_size_unit() + " is not " +
                  contract_key_ + "'s " + spec_->contract_size().value() + " " +
                  spec_->contract_unit() + "; the trade's is used");
}

Status Normaliser::Listed(const std::string& path, Quantity* q) {
  if (!q->has_lots()) return Status::OK();
  // Stored by its canonical spelling ("lbs" is lb), as the quantity's unit is once converted;
  // the reported unit keeps the source's.
  if (!q->contract_size_unit().empty()) {
    q->set_contract_size_unit(CanonicalUnitName(q->contract_size_unit()));
  }
  if (!q->has_contract_size()) {
    if (spec_ != nullptr && spec_->has_contract_size()) {
      *q->mutable_contract_size() = spec_->contract_size();
      q->set_contract_size_unit(spec_->contract_unit());
    } else {
      if (!q->has_value()) {
        Note(path + ".contract_size",
             "lots given without a contract size" +
                 (contract_key_.empty() ? std::string(" and the trade names no listed contract")
                                        : " and contract " + contract_key_ + " has none"));
      }
      return Status::OK();
    }
  } else if (q->contract_size_unit().empty()) {
    // The trade's own size without a unit is in the unit the source gave the quantity in
    // (docs/validation.md, lots_times_contract_size); the spec's unit only when it gave none.
    const std::string& unit = q->reported_unit().empty() ? q->unit() : q->reported_unit();
    if (!unit.empty()) {
      q->set_contract_size_unit(CanonicalUnitName(unit));
    } else if (spec_ != nullptr) {
      q->set_contract_size_unit(spec_->contract_unit());
    }
  }
  NoteSizeOtherThanSpec(path + ".contract_size", *q);
  // lots × contract size, exactly: a fraction of a lot times a size may still need rounding.
  auto size = Ratio::FromDecimal(q->contract_size().value());
  if (!size.ok()) {
    Note(path + ".contract_size", size.status().message());
    return Status::OK();
  }
  bool exact = true;
  auto computed = ApplyToDecimalString(*size, q->lots().value(), QuantityScale(), &exact);
  if (!computed.ok()) return computed.status().WithContext(path + ".lots");
  const std::string size_unit =
      q->contract_size_unit().empty() ? q->unit() : q->contract_size_unit();
  const std::string formula = q->lots().value() + " lots × " + q->contract_size().value() + " " +
                              size_unit + " = " + *computed + " " + size_unit;
  if (!exact) Note(path + ".value", formula + " rounded half-even");
  if (!q->has_value()) {
    if (q->unit().empty() || SameUnit(q->unit(), size_unit)) {
      q->mutable_value()->set_value(*computed);
      if (q->unit().empty()) q->set_unit(size_unit);
      return Status::OK();
    }
    auto in_unit = ConvertText(path + ".value", *computed, size_unit, q->unit(), true);
    if (!in_unit.ok()) {
      Note(path + ".value", "not derived from " + formula + ": " + in_unit.status().message());
      return Status::OK();
    }
    q->mutable_value()->set_value(*in_unit);
    return Status::OK();
  }
  // Both given: they must agree; if not, leave both for validation to judge.
  std::string expected = *computed;
  if (!q->unit().empty() && !size_unit.empty() && !SameUnit(q->unit(), size_unit)) {
    auto in_unit = ConvertText(path + ".value", *computed, size_unit, q->unit(), false);
    if (!in_unit.ok()) {
      Note(path + ".value", "cannot check against " + formula + ": " + in_unit.status().message());
      return Status::OK();
    }
    expected = *in_unit;
  }
  TF_ASSIGN_OR_RETURN(std::string value, model::CanonicalDecimalString(q->value().value()));
  if (value != expected) {
    Note(path + ".value",
         value + " " + q->unit() + " disagrees with " + formula +
             (expected == *computed ? "" : " (" + expected + " " + q->unit() + ")"));
  }
  return Status::OK();
}

Status Normaliser::ConvertQuantity(const std::string& path, Quantity* q) {
  if (!q->has_value() && !q->has_total() && !q->has_reported_value()) return Status::OK();
  // The as-reported figure is kept once; a second run finds it there and leaves it.
  if (q->reported_unit().empty() && !q->has_reported_value() && q->has_value()) {
    *q->mutable_reported_value() = q->value();
    q->set_reported_unit(q->unit());
  }
  if (!q->has_value() && q->has_reported_value() && q->unit().empty()) {
    *q->mutable_value() = q->reported_value();
    q->set_unit(q->reported_unit());
  }
  if (q->unit().empty()) {
    Note(path + ".unit", "empty; quantity not converted to a canonical unit");
    return Status::OK();
  }
  if (product_ == nullptr) return Status::OK();  // noted once per event
  const std::string& canonical = product_->canonical_unit();
  const std::string from = q->unit();
  if (SameUnit(from, canonical)) {
    q->set_unit(canonical);
    return Status::OK();
  }
  auto factor = ref_.FindUnitConversion(commodity_, from, canonical);
  if (!factor.ok()) {
    Note(path + ".unit", factor.status().message() + "; left in " + from);
    return Status::OK();
  }
  converted_by_ = factor->ratio;
  converted_from_ = from;
  // Convert into locals first: a failure must leave value, total and unit consistent.
  std::string value, total;
  if (q->has_value()) {
    TF_ASSIGN_OR_RETURN(value,
                        ConvertText(path + ".value", q->value().value(), from, canonical, true));
  }
  if (q->has_total()) {
    TF_ASSIGN_OR_RETURN(total,
                        ConvertText(path + ".total", q->total().value(), from, canonical, true));
  }
  if (q->has_value()) q->mutable_value()->set_value(value);
  if (q->has_total()) q->mutable_total()->set_value(total);
  q->set_unit(canonical);
  return Status::OK();
}

Status Normaliser::ComputeTotal(const TradeEvent& event, int leg_index, const std::string& path,
                                Quantity* q) {
  if (!q->has_value()) return Status::OK();
  // Without a frequency the value may be per anything: nothing to count, and validation can
  // require a frequency if a source must give one.
  if (q->frequency() == tradeflow::trade::v1::QUANTITY_FREQUENCY_UNSPECIFIED) return Status::OK();
  Result<Ratio> periods = PeriodsIn(event, leg_index, q->frequency());
  if (!periods.ok()) {
    if (!q->has_total()) Note(path + ".total", "not computed: " + periods.status().message());
    return Status::OK();
  }
  bool exact = true;
  auto total = ApplyToDecimalString(*periods, q->value().value(), QuantityScale(), &exact);
  // A total the source gave (or an earlier run computed) is kept, which makes this idempotent;
  // one that disagrees with value × periods (a per-day figure sent as the total, say) is noted.
  if (q->has_total()) {
    // Converted to another unit, the value and the total were each rounded to 6 decimals: the
    // value's rounding (half a millionth at most) is multiplied by the periods, the total's
    // adds half a millionth more.
    int64_t slack = 0;  // millionths
    if (!q->reported_unit().empty() && !SameUnit(q->reported_unit(), q->unit())) {
      bool ignored = true;
      auto whole_periods = ApplyToDecimalString(*periods, "1", 0, &ignored);
      if (whole_periods.ok()) slack = std::stoll(*whole_periods) + 1;
    }
    if (total.ok() && !SameAsWritten(q->total().value(), *total, slack)) {
      Note(path + ".total", q->total().value() + " " + q->unit() + " disagrees with " +
                                q->value().value() + " × " + periods->ToString() + " = " + *total +
                                " " + q->unit());
    }
    return Status::OK();
  }
  if (!total.ok()) {
    return total.status().WithContext(path + ".total (" + q->value().value() + " × " +
                                      periods->ToString() + ")");
  }
  // A value converted to another unit was rounded once already: the total is computed from the
  // figure as reported, times the periods and the factor, and rounded once (the rounded value
  // times 8760 hours could be off by 4380 millionths). A TERM total is the value itself, whose
  // rounding is noted already.
  bool used_reported = false;
  if (converted_by_ && !periods->IsOne() && q->has_reported_value() &&
      SameUnit(q->reported_unit(), converted_from_)) {
    if (auto combined = periods->Times(*converted_by_); combined.ok()) {
      bool exact_from_reported = true;
      auto from_reported = ApplyToDecimalString(*combined, q->reported_value().value(),
                                                QuantityScale(), &exact_from_reported);
      if (from_reported.ok()) {
        total = std::move(from_reported);
        exact = exact_from_reported;
        used_reported = true;
      }
    }
  }
  if (!exact) {
    const std::string formula = used_reported
                                    ? q->reported_value().value() + " " + q->reported_unit() +
                                          " × " + periods->ToString() + " in " + q->unit()
                                    : q->value().value() + " × " + periods->ToString();
    Note(path + ".total", formula + " rounded half-even to " + std::to_string(QuantityScale()) +
                              " decimals: " + *total);
  }
  q->mutable_total()->set_value(*total);
  return Status::OK();
}

Status Normaliser::DivideMinor(const std::string& field, Decimal* value, int32_t divisor,
                               int32_t scale) {
  if (value->value().empty()) return Status::OK();
  TF_ASSIGN_OR_RETURN(Ratio ratio, Ratio::FromIntegers(1, divisor));
  bool exact = true;
  auto major = ApplyToDecimalString(ratio, value->value(), scale, &exact);
  if (!major.ok()) return major.status().WithContext(field);
  if (!exact) {
    Note(field, value->value() + " ÷ " + std::to_string(divisor) + " rounded half-even to " +
                    std::to_string(scale) + " decimals: " + *major);
  }
  value->set_value(*major);
  return Status::OK();
}

Normaliser::Convention Normaliser::QuoteConvention() const {
  Convention c;
  if (spec_ != nullptr) {
    c = {spec_->price_currency(), spec_->price_unit(), spec_->price_minor_scale()};
  } else if (product_ != nullptr) {
    c = {product_->quote_currency(), product_->quote_unit(), product_->quote_minor_scale()};
  }
  return c;
}

Status Normaliser::NormalisePrice(const std::string& path, Price* price, int32_t* divided_by) {
  *divided_by = 0;
  if (!price->has_value() && price->currency().empty()) return Status::OK();
  std::string iso;
  int32_t scale = 0;
  if (MinorCurrency(price->currency(), &iso, &scale)) {
    TF_RETURN_IF_ERROR(DivideMinor(path + ".value", price->mutable_value(), scale, PriceScale()));
    price->set_currency(iso);
    price->set_currency_minor_scale(scale);
    *divided_by = scale;
  }
  const Convention conv = QuoteConvention();
  if (!price->has_value() || conv.currency.empty()) return Status::OK();
  const bool same_currency = price->currency().empty() || price->currency() == conv.currency;
  // A price per another unit than the convention's (USD per MT on a contract quoted in USc/lb)
  // is not quoted as the convention says: its currency is taken as written.
  const bool same_unit =
      price->per_unit().empty() || conv.unit.empty() || SameUnit(price->per_unit(), conv.unit);
  // A unit no conversion links to the convention's is most likely a spelling tradeflow does not
  // know ("pound" was one): the price would silently stay unconverted. Said, not guessed.
  if (same_currency && conv.minor_scale > 1 && price->currency_minor_scale() == 0 && !same_unit &&
      !ref_.FindUnitConversion(commodity_, price->per_unit(), conv.unit).ok()) {
    Note(path + ".per_unit",
         "per '" + price->per_unit() + "', which does not convert to the quote convention's " +
             std::string(conv.unit) + ": the price is taken as quoted in " +
             std::string(conv.currency) + ", not in its minor unit (1/" +
             std::to_string(conv.minor_scale) +
             "); if it is the same unit, write it as units.csv or the unit aliases do");
  }
  // A minor scale with no currency is the source saying "in minor units" of the convention's
  // currency, per whatever unit (normalisation itself never leaves a scale without one):
  // converted, after which the currency filled in below marks it done.
  const bool minor_without_currency = price->currency().empty() &&
                                      price->currency_minor_scale() > 1 &&
                                      price->currency_minor_scale() == conv.minor_scale;
  if (same_currency && conv.minor_scale > 1 &&
      ((price->currency_minor_scale() == 0 && same_unit) || minor_without_currency)) {
    TF_RETURN_IF_ERROR(
        DivideMinor(path + ".value", price->mutable_value(), conv.minor_scale, PriceScale()));
    price->set_currency_minor_scale(conv.minor_scale);
    *divided_by = conv.minor_scale;
    if (!price->currency().empty()) price_read_as_minor_ = true;
  }
  // A price quoted as the convention says (currency and minor scale) is per the convention's
  // unit too; one quoted otherwise (USc on an LME contract) may be per anything: left empty.
  auto major = [](int32_t s) { return s <= 1 ? 1 : s; };
  if (same_currency && major(price->currency_minor_scale()) == major(conv.minor_scale)) {
    if (price->currency().empty()) price->set_currency(std::string(conv.currency));
    if (price->per_unit().empty()) price->set_per_unit(std::string(conv.unit));
  }
  return Status::OK();
}

Status Normaliser::NormaliseSpread(const std::string& path,
                                   tradeflow::trade::v1::FloatingPriceTerms* f) {
  if (!f->has_spread() || f->spread().value().empty()) return Status::OK();
  const int32_t scale_of_spread =
      ScaleOf(tradeflow::trade::v1::FloatingPriceTerms::descriptor(), "spread");
  std::string iso;
  int32_t scale = 0;
  if (MinorCurrency(f->spread_currency(), &iso, &scale)) {
    TF_RETURN_IF_ERROR(DivideMinor(path, f->mutable_spread(), scale, scale_of_spread));
    f->set_spread_currency(iso);
    return Status::OK();
  }
  const Convention conv = QuoteConvention();
  if (conv.currency.empty() || conv.minor_scale <= 1) return Status::OK();
  // A spread with no currency is quoted as the contract's prices are. One in the convention's
  // ISO currency is too when the trade's prices in it were (a source that writes GBP for pence
  // writes it for both); else it is taken in major units. A spread has no minor scale of its
  // own: the currency filled in marks it converted, and a second pass, which finds the prices
  // converted already (price_read_as_minor_ false), leaves it alone.
  if (f->spread_currency().empty() ||
      (price_read_as_minor_ && f->spread_currency() == conv.currency)) {
    TF_RETURN_IF_ERROR(DivideMinor(path, f->mutable_spread(), conv.minor_scale, scale_of_spread));
    f->set_spread_currency(std::string(conv.currency));
  }
  return Status::OK();
}

Status Normaliser::Run(TradeEvent* event) {
  ResolveProduct(event);
  for (int i = 0; i < event->legs_size(); ++i) {
    auto* leg = event->mutable_legs(i);
    const std::string path = "legs[" + std::to_string(i) + "]";
    if (leg->has_quantity()) {
      if (options_.apply_contract_specs) {
        TF_RETURN_IF_ERROR(Listed(path + ".quantity", leg->mutable_quantity()));
      }
      converted_by_.reset();
      if (options_.convert_quantities) {
        TF_RETURN_IF_ERROR(ConvertQuantity(path + ".quantity", leg->mutable_quantity()));
      }
      // After the conversion, so that the total is in the same (canonical) unit as the value.
      if (options_.compute_totals) {
        TF_RETURN_IF_ERROR(ComputeTotal(*event, i, path + ".quantity", leg->mutable_quantity()));
      }
    }
    if (!options_.convert_minor_currency) continue;
    int32_t divided_by = 0;
    if (leg->has_fixed() && leg->fixed().has_price()) {
      TF_RETURN_IF_ERROR(NormalisePrice(path + ".fixed.price",
                                        leg->mutable_fixed()->mutable_price(), &divided_by));
    }
    if (leg->has_physical() && leg->physical().has_price()) {
      TF_RETURN_IF_ERROR(NormalisePrice(path + ".physical.price",
                                        leg->mutable_physical()->mutable_price(), &divided_by));
    }
    if (leg->has_option()) {
      auto* option = leg->mutable_option();
      if (option->has_strike()) {
        TF_RETURN_IF_ERROR(
            NormalisePrice(path + ".option.strike", option->mutable_strike(), &divided_by));
      }
      if (option->has_premium()) {
        TF_RETURN_IF_ERROR(
            NormalisePrice(path + ".option.premium", option->mutable_premium(), &divided_by));
        // The premium amount is in the premium's currency: pence if the premium was in pence,
        // by its code or by the quote convention.
        if (divided_by > 1 && option->has_premium_amount()) {
          TF_RETURN_IF_ERROR(DivideMinor(
              path + ".option.premium_amount", option->mutable_premium_amount(), divided_by,
              ScaleOf(tradeflow::trade::v1::OptionTerms::descriptor(), "premium_amount")));
        }
      }
    }
  }
  // After every leg's prices: a swap's fixed price may come on a later leg than its spread.
  for (int i = 0; options_.convert_minor_currency && i < event->legs_size(); ++i) {
    auto* leg = event->mutable_legs(i);
    if (!leg->has_floating()) continue;
    TF_RETURN_IF_ERROR(NormaliseSpread("legs[" + std::to_string(i) + "].floating.spread",
                                       leg->mutable_floating()));
  }
  if (options_.convert_minor_currency) {
    for (int i = 0; i < event->fees_size(); ++i) {
      auto* fee = event->mutable_fees(i);
      std::string iso;
      int32_t scale = 0;
      if (MinorCurrency(fee->currency(), &iso, &scale)) {
        TF_RETURN_IF_ERROR(DivideMinor("fees[" + std::to_string(i) + "].amount",
                                       fee->mutable_amount(), scale,
                                       ScaleOf(tradeflow::trade::v1::Fee::descriptor(), "amount")));
        fee->set_currency(iso);
      }
    }
  }
  return Status::OK();
}

}  // namespace

bool MinorCurrency(std::string_view code, std::string* iso, int32_t* scale) {
  struct Minor {
    std::string_view code, iso;
  };
  // Vendor codes for quotes in cents and pence; ISO 4217 has none (trade-domain §2.3).
  static constexpr Minor kMinor[] = {{"USc", "USD"}, {"USX", "USD"}, {"GBp", "GBP"},
                                     {"GBX", "GBP"}, {"EUc", "EUR"}, {"EUX", "EUR"},
                                     {"ZAc", "ZAR"}, {"ZAX", "ZAR"}};
  for (const auto& m : kMinor) {
    if (m.code == code) {
      *iso = std::string(m.iso);
      *scale = 100;
      return true;
    }
  }
  return false;
}

Status Normalise(const ReferenceData& reference, const NormaliseOptions& options, TradeEvent* event,
                 std::vector<std::string>* notes) {
  return Normaliser(reference, options, notes).Run(event);
}

NormaliseOptions WithoutReferenceData(NormaliseOptions options) {
  options.apply_contract_specs = false;
  options.convert_quantities = false;
  options.fill_product = false;
  return options;
}

}  // namespace tradeflow::transform
