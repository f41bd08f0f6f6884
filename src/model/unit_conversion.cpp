#include "model/unit_conversion.hpp"

#include <cmath>
#include <numbers>
#include <string>

namespace spindle::model {
namespace {

/// A unit measured in its dimension's reference unit: value in reference = value * factor
/// (+ offset for temperatures, applied before the factor).
struct Scale {
  std::string dimension;
  double factor = 1;
  double offset = 0;
};

constexpr double kDegreesPerRadian = 180.0 / std::numbers::pi;

/// The base units: dimension and factor to its reference (millimeter, degree, second...).
std::optional<Scale> base(std::string_view u) {
  struct Row {
    std::string_view name;
    std::string_view dimension;
    double factor;
    double offset;
  };
  static constexpr Row kRows[] = {
      {"MICROMETER", "LENGTH", 0.001, 0},
      {"MILLIMETER", "LENGTH", 1, 0},
      {"CENTIMETER", "LENGTH", 10, 0},
      {"DECIMETER", "LENGTH", 100, 0},
      {"METER", "LENGTH", 1000, 0},
      {"KILOMETER", "LENGTH", 1e6, 0},
      {"INCH", "LENGTH", 25.4, 0},
      {"FOOT", "LENGTH", 304.8, 0},
      {"DEGREE", "ANGLE", 1, 0},
      {"RADIAN", "ANGLE", kDegreesPerRadian, 0},
      {"MICRO_RADIAN", "ANGLE", kDegreesPerRadian * 1e-6, 0},
      {"REVOLUTION", "REVOLUTION", 1, 0},
      {"SECOND", "TIME", 1, 0},
      {"MILLISECOND", "TIME", 0.001, 0},
      {"MINUTE", "TIME", 60, 0},
      {"HOUR", "TIME", 3600, 0},
      {"KILOGRAM", "MASS", 1, 0},
      {"GRAM", "MASS", 0.001, 0},
      {"POUND", "MASS", 0.45359237, 0},
      {"OUNCE", "MASS", 0.028349523125, 0},
      {"LITER", "VOLUME", 1, 0},
      {"MILLILITER", "VOLUME", 0.001, 0},
      {"CUBIC_MILLIMETER", "VOLUME", 1e-6, 0},
      {"CUBIC_CENTIMETER", "VOLUME", 0.001, 0},
      {"CUBIC_METER", "VOLUME", 1000, 0},
      {"CUBIC_INCH", "VOLUME", 0.016387064, 0},
      {"CUBIC_FOOT", "VOLUME", 28.316846592, 0},
      {"GALLON", "VOLUME", 3.785411784, 0},
      {"WATT", "POWER", 1, 0},
      {"KILOWATT", "POWER", 1000, 0},
      {"WATT_SECOND", "ENERGY", 1, 0},
      {"JOULE", "ENERGY", 1, 0},
      {"KILOWATT_HOUR", "ENERGY", 3.6e6, 0},
      {"PASCAL", "PRESSURE", 1, 0},
      {"KILOPASCAL", "PRESSURE", 1000, 0},
      {"BAR", "PRESSURE", 1e5, 0},
      {"POUND/INCH^2", "PRESSURE", 6894.757293168361, 0},
      {"MILLIMETER_MERCURY", "PRESSURE", 133.322387415, 0},
      {"TORR", "PRESSURE", 101325.0 / 760.0, 0},
      {"NEWTON", "FORCE", 1, 0},
      {"NEWTON_METER", "TORQUE", 1, 0},
      {"INCH_POUND", "TORQUE", 0.112984829027616689, 0},
      {"PASCAL_SECOND", "VISCOSITY", 1, 0},
      {"CENTIPOISE", "VISCOSITY", 0.001, 0},
      {"CELSIUS", "TEMPERATURE", 1, 0},
      {"FAHRENHEIT", "TEMPERATURE", 5.0 / 9.0, -32},
      {"KELVIN", "TEMPERATURE", 1, -273.15},
      {"RANKINE", "TEMPERATURE", 5.0 / 9.0, -491.67},
  };
  for (const auto& r : kRows) {
    if (r.name == u) return Scale{std::string(r.dimension), r.factor, r.offset};
  }
  return std::nullopt;
}

/// "FOOT^2" -> FOOT squared; no offset allowed in a power or quotient (temperatures stand
/// alone).
std::optional<Scale> power(std::string_view u) {
  int exponent = 1;
  if (const size_t caret = u.find('^'); caret != std::string_view::npos) {
    const std::string_view e = u.substr(caret + 1);
    if (e.size() != 1 || e[0] < '1' || e[0] > '3') return std::nullopt;
    exponent = e[0] - '0';
    u = u.substr(0, caret);
  }
  auto s = base(u);
  if (!s || (exponent != 1 && s->offset != 0)) return std::nullopt;
  if (exponent != 1) {
    s->factor = std::pow(s->factor, exponent);
    s->dimension += "^" + std::to_string(exponent);
  }
  return s;
}

std::optional<Scale> parse(std::string_view u) {
  if (auto whole = base(u)) return whole;  // names with a '/' of their own (POUND/INCH^2)
  std::string suffix;
  constexpr std::string_view k3d = "_3D";
  if (u.size() > k3d.size() && u.substr(u.size() - k3d.size()) == k3d) {
    u.remove_suffix(k3d.size());
    suffix = "_3D";
  }
  const size_t slash = u.find('/');
  auto num = power(u.substr(0, slash));
  if (!num) return std::nullopt;
  if (slash != std::string_view::npos) {
    auto den = power(u.substr(slash + 1));
    if (!den || num->offset != 0) return std::nullopt;
    num->factor /= den->factor;
    num->dimension += "/" + den->dimension;
  }
  num->dimension += suffix;
  return num;
}

}  // namespace

std::optional<UnitConversion> unitConversion(std::string_view nativeUnits, std::string_view units) {
  if (nativeUnits == units) return UnitConversion{};
  const auto from = parse(nativeUnits);
  const auto to = parse(units);
  if (!from || !to || from->dimension != to->dimension) return std::nullopt;
  // native -> reference: (v + from.offset) * from.factor; reference -> units: r / to.factor
  // - to.offset.
  UnitConversion c;
  c.factor = from->factor / to->factor;
  c.offset = from->offset - to->offset / c.factor;
  return c;
}

}  // namespace spindle::model
