// Read access to reference data (counterparties, books, products, listed contracts), as the
// validation rules need it: "does this key exist in that reference table?".
//
// The reference data module implements it; validation only depends on this interface, so rules
// can be tested with a fake. Well-known table names used by the built-in rules:
//   "counterparties"  key: counterparty id
//   "books"           key: book name
//   "products"        key: commodity id
//   "contracts"       key: "<exchange MIC>:<product code>"
#pragma once

#include <optional>
#include <string_view>

namespace tradeflow::model {

class ReferenceLookup {
 public:
  virtual ~ReferenceLookup() = default;
  // False for an unknown table as well as an unknown key.
  virtual bool Exists(std::string_view table, std::string_view key) const = 0;
  // False only for a row that exists and is marked inactive ("counterparties", "books").
  virtual bool Active(std::string_view table, std::string_view key) const = 0;
  // The LEI a row gives ("counterparties": its lei; "books": its legal_entity); empty when the
  // row does not exist or gives none.
  virtual std::string_view Lei(std::string_view table, std::string_view key) const = 0;
  // Whether the table is loaded and has keys Exists looks up (a rule against a table that is not
  // configured, or one keyed otherwise such as FX rates, is a configuration error, not a
  // failing record).
  virtual bool HasTable(std::string_view table) const = 0;
  // The asset subclass the products table gives a commodity ("Power"); empty when it has no row
  // or gives none.
  virtual std::string_view ProductSubclass(std::string_view /*commodity*/) const { return {}; }
  // The asset class the products table gives a commodity (a tradeflow.trade.v1.AssetClass
  // number); 0 (unspecified) when it has no row or gives none.
  virtual int ProductAssetClass(std::string_view /*commodity*/) const { return 0; }
  // The unit the products table converts a commodity's quantities to ("bbl"); empty when it has
  // no row or gives none.
  virtual std::string_view CanonicalUnit(std::string_view /*commodity*/) const { return {}; }

  // What the contracts table says of a listed contract; views into the lookup's rows.
  struct ContractTerms {
    std::string_view commodity;      // may be empty
    std::string_view contract_size;  // a decimal; empty when the row gives none
    std::string_view contract_unit;
  };
  // The terms of contract "<exchange MIC>:<product code>"; nullopt when it has no row.
  virtual std::optional<ContractTerms> Contract(std::string_view /*key*/) const {
    return std::nullopt;
  }
};

}  // namespace tradeflow::model
