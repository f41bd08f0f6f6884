#pragma once
/// The /probe XML of a machine served with its device file: the file's Device, Description,
/// components and data items, with Spindle's own items (the script's outputs, availability,
/// connection status) beside the file's at the device level.

#include <string>
#include <vector>

#include "web/mtconnect/device_model.hpp"

namespace spindle::web::mtconnect {

/// Appends the <Device> of `device` (which has a file). `selected` as in printDevices.
void appendFileDeviceXml(std::string& out, const Snapshot& snapshot, const DeviceMeta& device,
                         const std::vector<bool>* selected);

/// One <DataItem>: the file's element when the item comes from one, else Spindle's.
void appendDataItemXml(std::string& out, const ItemMeta& item);

}  // namespace spindle::web::mtconnect
