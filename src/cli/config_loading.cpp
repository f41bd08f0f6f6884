#include "cli/config_loading.hpp"

#include <iostream>

namespace spindle::cli {

app::LoadResult loadConfiguration(const std::string& file, bool demo,
                                  const collectors::Registry& registry,
                                  transform::store::StoreAccess storeAccess) {
  if (demo) return app::loadConfigText(app::demoConfigText(), "<demo>", registry);
  return app::loadConfigFile(file, registry, storeAccess);
}

void printDiagnostics(const config::Diagnostics& diags) {
  std::cerr << diags.describe();
  std::cerr << diags.size() << (diags.size() == 1 ? " problem" : " problems") << " in "
            << (diags.file().empty() ? "the configuration" : diags.file()) << "\n";
}

}  // namespace spindle::cli
