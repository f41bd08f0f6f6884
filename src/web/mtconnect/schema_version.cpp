#include "web/mtconnect/schema_version.hpp"

#include <algorithm>
#include <array>
#include <vector>

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
  if (m.category == "CONDITION" || !m.representation.empty() || m.element.empty() ||
      m.type.rfind("x:", 0) == 0 || m.element == "CommonSample" || m.element == "StringEvent" ||
      hasElement(v, m.element))
    return std::nullopt;
  // A type the version does not define: its generic element, the type as an extension.
  ItemMeta out = m;
  out.type = "x:" + m.type;
  out.element = m.category == "SAMPLE" ? "CommonSample" : "StringEvent";
  return out;
}

bool hasElement(SchemaVersion v, std::string_view element) {
  for (const Added& a : added()) {
    if (std::find(a.elements.begin(), a.elements.end(), element) != a.elements.end())
      return v >= a.version;
  }
  return true;
}

}  // namespace spindle::web::mtconnect
