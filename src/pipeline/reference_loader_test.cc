#include "pipeline/reference_loader.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "pipeline/pipeline_config.h"
#include "pipeline/test_util.h"
#include "sources/csv_reader.h"
#include "sources/csv_source.h"
#include "transform/mapper.h"
#include "transform/normalise.h"

namespace tradeflow::pipeline {
namespace {

const std::string kExamples = std::string(TF_SOURCE_DIR) + "/examples";

using testing::kExampleReference;

Result<ReferenceConfig> ParseText(const std::string& text, const std::string& file) {
  YAML::Node root = YAML::Load(text);
  return ParseReferenceConfig(root["reference"], file);
}

Result<LoadedReference> LoadExample() {
  TF_ASSIGN_OR_RETURN(auto config, ParseText(kExampleReference, kExamples + "/etrm_pipeline.yaml"));
  return LoadReferenceData(config);
}

// A scratch folder with one pipeline file's worth of reference files.
class ScratchDir {
 public:
  ScratchDir() {
    dir_ = std::filesystem::temp_directory_path() /
           ("tf_reference_loader_" + std::to_string(::getpid()) + "_" + std::to_string(next_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::string pipeline() const { return (dir_ / "pipeline.yaml").string(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  static inline int next_ = 0;
  std::filesystem::path dir_;
};

Status LoadOne(const ScratchDir& dir, const std::string& yaml) {
  auto config = ParseText(yaml, dir.pipeline());
  if (!config.ok()) return config.status();
  return LoadReferenceData(*config).status();
}

TEST(ReferenceConfigTest, ParsesTablesWithPathsRelativeToThePipelineFile) {
  auto config = ParseText(R"(reference:
  counterparties: ref/cp.csv
  books: {path: /abs/books.csv, delimiter: ";", quote: "'"}
  fx_rates:
    paths: [ref/fx1.csv, ref/fx2.csv]
    ignore_columns: [source]
    fields:
      date: {column: as_of, format: "%d/%m/%Y"}
      base_currency: ccy1
      quote_currency: {constant: USD}
)",
                          "/etc/tf/pipe.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->tables.size(), 4u);
  EXPECT_EQ(config->tables[0].kind, "counterparties");
  EXPECT_EQ(config->tables[0].path, "/etc/tf/ref/cp.csv");
  EXPECT_EQ(config->tables[0].where, "/etc/tf/pipe.yaml:2");
  EXPECT_EQ(config->tables[1].path, "/abs/books.csv");
  EXPECT_EQ(config->tables[1].delimiter, ';');
  EXPECT_EQ(config->tables[1].quote, '\'');
  EXPECT_EQ(config->tables[2].path, "/etc/tf/ref/fx1.csv");
  EXPECT_EQ(config->tables[3].path, "/etc/tf/ref/fx2.csv");
  const auto& fx = config->tables[2];
  EXPECT_EQ(fx.ignore_columns, std::vector<std::string>{"source"});
  ASSERT_EQ(fx.mapping.fields.size(), 3u);
  EXPECT_EQ(fx.mapping.fields[0].target, "date");
  EXPECT_EQ(fx.mapping.fields[0].source.column, "as_of");
  EXPECT_EQ(fx.mapping.fields[0].format, "%d/%m/%Y");
  EXPECT_EQ(fx.mapping.fields[0].where, "/etc/tf/pipe.yaml:8");
  EXPECT_EQ(fx.mapping.fields[2].source.kind, transform::ValueSource::Kind::kConstant);
}

TEST(ReferenceConfigTest, UnknownKeysNameTheLine) {
  auto kind = ParseText("reference:\n  books: b.csv\n  traders: t.csv\n", "p.yaml");
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().message(),
            "p.yaml:3: unknown key 'traders' in reference (allowed: counterparties, books, "
            "products, contracts, unit_conversions, fx_rates)");
  auto list = ParseText("reference:\n  books: [b.csv]\n", "p.yaml");
  EXPECT_EQ(list.status().message(),
            "p.yaml:2: reference.books must be a file path or a mapping ({path: ..., delimiter: "
            "...}); several files go under paths:");
  auto key = ParseText("reference:\n  books:\n    path: b.csv\n    delimeter: ';'\n", "p.yaml");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(),
            "p.yaml:4: unknown key 'delimeter' in reference.books (allowed: path, paths, "
            "delimiter, quote, encoding, numbers, fields, ignore_columns, allow_empty)");
  auto rule = ParseText(
      "reference:\n  books:\n    path: b.csv\n    fields:\n      book: {col: x}\n", "p.yaml");
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(rule.status().message(),
            "p.yaml:5: unknown key 'col' in books field 'book' (allowed: column, constant, "
            "default, format, enum)");
  auto no_path = ParseText("reference:\n  books: {delimiter: ';'}\n", "p.yaml");
  ASSERT_FALSE(no_path.ok());
  EXPECT_EQ(no_path.status().message(), "p.yaml:2: reference.books needs a path or paths");
  auto both = ParseText("reference:\n  books: {path: a.csv, paths: [b.csv]}\n", "p.yaml");
  EXPECT_EQ(both.status().message(), "p.yaml:2: give path or paths, not both");
}

TEST(ReferenceLoaderTest, LoadsTheExampleReferenceData) {
  auto loaded = LoadExample();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const auto& t = loaded->tables;
  EXPECT_EQ(t.counterparties.size(), 13u);
  EXPECT_EQ(t.books.size(), 5u);
  EXPECT_EQ(t.products.size(), 10u);
  EXPECT_EQ(t.contracts.size(), 11u);
  EXPECT_EQ(t.unit_conversions.size(), 4u);
  EXPECT_EQ(t.fx_rates.size(), 4u);

  const auto& data = loaded->data;
  for (std::string_view kind : transform::ReferenceKinds()) EXPECT_TRUE(data.Loaded(kind));
  const auto* cp = data.FindCounterpartyByLei("5493ZH9FHPJQ0M9UPC38");
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(cp->id(), "CP1007");
  EXPECT_TRUE(cp->active());
  EXPECT_FALSE(data.FindCounterparty("CP0999")->active());
  EXPECT_EQ(data.FindProduct("GOLD")->asset_class(), tradeflow::trade::v1::ASSET_CLASS_METALS);
  EXPECT_EQ(data.FindProduct("NBP")->quote_minor_scale(), 100);
  const auto* hg = data.FindContract("XCEC", "HG");
  ASSERT_NE(hg, nullptr);
  EXPECT_EQ(hg->contract_size().value(), "25000");
  EXPECT_EQ(hg->price_minor_scale(), 100);
  EXPECT_TRUE(data.Exists("contracts", "NDEX:TFM"));
  auto gasoil = data.FindUnitConversion("GASOIL", "bbl", "MT");
  ASSERT_TRUE(gasoil.ok());
  EXPECT_EQ(gasoil->ratio.ToString(), "20/149");
  tradeflow::trade::v1::Date d;
  d.set_year(2026);
  d.set_month(5);
  d.set_day(12);
  auto gbpusd = data.FindFxRate(d, "GBP", "USD");
  ASSERT_TRUE(gbpusd.ok());
  EXPECT_EQ(gbpusd->ToString(), "12671/10000");
}

// Every trade of the example export maps to reference rows that exist, and normalises with
// nothing to report: the example reference files agree with the example trades.
TEST(ReferenceLoaderTest, ExampleTradesNormaliseCleanlyAgainstExampleReference) {
  auto loaded = LoadExample();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto pipeline = LoadPipelineConfig(kExamples + "/etrm_pipeline.yaml");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  auto mapper = transform::Mapper::Compile(
      pipeline->mapping, tradeflow::trade::v1::TradeEvent::descriptor(), &loaded->data);
  ASSERT_TRUE(mapper.ok()) << mapper.status().ToString();
  auto reader = sources::CsvReader::Open(pipeline->source.paths[0], {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  sources::CsvSource source(std::move(*reader));
  std::vector<sources::FieldRef> fields;
  for (const auto& f : (*mapper)->source_fields()) fields.push_back({f.name, f.where});
  ASSERT_TRUE(source.Bind(fields).ok());

  const auto& ref = loaded->data;
  sources::SourceRecord record;
  int trades = 0;
  for (;;) {
    auto more = source.Next(&record);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    tradeflow::trade::v1::TradeEvent event;
    std::vector<transform::MappingIssue> issues;
    ASSERT_TRUE((*mapper)->Map(record.values, record.extras, {}, &event, &issues).ok());
    ++trades;
    const std::string at = "line " + std::to_string(record.line);
    EXPECT_TRUE(ref.Exists("counterparties", event.parties().counterparty().id())) << at;
    EXPECT_EQ(ref.FindCounterparty(event.parties().counterparty().id())->lei(),
              event.parties().counterparty().lei())
        << at;
    EXPECT_TRUE(ref.Exists("books", event.parties().book())) << at;
    EXPECT_TRUE(ref.Exists("products", event.product().commodity())) << at;
    if (!event.product().exchange().empty()) {
      EXPECT_TRUE(ref.Exists("contracts",
                             event.product().exchange() + ":" + event.product().product_code()))
          << at;
    }
    std::vector<std::string> notes;
    ASSERT_TRUE(transform::Normalise(ref, {}, &event, &notes).ok()) << at;
    EXPECT_TRUE(notes.empty()) << at << ": " << notes[0];
    const auto& q = event.legs(0).quantity();
    EXPECT_EQ(q.unit(), ref.FindProduct(event.product().commodity())->canonical_unit()) << at;
    EXPECT_EQ(q.reported_value().value(), q.value().value()) << at;
  }
  EXPECT_EQ(trades, 300);
}

// A European export: Latin-1 names, ';' between fields and decimal commas.
TEST(ReferenceLoaderTest, ReadsAnEncodingAndNumbersOfItsOwn) {
  ScratchDir dir;
  dir.Write("cp.csv", "id;name;lei;country;active\nCP1;Soci\xE9t\xE9 G\xE9n\xE9rale;;FR;true\n");
  dir.Write("fx.csv", "date;base_currency;quote_currency;rate\n2026-05-11;EUR;USD;1,0842\n");
  auto config = ParseText(R"(reference:
  counterparties: {path: cp.csv, delimiter: ";", encoding: latin-1}
  fx_rates: {path: fx.csv, delimiter: ";", numbers: {decimal_separator: ","}}
)",
                          dir.pipeline());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto loaded = LoadReferenceData(*config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->tables.counterparties[0].name(),
            "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale");
  EXPECT_EQ(loaded->tables.fx_rates[0].rate().value(), "1.0842");

  // Without it, the hint names the table's own setting, not the trade mapping's.
  Status plain = LoadOne(dir, "reference:\n  fx_rates: {path: fx.csv, delimiter: \";\"}\n");
  EXPECT_NE(plain.message().find("set reference.fx_rates.numbers)"), std::string::npos)
      << plain.ToString();
}

TEST(ReferenceLoaderTest, MapsColumnsNamedOtherwiseAndIgnoresListedOnes) {
  ScratchDir dir;
  dir.Write("cp.csv",
            "cpty_code;legal_name;lei;source_system\n"
            "CP1;One Ltd;5493R66UPOXALKMXFU91;ENDUR\n"
            "CP2;Two Ltd;;ENDUR\n");
  auto config = ParseText(R"(reference:
  counterparties:
    path: cp.csv
    delimiter: ";"
    ignore_columns: [source_system]
    fields:
      id: cpty_code
      name: legal_name
      country: {constant: GB}
)",
                          dir.pipeline());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto loaded = LoadReferenceData(*config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->tables.counterparties.size(), 2u);
  const auto& two = loaded->tables.counterparties[1];
  EXPECT_EQ(two.id(), "CP2");
  EXPECT_EQ(two.name(), "Two Ltd");
  EXPECT_EQ(two.country(), "GB");
  EXPECT_TRUE(two.active());  // absent column: active
}

TEST(ReferenceLoaderTest, UnknownColumnFailsAtTheHeader) {
  ScratchDir dir;
  const std::string file = dir.Write("books.csv", "book,portfolo\nCRUDE-LDN,ENERGY-EU\n");
  Status st = LoadOne(dir, "reference:\n  books: books.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file +
                              ":1: unknown column 'portfolo' for books (fields: book, portfolio, "
                              "legal_entity, desk, active); map it under fields or list it under "
                              "ignore_columns (" +
                              dir.pipeline() + ":2)");
}

TEST(ReferenceLoaderTest, ATableWithNoRowsFailsUnlessAllowed) {
  ScratchDir dir;
  const std::string file = dir.Write("books.csv", "book,portfolio\n");
  Status st = LoadOne(dir, "reference:\n  books: books.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file +
                              ": reference table books has no rows (a header only); if that is "
                              "meant, set allow_empty: true on it (" +
                              dir.pipeline() + ":2)");
  EXPECT_TRUE(LoadOne(dir, "reference:\n  books: {path: books.csv, allow_empty: true}\n").ok());
  // Rows are counted over all the files of a kind: one empty file among others is fine.
  dir.Write("more.csv", "book,portfolio\nCRUDE-LDN,ENERGY-EU\n");
  EXPECT_TRUE(LoadOne(dir, "reference:\n  books: {paths: [books.csv, more.csv]}\n").ok());
}

TEST(ReferenceLoaderTest, IgnoredColumnTheFileLacksFailsAtTheHeader) {
  ScratchDir dir;
  const std::string file = dir.Write("books.csv", "book,portfolio,source\nCRUDE-LDN,ENERGY-EU,X\n");
  Status st = LoadOne(dir, "reference:\n  books: {path: books.csv, ignore_columns: [sorce]}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file +
                              ":1: ignore_columns names 'sorce', which is not a column of the "
                              "file (columns: book, portfolio, source) (" +
                              dir.pipeline() + ":2)");
}

TEST(ReferenceLoaderTest, AHeaderReadAsOneColumnSuggestsTheDelimiter) {
  ScratchDir dir;
  dir.Write("books.csv", "book;portfolio\nCRUDE-LDN;ENERGY-EU\n");
  Status st = LoadOne(dir, "reference:\n  books: books.csv\n");
  EXPECT_NE(st.message().find("the header row was read as one column, and it holds ';': is the "
                              "delimiter right?"),
            std::string::npos)
      << st.message();
}

TEST(ReferenceLoaderTest, MissingKeyColumnFailsAtTheHeader) {
  ScratchDir dir;
  const std::string file = dir.Write("units.csv", "from_unit,to_unit\nbbl,MT\n");
  Status st = LoadOne(dir, "reference:\n  unit_conversions: units.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file +
                              ":1: unit_conversions needs a column for 'factor' (it has: "
                              "from_unit, to_unit); map it under fields (" +
                              dir.pipeline() + ":2)");
}

TEST(ReferenceLoaderTest, BadDecimalNamesFileLineAndField) {
  ScratchDir dir;
  const std::string file = dir.Write("units.csv",
                                     "commodity,from_unit,to_unit,factor\n"
                                     "GASOIL,MT,bbl,7.45\n"
                                     "BRENT,MT,bbl,7,58\n");
  // A stray comma is a wrong number of fields: the CSV reader names the line.
  Status fields = LoadOne(dir, "reference:\n  unit_conversions: units.csv\n");
  ASSERT_FALSE(fields.ok());
  EXPECT_NE(fields.message().find(file + ":3"), std::string::npos) << fields.message();

  dir.Write("units.csv",
            "commodity,from_unit,to_unit,factor\n"
            "GASOIL,MT,bbl,7.45\n"
            "\n"
            "BRENT,MT,bbl,7.5.8\n");
  Status st = LoadOne(dir, "reference:\n  unit_conversions: units.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file + ":4: factor (column factor): '7.5.8' is not a decimal number");

  dir.Write("units.csv", "commodity,from_unit,to_unit,factor\nGASOIL,MT,bbl,0\n");
  st = LoadOne(dir, "reference:\n  unit_conversions: units.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            file + ":2: unit conversion GASOIL MT → bbl: factor: factor '0' must be positive");
}

TEST(ReferenceLoaderTest, DuplicateIdNamesTheKeyAndLine) {
  ScratchDir dir;
  const std::string file = dir.Write("cp.csv",
                                     "id,name\n"
                                     "CP1001,One\n"
                                     "CP1002,Two\n"
                                     "CP1001,One again\n");
  Status st = LoadOne(dir, "reference:\n  counterparties: cp.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file + ":4: duplicate counterparty id 'CP1001'");

  // Across two files of the same table too.
  dir.Write("cp2.csv", "id,name\nCP1002,Two\n");
  st = LoadOne(dir, "reference:\n  counterparties: {paths: [cp.csv, cp2.csv]}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), file + ":4: duplicate counterparty id 'CP1001'");
}

TEST(ReferenceLoaderTest, BadEnumAndBoolAndDateAreErrors) {
  ScratchDir dir;
  const std::string products = dir.Write("p.csv",
                                         "commodity,asset_class,canonical_unit\n"
                                         "BRENT,ENERGY,bbl\n"
                                         "CORN,GRAINS,bu\n");
  Status st = LoadOne(dir, "reference:\n  products: p.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), products + ":3: asset_class: value 'GRAINS' is not a known AssetClass");

  const std::string books = dir.Write("b.csv", "book,active\nX,maybe\n");
  st = LoadOne(dir, "reference:\n  books: b.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(books + ":2: active (column active): cannot parse"),
            std::string::npos)
      << st.message();

  const std::string fx = dir.Write("fx.csv",
                                   "date,base_currency,quote_currency,rate\n"
                                   "2026-02-30,EUR,USD,1.08\n");
  st = LoadOne(dir, "reference:\n  fx_rates: fx.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(fx + ":2: date (column date)"), std::string::npos) << st.message();
}

TEST(ReferenceLoaderTest, MissingFileNamesTheTable) {
  ScratchDir dir;
  Status st = LoadOne(dir, "reference:\n  books: nowhere.csv\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("reference table books (" + dir.pipeline() + ":2): ", 0), 0u)
      << st.message();
}

TEST(ReferenceLoaderTest, AnAllowedEmptyTableIsLoaded) {
  ScratchDir dir;
  dir.Write("books.csv", "book,portfolio\n");
  auto config =
      ParseText("reference:\n  books: {path: books.csv, allow_empty: true}\n", dir.pipeline());
  ASSERT_TRUE(config.ok());
  auto loaded = LoadReferenceData(*config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->data.HasTable("books"));
  EXPECT_FALSE(loaded->data.Exists("books", "CRUDE-LDN"));
  EXPECT_FALSE(loaded->data.HasTable("counterparties"));
}

}  // namespace
}  // namespace tradeflow::pipeline
