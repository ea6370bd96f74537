// The built-in data-quality rules: the rules of trade-domain.md §3 that need one record (and, for
// unique_version, the keys seen so far) but no trade history. Every rule has a stable id, a
// default severity and a one-line summary; docs/validation.md lists them all.
//
// The rules are written against the generated TradeEvent accessors, not reflection: they run for
// every record, and on a clean record they allocate nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/reference_lookup.h"
#include "tradeflow/trade/v1/trade_event.pb.h"
#include "validate/rule.h"

namespace tradeflow::validate {

enum class BuiltinId : int {
  kRequiredIdentity,
  kPositiveSourceVersion,
  kRequiredAction,
  kRequiredTradeDate,
  kRequiredDirection,
  kRequiredBook,
  kRequiredInternalEntity,
  kRequiredCounterpartyOrExchange,
  kRequiredCommodity,
  kRequiredInstrumentType,
  kRequiredQuantity,
  kRequiredPrice,
  kRequiredDelivery,
  kPositiveQuantity,
  kPositivePrice,
  kPositivePremium,
  kPriceMinorScale,
  kCurrencyFormat,
  kDeliveryDatesOrder,
  kPricingPeriodOrder,
  kOptionExpiryAfterTradeDate,
  kExecutionTimeNotFuture,
  kExecutionDateMatchesTradeDate,
  kLotsTimesContractSize,
  kOptionTermsComplete,
  kOptionLegMatchesInstrument,
  kKnownEnumValues,
  kKnownCounterparty,
  kKnownBook,
  kKnownProduct,
  kKnownListedContract,
  kQuantityInCanonicalUnit,
  kContractMatchesSpec,
  kActiveCounterparty,
  kActiveBook,
  kCounterpartyLeiMatchesReference,
  kLegalEntityMatchesBook,
  kAssetClassMatchesProduct,
  kLeiFormat,
  kLeiCheckDigits,
  kUniqueVersion,
  kCount,
};

struct BuiltinRule {
  BuiltinId id;
  std::string_view name;  // the stable id, e.g. "positive_quantity"
  Severity default_severity;
  std::string_view summary;
  std::string_view reference_table;  // the table a known_* rule needs; empty otherwise
};

// All built-in rules, in BuiltinId order.
std::span<const BuiltinRule> BuiltinRules();
const BuiltinRule& GetBuiltinRule(BuiltinId id);
// nullptr for an unknown name.
const BuiltinRule* FindBuiltinRule(std::string_view name);

// How the built-in rules run, prepared once by the Validator.
struct BuiltinConfig {
  bool enabled[static_cast<int>(BuiltinId::kCount)];
  Severity severity[static_cast<int>(BuiltinId::kCount)];
  // Lower case; matched against product.asset_subclass and product.commodity.
  std::vector<std::string> negative_price_allowed_for;
  // Used by the known_* rules; those rules are disabled when it is null or lacks their table.
  const model::ReferenceLookup* lookup = nullptr;

  BuiltinConfig();  // every rule enabled at its default severity
  bool on(BuiltinId id) const { return enabled[static_cast<int>(id)]; }
};

// Appends the failures of every enabled built-in rule except unique_version (see
// Validator::CheckDuplicate). `mapping_issues` are "field: message" strings from the mapping.
void CheckBuiltins(const BuiltinConfig& config, const tradeflow::trade::v1::TradeEvent& event,
                   const std::vector<std::string>& mapping_issues, int64_t now_unix_seconds,
                   std::vector<RuleFailure>* out);

}  // namespace tradeflow::validate
