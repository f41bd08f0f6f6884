// libFuzzer target for the SHDR codec: arbitrary bytes, fed in arbitrary chunks, must never
// crash, hang or grow without bound; every line is parsed or rejected.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/shdr/shdr_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace spindle;
  model::ItemCatalog catalog;
  collectors::shdr::ParserOptions options;
  options.maxLineBytes = 4096;
  options.maxItems = 64;
  const model::MachineId machine = catalog.addMachine("fuzz");
  catalog.setMachineLimit(machine, 48);  // the catalog refuses some keys max_items admits
  collectors::shdr::ShdrParser parser(catalog, machine, options);
  collectors::shdr::ParseOutput out;
  // The first byte picks a chunk size so line splits across reads are exercised too.
  const std::size_t chunk = size > 0 ? 1 + data[0] % 64 : 1;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  while (!bytes.empty()) {
    const std::size_t n = std::min(chunk, bytes.size());
    parser.feed(bytes.substr(0, n), 0, out);
    bytes.remove_prefix(n);
    out.clear();
  }
  return 0;
}
