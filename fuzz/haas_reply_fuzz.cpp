// libFuzzer target for the Haas reply parser and decoding: arbitrary bytes, fed in arbitrary
// chunks while arbitrary queries wait, must never crash, hang or grow without bound.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/haas/haas_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace spindle::collectors::haas;
  static const int kCodes[] = {100, 101, 102, 104, 200, 201, 300, 301, 303, 304, 402, 403, 500};
  spindle::model::ItemCatalog catalog;
  HaasCodec codec(catalog, catalog.addMachine("fuzz"), 128, 32);
  CodecOutput out;
  // The first byte picks a chunk size, the second the first query: splits across reads and
  // every command's decoder are exercised.
  const std::size_t chunk = size > 0 ? 1 + data[0] % 64 : 1;
  std::size_t pick = size > 1 ? data[1] : 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Query query;
  auto nextQuery = [&] {
    ++pick;
    const std::size_t i = pick % (std::size(kCodes) + 1);
    query = i < std::size(kCodes) ? Query{kCodes[i], -1, {}}
                                  : Query{600, static_cast<std::int64_t>(1 + pick % 6000),
                                          "macro_" + std::to_string(1 + pick % 6000)};
  };
  nextQuery();
  while (!bytes.empty()) {
    const std::size_t n = std::min(chunk, bytes.size());
    codec.feed(bytes.substr(0, n), &query, 0, out);
    bytes.remove_prefix(n);
    if (out.answered) nextQuery();
    if (out.prompt && (pick & 3) == 0) codec.resync();
    out.clear();
  }
  return 0;
}
