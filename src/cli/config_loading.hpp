#pragma once
/// Loading spindle.yaml (or the embedded demo) for the commands that need it.

#include <string>

#include "app/spindle_config.hpp"

namespace spindle::cli {

/// `storeAccess`: when `store:` scripts go to the network (validate: only for what the
/// cache lacks).
app::LoadResult loadConfiguration(
    const std::string& file, bool demo, const collectors::Registry& registry,
    transform::store::StoreAccess storeAccess = transform::store::StoreAccess::kRefreshWhenDue);

/// Prints every problem, one per line, and a count, to stderr.
void printDiagnostics(const config::Diagnostics& diags);

}  // namespace spindle::cli
