#pragma once
/// Observations as JSON objects, one per line. The format is documented in
/// docs/configuration.md (output) and is what the file output writes.

#include <string>

#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::model {

/// Appends `{"machine":..,"item":..,"ts":..,"kind":..,"value":..}` and a newline to `out`.
/// Conditions add level/native_code/native_severity/qualifier; flags appear only when set.
void appendJsonLine(std::string& out, const Observation& obs, const ItemCatalog& catalog);

/// Appends `text` as a JSON string literal with the required escapes.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace spindle::model
