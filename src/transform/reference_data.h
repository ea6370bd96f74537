// Reference data in memory: the rows of the reference tables (tradeflow.reference.v1), indexed by
// their keys, for normalisation (normalise.h) and validation (model::ReferenceLookup).
//
// Contract:
// - Built row by row (Add*) or from whole tables (Build). A second row with the key of an earlier
//   one is Invalid naming the table and the key; a row without its key fields, or with a
//   non-positive factor, contract size or FX rate, is Invalid too. The loader prefixes these with
//   the file and line (src/pipeline/reference_loader.h).
// - Lookups return nullptr / NotFound for unknown keys. They are const and safe to call from
//   several threads once loading is done.
// - Unit conversions (FindUnitConversion): for the trade's commodity, a row for that commodity
//   wins over a generic row (empty commodity), which wins over a built-in definition
//   (reference_data_units.h); a row given for A → B wins over the inverse of a row for B → A.
//   Where no row links the two units directly, the shortest chain of at most kMaxConversionHops
//   steps is used (gal → bbl → MT). Factors are exact fractions (Ratio); a chain is approximate
//   if any step is.
// - FX rates (FindFxRate): the rate of that exact date; the inverse of the opposite pair if only
//   that one is given. No date fallback: a missing rate is for the caller to report.
// - Exists/HasTable (model::ReferenceLookup) for "counterparties" (id), "books" (book),
//   "products" (commodity) and "contracts" ("<exchange>:<product_code>").
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/reference_lookup.h"
#include "tradeflow/reference/v1/reference.pb.h"
#include "transform/reference_data_ratio.h"

namespace tradeflow::transform {

namespace ref = tradeflow::reference::v1;

// The table kinds, as named in the pipeline file and in ReferenceLookup.
inline constexpr std::string_view kCounterparties = "counterparties";
inline constexpr std::string_view kBooks = "books";
inline constexpr std::string_view kProducts = "products";
inline constexpr std::string_view kContracts = "contracts";
inline constexpr std::string_view kUnitConversions = "unit_conversions";
inline constexpr std::string_view kFxRates = "fx_rates";

// All reference rows, per table, in load order: what the pipeline writes as Iceberg tables.
struct ReferenceTables {
  std::vector<ref::Counterparty> counterparties;
  std::vector<ref::Book> books;
  std::vector<ref::Product> products;
  std::vector<ref::ContractSpec> contracts;
  std::vector<ref::UnitConversion> unit_conversions;
  std::vector<ref::FxRate> fx_rates;
};

// The six kinds above, in that order.
const std::vector<std::string_view>& ReferenceKinds();
// The row message of a kind (nullptr for an unknown kind).
const google::protobuf::Descriptor* ReferenceDescriptor(std::string_view kind);
// The rows of one kind as messages, for writing them generically.
std::vector<const google::protobuf::Message*> ReferenceRows(const ReferenceTables& tables,
                                                            std::string_view kind);

// A unit conversion found for a commodity: to = from × ratio.
struct UnitFactor {
  Ratio ratio;
  bool approximate = false;
  std::string path;  // how it was found: "bbl → MT (BRENT)", "lb → kg → MT"
};

class ReferenceData : public model::ReferenceLookup {
 public:
  static constexpr int kMaxConversionHops = 4;

  ReferenceData() = default;
  ReferenceData(ReferenceData&&) = default;
  ReferenceData& operator=(ReferenceData&&) = default;

  // Indexes every row of `tables`; a table with rows is loaded (HasTable).
  static Result<ReferenceData> Build(const ReferenceTables& tables);

  Status AddCounterparty(const ref::Counterparty& row);
  Status AddBook(const ref::Book& row);
  Status AddProduct(const ref::Product& row);
  Status AddContract(const ref::ContractSpec& row);
  Status AddUnitConversion(const ref::UnitConversion& row);
  Status AddFxRate(const ref::FxRate& row);
  // Any row of a kind through its message type; Invalid for a message that is not one.
  Status AddRow(const google::protobuf::Message& row);
  // Invalid when two routes between units give factors that disagree (by more than 0.1%, or 1%
  // when a step is approximate), for any commodity: a quantity would convert one way or the
  // other by the route the search happens to take. Run once all rows are added (Build does).
  Status CheckUnitConversions() const;
  // Marks a table as loaded even when it has no rows (a configured but empty file).
  void MarkLoaded(std::string_view kind) { loaded_.insert(std::string(kind)); }

  const ref::Counterparty* FindCounterparty(std::string_view id) const;
  // The first counterparty (in load order) with this LEI: several ids may share one entity.
  const ref::Counterparty* FindCounterpartyByLei(std::string_view lei) const;
  const ref::Book* FindBook(std::string_view book) const;
  const ref::Product* FindProduct(std::string_view commodity) const;
  const ref::ContractSpec* FindContract(std::string_view exchange,
                                        std::string_view product_code) const;

  // from → to for `commodity` (may be empty): identity when the canonical names are equal;
  // NotFound naming both units when nothing links them.
  Result<UnitFactor> FindUnitConversion(std::string_view commodity, std::string_view from_unit,
                                        std::string_view to_unit) const;

  // 1 base = ratio quote on `date`. NotFound when neither the pair nor its inverse is given.
  Result<Ratio> FindFxRate(const tradeflow::trade::v1::Date& date, std::string_view base,
                           std::string_view quote) const;

  // model::ReferenceLookup.
  bool Exists(std::string_view table, std::string_view key) const override;
  bool Active(std::string_view table, std::string_view key) const override;
  std::string_view Lei(std::string_view table, std::string_view key) const override;
  bool HasTable(std::string_view table) const override;  // a loaded table of keys only
  std::string_view ProductSubclass(std::string_view commodity) const override;
  std::string_view CanonicalUnit(std::string_view commodity) const override;
  int ProductAssetClass(std::string_view commodity) const override;
  std::optional<ContractTerms> Contract(std::string_view key) const override;

  // Whether rows of `kind` (any of ReferenceKinds()) were loaded.
  bool Loaded(std::string_view kind) const { return loaded_.count(kind) > 0; }

  size_t num_counterparties() const { return counterparties_.size(); }
  size_t num_unit_conversions() const { return conversions_.size(); }

 private:
  struct Edge {
    Ratio ratio;
    bool approximate = false;
    std::string label;    // "(BRENT)", "(reference)", "" for built-in
    std::string written;  // the factor as the reference row wrote it ("7.45")
  };
  using ConversionKey = std::tuple<std::string, std::string, std::string>;  // commodity, from, to
  using FxKey = std::tuple<int32_t, std::string, std::string>;              // yyyymmdd, base, quote

  // The message of CheckUnitConversions for `edge` (from → to), `other` by another route.
  static std::string Contradiction(const std::string& scope, const std::string& from,
                                   const std::string& to, const Edge& edge, double other,
                                   double off);
  // The edges leaving `unit` for `commodity`, the best one per neighbour.
  std::map<std::string, Edge> Neighbours(const std::string& commodity,
                                         const std::string& unit) const;

  // Looked up for every record (known counterparty, book, product), by string_view: hashed,
  // as a firm's reference data runs to thousands of counterparties.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename Row>
  using Index = std::unordered_map<std::string, Row, StringHash, std::equal_to<>>;

  Index<ref::Counterparty> counterparties_;
  Index<std::string> counterparty_by_lei_;  // lei → id
  Index<ref::Book> books_;
  Index<ref::Product> products_;
  Index<ref::ContractSpec> contracts_;  // "<exchange>:<product_code>"
  std::map<ConversionKey, Edge> conversions_;
  // The rows leaving each (commodity, unit), both ways: Neighbours() reads one entry, rather
  // than every row, for each unit a conversion search or the route check visits.
  struct Adjacent {
    std::string unit;
    Edge edge;
    bool inverse;  // the other direction of a row
  };
  std::map<std::pair<std::string, std::string>, std::vector<Adjacent>> adjacent_;
  std::map<FxKey, Ratio> fx_rates_;
  std::set<std::string, std::less<>> loaded_;
};

}  // namespace tradeflow::transform
