// Helpers shared by the pipeline tests (header only; not part of the library).
#pragma once

namespace tradeflow::pipeline::testing {

// The `reference:` section of examples/etrm_pipeline.yaml: every kind, from ref/ beside the
// pipeline file.
inline constexpr char kExampleReference[] = R"(reference:
  counterparties: {path: ref/counterparties.csv}
  books: {path: ref/books.csv}
  products: {path: ref/products.csv}
  contracts: {path: ref/contracts.csv}
  unit_conversions: {path: ref/units.csv}
  fx_rates: {path: ref/fx.csv}
)";

}  // namespace tradeflow::pipeline::testing
