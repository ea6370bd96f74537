#include "transform/mapper.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "transform/reference_data.h"

namespace tradeflow::transform {
namespace {

using tradeflow::trade::v1::TradeEvent;

ValueSource Column(std::string name) {
  ValueSource s;
  s.column = std::move(name);
  return s;
}
ValueSource Constant(std::string value) {
  ValueSource s;
  s.kind = ValueSource::Kind::kConstant;
  s.constant = std::move(value);
  return s;
}
FieldMapping Rule(std::string target, ValueSource source, std::string where = "p.yaml:1") {
  FieldMapping m;
  m.target = std::move(target);
  m.source = std::move(source);
  m.where = std::move(where);
  return m;
}

const std::vector<std::string> kColumns = {"deal", "ver", "status", "trade_dt", "exec_ts",
                                           "qty",  "px",  "book",   "desk"};

// A row of kColumns with valid values, and `changes` (column index → text) made to it.
std::vector<std::string> Row(std::initializer_list<std::pair<size_t, std::string>> changes = {}) {
  std::vector<std::string> row = {"1", "1", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1",
                                  "1", "B", ""};
  for (const auto& [column, text] : changes) row[column] = text;
  return row;
}

// Feeds a CSV-like row to the mapper the way a source does: bound values in source_fields()
// order, every other non-empty column as an extra.
Status MapRow(const Mapper& mapper, const std::vector<std::string>& row, const RecordContext& ctx,
              TradeEvent* out, std::vector<MappingIssue>* issues,
              std::vector<MappingIssue>* errors = nullptr) {
  std::vector<std::string> values;
  std::vector<bool> bound(kColumns.size(), false);
  for (const auto& f : mapper.source_fields()) {
    size_t i = std::find(kColumns.begin(), kColumns.end(), f.name) - kColumns.begin();
    EXPECT_LT(i, kColumns.size()) << f.name;
    values.push_back(row[i]);
    bound[i] = true;
  }
  std::vector<std::pair<std::string, std::string>> extras;
  for (size_t i = 0; i < row.size(); ++i) {
    if (!bound[i] && !row[i].empty()) extras.emplace_back(kColumns[i], row[i]);
  }
  return mapper.Map(values, extras, ctx, out, issues, errors);
}

MappingSpec Spec() {
  MappingSpec spec;
  spec.version = "etrm-v1";
  spec.fields.push_back(Rule("source_system", Constant("ENDUR")));
  spec.fields.push_back(Rule("source_trade_id", Column("deal")));
  spec.fields.push_back(Rule("source_version", Column("ver")));
  FieldMapping action = Rule("action", Column("status"));
  action.enum_values = {{"AMENDED", "CORRECT"}, {"NEW", "NEW"}};
  spec.fields.push_back(action);
  FieldMapping date = Rule("trade_date", Column("trade_dt"));
  date.format = "%d/%m/%Y";
  spec.fields.push_back(date);
  spec.fields.push_back(Rule("execution_time", Column("exec_ts")));
  spec.fields.push_back(Rule("legs[0].quantity.value", Column("qty")));
  spec.fields.push_back(Rule("legs[0].fixed.price.value", Column("px")));
  FieldMapping book = Rule("parties.book", Column("book"));
  book.default_value = "UNASSIGNED";
  spec.fields.push_back(book);
  return spec;
}

TEST(MapperTest, MapsARecord) {
  auto mapper = Mapper::Compile(Spec());
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  RecordContext ctx{"file:///x.csv", "abc", "line 2", "run-1", 1700000000000000};
  Status st = MapRow(**mapper,
                     {"1001", "2", "AMENDED", "14/03/2026", "2026-03-14T10:00:00.5+01:00",
                      "1,000.5", "72.10", "", "Crude"},
                     ctx, &t, &issues);
  // "1,000.5" is not a plain decimal: the thousands separator is not accepted by default.
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "legs[0].quantity.value (column qty): '1,000.5' is not a decimal number (a decimal "
            "comma or thousands separators? set mapping.numbers)");

  t.Clear();
  st = MapRow(**mapper,
              {"1001", "2", "AMENDED", "14/03/2026", "2026-03-14T10:00:00.5+01:00", "1000.50",
               "72.10", "", "Crude"},
              ctx, &t, &issues);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(t.trade_uid(), "ENDUR:1001");
  EXPECT_EQ(t.source_version(), 2);
  EXPECT_EQ(t.action(), tradeflow::trade::v1::ACTION_CORRECT);
  EXPECT_EQ(t.action_raw(), "AMENDED");
  EXPECT_EQ(t.trade_date().year(), 2026);
  EXPECT_EQ(t.trade_date().month(), 3);
  EXPECT_EQ(t.trade_date().day(), 14);
  EXPECT_EQ(t.execution_time().seconds(), 1773478800);  // 09:00:00Z
  EXPECT_EQ(t.execution_time().nanos(), 500000000);
  EXPECT_EQ(t.execution_utc_offset(), "+01:00");
  EXPECT_EQ(t.legs(0).quantity().value().value(), "1000.5");
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "72.1");
  EXPECT_EQ(t.parties().book(), "UNASSIGNED");
  EXPECT_EQ(t.source_attributes().at("desk"), "Crude");
  EXPECT_EQ(t.provenance().mapping_version(), "etrm-v1");
  EXPECT_EQ(t.provenance().source_location(), "line 2");
  EXPECT_EQ(t.provenance().ingested_time().seconds(), 1700000000);
}

TEST(MapperTest, ConditionsSelectRules) {
  MappingSpec spec = Spec();
  FieldMapping option = Rule("legs[0].option.strike.value", Column("px"));
  option.when = Condition{"desk", {"Options"}};
  spec.fields.push_back(option);
  for (auto& f : spec.fields) {
    if (f.target == "legs[0].fixed.price.value") f.when = Condition{"desk", {"Crude", "Gas"}};
  }
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  std::vector<std::string> row = {"1", "1",   "NEW", "01/01/2026", "2026-01-01T00:00:00Z",
                                  "1", "5.5", "B",   "Options"};
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_TRUE(t.legs(0).has_option());
  EXPECT_EQ(t.legs(0).option().strike().value().value(), "5.5");
  row[8] = "Gas";
  t.Clear();
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_TRUE(t.legs(0).has_fixed());
  // The condition's column is read by a rule, so it is not copied to source_attributes.
  EXPECT_EQ(t.source_attributes().count("desk"), 0u);
}

TEST(MapperTest, DecimalCommaAndThousandsSeparators) {
  MappingSpec spec = Spec();
  spec.numbers.decimal_separator = ',';
  spec.numbers.thousands_separator = '.';
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok());
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper,
                     {"1", "1.002", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "12.500,25",
                      "72,10", "B", ""},
                     {}, &t, &issues)
                  .ok());
  EXPECT_EQ(t.source_version(), 1002);
  EXPECT_EQ(t.legs(0).quantity().value().value(), "12500.25");
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "72.1");
}

// A value the source marks as a plain number (a JSON number token) is read as such: with
// decimal ',' and thousands '.', the JSON number 34.125 is 34.125, not 34125.
TEST(MapperTest, ValuesMarkedPlainIgnoreTheSourceNumberFormat) {
  MappingSpec spec = Spec();
  spec.numbers.decimal_separator = ',';
  spec.numbers.thousands_separator = '.';
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok());
  const std::map<std::string, std::string> row = {{"deal", "1"},
                                                  {"ver", "2"},
                                                  {"status", "NEW"},
                                                  {"trade_dt", "01/01/2026"},
                                                  {"exec_ts", "2026-01-01T00:00:00Z"},
                                                  {"qty", "1.000,5"},
                                                  {"px", "34.125"},
                                                  {"book", "B"}};
  std::vector<std::string> values;
  std::vector<char> plain;
  for (const auto& f : (*mapper)->source_fields()) {
    values.push_back(row.count(f.name) ? row.at(f.name) : "");
    plain.push_back(f.name == "px" ? 1 : 0);
  }
  TradeEvent t;
  std::vector<MappingIssue> issues, errors;
  ASSERT_TRUE((*mapper)->Map(values, {}, {}, &t, &issues, &errors, &plain).ok());
  EXPECT_TRUE(errors.empty()) << errors[0].message;
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "34.125");
  EXPECT_EQ(t.legs(0).quantity().value().value(), "1000.5");  // not marked: the source's format
  t.Clear();
  ASSERT_TRUE((*mapper)->Map(values, {}, {}, &t, &issues, &errors).ok());
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "34125");  // as text in the format
}

// The source's separators are for the text read from its columns. Constants, defaults and
// lookups are written plainly, as every other number of the YAML and the reference data is:
// read in the source's format, a constant of 1.250 would be 1250.
TEST(MapperTest, ConstantsDefaultsAndLookupsAreReadPlainly) {
  ReferenceData reference;
  tradeflow::reference::v1::ContractSpec contract;
  contract.set_exchange("IFEU");
  contract.set_product_code("G");
  contract.mutable_contract_size()->set_value("2.5");
  contract.set_contract_unit("MT");
  ASSERT_TRUE(reference.AddContract(contract).ok());
  MappingSpec spec = Spec();
  spec.numbers.decimal_separator = ',';
  spec.numbers.thousands_separator = '.';
  ValueSource lookup;
  lookup.kind = ValueSource::Kind::kLookup;
  lookup.lookup_table = "contracts";
  lookup.lookup_field = "contract_size";
  lookup.parts = {Constant("IFEU"), Constant("G")};
  spec.fields.push_back(Rule("legs[0].quantity.contract_size", lookup));
  spec.fields.push_back(Rule("legs[0].quantity.lots", Constant("1.250")));
  FieldMapping fee = Rule("fees[0].amount", Column("desk"));  // empty: the default
  fee.default_value = "0.500";
  spec.fields.push_back(fee);
  auto mapper = Mapper::Compile(spec, TradeEvent::descriptor(), &reference);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(
      MapRow(**mapper,
             {"1", "1", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1.234,5", "72,10", "B", ""},
             {}, &t, &issues)
          .ok());
  EXPECT_EQ(t.legs(0).quantity().value().value(), "1234.5");  // the column: source format
  EXPECT_EQ(t.legs(0).quantity().contract_size().value(), "2.5");
  EXPECT_EQ(t.legs(0).quantity().lots().value(), "1.25");
  EXPECT_EQ(t.fees(0).amount().value(), "0.5");
}

TEST(MapperTest, MisplacedThousandsSeparatorIsAnErrorNamingTheSourceText) {
  MappingSpec spec = Spec();
  spec.numbers.decimal_separator = ',';
  spec.numbers.thousands_separator = '.';
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok());
  TradeEvent t;
  std::vector<MappingIssue> issues, errors;
  // "1.5" would otherwise be read as 15, and "1234.5" as 12345. Every error of the record is
  // reported, each with its field.
  ASSERT_TRUE(
      MapRow(**mapper,
             {"1", "1.5", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1234.5", "72,10", "B", ""},
             {}, &t, &issues, &errors)
          .ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].target, "source_version");
  EXPECT_NE(errors[0].message.find("'1.5' is not a number written with decimal separator ','"),
            std::string::npos)
      << errors[0].message;
  EXPECT_EQ(errors[1].target, "legs[0].quantity.value");
  EXPECT_NE(errors[1].message.find("'1234.5'"), std::string::npos) << errors[1].message;
  // Without an errors list, the first error is returned.
  t.Clear();
  Status first =
      MapRow(**mapper,
             {"1", "1.5", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1234.5", "72,10", "B", ""},
             {}, &t, &issues);
  EXPECT_NE(first.message().find("source_version (column ver): '1.5'"), std::string::npos)
      << first.message();
  // A value that passes the separators but not the parser is named as written, too.
  t.Clear();
  errors.clear();
  ASSERT_TRUE(MapRow(**mapper,
                     {"1", "1", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1.000,1234567",
                      "72,10", "B", ""},
                     {}, &t, &issues, &errors)
                  .ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("'1.000,1234567' (read as '1000.1234567')"), std::string::npos)
      << errors[0].message;
}

TEST(MapperTest, LookupsReadReferenceRows) {
  ReferenceData reference;
  tradeflow::reference::v1::Book book;
  book.set_book("B");
  book.set_portfolio("ENERGY-EU");
  ASSERT_TRUE(reference.AddBook(book).ok());
  MappingSpec spec = Spec();
  ValueSource lookup;
  lookup.kind = ValueSource::Kind::kLookup;
  lookup.lookup_table = "books";
  lookup.lookup_field = "portfolio";
  lookup.parts.push_back(Column("book"));
  spec.fields.push_back(Rule("parties.portfolio", lookup));
  auto mapper = Mapper::Compile(spec, TradeEvent::descriptor(), &reference);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  std::vector<std::string> row = {"1", "1", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1",
                                  "1", "B", ""};
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_EQ(t.parties().portfolio(), "ENERGY-EU");
  row[7] = "UNKNOWN";  // no row: the field stays unset (validation reports the unknown book)
  t.Clear();
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_EQ(t.parties().portfolio(), "");

  EXPECT_FALSE(Mapper::Compile(spec).ok()) << "a lookup without reference data";
  // A table that was not loaded would leave the field empty on every record.
  ValueSource name = lookup;
  name.lookup_table = "counterparties";
  name.lookup_field = "name";
  spec.fields.push_back(Rule("parties.counterparty.name", name));
  auto unloaded = Mapper::Compile(spec, TradeEvent::descriptor(), &reference);
  ASSERT_FALSE(unloaded.ok());
  EXPECT_EQ(unloaded.status().message(),
            "p.yaml:1: lookup in counterparties: reference table counterparties is not loaded: "
            "add it under reference:");
  spec.fields.pop_back();
  spec.fields.back().source.lookup_field = "nope";
  EXPECT_FALSE(Mapper::Compile(spec, TradeEvent::descriptor(), &reference).ok());
}

TEST(MapperTest, UnknownEnumValueIsKeptRawAndReported) {
  auto mapper = Mapper::Compile(Spec());
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper,
                     {"1", "1", "PENDING", "01/01/2026", "2026-01-01T00:00:00Z", "1", "1", "B", ""},
                     {}, &t, &issues)
                  .ok());
  EXPECT_EQ(t.action(), tradeflow::trade::v1::ACTION_UNSPECIFIED);
  EXPECT_EQ(t.action_raw(), "PENDING");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].target, "action");
}

// A rule's own values come before the enum's labels, in any case: {Buy: SELL, Sell: BUY} maps
// "BUY" to SELL, not to the label BUY.
TEST(MapperTest, EnumMapKeysComeBeforeLabelsInAnyCase) {
  MappingSpec spec = Spec();
  FieldMapping direction = Rule("legs[1].direction", Column("desk"));
  direction.enum_values = {{"Buy", "SELL"}, {"Sell", "BUY"}};
  spec.fields.push_back(direction);
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  for (const char* text : {"Buy", "BUY", "buy"}) {
    TradeEvent t;
    std::vector<MappingIssue> issues;
    ASSERT_TRUE(MapRow(**mapper, Row({{8, text}}), {}, &t, &issues).ok());
    EXPECT_EQ(t.legs(1).direction(), tradeflow::trade::v1::SIDE_SELL) << text;
    EXPECT_EQ(t.legs(1).direction_raw(), text);
  }
}

// Keys that differ only in case (or in blanks, trimmed as source values are) must map to the
// same label: "bUY" would otherwise get whichever key came first.
TEST(MapperTest, EnumMapKeysThatClashIgnoringCaseOrBlanksAreRefused) {
  MappingSpec spec = Spec();
  FieldMapping direction = Rule("legs[1].direction", Column("desk"));
  direction.enum_values = {{"Buy", "BUY"}, {"BUY", "SELL"}, {"Sell", "SELL"}};
  spec.fields.push_back(direction);
  auto mapper = Mapper::Compile(spec);
  ASSERT_FALSE(mapper.ok());
  EXPECT_EQ(mapper.status().message(),
            "p.yaml:1: target 'legs[1].direction': enum values 'BUY' and 'Buy' differ only in "
            "case (a source value in yet another case could be either) but map to different "
            "labels (SELL, BUY)");
  spec.fields.back().enum_values = {{"Buy", "BUY"}, {"Buy ", "SELL"}};
  mapper = Mapper::Compile(spec);
  ASSERT_FALSE(mapper.ok());
  EXPECT_EQ(mapper.status().message(),
            "p.yaml:1: target 'legs[1].direction': enum values 'Buy' and 'Buy ' are the same "
            "once trimmed (source values are trimmed) but map to different labels (BUY, SELL)");
  // Keys of one letter cover both cases: every value matches one of them exactly.
  spec.fields.back().enum_values = {{"B", "BUY"}, {"b", "SELL"}};
  ASSERT_TRUE(Mapper::Compile(spec).ok());
  // The same label is harmless, and a key with blanks matches the trimmed value.
  spec.fields.back().enum_values = {{"Buy", "BUY"}, {"BUY", "BUY"}, {" S ", "SELL"}};
  mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  for (const auto& [text, side] : {std::pair{"bUY", tradeflow::trade::v1::SIDE_BUY},
                                   std::pair{"s", tradeflow::trade::v1::SIDE_SELL}}) {
    TradeEvent t;
    std::vector<MappingIssue> issues;
    ASSERT_TRUE(MapRow(**mapper, Row({{8, text}}), {}, &t, &issues).ok());
    EXPECT_EQ(t.legs(1).direction(), side) << text;
  }
}

// The last rule whose condition holds wins also when its value is empty: the field is unset,
// not left at an earlier rule's value (a SETTLE row's empty settlement price is no trade price).
TEST(MapperTest, AnEmptyValueOfTheWinningRuleUnsetsTheField) {
  MappingSpec spec = Spec();
  FieldMapping settle = Rule("legs[0].fixed.price.value", Column("desk"));
  settle.when = Condition{"status", {"SETTLE"}};
  spec.fields.push_back(settle);
  FieldMapping side = Rule("direction", Column("book"));
  side.enum_values = {{"B", "BUY"}};
  spec.fields.push_back(side);
  FieldMapping leg_side = Rule("direction", Column("desk"));
  leg_side.when = Condition{"status", {"SETTLE"}};
  spec.fields.push_back(leg_side);
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper, Row({{2, "SETTLE"}, {6, "99.5"}, {8, ""}}), {}, &t, &issues).ok());
  EXPECT_FALSE(t.legs(0).fixed().price().has_value());
  EXPECT_EQ(t.direction(), tradeflow::trade::v1::SIDE_UNSPECIFIED);
  EXPECT_EQ(t.direction_raw(), "");
  // A condition's values are trimmed as the source's are.
  spec.fields.back().when = Condition{"status", {" SETTLE "}};
  auto padded = Mapper::Compile(spec);
  ASSERT_TRUE(padded.ok());
  t.Clear();
  ASSERT_TRUE(MapRow(**padded, Row({{2, "SETTLE"}, {8, "12.5"}}), {}, &t, &issues).ok());
  EXPECT_EQ(t.direction_raw(), "12.5");
  // Where the later rule's condition does not hold, the earlier rule's value stands.
  t.Clear();
  ASSERT_TRUE(MapRow(**mapper, Row({{6, "99.5"}}), {}, &t, &issues).ok());
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "99.5");
  EXPECT_EQ(t.direction(), tradeflow::trade::v1::SIDE_BUY);
}

// A record whose rules left legs[0] empty but filled legs[1] would store a leg of nulls.
TEST(MapperTest, AnEmptyListElementBeforeAFilledOneIsAnError) {
  MappingSpec spec;
  spec.version = "v";
  FieldMapping first = Rule("legs[0].quantity.value", Column("qty"));
  first.when = Condition{"desk", {}};
  spec.fields.push_back(first);
  spec.fields.push_back(Rule("legs[1].quantity.value", Column("px")));
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues, errors;
  ASSERT_TRUE(MapRow(**mapper, Row({{8, ""}}), {}, &t, &issues, &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].target, "legs");
  EXPECT_EQ(errors[0].message,
            "legs[0] has no values (none of its rules applied, or the one that did had an empty "
            "value), but it is in the list: a record's list is filled from its first element, "
            "without gaps");
  t.Clear();
  errors.clear();
  ASSERT_TRUE(MapRow(**mapper, Row({{8, "D"}}), {}, &t, &issues, &errors).ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(t.legs_size(), 2);

  // A later rule whose empty value wins clears an element's only value: the element, empty
  // sub-messages and all, is no leg either, even as the last one. The target names the list.
  MappingSpec fees;
  fees.version = "v";
  fees.fields.push_back(Rule("fees[0].amount", Column("qty")));
  FieldMapping cleared = Rule("fees[0].amount", Column("desk"));
  cleared.when = Condition{"status", {"SETTLE"}};
  fees.fields.push_back(cleared);
  auto fee_mapper = Mapper::Compile(fees);
  ASSERT_TRUE(fee_mapper.ok()) << fee_mapper.status().ToString();
  t.Clear();
  errors.clear();
  ASSERT_TRUE(
      MapRow(**fee_mapper, Row({{2, "SETTLE"}, {5, "12.5"}, {8, ""}}), {}, &t, &issues, &errors)
          .ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].target, "fees");
  EXPECT_EQ(errors[0].message.rfind("fees[0] has no values", 0), 0u) << errors[0].message;
}

// The last rule whose condition holds wins; when its value maps to nothing, the enum is unset
// rather than left at an earlier rule's value beside the later rule's raw text.
TEST(MapperTest, UnmappedValueOfTheWinningRuleUnsetsTheEnum) {
  MappingSpec spec = Spec();
  spec.fields.push_back(Rule("direction", Column("book")));
  FieldMapping later = Rule("direction", Column("desk"));
  later.when = Condition{"desk", {}};
  spec.fields.push_back(later);
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper, Row({{7, "SELL"}, {8, "9"}}), {}, &t, &issues).ok());
  EXPECT_EQ(t.direction(), tradeflow::trade::v1::SIDE_UNSPECIFIED);
  EXPECT_EQ(t.direction_raw(), "9");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].target, "direction");
}

// `when` compares as enum values do, ignoring case: "GAS" selects the rule for "Gas".
TEST(MapperTest, ConditionsIgnoreCase) {
  MappingSpec spec = Spec();
  for (auto& f : spec.fields) {
    if (f.target == "legs[0].fixed.price.value") f.when = Condition{"desk", {"Crude", "Gas"}};
  }
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper, Row({{6, "5.5"}, {8, "GAS"}}), {}, &t, &issues).ok());
  EXPECT_EQ(t.legs(0).fixed().price().value().value(), "5.5");
}

// A concatenation is built whole or not at all: empty when any column it reads is, whatever
// separators or constants it adds ("-L1" is no trade id).
TEST(MapperTest, ConcatWithAnEmptyColumnIsEmpty) {
  MappingSpec spec = Spec();
  ValueSource concat;
  concat.kind = ValueSource::Kind::kConcat;
  concat.separator = "-";
  concat.parts = {Column("desk"), Constant("X"), Column("book")};
  spec.fields.push_back(Rule("parties.strategy", concat));
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  std::vector<std::string> row = {"1", "1", "NEW", "01/01/2026", "2026-01-01T00:00:00Z", "1",
                                  "1", "",  ""};
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_EQ(t.parties().strategy(), "");
  row[8] = "D";
  t.Clear();
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_EQ(t.parties().strategy(), "");
  row[7] = "B";
  t.Clear();
  ASSERT_TRUE(MapRow(**mapper, row, {}, &t, &issues).ok());
  EXPECT_EQ(t.parties().strategy(), "D-X-B");
}

TEST(MapperTest, BadValuesNameFieldAndColumn) {
  auto mapper = Mapper::Compile(Spec());
  TradeEvent t;
  std::vector<MappingIssue> issues;
  Status st =
      MapRow(**mapper, {"1", "1", "NEW", "31/02/2026", "2026-01-01T00:00:00Z", "1", "1", "B", ""},
             {}, &t, &issues);
  EXPECT_EQ(st.message(),
            "trade_date (column trade_dt): '31/02/2026' is not a valid calendar date");
  t.Clear();
  st = MapRow(**mapper, {"1", "x", "NEW", "01/02/2026", "2026-01-01T00:00:00Z", "1", "1", "B", ""},
              {}, &t, &issues);
  EXPECT_EQ(st.message(), "source_version (column ver): cannot parse 'x' as an integer");
}

TEST(MapperTest, ConfigurationErrorsNameTheRule) {
  MappingSpec spec = Spec();
  spec.fields.push_back(Rule("parties.trader", Column("trader_name"), "etrm.yaml:40"));
  auto m1 = Mapper::Compile(spec);
  ASSERT_TRUE(m1.ok());  // columns are checked by the source when it is bound
  ASSERT_EQ((*m1)->source_fields().back().name, "trader_name");
  EXPECT_EQ((*m1)->source_fields().back().where, "etrm.yaml:40");

  spec = Spec();
  spec.fields.push_back(Rule("parties.bok", Column("book"), "etrm.yaml:41"));
  auto m2 = Mapper::Compile(spec);
  ASSERT_FALSE(m2.ok());
  EXPECT_EQ(m2.status().message(), "etrm.yaml:41: 'parties.bok': Parties has no field 'bok'");

  spec = Spec();
  spec.fields[3].enum_values["X"] = "AMEND";
  auto m3 = Mapper::Compile(spec);
  ASSERT_FALSE(m3.ok());
  EXPECT_NE(m3.status().message().find("'AMEND' is not a Action"), std::string::npos);

  spec = Spec();
  spec.fields.push_back(Rule("legs.quantity.value", Column("qty"), "etrm.yaml:42"));
  auto m4 = Mapper::Compile(spec);
  ASSERT_FALSE(m4.ok());
  EXPECT_NE(m4.status().message().find("legs is a list; write legs[0]"), std::string::npos);

  // What tradeflow fills itself is not the mapping's to fill; a list has no gaps.
  spec = Spec();
  spec.fields.push_back(Rule("provenance.run_id", Column("desk"), "etrm.yaml:44"));
  EXPECT_EQ(Mapper::Compile(spec).status().message(),
            "etrm.yaml:44: target 'provenance.run_id' is filled by tradeflow itself and cannot "
            "be mapped");
  spec = Spec();
  spec.fields.push_back(Rule("action_raw", Column("desk"), "etrm.yaml:45"));
  EXPECT_NE(Mapper::Compile(spec).status().message().find(
                "target 'action_raw' is filled from the rule for 'action'"),
            std::string::npos);
  spec = Spec();
  spec.fields.push_back(Rule("fees[2].amount", Column("px"), "etrm.yaml:46"));
  EXPECT_EQ(Mapper::Compile(spec).status().message(),
            "etrm.yaml:46: fees[2] is mapped but fees[0] is not: the list would get empty "
            "entries before it");

  // A constant or a default that is no valid value would fail every record it applies to.
  spec = Spec();
  spec.fields.push_back(Rule("legs[0].fixed.price.type", Constant("FIXD"), "etrm.yaml:43"));
  auto m5 = Mapper::Compile(spec);
  ASSERT_FALSE(m5.ok());
  EXPECT_NE(m5.status().message().find(
                "target 'legs[0].fixed.price.type': constant 'FIXD' is not a value of PriceType"),
            std::string::npos)
      << m5.status().message();
  spec = Spec();
  spec.fields.push_back(Rule("legs[0].leg_number", Constant("1.5")));
  EXPECT_NE(Mapper::Compile(spec).status().message().find("target 'legs[0].leg_number': constant"),
            std::string::npos);
  spec = Spec();
  FieldMapping direction = Rule("direction", Column("desk"));
  direction.default_value = "Hold";
  spec.fields.push_back(direction);
  EXPECT_NE(Mapper::Compile(spec).status().message().find(
                "target 'direction': default 'Hold' is not a value of Side"),
            std::string::npos);
}

// Targets in a oneof (Leg.terms): setting a member deletes the one set before, with every message
// under it. The mapper remembers the messages it created for a record; it must follow the switch
// rather than write into a deleted message (the debug build's AddressSanitizer would see that).
// What one record maps to: the error, the issues and the message.
struct Mapped {
  std::string error;
  std::vector<std::string> issues;
  TradeEvent event;
};

Mapped MapOne(const Mapper& mapper, const std::vector<std::string>& row) {
  Mapped out;
  std::vector<MappingIssue> issues;
  RecordContext ctx{"file:///x.csv", "abc", "line " + row[0], "run-1", 1700000000000000};
  Status st = MapRow(mapper, row, ctx, &out.event, &issues);
  out.error = st.ok() ? "" : st.message();
  for (const auto& issue : issues) out.issues.push_back(issue.target + ": " + issue.message);
  return out;
}

// A column only conditional rules read, in a record where none of them applies, is kept in
// source_attributes as an unmapped column is (a swap's stray strike), not dropped; so is a
// condition's own column where none of the conditions on it holds (a value no rule was written
// for). One an unconditional rule reads never is.
TEST(MapperTest, AValueNoApplyingRuleReadIsKeptInSourceAttributes) {
  MappingSpec spec;
  spec.version = "v1";
  spec.fields.push_back(Rule("source_system", Constant("ENDUR")));
  spec.fields.push_back(Rule("source_trade_id", Column("deal")));
  FieldMapping broker = Rule("parties.broker.name", Column("book"));
  broker.when = Condition{"desk", {"Options"}};
  spec.fields.push_back(broker);
  FieldMapping trader = Rule("parties.trader", Column("deal"));
  trader.when = Condition{"desk", {"Options"}};
  spec.fields.push_back(trader);
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  Mapped crude = MapOne(**mapper, Row({{7, " Marex "}, {8, "Crude"}}));
  ASSERT_EQ(crude.error, "");
  EXPECT_EQ(crude.event.source_attributes().at("book"), "Marex");
  EXPECT_EQ(crude.event.source_attributes().at("desk"), "Crude");
  EXPECT_EQ(crude.event.source_attributes().count("deal"), 0u);
  Mapped options = MapOne(**mapper, Row({{7, "Marex"}, {8, "Options"}}));
  ASSERT_EQ(options.error, "");
  EXPECT_EQ(options.event.parties().broker().name(), "Marex");
  EXPECT_EQ(options.event.source_attributes().count("book"), 0u);
  EXPECT_EQ(options.event.source_attributes().count("desk"), 0u);
}

// An option the target's type does not use is an error, not ignored.
TEST(MapperTest, OptionsOfAnotherTypeOfTargetAreErrors) {
  auto error = [](FieldMapping rule) {
    MappingSpec spec = Spec();
    rule.where = "p.yaml:9";
    spec.fields.push_back(rule);
    auto mapper = Mapper::Compile(spec);
    return mapper.ok() ? std::string() : mapper.status().message();
  };
  FieldMapping strategy = Rule("parties.strategy", Column("desk"));
  strategy.enum_values = {{"Phys", "HEDGE"}};
  EXPECT_EQ(error(strategy),
            "p.yaml:9: target 'parties.strategy' is no enum: `enum` maps values of enum fields "
            "only");
  FieldMapping trader = Rule("parties.trader", Column("desk"));
  trader.format = "%Y";
  EXPECT_EQ(error(trader),
            "p.yaml:9: target 'parties.trader' is no date or timestamp: `format` does not apply");
  FieldMapping epoch = Rule("execution_time", Column("exec_ts"));
  epoch.format = "%s UTC";
  EXPECT_EQ(error(epoch),
            "p.yaml:9: target 'execution_time' format '%s UTC': %s (seconds since the epoch) must "
            "be the whole format");
  epoch.format = "%s";
  epoch.time_zone = "Europe/London";
  EXPECT_EQ(error(epoch),
            "p.yaml:9: target 'execution_time' has format %s, an instant: a time_zone does not "
            "apply to it");
  FieldMapping date = Rule("legs[0].option.expiry_date", Column("desk"));
  date.time_zone = "Asia/Tokyo";
  EXPECT_EQ(error(date),
            "p.yaml:9: target 'legs[0].option.expiry_date' is no timestamp: `time_zone` does not "
            "apply (a date is read as written)");
  // A format that gives no whole date would fail every record.
  FieldMapping looks_like = Rule("trade_date", Column("trade_dt"));
  looks_like.format = "YYYY-MM-DD";
  EXPECT_EQ(error(looks_like).substr(0, 81),
            "p.yaml:9: target 'trade_date': format 'YYYY-MM-DD' gives no year (%Y), month (%m)");
}

// "iso8601" in any case; for a date it is the default, YYYY-MM-DD.
TEST(MapperTest, Iso8601FormatInAnyCaseOnDatesAndTimestamps) {
  MappingSpec spec = Spec();
  spec.fields[4].format = "ISO8601";  // trade_date
  spec.fields[5].format = "Iso8601";  // execution_time
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  TradeEvent t;
  std::vector<MappingIssue> issues;
  ASSERT_TRUE(MapRow(**mapper,
                     {"1", "1", "NEW", "2026-03-14", "2026-03-14T10:00:00Z", "1", "1", "B", ""}, {},
                     &t, &issues)
                  .ok());
  EXPECT_TRUE(issues.empty()) << issues[0].message;
  EXPECT_EQ(t.trade_date().day(), 14);
  EXPECT_EQ(t.execution_time().seconds(), 1773482400);
}

// Two rules filling alternatives of a oneof (a leg's fixed and physical terms) in one record:
// setting the second deletes the first, so the record is a mapping error rather than stored
// without what the first rule set. Records where only one applies map as usual.
TEST(MapperTest, RulesFillingTwoMembersOfAOneofAreAnError) {
  MappingSpec spec = Spec();
  FieldMapping physical = Rule("legs[0].physical.price.value", Column("px"));
  physical.when = Condition{"desk", {"Phys"}};
  spec.fields.push_back(physical);
  FieldMapping back = Rule("legs[0].fixed.price.currency", Constant("USD"));
  back.when = Condition{"desk", {"Phys"}};
  spec.fields.push_back(back);
  spec.fields.push_back(Rule("legs[0].quantity.unit", Constant("MWh")));
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  std::vector<std::string> row = {"1", "1",   "NEW", "01/01/2026", "2026-01-01T00:00:00Z",
                                  "3", "5.5", "B",   "Phys"};
  Mapped phys = MapOne(**mapper, row);
  EXPECT_EQ(phys.error,
            "legs[0].physical.price.value (column px): another rule set fixed, the alternative "
            "(oneof terms) to this one; a record can have one of them: give the rules `when` "
            "conditions that exclude each other");

  row[8] = "Crude";
  Mapped crude = MapOne(**mapper, row);
  ASSERT_EQ(crude.error, "");
  EXPECT_EQ(crude.event.legs(0).fixed().price().value().value(), "5.5");
  EXPECT_EQ(crude.event.legs(0).fixed().price().currency(), "");
  EXPECT_EQ(crude.event.legs(0).quantity().unit(), "MWh");
}

// Several threads map with one Mapper at once; each record maps as it does alone.
TEST(MapperTest, MapIsThreadSafe) {
  MappingSpec spec = Spec();
  FieldMapping status = Rule("trade_status", Column("status"));
  status.enum_values = {{"NEW", "LIVE"}, {"AMENDED", "LIVE"}, {"CANCELLED", "CLOSED"}};
  spec.fields.push_back(status);
  FieldMapping physical = Rule("legs[0].physical.price.value", Column("px"));
  physical.when = Condition{"desk", {"Phys"}};
  spec.fields.push_back(physical);
  FieldMapping strike = Rule("legs[0].option.strike.value", Column("px"));
  strike.when = Condition{"desk", {"Options"}};
  spec.fields.push_back(strike);
  spec.fields.push_back(Rule("legs[1].quantity.value", Column("qty")));
  auto mapper = Mapper::Compile(spec);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();

  const std::vector<std::string> statuses = {"NEW", "AMENDED", "CANCELLED", "new", "PENDING"};
  const std::vector<std::string> desks = {"Crude", "Phys", "Options", "", "Gas"};
  const std::vector<std::string> numbers = {"1000.50", "72.10", "0.000", "-3", "1,5", "12.5e3"};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 200; ++i) {
    rows.push_back({std::to_string(1000 + i), std::to_string(i % 4), statuses[i % statuses.size()],
                    i % 37 == 0 ? "31/02/2026" : "14/03/2026",
                    "2026-03-14T10:00:00." + std::to_string(i) + "+01:00",
                    numbers[i % numbers.size()], numbers[(i / 2) % numbers.size()],
                    i % 3 == 0 ? "" : "B" + std::to_string(i), desks[i % desks.size()]});
  }
  std::vector<Mapped> expected;
  for (const auto& row : rows) expected.push_back(MapOne(**mapper, row));

  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t k = 0; k < rows.size(); ++k) {
          const size_t i = (k * (t + 1) + round) % rows.size();  // a different order per thread
          Mapped got = MapOne(**mapper, rows[i]);
          if (got.error != expected[i].error || got.issues != expected[i].issues ||
              !google::protobuf::util::MessageDifferencer::Equals(got.event, expected[i].event)) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  int errors = 0, with_issues = 0;
  for (const auto& m : expected) {
    errors += !m.error.empty();
    with_issues += !m.issues.empty();
  }
  EXPECT_GT(errors, 0);  // the rows exercise the error and issue paths too
  EXPECT_GT(with_issues, 0);
  EXPECT_LT(errors, static_cast<int>(rows.size()));
}

}  // namespace
}  // namespace tradeflow::transform
