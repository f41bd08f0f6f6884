#pragma once
/// The `path=` parameter: the XPath subset MTConnect clients use, evaluated over the device
/// model (Devices / Device|Agent / DataItems / DataItem). Supported: `/` and `//` steps, names
/// and `*`, predicates `[@attr="v"]`, `[@attr!='v']`, `[@attr]`, joined by `and` / `or`, and
/// unions with `|`. A step selecting a device selects all of its data items.

#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "web/mtconnect/device_model.hpp"

namespace spindle::web::mtconnect {

/// Which of `snapshot.items` the path selects (same indexes). kInvalidArgument with the
/// position for a path outside the subset.
Result<std::vector<bool>> evaluatePath(const Snapshot& snapshot, std::string_view path);

}  // namespace spindle::web::mtconnect
