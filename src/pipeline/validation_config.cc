#include "pipeline/validation_config.h"

#include <set>

#include "pipeline/yaml_reader.h"
#include "validate/builtin_rules.h"

namespace tradeflow::pipeline {
namespace {

using validate::Severity;
using validate::UserRule;

// The check keys of a rule; exactly one per rule.
constexpr const char* kChecks[] = {"not_null", "range", "set", "pattern", "reference", "compare"};

class ValidationParser : public YamlReader {
 public:
  explicit ValidationParser(std::string file) : YamlReader(std::move(file)) {}

  Result<validate::ValidationSpec> Parse(const YAML::Node& node) const {
    validate::ValidationSpec spec;
    if (!node || node.IsNull()) return spec;
    TF_RETURN_IF_ERROR(
        CheckKeys(node, "validation", {"builtin", "negative_price_allowed_for", "rules"}));
    if (node["builtin"]) TF_RETURN_IF_ERROR(ParseBuiltin(node["builtin"], &spec));
    if (const YAML::Node list = node["negative_price_allowed_for"]) {
      TF_ASSIGN_OR_RETURN(spec.negative_price_allowed_for,
                          StringList(list, "negative_price_allowed_for"));
    }
    if (const YAML::Node rules = node["rules"]) {
      if (!rules.IsSequence()) return Error(rules, "validation.rules must be a list of rules");
      std::set<std::string> ids;
      for (const YAML::Node& r : rules) {
        TF_ASSIGN_OR_RETURN(UserRule rule, ParseRule(r));
        if (!ids.insert(rule.id).second) {
          return Error(r["id"], "rule id '" + rule.id + "' is used twice");
        }
        spec.rules.push_back(std::move(rule));
      }
    }
    return spec;
  }

 private:
  Result<Severity> ParseSeverity(const YAML::Node& node) const {
    TF_ASSIGN_OR_RETURN(std::string s, Scalar(node, "severity"));
    if (s == "error") return Severity::kError;
    if (s == "warning") return Severity::kWarning;
    return Error(node, "severity must be error or warning, not '" + s + "'");
  }

  Status ParseBuiltin(const YAML::Node& node, validate::ValidationSpec* spec) const {
    if (!node.IsMap()) {
      return Error(node, "validation.builtin must map rule id → off, error or warning");
    }
    for (const auto& kv : node) {
      std::string id = kv.first.as<std::string>();
      if (validate::FindBuiltinRule(id) == nullptr) {
        std::string known;
        for (const auto& r : validate::BuiltinRules()) {
          known += (known.empty() ? "" : ", ") + std::string(r.name);
        }
        return Error(kv.first, "unknown built-in rule '" + id + "' (known: " + known + ")");
      }
      TF_ASSIGN_OR_RETURN(std::string value, Scalar(kv.second, "builtin." + id));
      validate::BuiltinSetting setting;
      setting.id = id;
      setting.where = Where(kv.first);
      // YAML 1.1 reads off/false as booleans; yaml-cpp keeps the text, so both spellings work.
      if (value == "off" || value == "false") {
        setting.enabled = false;
      } else if (value == "error") {
        setting.severity = Severity::kError;
      } else if (value == "warning") {
        setting.severity = Severity::kWarning;
      } else {
        return Error(kv.second,
                     "builtin." + id + " must be off, error or warning, not '" + value + "'");
      }
      spec->builtin.push_back(std::move(setting));
    }
    return Status::OK();
  }

  Result<validate::CompareOp> ParseOp(const YAML::Node& node) const {
    TF_ASSIGN_OR_RETURN(std::string op, Scalar(node, "compare.op"));
    static const std::pair<const char*, validate::CompareOp> kOps[] = {
        {"<", validate::CompareOp::kLt},  {"lt", validate::CompareOp::kLt},
        {"<=", validate::CompareOp::kLe}, {"le", validate::CompareOp::kLe},
        {"==", validate::CompareOp::kEq}, {"eq", validate::CompareOp::kEq},
        {"!=", validate::CompareOp::kNe}, {"ne", validate::CompareOp::kNe},
        {">=", validate::CompareOp::kGe}, {"ge", validate::CompareOp::kGe},
        {">", validate::CompareOp::kGt},  {"gt", validate::CompareOp::kGt},
    };
    for (const auto& [name, value] : kOps) {
      if (op == name) return value;
    }
    return Error(node,
                 "compare.op must be one of <, <=, ==, !=, >=, > (or lt, le, eq, ne, ge, "
                 "gt), not '" +
                     op + "'");
  }

  Status ParseCheck(const std::string& key, const YAML::Node& node, UserRule* rule) const {
    if (key == "not_null") {
      rule->kind = UserRule::Kind::kNotNull;
      TF_ASSIGN_OR_RETURN(std::string v, Scalar(node, "not_null"));
      if (v != "true") return Error(node, "not_null takes true (leave the check out otherwise)");
    } else if (key == "range") {
      rule->kind = UserRule::Kind::kRange;
      TF_RETURN_IF_ERROR(CheckKeys(node, "range", {"min", "max"}));
      if (node["min"]) {
        TF_ASSIGN_OR_RETURN(rule->min, Scalar(node["min"], "range.min"));
      }
      if (node["max"]) {
        TF_ASSIGN_OR_RETURN(rule->max, Scalar(node["max"], "range.max"));
      }
      if (!rule->min && !rule->max) return Error(node, "range needs min, max or both");
    } else if (key == "set") {
      // `set: [A, B]` or `set: {values: [A, B]}`.
      rule->kind = UserRule::Kind::kSet;
      YAML::Node values = node;
      if (node.IsMap()) {
        TF_RETURN_IF_ERROR(CheckKeys(node, "set", {"values"}));
        values = node["values"];
        if (!values) return Error(node, "set needs values");
      }
      TF_ASSIGN_OR_RETURN(rule->values, StringList(values, "set values"));
      if (rule->values.empty()) return Error(node, "set needs at least one value");
    } else if (key == "pattern") {
      // `pattern: "[A-Z]+"` or `pattern: {regex: "[A-Z]+"}`.
      rule->kind = UserRule::Kind::kPattern;
      if (node.IsMap()) {
        TF_RETURN_IF_ERROR(CheckKeys(node, "pattern", {"regex"}));
        if (!node["regex"]) return Error(node, "pattern needs a regex");
        TF_ASSIGN_OR_RETURN(rule->pattern, Scalar(node["regex"], "pattern.regex"));
      } else {
        TF_ASSIGN_OR_RETURN(rule->pattern, Scalar(node, "pattern"));
      }
    } else if (key == "reference") {
      // `reference: traders` or `reference: {table: traders}`.
      rule->kind = UserRule::Kind::kReference;
      if (node.IsMap()) {
        TF_RETURN_IF_ERROR(CheckKeys(node, "reference", {"table"}));
        if (!node["table"]) return Error(node, "reference needs a table");
        TF_ASSIGN_OR_RETURN(rule->table, Scalar(node["table"], "reference.table"));
      } else {
        TF_ASSIGN_OR_RETURN(rule->table, Scalar(node, "reference"));
      }
    } else {  // compare
      rule->kind = UserRule::Kind::kCompare;
      TF_RETURN_IF_ERROR(CheckKeys(node, "compare", {"op", "other_field"}));
      if (!node["op"] || !node["other_field"]) {
        return Error(node, "compare needs op and other_field");
      }
      TF_ASSIGN_OR_RETURN(rule->op, ParseOp(node["op"]));
      TF_ASSIGN_OR_RETURN(rule->other_field, Scalar(node["other_field"], "other_field"));
    }
    return Status::OK();
  }

  Result<UserRule> ParseRule(const YAML::Node& node) const {
    TF_RETURN_IF_ERROR(CheckKeys(node, "a validation rule",
                                 {"id", "field", "severity", "not_null", "range", "set", "pattern",
                                  "reference", "compare"}));
    UserRule rule;
    rule.where = Where(node);
    if (!node["id"]) return Error(node, "a validation rule needs an id");
    TF_ASSIGN_OR_RETURN(rule.id, Scalar(node["id"], "id"));
    if (rule.id.empty()) return Error(node["id"], "a validation rule needs an id");
    const std::string named = "rule '" + rule.id + "'";
    if (!node["field"]) return Error(node, named + " needs a field");
    TF_ASSIGN_OR_RETURN(rule.field, Scalar(node["field"], "field"));
    if (node["severity"]) {
      TF_ASSIGN_OR_RETURN(rule.severity, ParseSeverity(node["severity"]));
    }
    const char* check = nullptr;
    for (const char* key : kChecks) {
      if (!node[key]) continue;
      if (check != nullptr) {
        return Error(node[key],
                     named + " has two checks, " + check + " and " + key + "; write two rules");
      }
      check = key;
    }
    if (check == nullptr) {
      return Error(node, named +
                             " needs one check: not_null, range, set, pattern, reference or "
                             "compare");
    }
    Status st = ParseCheck(check, node[check], &rule);
    if (!st.ok()) {
      // Name the rule: "p.yaml:14: rule 'max_lots': range needs min, max or both".
      const std::string& msg = st.message();
      size_t colon = msg.find(": ");
      if (colon == std::string::npos) return st;
      return Status::Invalid(msg.substr(0, colon) + ": " + named + ": " + msg.substr(colon + 2));
    }
    return rule;
  }
};

}  // namespace

Result<validate::ValidationSpec> ParseValidationConfig(const YAML::Node& node,
                                                       const std::string& file) {
  try {
    return ValidationParser(file).Parse(node);
  } catch (const YAML::Exception& e) {
    return Status::Invalid(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace tradeflow::pipeline
