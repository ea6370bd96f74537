#include "model/unit_names.h"

#include <gtest/gtest.h>

namespace tradeflow::model {
namespace {

TEST(UnitNamesTest, KnownSpellingsInAnyCaseTakeTheCanonicalName) {
  EXPECT_EQ(CanonicalUnitName("BBLS"), "bbl");
  EXPECT_EQ(CanonicalUnitName("tonnes"), "MT");
  EXPECT_EQ(CanonicalUnitName("mt"), "MT");
  EXPECT_EQ(CanonicalUnitName("Therms"), "therm");
  EXPECT_EQ(CanonicalUnitName("mmbtu"), "MMBtu");
  EXPECT_EQ(CanonicalUnitName("MWh"), "MWh");
}

TEST(UnitNamesTest, AnUnknownNameIsKeptAsWritten) {
  EXPECT_EQ(CanonicalUnitName("bu"), "bu");
  EXPECT_EQ(CanonicalUnitName("Bushels"), "Bushels");
  EXPECT_EQ(CanonicalUnitName(""), "");
  EXPECT_EQ(CanonicalUnitName("a very long unit name"), "a very long unit name");
}

TEST(UnitNamesTest, SameUnitComparesWhatTheNamesMean) {
  EXPECT_TRUE(SameUnit("lbs", "LB"));
  EXPECT_TRUE(SameUnit("bu", "bu"));
  EXPECT_FALSE(SameUnit("bu", "BU"));  // unknown: only itself
  EXPECT_FALSE(SameUnit("MT", "lb"));
}

}  // namespace
}  // namespace tradeflow::model
