#include "pipeline/pipeline_config.h"

#include <gtest/gtest.h>

namespace tradeflow::pipeline {
namespace {

Result<PipelineConfig> Parse(const std::string& normalise) {
  std::string text =
      "pipeline: p\n"
      "source: {type: csv, path: trades.csv}\n"
      "mapping:\n"
      "  version: v1\n"
      "  fields: {source_trade_id: id}\n" +
      normalise;
  return ParsePipelineConfig(text, "/p/etl.yaml");
}

TEST(PipelineConfigTest, NormaliseIsOnWithEveryStepByDefault) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->normalise_enabled);
  EXPECT_TRUE(c->normalise.compute_totals);
  EXPECT_TRUE(c->normalise.convert_quantities);
}

TEST(PipelineConfigTest, NormaliseCanBeSwitchedOffWhole) {
  auto c = Parse("normalise: false\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->normalise_enabled);
}

TEST(PipelineConfigTest, NormaliseStepsCanBeSwitchedOneByOne) {
  auto c = Parse("normalise: {totals: false, minor_currency: false, units: true}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->normalise_enabled);
  EXPECT_FALSE(c->normalise.compute_totals);
  EXPECT_FALSE(c->normalise.convert_minor_currency);
  EXPECT_TRUE(c->normalise.convert_quantities);
  EXPECT_TRUE(c->normalise.apply_contract_specs);
}

TEST(PipelineConfigTest, AnUnknownNormaliseStepNamesTheFileAndLine) {
  auto c = Parse("normalise: {total: false}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/p/etl.yaml:6"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("total"), std::string::npos);
}

}  // namespace
}  // namespace tradeflow::pipeline
