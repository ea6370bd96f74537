// Normalisation: puts a mapped TradeEvent's quantities and prices into the firm's conventions,
// using reference data. Runs after the mapping and before validation.
//
// Per leg, in this order:
// 1. Listed contracts (product.exchange + product.product_code found in the contract specs):
//    lots without a contract size take contract_size / contract_size_unit from the spec; a leg
//    with lots and contract size but no quantity value gets value = lots × contract_size in the
//    contract unit. When value, lots and contract size are all present and lots × size (converted
//    to the quantity's unit) differs from the value, both are left as they are and a note says so.
// 2. Quantities: the as-reported figure is kept in reported_value / reported_unit (unless those
//    are already set), then value and total are converted to the product's canonical unit
//    (Product.canonical_unit of product.commodity) with ReferenceData::FindUnitConversion. The
//    result is exact at the field's scale (6 for quantities); when the exact result has more
//    decimals it is rounded half-even and noted. Rejecting it instead would make a gal → bbl
//    conversion impossible, and storing more digits than the column has is not possible; the
//    note and the untouched reported value keep the rounding visible and reversible.
// 3. Per-period totals: a quantity with a value, a frequency and no total gets total = value ×
//    the number of periods in the trade's period, exactly at the field's scale, in the same unit
//    as the value. The period is the leg's own (physical.delivery start_date..end_date, else
//    floating.pricing_start..pricing_end, inclusive local dates), else the first leg's that has
//    one: a swap's quantity sits on the fixed leg, its pricing dates on the floating leg. TERM:
//    the value itself. PER_DAY: × days. PER_MONTH: × calendar months, only when the period runs
//    from a 1st to a month's last day. PER_HOUR: × the hours from the first day's start to the
//    start of the day after the last in delivery.time_zone (23 or 25 on the days the clocks
//    change), only for load type empty or BASE. PER_BUSINESS_DAY, PER_CALC_PERIOD and
//    PER_SETTLEMENT_PERIOD need calendars or periods the engine does not have: not computed, and
//    noted, like a missing or inverted period, a PER_HOUR without time zone or for PEAK/OFFPEAK.
//    A quantity with no frequency is left alone.
// 4. Prices (fixed and physical price, option strike and premium): a currency written in minor
//    units (USc, USX, GBp, GBX, EUc, EUX, ZAc, ZAX) is converted to the ISO major currency, the
//    value divided by 100, and currency_minor_scale set to 100 so the quote convention is kept.
//    A price on a listed contract whose spec quotes in minor units (price_minor_scale 100), in
//    the spec's currency or none, with currency_minor_scale not set, is taken as quoted by the
//    spec and converted the same way; so is an OTC price against the product's quote convention.
//    A price that says currency_minor_scale 1 is already in major units and is left alone. Floating
//    spreads, option premium amounts and fees in a minor-unit currency are converted too; so is a
//    spread in the convention's ISO currency when the trade's prices in it were taken as minor.
// 5. Optionally, empty product fields (commodity from the contract spec; asset class, subclass
//    and detail from the product) are filled.
//
// Anything it cannot do (no product for the commodity, no conversion between two units, lots
// with no contract size and no spec, an unknown listed contract) leaves the fields as they were
// and appends a note "<field path>: <message>" for validation. Normalise is idempotent: a second
// run changes nothing and notes nothing new about conversions or totals. The returned Status is
// an error only for a Decimal in the event that does not parse (the mapping never produces one).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "transform/reference_data.h"

namespace tradeflow::transform {

struct NormaliseOptions {
  bool apply_contract_specs = true;    // step 1
  bool convert_quantities = true;      // step 2
  bool compute_totals = true;          // step 3
  bool convert_minor_currency = true;  // step 4
  bool fill_product = true;            // step 5
  // Note every conversion through an approximate factor (MMBtu → MWh, density-based bbl → MT),
  // not only the ones whose result had to be rounded.
  bool note_approximate_factors = true;
};

Status Normalise(const ReferenceData& reference, const NormaliseOptions& options,
                 tradeflow::trade::v1::TradeEvent* event, std::vector<std::string>* notes);

// `options` with only the steps that need no reference data left on: per-period totals (3) and
// prices in a minor-unit currency code such as USc or GBp (4). A pipeline without reference data
// normalises with these, against an empty ReferenceData.
NormaliseOptions WithoutReferenceData(NormaliseOptions options);

// The ISO 4217 currency and scale of a minor-unit code ("GBp" → GBP, 100); false for any other
// code. Case matters: "GBp" is pence, "GBP" pounds.
bool MinorCurrency(std::string_view code, std::string* iso, int32_t* scale);

}  // namespace tradeflow::transform
