// libFuzzer target for the MTConnect codec's XML documents (MTConnectDevices, MTConnectStreams
// 1.1-2.x, MTConnectError): arbitrary bytes read as an agent's response body. Seeded from the
// collector's testdata (scripts/fuzz).

#include "mtconnect_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spindle::fuzz::decodeAgentDocument(data, size);
  return 0;
}
