#pragma once
/// Converting a data item's native units to its MTConnect units (Devices.xml `nativeUnits` to
/// `units`), as the MTConnect standard asks of an agent: FOOT/MINUTE feeds become
/// MILLIMETER/SECOND, INCH becomes MILLIMETER, FAHRENHEIT becomes CELSIUS, and so on. Pure.

#include <optional>
#include <string_view>

namespace spindle::model {

/// value in units = (native value + offset) * factor.
struct UnitConversion {
  double factor = 1;
  double offset = 0;
  double apply(double native) const { return (native + offset) * factor; }
  bool identity() const { return factor == 1 && offset == 0; }
};

/// The conversion from `nativeUnits` to `units`: identity when they are the same, nullopt
/// when either is not a unit this knows or they measure different things (meters to seconds).
/// Knows the standard's units and native units: lengths (MILLIMETER, CENTIMETER, METER, INCH,
/// FOOT...), angles (DEGREE, RADIAN, MICRO_RADIAN), times (SECOND, MINUTE, HOUR), masses,
/// volumes (LITER, GALLON, CUBIC_...), power and energy (KILOWATT, KILOWATT_HOUR), pressures
/// (BAR, POUND/INCH^2, TORR, MILLIMETER_MERCURY), INCH_POUND, CENTIPOISE, temperatures
/// (FAHRENHEIT, KELVIN, RANKINE), their quotients and powers (FOOT/MINUTE, INCH/SECOND^2) and
/// the _3D forms (INCH_3D).
std::optional<UnitConversion> unitConversion(std::string_view nativeUnits, std::string_view units);

}  // namespace spindle::model
