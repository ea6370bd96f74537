#include "transform/reference_data.h"

#include <cassert>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

#include "model/decimal.h"
#include "model/lei.h"
#include "transform/reference_data_units.h"

namespace tradeflow::transform {
namespace {

using tradeflow::trade::v1::Date;

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string ContractKey(std::string_view exchange, std::string_view product_code) {
  return std::string(exchange) + ":" + std::string(product_code);
}

int32_t DateKey(const Date& d) { return d.year() * 10000 + d.month() * 100 + d.day(); }

// A decimal reference value must be present and positive; `what` names the field.
Status CheckPositive(const tradeflow::trade::v1::Decimal& d, const std::string& what) {
  if (d.value().empty()) return Status::Invalid(what + " is missing");
  auto ratio = Ratio::FromDecimal(d.value());
  if (!ratio.ok()) return ratio.status().WithContext(what);
  return Status::OK();
}

// Reference data is what trades are checked against, so it is held to the trades' rules: an LEI
// the lei_format or lei_check_digits rule would reject (lower case, wrong check digits) must not
// be the reference a trade's LEI is compared with. Empty is allowed (not known).
Status CheckLei(const std::string& lei, const std::string& what) {
  if (lei.empty()) return Status::OK();
  if (!model::IsLeiFormat(lei)) {
    return Status::Invalid(what + " " + Quoted(lei) +
                           " is not an LEI: 20 upper-case letters and digits, ending in two digits "
                           "(ISO 17442)");
  }
  if (!model::HasValidLeiCheckDigits(lei)) {
    return Status::Invalid(what + " " + Quoted(lei) + " has wrong check digits (ISO 17442)");
  }
  return Status::OK();
}

// An ISO code of `length` upper-case letters (a currency, a country), or empty. A lower-case
// "eur" would never match the "EUR" of a trade.
Status CheckCode(const std::string& code, size_t length, const std::string& what,
                 const char* standard) {
  if (code.empty()) return Status::OK();
  bool ok = code.size() == length;
  for (char c : code) ok = ok && c >= 'A' && c <= 'Z';
  if (ok) return Status::OK();
  return Status::Invalid(what + " " + Quoted(code) + " is not " + std::to_string(length) +
                         " upper-case letters (" + standard + ")");
}

// A minor-unit scale: 0 or 1 (major units) or a power of ten.
Status CheckMinorScale(int32_t scale, const std::string& what) {
  if (scale == 0 || scale == 1 || scale == 10 || scale == 100 || scale == 1000) {
    return Status::OK();
  }
  return Status::Invalid(what + " " + std::to_string(scale) + " is not 1, 10, 100 or 1000");
}

struct BuiltinEdges {
  std::map<std::pair<std::string, std::string>, std::pair<Ratio, bool>> edges;  // incl. inverses
};

// The built-in definitions, both directions, parsed once.
const BuiltinEdges& Builtins() {
  static const BuiltinEdges kEdges = [] {
    BuiltinEdges out;
    for (const auto& c : BuiltinUnitConversions()) {
      auto ratio = Ratio::FromDecimal(c.factor);
      assert(ratio.ok() && "built-in factor does not parse");
      // Inverses first so that a pair also given in the other direction keeps its own factor.
      out.edges.emplace(std::make_pair(std::string(c.to_unit), std::string(c.from_unit)),
                        std::make_pair(ratio->Inverse(), c.approximate));
    }
    for (const auto& c : BuiltinUnitConversions()) {
      auto ratio = Ratio::FromDecimal(c.factor);
      out.edges[{c.from_unit, c.to_unit}] = {*ratio, c.approximate};
    }
    return out;
  }();
  return kEdges;
}

}  // namespace

const std::vector<std::string_view>& ReferenceKinds() {
  static const std::vector<std::string_view> kKinds = {kCounterparties, kBooks,           kProducts,
                                                       kContracts,      kUnitConversions, kFxRates};
  return kKinds;
}

const google::protobuf::Descriptor* ReferenceDescriptor(std::string_view kind) {
  if (kind == kCounterparties) return ref::Counterparty::descriptor();
  if (kind == kBooks) return ref::Book::descriptor();
  if (kind == kProducts) return ref::Product::descriptor();
  if (kind == kContracts) return ref::ContractSpec::descriptor();
  if (kind == kUnitConversions) return ref::UnitConversion::descriptor();
  if (kind == kFxRates) return ref::FxRate::descriptor();
  return nullptr;
}

std::vector<const google::protobuf::Message*> ReferenceRows(const ReferenceTables& tables,
                                                            std::string_view kind) {
  std::vector<const google::protobuf::Message*> out;
  auto add = [&out](const auto& rows) {
    for (const auto& r : rows) out.push_back(&r);
  };
  if (kind == kCounterparties) add(tables.counterparties);
  if (kind == kBooks) add(tables.books);
  if (kind == kProducts) add(tables.products);
  if (kind == kContracts) add(tables.contracts);
  if (kind == kUnitConversions) add(tables.unit_conversions);
  if (kind == kFxRates) add(tables.fx_rates);
  return out;
}

Result<ReferenceData> ReferenceData::Build(const ReferenceTables& tables) {
  ReferenceData data;
  for (std::string_view kind : ReferenceKinds()) {
    for (const auto* row : ReferenceRows(tables, kind)) TF_RETURN_IF_ERROR(data.AddRow(*row));
  }
  TF_RETURN_IF_ERROR(data.CheckUnitConversions());
  return data;
}

Status ReferenceData::AddRow(const google::protobuf::Message& row) {
  const auto* d = row.GetDescriptor();
  if (d == ref::Counterparty::descriptor()) {
    return AddCounterparty(static_cast<const ref::Counterparty&>(row));
  }
  if (d == ref::Book::descriptor()) return AddBook(static_cast<const ref::Book&>(row));
  if (d == ref::Product::descriptor()) return AddProduct(static_cast<const ref::Product&>(row));
  if (d == ref::ContractSpec::descriptor()) {
    return AddContract(static_cast<const ref::ContractSpec&>(row));
  }
  if (d == ref::UnitConversion::descriptor()) {
    return AddUnitConversion(static_cast<const ref::UnitConversion&>(row));
  }
  if (d == ref::FxRate::descriptor()) return AddFxRate(static_cast<const ref::FxRate&>(row));
  return Status::Invalid(d->full_name() + " is not a reference data row");
}

Status ReferenceData::AddCounterparty(const ref::Counterparty& row) {
  if (row.id().empty()) return Status::Invalid("counterparty without an id");
  const std::string what = "counterparty " + Quoted(row.id());
  TF_RETURN_IF_ERROR(CheckLei(row.lei(), what + ": lei"));
  TF_RETURN_IF_ERROR(CheckCode(row.country(), 2, what + ": country", "ISO 3166 alpha-2"));
  if (!counterparties_.emplace(row.id(), row).second) {
    return Status::Invalid("duplicate counterparty id " + Quoted(row.id()));
  }
  if (!row.lei().empty()) counterparty_by_lei_.emplace(row.lei(), row.id());
  loaded_.insert(std::string(kCounterparties));
  return Status::OK();
}

Status ReferenceData::AddBook(const ref::Book& row) {
  if (row.book().empty()) return Status::Invalid("book without a name");
  TF_RETURN_IF_ERROR(CheckLei(row.legal_entity(), "book " + Quoted(row.book()) + ": legal_entity"));
  if (!books_.emplace(row.book(), row).second) {
    return Status::Invalid("duplicate book " + Quoted(row.book()));
  }
  loaded_.insert(std::string(kBooks));
  return Status::OK();
}

Status ReferenceData::AddProduct(const ref::Product& row) {
  if (row.commodity().empty()) return Status::Invalid("product without a commodity");
  const std::string what = "product " + Quoted(row.commodity());
  if (row.canonical_unit().empty()) return Status::Invalid(what + ": canonical_unit is missing");
  TF_RETURN_IF_ERROR(CheckCode(row.quote_currency(), 3, what + ": quote_currency", "ISO 4217"));
  TF_RETURN_IF_ERROR(CheckMinorScale(row.quote_minor_scale(), what + ": quote_minor_scale"));
  // Units by their canonical spelling ("tonnes" is MT): trades take their units from here, and
  // validation compares them as written.
  ref::Product product = row;
  product.set_canonical_unit(CanonicalUnitName(row.canonical_unit()));
  if (!row.quote_unit().empty()) product.set_quote_unit(CanonicalUnitName(row.quote_unit()));
  if (!products_.emplace(row.commodity(), std::move(product)).second) {
    return Status::Invalid("duplicate product commodity " + Quoted(row.commodity()));
  }
  loaded_.insert(std::string(kProducts));
  return Status::OK();
}

Status ReferenceData::AddContract(const ref::ContractSpec& row) {
  if (row.exchange().empty() || row.product_code().empty()) {
    return Status::Invalid("contract spec needs both exchange and product_code");
  }
  const std::string key = ContractKey(row.exchange(), row.product_code());
  const std::string what = "contract " + Quoted(key);
  if (row.has_contract_size()) {
    TF_RETURN_IF_ERROR(CheckPositive(row.contract_size(), what + ": contract_size"));
    if (row.contract_unit().empty()) {
      return Status::Invalid(what + ": contract_size needs a contract_unit");
    }
  }
  TF_RETURN_IF_ERROR(CheckMinorScale(row.price_minor_scale(), what + ": price_minor_scale"));
  TF_RETURN_IF_ERROR(CheckCode(row.price_currency(), 3, what + ": price_currency", "ISO 4217"));
  ref::ContractSpec spec = row;  // units by their canonical spelling, as products'
  if (!row.contract_unit().empty()) spec.set_contract_unit(CanonicalUnitName(row.contract_unit()));
  if (!row.price_unit().empty()) spec.set_price_unit(CanonicalUnitName(row.price_unit()));
  if (!contracts_.emplace(key, std::move(spec)).second) {
    return Status::Invalid("duplicate contract " + Quoted(key));
  }
  loaded_.insert(std::string(kContracts));
  return Status::OK();
}

namespace {

// Decimals a factor is written with ("0.1342": 4).
int32_t WrittenDecimals(const std::string& text) {
  const size_t dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int32_t>(text.size() - dot - 1);
}

// A factor, and as written.
struct Factor {
  const Ratio& ratio;
  const std::string& written;
};

// Whether a × b is within `millionths` of 1.
bool ProductNearOne(const Factor& a, const Factor& b, int64_t millionths) {
  auto product = a.ratio.Times(b.ratio);
  if (!product.ok()) return false;
  constexpr int64_t kOne = 1000000;  // 1 at scale 6
  auto round_trip = product->Apply(arrow::Decimal128(kOne), 6, 6);
  if (!round_trip.ok()) return false;
  arrow::Decimal128 off = round_trip->value - arrow::Decimal128(kOne);
  if (off < 0) off = -off;
  return off <= arrow::Decimal128(millionths);
}

// Whether `b` is `a`'s inverse, as written: 1/a rounded to b's decimals gives b, or the other
// way round, and the two agree within 0.1% (a factor of few decimals rounds to anything near:
// 0.1 is 1/7.45 to one decimal, yet 25% off it); with `approximate`, within 1%.
bool PairAgrees(const Factor& a, const Factor& b, bool approximate) {
  if (approximate) return ProductNearOne(a, b, 10000);
  auto rounds_to = [](const Factor& from, const Factor& to) {
    const int32_t decimals = WrittenDecimals(to.written);
    auto inverse = from.ratio.Inverse().Apply(arrow::Decimal128(1), 0, decimals);
    auto written = model::ParseDecimal(to.written, {38, decimals});
    return inverse.ok() && written.ok() && inverse->value == *written;
  };
  return (rounds_to(a, b) || rounds_to(b, a)) && ProductNearOne(a, b, 1000);
}

}  // namespace

Status ReferenceData::AddUnitConversion(const ref::UnitConversion& row) {
  std::string from = CanonicalUnitName(row.from_unit());
  std::string to = CanonicalUnitName(row.to_unit());
  if (from.empty() || to.empty()) {
    return Status::Invalid("unit conversion needs both from_unit and to_unit");
  }
  const std::string key =
      (row.commodity().empty() ? std::string("any commodity") : row.commodity()) + " " + from +
      " → " + to;
  if (from == to) return Status::Invalid("unit conversion " + key + " converts a unit to itself");
  TF_RETURN_IF_ERROR(CheckPositive(row.factor(), "unit conversion " + key + ": factor"));
  TF_ASSIGN_OR_RETURN(Ratio ratio, Ratio::FromDecimal(row.factor().value()));
  Edge edge{ratio, row.approximate(), row.commodity().empty() ? "reference" : row.commodity(),
            row.factor().value()};
  if (!conversions_.emplace(ConversionKey{row.commodity(), from, to}, edge).second) {
    return Status::Invalid("duplicate unit conversion " + key);
  }
  adjacent_[{row.commodity(), from}].push_back({to, edge, false});
  adjacent_[{row.commodity(), to}].push_back(
      {from, Edge{edge.ratio.Inverse(), edge.approximate, edge.label, ""}, true});
  // A pair given both ways must agree, else the result depends on the direction (1000 bbl →
  // MT with one factor, the lots check back with the other). Agree: one is the other's inverse
  // rounded to the decimals it is written with (7.45 and 0.1342) and within 0.1% of it, or, for
  // approximate factors (densities from two sources), within 1%.
  auto inverse = conversions_.find(ConversionKey{row.commodity(), to, from});
  if (inverse != conversions_.end() &&
      !PairAgrees({edge.ratio, edge.written}, {inverse->second.ratio, inverse->second.written},
                  row.approximate() || inverse->second.approximate)) {
    return Status::Invalid("unit conversion " + key + " (factor " + row.factor().value() +
                           ") contradicts the one given the other way (factor " +
                           inverse->second.written +
                           "): one is not the other's inverse; give one direction (the other is "
                           "derived) or make them agree");
  }
  loaded_.insert(std::string(kUnitConversions));
  return Status::OK();
}

Status ReferenceData::AddFxRate(const ref::FxRate& row) {
  if (!row.has_date() || row.date().year() == 0) return Status::Invalid("FX rate without a date");
  if (row.base_currency().empty() || row.quote_currency().empty()) {
    return Status::Invalid("FX rate needs base_currency and quote_currency");
  }
  char date[16];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", row.date().year(), row.date().month(),
                row.date().day());
  const std::string key =
      std::string(date) + " " + row.base_currency() + "/" + row.quote_currency();
  TF_RETURN_IF_ERROR(
      CheckCode(row.base_currency(), 3, "FX rate " + key + ": base_currency", "ISO 4217"));
  TF_RETURN_IF_ERROR(
      CheckCode(row.quote_currency(), 3, "FX rate " + key + ": quote_currency", "ISO 4217"));
  if (row.base_currency() == row.quote_currency()) {
    return Status::Invalid("FX rate " + key + " converts a currency to itself");
  }
  TF_RETURN_IF_ERROR(CheckPositive(row.rate(), "FX rate " + key + ": rate"));
  TF_ASSIGN_OR_RETURN(Ratio rate, Ratio::FromDecimal(row.rate().value()));
  FxKey fx{DateKey(row.date()), row.base_currency(), row.quote_currency()};
  if (!fx_rates_.emplace(fx, rate).second) return Status::Invalid("duplicate FX rate " + key);
  // Given both ways, the rates must agree, else a conversion depends on its direction.
  auto inverse =
      fx_rates_.find(FxKey{DateKey(row.date()), row.quote_currency(), row.base_currency()});
  if (inverse != fx_rates_.end() && !ProductNearOne({rate, ""}, {inverse->second, ""}, 1000)) {
    return Status::Invalid("FX rate " + key + " (" + row.rate().value() +
                           ") contradicts the rate given the other way (its inverse is " +
                           "more than 0.1% apart): give one direction, or make them agree");
  }
  loaded_.insert(std::string(kFxRates));
  return Status::OK();
}

const ref::Counterparty* ReferenceData::FindCounterparty(std::string_view id) const {
  auto it = counterparties_.find(id);
  return it == counterparties_.end() ? nullptr : &it->second;
}

const ref::Counterparty* ReferenceData::FindCounterpartyByLei(std::string_view lei) const {
  auto it = counterparty_by_lei_.find(lei);
  return it == counterparty_by_lei_.end() ? nullptr : FindCounterparty(it->second);
}

const ref::Book* ReferenceData::FindBook(std::string_view book) const {
  auto it = books_.find(book);
  return it == books_.end() ? nullptr : &it->second;
}

const ref::Product* ReferenceData::FindProduct(std::string_view commodity) const {
  auto it = products_.find(commodity);
  return it == products_.end() ? nullptr : &it->second;
}

const ref::ContractSpec* ReferenceData::FindContract(std::string_view exchange,
                                                     std::string_view product_code) const {
  auto it = contracts_.find(ContractKey(exchange, product_code));
  return it == contracts_.end() ? nullptr : &it->second;
}

std::map<std::string, ReferenceData::Edge> ReferenceData::Neighbours(
    const std::string& commodity, const std::string& unit) const {
  std::map<std::string, Edge> out;
  // Lowest precedence first; each later layer overwrites: built-in, then generic rows, then the
  // commodity's rows, and within a layer a row's own direction over the inverse of another row.
  const auto& builtins = Builtins().edges;
  for (auto it = builtins.lower_bound({unit, ""}); it != builtins.end() && it->first.first == unit;
       ++it) {
    out[it->first.second] = Edge{it->second.first, it->second.second, "", ""};
  }
  auto add_layer = [&](const std::string& c) {
    auto it = adjacent_.find({c, unit});
    if (it == adjacent_.end()) return;
    for (const auto& a : it->second) {
      if (a.inverse) out[a.unit] = a.edge;
    }
    for (const auto& a : it->second) {
      if (!a.inverse) out[a.unit] = a.edge;
    }
  };
  add_layer("");
  if (!commodity.empty()) add_layer(commodity);
  return out;
}

namespace {

std::string FormatFactor(double factor) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", factor);
  return text;
}

}  // namespace

std::string ReferenceData::Contradiction(const std::string& scope, const std::string& from,
                                         const std::string& to, const Edge& edge, double other,
                                         double off) {
  const std::string origin = edge.label.empty()          ? "a built-in definition"
                             : edge.label == "reference" ? "a row for any commodity"
                                                         : "a " + edge.label + " row";
  char apart[32];
  std::snprintf(apart, sizeof apart, "%.2f%%", off * 100);
  return "unit conversions " + (scope.empty() ? std::string("for any commodity") : "for " + scope) +
         " contradict each other: " + from + " → " + to + " is " +
         FormatFactor(edge.ratio.ToDouble()) + " by " + origin + " but " + FormatFactor(other) +
         " by another route (" + apart +
         " apart), so a quantity would convert by whichever route is taken; fix the factors, or "
         "mark a density approximate: true (1% apart allowed)";
}

// Each commodity's units (with the generic rows and the built-ins) as a graph. The exact
// built-in definitions, consistent among themselves, give every unit a size in the first unit of
// its dimension (mass, volume, energy); the other edges then join dimensions (a density: MT →
// bbl), which rescales the joined one, or must agree with the two sizes, or two routes disagree.
// So the edge found to disagree is a row's, and exact edges are taken before approximate ones:
// an exact check is held to 0.1% unless an approximate step is truly on its route. Doubles
// suffice for those tolerances; conversions themselves use the exact ratios.
Status ReferenceData::CheckUnitConversions() const {
  std::set<std::string> scopes{""};
  std::set<std::string> units;
  for (const auto& [pair, edge] : Builtins().edges) units.insert(pair.first);
  for (const auto& [key, edge] : conversions_) {
    scopes.insert(std::get<0>(key));
    units.insert(std::get<1>(key));
    units.insert(std::get<2>(key));
  }
  struct Size {
    double of_root = 1;        // units of this per unit of its component's first unit
    bool approximate = false;  // a step to it from there was approximate
    const std::string* component = nullptr;
  };
  for (const std::string& scope : scopes) {
    std::map<std::string, Size> sized;
    for (const std::string& root : units) {  // the built-in definitions' components
      if (sized.count(root)) continue;
      sized[root] = Size{1, false, &root};
      // The built-in edges themselves, not Neighbours(): a row that redefines a built-in pair
      // (bbl → gal 42.5) hides it there, and would then be measured against nothing.
      const auto& builtins = Builtins().edges;
      for (std::deque<std::string> queue{root}; !queue.empty(); queue.pop_front()) {
        const std::string& unit = queue.front();
        const Size from = sized[unit];
        for (auto it = builtins.lower_bound({unit, ""});
             it != builtins.end() && it->first.first == unit; ++it) {
          const auto& [ratio, approximate] = it->second;
          const std::string& next = it->first.second;
          if (approximate || sized.count(next)) continue;
          sized[next] = Size{from.of_root * ratio.ToDouble(), false, &root};
          queue.push_back(next);
        }
      }
    }
    for (const bool approximate_edges : {false, true}) {
      for (const std::string& unit : units) {
        for (const auto& [next, edge] : Neighbours(scope, unit)) {
          if (edge.approximate != approximate_edges) continue;
          const Size& from = sized[unit];
          Size& to = sized[next];
          const double expected = from.of_root * edge.ratio.ToDouble();
          if (to.component != from.component) {  // an edge joins two components: rescale one
            const std::string* joined = to.component;
            const double scale = expected / to.of_root;
            for (auto& [u, size] : sized) {
              if (size.component != joined) continue;
              size.of_root *= scale;
              size.approximate |= from.approximate || edge.approximate;
              size.component = from.component;
            }
            continue;
          }
          const bool approximate = from.approximate || to.approximate || edge.approximate;
          const double off = std::abs(to.of_root / expected - 1);
          if (off <= (approximate ? 0.01 : 0.001)) continue;
          return Status::Invalid(
              Contradiction(scope, unit, next, edge, to.of_root / from.of_root, off));
        }
      }
    }
  }
  return Status::OK();
}

Result<UnitFactor> ReferenceData::FindUnitConversion(std::string_view commodity,
                                                     std::string_view from_unit,
                                                     std::string_view to_unit) const {
  const std::string from = CanonicalUnitName(from_unit);
  const std::string to = CanonicalUnitName(to_unit);
  if (from == to) return UnitFactor{Ratio(), false, from};
  // Breadth-first over units, so the chain with the fewest steps wins; neighbours come in name
  // order, so equal-length chains resolve the same way every run.
  struct Visit {
    std::string parent;
    Edge edge;
    int depth = 0;
  };
  const std::string c(commodity);
  std::map<std::string, Visit> seen;
  seen[from] = Visit{};
  std::deque<std::string> queue{from};
  bool found = false;
  while (!queue.empty() && !found) {
    std::string unit = queue.front();
    queue.pop_front();
    const int depth = seen[unit].depth;
    if (depth >= kMaxConversionHops) continue;
    for (auto& [next, edge] : Neighbours(c, unit)) {
      if (seen.count(next)) continue;
      seen[next] = Visit{unit, edge, depth + 1};
      if (next == to) {
        found = true;
        break;
      }
      queue.push_back(next);
    }
  }
  if (!found) {
    return Status::NotFound("no conversion from " + Quoted(from) + " to " + Quoted(to) +
                            (c.empty() ? std::string() : " for " + c));
  }
  UnitFactor out;
  for (std::string u = to; u != from; u = seen[u].parent) {
    const Visit& v = seen[u];
    auto product = v.edge.ratio.Times(out.ratio);
    if (!product.ok()) return product.status().WithContext(from + " → " + to);
    out.ratio = *product;
    out.approximate |= v.edge.approximate;
  }
  // Render the chain from→to with the origin of each non-built-in step.
  out.path = from;
  std::vector<std::string> chain;
  for (std::string u = to; u != from; u = seen[u].parent) chain.push_back(u);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out.path += " → " + *it;
    const std::string& label = seen[*it].edge.label;
    if (!label.empty()) out.path += " (" + label + ")";
  }
  return out;
}

Result<Ratio> ReferenceData::FindFxRate(const Date& date, std::string_view base,
                                        std::string_view quote) const {
  if (base == quote) return Ratio();
  auto it = fx_rates_.find(FxKey{DateKey(date), std::string(base), std::string(quote)});
  if (it != fx_rates_.end()) return it->second;
  it = fx_rates_.find(FxKey{DateKey(date), std::string(quote), std::string(base)});
  if (it != fx_rates_.end()) return it->second.Inverse();
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return Status::NotFound("no FX rate " + std::string(base) + "/" + std::string(quote) + " on " +
                          text);
}

bool ReferenceData::Exists(std::string_view table, std::string_view key) const {
  if (table == kCounterparties) return counterparties_.count(key) > 0;
  if (table == kBooks) return books_.count(key) > 0;
  if (table == kProducts) return products_.count(key) > 0;
  if (table == kContracts) return contracts_.count(key) > 0;
  return false;
}

bool ReferenceData::Active(std::string_view table, std::string_view key) const {
  if (table == kCounterparties) {
    auto it = counterparties_.find(key);
    return it == counterparties_.end() || it->second.active();
  }
  if (table == kBooks) {
    auto it = books_.find(key);
    return it == books_.end() || it->second.active();
  }
  return true;
}

std::string_view ReferenceData::Lei(std::string_view table, std::string_view key) const {
  if (table == kCounterparties) {
    auto it = counterparties_.find(key);
    return it == counterparties_.end() ? std::string_view() : it->second.lei();
  }
  if (table == kBooks) {
    auto it = books_.find(key);
    return it == books_.end() ? std::string_view() : it->second.legal_entity();
  }
  return {};
}

std::string_view ReferenceData::ProductSubclass(std::string_view commodity) const {
  const ref::Product* product = FindProduct(commodity);
  return product == nullptr ? std::string_view() : std::string_view(product->asset_subclass());
}

int ReferenceData::ProductAssetClass(std::string_view commodity) const {
  const ref::Product* product = FindProduct(commodity);
  return product == nullptr ? 0 : product->asset_class();
}

std::string_view ReferenceData::CanonicalUnit(std::string_view commodity) const {
  const ref::Product* product = FindProduct(commodity);
  return product == nullptr ? std::string_view() : std::string_view(product->canonical_unit());
}

std::optional<model::ReferenceLookup::ContractTerms> ReferenceData::Contract(
    std::string_view key) const {
  auto it = contracts_.find(key);
  if (it == contracts_.end()) return std::nullopt;
  const ref::ContractSpec& spec = it->second;
  return ContractTerms{spec.commodity(), spec.contract_size().value(), spec.contract_unit()};
}

bool ReferenceData::HasTable(std::string_view table) const {
  const bool keyed = table == kCounterparties || table == kBooks || table == kProducts ||
                     table == kContracts;  // the tables Exists looks up
  return keyed && loaded_.count(table) > 0;
}

}  // namespace tradeflow::transform
