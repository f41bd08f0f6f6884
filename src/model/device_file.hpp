#pragma once
/// A machine's MTConnect device file (Devices.xml, MTConnect 1.1 to 2.x): the one device it
/// describes, its components and data items, as the SHDR collector matches adapter keys to
/// them and the MTConnect interface serves them. Parsing is pure (text in, value or error out).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::model {

struct DeviceFileComponent {
  std::string element;  ///< "Axes", "Linear", "Controller", "Path"...
  std::string id;
  std::string name;          ///< empty when the file gives none
  std::string attributes;    ///< every attribute as XML text (` id="x" name="X"`)
  std::string description;   ///< the <Description> element as XML, or empty
  std::string compositions;  ///< the <Compositions> element as XML, or empty
  int parent = -1;           ///< index of the parent component; -1: the device itself
};

struct DeviceFileItem {
  std::string id;
  std::string name;  ///< empty when the file gives none
  std::string category;
  std::string type;
  std::string subType;
  std::string units;
  std::string nativeUnits;
  std::string representation;  ///< VALUE (empty), TIME_SERIES, DATA_SET, TABLE, DISCRETE
  double nativeScale = 0;      ///< 0: none; values are divided by it
  /// The single allowed value when the file constrains the item to one (<Constraints> with one
  /// <Value>): the item is constant, as the standard says.
  std::string constantValue;
  Kind kind = Kind::kEvent;
  int component = -1;  ///< index into DeviceFile::components; -1: the device itself
  std::string xml;     ///< the <DataItem> element as the file wrote it (prefixes removed)
};

struct DeviceFile {
  std::string path;     ///< where it was read from ("" when parsed from text)
  std::string version;  ///< MTConnect version of the document's namespace ("2.7", "1.1")
  std::string id;
  std::string name;
  std::string uuid;
  std::string attributes;   ///< every attribute of <Device> as XML text
  std::string description;  ///< <Description> as XML, or empty
  std::string compositions;
  std::vector<DeviceFileComponent> components;  ///< parents before their children
  std::vector<DeviceFileItem> items;            ///< in document order
};

/// Parses a Devices.xml document and keeps the device named `device` (by name, uuid or id), or
/// the only one when `device` is empty. Errors (kInvalidArgument) say what is wrong and where:
/// not XML (with the line), no MTConnectDevices/Devices/Device, several devices and no
/// `device`, no such device (listing those there are), a data item without id, category or
/// type, an unknown category, or two data items with the same id.
Result<DeviceFile> parseDeviceFile(std::string_view xml, std::string_view device);

/// Reads and parses `path` (kNotFound when it cannot be read).
Result<DeviceFile> loadDeviceFile(const std::string& path, std::string_view device);

}  // namespace spindle::model
