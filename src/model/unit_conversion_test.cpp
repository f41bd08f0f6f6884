// Native units to MTConnect units with the factors the standard's units imply.

#include "model/unit_conversion.hpp"

#include <gtest/gtest.h>

namespace spindle::model {
namespace {

double convert(std::string_view from, std::string_view to, double v) {
  const auto c = unitConversion(from, to);
  EXPECT_TRUE(c.has_value()) << from << " -> " << to;
  return c ? c->apply(v) : -1;
}

TEST(UnitConversion, LengthsFeedsAndAngles) {
  EXPECT_DOUBLE_EQ(convert("INCH", "MILLIMETER", 2), 50.8);
  EXPECT_DOUBLE_EQ(convert("FOOT", "MILLIMETER", 1), 304.8);
  EXPECT_DOUBLE_EQ(convert("FOOT/MINUTE", "MILLIMETER/SECOND", 60), 304.8);
  EXPECT_DOUBLE_EQ(convert("INCH/MINUTE", "MILLIMETER/SECOND", 60), 25.4);
  EXPECT_DOUBLE_EQ(convert("MILLIMETER/MINUTE", "MILLIMETER/SECOND", 120), 2);
  EXPECT_DOUBLE_EQ(convert("DEGREE/MINUTE", "DEGREE/SECOND", 30), 0.5);
  EXPECT_DOUBLE_EQ(convert("REVOLUTION/SECOND", "REVOLUTION/MINUTE", 2), 120);
  EXPECT_NEAR(convert("RADIAN", "DEGREE", 3.14159265358979), 180, 1e-9);
  EXPECT_DOUBLE_EQ(convert("INCH/SECOND^2", "MILLIMETER/SECOND^2", 1), 25.4);
  EXPECT_DOUBLE_EQ(convert("INCH_3D", "MILLIMETER_3D", 1), 25.4);
  EXPECT_DOUBLE_EQ(convert("METER", "MILLIMETER", 1.5), 1500);
}

TEST(UnitConversion, TemperaturesPressuresAndOthers) {
  EXPECT_DOUBLE_EQ(convert("FAHRENHEIT", "CELSIUS", 212), 100);
  EXPECT_NEAR(convert("KELVIN", "CELSIUS", 273.15), 0, 1e-12);
  EXPECT_NEAR(convert("RANKINE", "CELSIUS", 491.67), 0, 1e-9);
  EXPECT_DOUBLE_EQ(convert("BAR", "PASCAL", 2), 2e5);
  EXPECT_NEAR(convert("POUND/INCH^2", "PASCAL", 1), 6894.757, 1e-3);
  EXPECT_DOUBLE_EQ(convert("KILOWATT", "WATT", 1.5), 1500);
  EXPECT_DOUBLE_EQ(convert("KILOWATT_HOUR", "WATT_SECOND", 1), 3.6e6);
  EXPECT_DOUBLE_EQ(convert("POUND", "KILOGRAM", 1), 0.45359237);
  EXPECT_DOUBLE_EQ(convert("HOUR", "SECOND", 2), 7200);
  EXPECT_NEAR(convert("GALLON/MINUTE", "LITER/SECOND", 60), 3.785411784, 1e-12);
  EXPECT_NEAR(convert("INCH_POUND", "NEWTON_METER", 1), 0.1129848, 1e-7);
  EXPECT_DOUBLE_EQ(convert("CENTIPOISE", "PASCAL_SECOND", 1000), 1);
}

TEST(UnitConversion, SameUnitsAreIdentityAndUnknownOrMismatchedAreRefused) {
  ASSERT_TRUE(unitConversion("PERCENT", "PERCENT"));
  EXPECT_TRUE(unitConversion("PERCENT", "PERCENT")->identity());
  EXPECT_FALSE(unitConversion("x:METER", "MILLIMETER"));
  EXPECT_FALSE(unitConversion("INCH", "SECOND"));
  EXPECT_FALSE(unitConversion("FOOT/MINUTE", "MILLIMETER"));
  EXPECT_FALSE(unitConversion("FAHRENHEIT^2", "CELSIUS^2"));
}

}  // namespace
}  // namespace spindle::model
