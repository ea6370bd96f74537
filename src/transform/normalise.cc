#include "transform/normalise.h"

#include "model/decimal.h"
#include "model/proto_schema.h"
#include "transform/reference_data_units.h"

namespace tradeflow::transform {
namespace {

using tradeflow::trade::v1::Decimal;
using tradeflow::trade::v1::Price;
using tradeflow::trade::v1::Quantity;
using tradeflow::trade::v1::TradeEvent;

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

bool SameUnit(std::string_view a, std::string_view b) {
  return CanonicalUnitName(a) == CanonicalUnitName(b);
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
  Status ConvertQuantity(const std::string& path, Quantity* q);
  Status NormalisePrice(const std::string& path, Price* price, bool* divided_by_code);
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

Status Normaliser::Listed(const std::string& path, Quantity* q) {
  if (!q->has_lots()) return Status::OK();
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
  } else if (q->contract_size_unit().empty() && spec_ != nullptr) {
    q->set_contract_size_unit(spec_->contract_unit());
  }
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

Status Normaliser::NormalisePrice(const std::string& path, Price* price, bool* divided_by_code) {
  *divided_by_code = false;
  if (!price->has_value() && price->currency().empty()) return Status::OK();
  std::string iso;
  int32_t scale = 0;
  if (MinorCurrency(price->currency(), &iso, &scale)) {
    TF_RETURN_IF_ERROR(DivideMinor(path + ".value", price->mutable_value(), scale, PriceScale()));
    price->set_currency(iso);
    price->set_currency_minor_scale(scale);
    *divided_by_code = true;
  }
  // The quote convention: the listed contract's, else (OTC) the product's.
  std::string conv_currency, conv_unit;
  int32_t conv_scale = 0;
  if (spec_ != nullptr) {
    conv_currency = spec_->price_currency();
    conv_unit = spec_->price_unit();
    conv_scale = spec_->price_minor_scale();
  } else if (product_ != nullptr) {
    conv_currency = product_->quote_currency();
    conv_unit = product_->quote_unit();
    conv_scale = product_->quote_minor_scale();
  }
  if (!price->has_value() || conv_currency.empty()) return Status::OK();
  const bool same_currency = price->currency().empty() || price->currency() == conv_currency;
  if (same_currency && conv_scale > 1 && price->currency_minor_scale() == 0) {
    TF_RETURN_IF_ERROR(
        DivideMinor(path + ".value", price->mutable_value(), conv_scale, PriceScale()));
    price->set_currency_minor_scale(conv_scale);
  }
  // A price quoted as the convention says (currency and minor scale) is per the convention's
  // unit too; one quoted otherwise (USc on an LME contract) may be per anything: left empty.
  auto major = [](int32_t s) { return s <= 1 ? 1 : s; };
  if (same_currency && major(price->currency_minor_scale()) == major(conv_scale)) {
    if (price->currency().empty()) price->set_currency(conv_currency);
    if (price->per_unit().empty()) price->set_per_unit(conv_unit);
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
      if (options_.convert_quantities) {
        TF_RETURN_IF_ERROR(ConvertQuantity(path + ".quantity", leg->mutable_quantity()));
      }
    }
    if (!options_.convert_minor_currency) continue;
    bool by_code = false;
    if (leg->has_fixed() && leg->fixed().has_price()) {
      TF_RETURN_IF_ERROR(
          NormalisePrice(path + ".fixed.price", leg->mutable_fixed()->mutable_price(), &by_code));
    }
    if (leg->has_physical() && leg->physical().has_price()) {
      TF_RETURN_IF_ERROR(NormalisePrice(path + ".physical.price",
                                        leg->mutable_physical()->mutable_price(), &by_code));
    }
    if (leg->has_option()) {
      auto* option = leg->mutable_option();
      if (option->has_strike()) {
        TF_RETURN_IF_ERROR(
            NormalisePrice(path + ".option.strike", option->mutable_strike(), &by_code));
      }
      if (option->has_premium()) {
        TF_RETURN_IF_ERROR(
            NormalisePrice(path + ".option.premium", option->mutable_premium(), &by_code));
        // The premium amount is in the premium's currency: pence if the premium was in pence.
        if (by_code && option->has_premium_amount()) {
          TF_RETURN_IF_ERROR(DivideMinor(
              path + ".option.premium_amount", option->mutable_premium_amount(),
              option->premium().currency_minor_scale(),
              ScaleOf(tradeflow::trade::v1::OptionTerms::descriptor(), "premium_amount")));
        }
      }
    }
    if (leg->has_floating()) {
      auto* floating = leg->mutable_floating();
      std::string iso;
      int32_t scale = 0;
      if (MinorCurrency(floating->spread_currency(), &iso, &scale)) {
        TF_RETURN_IF_ERROR(
            DivideMinor(path + ".floating.spread", floating->mutable_spread(), scale,
                        ScaleOf(tradeflow::trade::v1::FloatingPriceTerms::descriptor(), "spread")));
        floating->set_spread_currency(iso);
      }
    }
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

}  // namespace tradeflow::transform
