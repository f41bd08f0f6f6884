#include "web/mtconnect/schema_version.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <vector>

#include "base/text_hash.hpp"

namespace spindle::web::mtconnect {
namespace {

// 2.3 and later are not served: conditions need a conditionId, and from 2.6 errors are one
// element per kind with the request's URI and parameters.
constexpr std::array<SchemaVersion, 4> kServed{{{1, 5}, {1, 7}, {2, 0}, {2, 2}}};

// Observation elements of the MTConnectStreams schemas that are not in 1.5, by the version that
// added them (read from the official XSDs: MTConnectStreams_<v>.xsd). None was removed up to
// 2.7. Suffixed variants (DataSet, Table, TimeSeries) follow their base element.
struct Added {
  SchemaVersion version;
  std::vector<std::string_view> elements;
};

const std::array<Added, 4>& added() {
  static const std::array<Added, 4> kAdded{{
      {{1, 7},
       {
           "AdapterSoftwareVersion",
           "AdapterURI",
           "AlarmLimit",
           "AmperageAC",
           "AmperageDC",
           "AngularDeceleration",
           "Application",
           "AssetUpdateRate",
           "ConnectionStatus",
           "ControlLimit",
           "Deceleration",
           "DeviceAdded",
           "DeviceChanged",
           "DeviceRemoved",
           "Diameter",
           "Firmware",
           "Hardware",
           "HumidityAbsolute",
           "HumidityRelative",
           "HumiditySpecific",
           "Library",
           "MTConnectVersion",
           "Network",
           "ObservationUpdateRate",
           "OperatingSystem",
           "Orientation",
           "PartGroupId",
           "PartKindId",
           "PartStatus",
           "PartUniqueId",
           "PressureAbsolute",
           "PressurizationRate",
           "ProcessAggregateId",
           "ProcessKindId",
           "ProcessOccurrenceId",
           "Rotation",
           "SensorAttachment",
           "SpecificationLimit",
           "Translation",
           "VoltageAC",
           "VoltageDC",
           "XDimension",
           "YDimension",
           "ZDimension",
       }},
      {{2, 0},
       {
           "ActivationCount",
           "AssetCount",
           "CycleCount",
           "DeactivationCount",
           "FixtureId",
           "LoadCount",
           "LockState",
           "MaintenanceList",
           "Openness",
           "OperatingMode",
           "PartCountType",
           "PartProcessingState",
           "ProcessState",
           "TransferCount",
           "UnloadCount",
           "ValveState",
       }},
      {{2, 2},
       {
           "BatteryCapacity",
           "BatteryCharge",
           "BatteryState",
           "CharacteristicPersistentId",
           "CharacteristicStatus",
           "ChargeRate",
           "ComponentData",
           "DateTimeEvent",
           "DewPoint",
           "DischargeRate",
           "DisplacementAngular",
           "DisplacementLinear",
           "FeatureMeasurement",
           "FeaturePersisitentId",
           "FollowingError",
           "FollowingErrorAngular",
           "FollowingErrorLinear",
           "GravitationalAcceleration",
           "GravitationalForce",
           "HostName",
           "LeakDetect",
           "MeasurementType",
           "MeasurementUnits",
           "MeasurementValue",
           "NetworkPort",
           "PositionCartesian",
           "SensorState",
           "SettlingError",
           "SettlingErrorAngular",
           "SettlingErrorLinear",
           "ToolOffsets",
           "Uncertainty",
           "UncertaintyType",
           "WorkOffsets",
       }},
      {{2, 7},
       {
           "ActivePowerSource",
           "AlarmLimits",
           "AssetAdded",
           "AssociatedAssetId",
           "BindingState",
           "ControlLimits",
           "Depth",
           "FillHeight",
           "FixtureAssetId",
           "LocationAddress",
           "LocationNarrative",
           "LocationSpatialGeographic",
           "PartIndex",
           "ParticleCount",
           "ParticleSize",
           "Resistivity",
           "SpecificationLimits",
           "SwingAngle",
           "SwingDiameter",
           "SwingRadius",
           "TaskAssetId",
           "Thickness",
           "ThreeSpaceEvent",
           "ToolCuttingItem",
           "WaterHardness",
       }},
  }};
  return kAdded;
}

}  // namespace

const char* servedSchemaVersions() { return "1.5, 1.7, 2.0, 2.2"; }

std::optional<SchemaVersion> parseSchemaVersion(std::string_view text) {
  for (const SchemaVersion& v : kServed) {
    if (text == v.text()) return v;
  }
  return std::nullopt;
}

bool servedIn(const ItemMeta& m, SchemaVersion v) {
  if (m.representation == "DATA_SET" || m.representation == "TABLE") {
    // Before 2.0 only VARIABLE has a data set (1.5) among the types the interface serves.
    return v.atLeast(2, 0) || (m.type == "VARIABLE" && m.representation == "DATA_SET");
  }
  return true;
}

std::optional<ItemMeta> adaptation(const ItemMeta& m, SchemaVersion v) {
  const bool oneFloat = v == SchemaVersion{2, 2} && m.category == "EVENT" &&
                        (m.element == "Translation" || m.element == "Rotation");
  if (m.category == "CONDITION" || !m.representation.empty() || m.element.empty() ||
      m.type.rfind("x:", 0) == 0 || m.element == "CommonSample" || m.element == "StringEvent" ||
      (hasElement(v, m.element) && !oneFloat))
    return std::nullopt;
  // A type the version does not define: its generic element, the type as an extension. The
  // made type is kept for the process (one per distinct type of the catalog's: bounded).
  static std::mutex mutex;
  static TextSet types;
  ItemMeta out = m;
  {
    std::lock_guard lock(mutex);
    out.type = *types.insert("x:" + std::string(m.type)).first;
  }
  out.element = m.category == "SAMPLE" ? "CommonSample" : "StringEvent";
  return out;
}

ValueKind eventValueKind(SchemaVersion v, std::string_view element) {
  // The elements of substitution groups IntegerEvent and FloatEvent in MTConnectStreams_<v>.xsd.
  struct Numeric {
    std::string_view element;
    SchemaVersion since;
    ValueKind kind;
  };
  static constexpr std::array<Numeric, 21> kNumeric{{
      {"AxisFeedrateOverride", {1, 5}, ValueKind::kFloat},
      {"BlockCount", {1, 5}, ValueKind::kInteger},
      {"Hardness", {1, 5}, ValueKind::kFloat},
      {"LineNumber", {1, 5}, ValueKind::kInteger},
      {"PathFeedrateOverride", {1, 5}, ValueKind::kFloat},
      {"RotaryVelocityOverride", {1, 5}, ValueKind::kFloat},
      {"MaterialLayer", {1, 7}, ValueKind::kInteger},
      {"ProgramNestLevel", {1, 7}, ValueKind::kInteger},
      {"ToolOffset", {1, 7}, ValueKind::kFloat},
      {"ActivationCount", {2, 0}, ValueKind::kInteger},
      {"DeactivationCount", {2, 0}, ValueKind::kInteger},
      {"TransferCount", {2, 0}, ValueKind::kInteger},
      {"LoadCount", {2, 0}, ValueKind::kInteger},
      {"UnloadCount", {2, 0}, ValueKind::kInteger},
      {"CycleCount", {2, 0}, ValueKind::kInteger},
      {"AssetCount", {2, 0}, ValueKind::kInteger},
      {"Rotation", {2, 2}, ValueKind::kFloat},
      {"Translation", {2, 2}, ValueKind::kFloat},
      {"NetworkPort", {2, 2}, ValueKind::kInteger},
      {"MeasurementValue", {2, 2}, ValueKind::kFloat},
      {"Uncertainty", {2, 2}, ValueKind::kFloat},
  }};
  // PartCount is a float in 1.5 and 1.7, an integer from 2.0; WorkOffset a float in 1.7 only.
  if (element == "PartCount") return v.atLeast(2, 0) ? ValueKind::kInteger : ValueKind::kFloat;
  if (element == "WorkOffset")
    return v == SchemaVersion{1, 7} ? ValueKind::kFloat : ValueKind::kText;
  for (const Numeric& n : kNumeric) {
    if (n.element == element) return v >= n.since ? n.kind : ValueKind::kText;
  }
  return ValueKind::kText;
}

bool fitsValueKind(ValueKind kind, std::string_view t) {
  if (kind == ValueKind::kText || t == "UNAVAILABLE") return true;
  auto digits = [&](size_t& i) {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  if (kind == ValueKind::kInteger) return digits(i) && i == t.size();
  if (t == "NaN" || t.substr(i) == "INF") return true;
  const bool whole = digits(i);
  bool fraction = false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    fraction = digits(i);
  }
  if (!whole && !fraction) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits(i)) return false;
  }
  return i == t.size();
}

bool hasElement(SchemaVersion v, std::string_view element) {
  for (const Added& a : added()) {
    if (std::find(a.elements.begin(), a.elements.end(), element) != a.elements.end())
      return v >= a.version;
  }
  return true;
}

}  // namespace spindle::web::mtconnect
