// The `validation:` section of the pipeline file → validate::ValidationSpec. docs/validation.md
// documents the keys; in short:
//
//   validation:
//     builtin: {positive_quantity: off, execution_date_matches_trade_date: error}
//     negative_price_allowed_for: [Power, Gas]
//     rules:
//       - id: max_lots
//         field: legs[0].quantity.lots
//         range: {min: "1", max: "5000"}
//         severity: warning
//
// As for the rest of the pipeline file, unknown keys are errors and every error names
// "<file>:<line>". This parser checks the shape (keys, one check per rule, known built-in ids,
// severities, operators); validate::Validator::Make() then checks the rules against the model
// (field paths, types, bounds, patterns, reference tables) and names the rule's line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/status.h"
#include "validate/validation_spec.h"

namespace tradeflow::pipeline {

// `node` is the value of the `validation` key (a mapping; null gives the default spec). `file`
// names the pipeline file in errors.
Result<validate::ValidationSpec> ParseValidationConfig(const YAML::Node& node,
                                                       const std::string& file);

}  // namespace tradeflow::pipeline
